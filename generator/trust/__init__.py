"""Safeguards for what a public portal must never publish or do.

``pii``: personal data in published text columns; ``reconcile``: every row read is
either published or rejected.
"""
