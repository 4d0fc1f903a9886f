"""Column schemas of the published datasets, derived from data and never typed twice.

A dataset is an Arrow table plus a :class:`DatasetSchema`. Contract tables take their
schema from ``contract.toml``; the computed compliance figures from
``rules/figures.toml``. CSV headers, Parquet names and types, the data package and the
data dictionary page all read these objects.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd
import pyarrow as pa

from ..contract import Table

# GB 32100-2015: 18 characters, no I, O, S, V, Z
USCC_PATTERN = "[0-9A-HJ-NPQRTUWXY]{2}[0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}"
LIST_DELIMITER = "；"

# contract / schema-file type → published (Frictionless) type
_KINDS = {
    "text": "string", "code": "string", "link": "string", "uscc": "string", "enum": "string",
    "ratio": "string", "string": "string", "url": "string", "phone": "string",
    "integer": "integer", "int": "integer", "count": "integer",
    "number": "number", "float": "number", "share": "number", "rate": "number",
    "percent": "number", "ratio_min": "number",
    "date": "date",
    "boolean": "boolean", "bool": "boolean",
    "list": "list", "result": "list",
}

_ARROW = {"string": pa.string(), "integer": pa.int64(), "number": pa.float64(),
          "date": pa.date32(), "boolean": pa.bool_(), "list": pa.list_(pa.string())}


@dataclass(frozen=True)
class Column:
    """One published column: English name (Parquet), Chinese title (CSV header)."""

    name: str
    title: str
    kind: str  # string, integer, number, date, boolean, list
    description: str = ""
    required: bool = False
    unique: bool = False
    values: tuple[str, ...] = ()
    minimum: float | None = None
    maximum: float | None = None
    pattern: str | None = None
    references: str | None = None
    source_type: str = ""

    @property
    def arrow_type(self) -> pa.DataType:
        return _ARROW[self.kind]


@dataclass(frozen=True)
class DatasetSchema:
    name: str
    title: str
    description: str
    columns: tuple[Column, ...]
    primary_key: tuple[str, ...] = ()
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def names(self) -> list[str]:
        return [c.name for c in self.columns]

    @property
    def titles(self) -> list[str]:
        return [c.title for c in self.columns]

    def column(self, name: str) -> Column:
        for c in self.columns:
            if c.name == name:
                return c
        raise KeyError(name)


def from_contract(table: Table) -> DatasetSchema:
    """The schema of a contract table as ``Model.arrow`` lays it out (ratios add ``_min``)."""
    columns: list[Column] = []
    for f in table.fields:
        columns.append(Column(
            name=f.name, title=f.title, kind=_KINDS[f.type], description=f.description,
            required=f.required, unique=f.unique,
            values=tuple(f.values) if f.type == "enum" else (),
            minimum=f.minimum, maximum=f.maximum,
            pattern=USCC_PATTERN if f.type == "uscc" else None,
            references=f.references if f.type != "list" else None, source_type=f.type))
        if f.type == "ratio":
            columns.append(Column(
                name=f"{f.name}_min", title=f"{f.title}（最低比例）", kind="number",
                description=f"由“{f.title}”解析出的最低比例，0 到 1 之间的小数；无法解析时为空。",
                minimum=0, maximum=1, source_type="ratio_min"))
    return DatasetSchema(table.name, table.title, table.description, tuple(columns),
                         tuple(table.primary_key))


def from_mapping(name: str, raw: dict[str, Any]) -> DatasetSchema:
    """A schema from a TOML-style mapping: title, description, primary_key, fields/columns."""
    columns = []
    for f in raw.get("fields") or raw.get("columns") or []:
        kind = _KINDS.get(str(f.get("type", "string")).lower(), "string")
        columns.append(Column(
            name=f["name"], title=f.get("title") or f["name"], kind=kind,
            description=f.get("description", ""), required=bool(f.get("required", False)),
            unique=bool(f.get("unique", False)), values=tuple(f.get("values", ())),
            minimum=f.get("minimum"), maximum=f.get("maximum"),
            references=f.get("references"), source_type=str(f.get("type", "string"))))
    return DatasetSchema(name, raw.get("title") or name, raw.get("description", ""),
                         tuple(columns), tuple(raw.get("primary_key", ())))


def to_arrow(schema: DatasetSchema, frame: pd.DataFrame) -> pa.Table:
    """A computed table (pandas) as Arrow with the schema's names and types, in its order."""
    arrays = []
    for c in schema.columns:
        values = frame[c.name]
        if c.kind == "date":
            # midnight of each day, then a cast: no Python date object per row
            days = pd.to_datetime(values).dt.normalize()
            array = pa.array(days, type=pa.timestamp("ns"), from_pandas=True).cast(pa.date32())
        elif c.kind == "integer":
            array = pa.array(values.astype("Int64"), type=pa.int64(), from_pandas=True)
        else:
            array = pa.array(values, type=c.arrow_type, from_pandas=True)
        arrays.append(array)
    return pa.Table.from_arrays(arrays, names=schema.names)
