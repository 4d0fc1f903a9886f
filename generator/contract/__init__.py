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
    max_length: int = 0  # characters per cell; 0 only before the contract's defaults apply


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


@dataclass(frozen=True)
class Limits:
    """The largest file and cell the validator accepts (``[limits]`` of the contract).

    Every value an agency commits ends up in pages, datasets and search files; these
    bounds keep one runaway cell or file from swelling all of them.
    """

    max_file_bytes: int
    max_unpacked_bytes: int
    max_cells: int


@dataclass(frozen=True, eq=False)
class Contract:
    version: str
    tables: dict[str, Table]
    limits: Limits

    def __iter__(self):
        return iter(self.tables.values())

    def __getitem__(self, name: str) -> Table:
        return self.tables[name]


def _field(raw: dict, max_length: dict[str, int]) -> Field:
    if raw["type"] not in FIELD_TYPES:
        raise ValueError(f"unknown field type {raw['type']!r} in contract")
    raw = dict(raw)
    raw["values"] = tuple(raw.get("values", ()))
    raw.setdefault("max_length", max_length[raw["type"]])
    return Field(**raw)


@cache
def load_contract(path: Path = CONTRACT_FILE) -> Contract:
    """Parse the contract once per process; every consumer shares the result."""
    with open(path, "rb") as fh:
        raw = tomllib.load(fh)
    limits = dict(raw["limits"])
    max_length = limits.pop("max_length")
    missing = FIELD_TYPES - set(max_length)
    if missing:
        raise ValueError(f"no default max_length for field types {sorted(missing)} in contract")
    tables = {}
    for name, t in raw["tables"].items():
        t = dict(t)
        fields = tuple(_field(f, max_length) for f in t.pop("fields"))
        t["primary_key"] = tuple(t.get("primary_key", ()))
        tables[name] = Table(name=name, fields=fields, **t)
    return Contract(version=raw["version"], tables=tables, limits=Limits(**limits))
