"""Validation: every rule of the data contract, applied once, reported with its location."""
