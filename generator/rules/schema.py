"""The columns of every computed figures table, read from ``figures.toml``.

The computing code selects, orders and types its output through :func:`conform`, so
the TOML is the one description of each table that pages, datasets and the data
dictionary all read.
"""

from __future__ import annotations

import tomllib
from functools import cache
from pathlib import Path
from typing import Any

import pandas as pd

SCHEMA_PATH = Path(__file__).with_name("figures.toml")

DTYPES = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean"}


@cache
def figures_schema() -> dict[str, dict[str, Any]]:
    """``{table: {"title", "description", "columns": [{"name", "title", "type", "description"}]}}``."""
    with open(SCHEMA_PATH, "rb") as fh:
        return tomllib.load(fh)["tables"]


def columns(table: str) -> list[dict[str, str]]:
    return figures_schema()[table]["columns"]


def titles(table: str) -> dict[str, str]:
    return {c["name"]: c["title"] for c in columns(table)}


def conform(table: str, frame: pd.DataFrame) -> pd.DataFrame:
    """Exactly the schema's columns, in its order, with its types (missing column: a bug)."""
    out = {}
    for col in columns(table):
        values = frame[col["name"]]
        kind = col["type"]
        if kind == "date":
            # to_datetime scans even a column that is already datetime (tens of ms per
            # 40,000 rows); only other columns need parsing
            if not pd.api.types.is_datetime64_dtype(values.dtype):
                values = pd.to_datetime(values)
            out[col["name"]] = values.astype("datetime64[ns]")
        else:
            out[col["name"]] = values.astype(DTYPES[kind])
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)
