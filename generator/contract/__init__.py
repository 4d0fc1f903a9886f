"""The data contract, loaded from ``contract.toml``.

The contract is data so that the validator, the agency documentation and the
published data dictionary can never disagree: all of them read this one object.
"""

from __future__ import annotations

import tomllib
from dataclasses import dataclass, field
from functools import cache
from pathlib import Path

CONTRACT_FILE = Path(__file__).with_name("contract.toml")

FIELD_TYPES = {"text", "code", "integer", "date", "ratio", "list", "enum", "uscc", "result", "link",
               "url", "phone"}


@dataclass(frozen=True, eq=False)
class Field:
    """One column of a table: canonical Chinese header, English name and its rules."""

    name: str
    title: str
    type: str
    description: str = ""
    required: bool = False
    unique: bool = False
    values: tuple[str, ...] = ()
    synonyms: dict[str, str] = field(default_factory=dict)
    value_titles: dict[str, str] = field(default_factory=dict)
    minimum: int | None = None
    maximum: int | None = None
    references: str | None = None
    example: str = ""


@dataclass(frozen=True, eq=False)
class Table:
    """One table of the contract and where its files live under ``data/``."""

    name: str
    title: str
    short: str
    source: str
    description: str
    fields: tuple[Field, ...]
    primary_key: tuple[str, ...] = ()
    multi_file: bool = False
    optional: bool = False

    def field(self, name: str) -> Field:
        for f in self.fields:
            if f.name == name:
                return f
        raise KeyError(name)

    @property
    def field_names(self) -> list[str]:
        return [f.name for f in self.fields]


@dataclass(frozen=True, eq=False)
class Contract:
    version: str
    tables: dict[str, Table]

    def __iter__(self):
        return iter(self.tables.values())

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def _field(raw: dict) -> Field:
    if raw["type"] not in FIELD_TYPES:
        raise ValueError(f"unknown field type {raw['type']!r} in contract")
    raw = dict(raw)
    raw["values"] = tuple(raw.get("values", ()))
    return Field(**raw)


@cache
def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    """Parse the contract once per process; every consumer shares the result."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    tables = {}
    for name, t in raw["tables"].items():
        t = dict(t)
        fields = tuple(_field(f) for f in t.pop("fields"))
        t["primary_key"] = tuple(t.get("primary_key", ()))
        tables[name] = Table(name=name, fields=fields, **t)
    return Contract(version=raw["version"], tables=tables)
