"""Header mapping: agency column titles → contract field names.

Exports differ in spacing, width and language of headers; all of them fold to one
key here, so ``任务编号``, `` 任务编号 ``, ``ｔａｓｋ＿ｉｄ`` and ``task_id`` are the same column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import numpy as np
import pandas as pd

from ..contract import Contract, Table
from .cells import CELL_NUMBER
from .clean import prepare_column, remove_invisible
from .normalize import map_unique, serial_date

# hidden columns beside a field's cells, for .xlsx files only: the kind of each cell
# (cells.CELL_*) and the text of formulas whose result the file does not hold
KIND_PREFIX = "_kind_"
FORMULA_PREFIX = "_formula_"


def normalize_header(value: str) -> str:
    """Fold width (NFKC), drop all white space and invisible characters (a second byte
    order mark, zero-width spaces pasted from web pages, control characters), lower-case
    ASCII."""
    folded = unicodedata.normalize("NFKC", str(value))
    visible = "".join(c for c in remove_invisible(folded) if unicodedata.category(c) != "Cf")
    return re.sub(r"\s+", "", visible).lower()


@cache
def table_lookup(table: Table) -> dict[str, str]:
    """Normalized Chinese title or English alias → field name, for one table."""
    lookup: dict[str, str] = {}
    for f in table.fields:
        lookup[normalize_header(f.title)] = f.name
        lookup[normalize_header(f.name)] = f.name
    return lookup


@cache
def known_headers(contract: Contract) -> frozenset[str]:
    """Every normalized header of every table, to find the header row of a sheet."""
    return frozenset(k for t in contract for k in table_lookup(t))


def map_columns(raw, table: Table, problems) -> tuple[pd.DataFrame, dict[str, str]] | None:
    """Rename a raw file's columns to field names, reporting unknown and missing headers.

    Returns the field frame (every contract field present, "" where the file lacks an
    optional column) and field → header as written; ``None`` if the file must be
    rejected whole (a duplicate or a missing required column).
    """
    lookup = table_lookup(table)
    chosen: dict[str, int] = {}
    written: dict[str, str] = {}
    fatal = False
    for position, header in enumerate(raw.header):
        if header.strip() == "":
            if (raw.cells[position] != "").any():
                problems.add("W104", raw.file, raw.header_row, "", "", position=position + 1)
            continue
        name = lookup.get(normalize_header(header))
        if name is None:
            problems.add("W101", raw.file, raw.header_row, header, header)
        elif name in chosen:
            problems.add("E104", raw.file, raw.header_row, header, header,
                         first=chosen[name] + 1)
            fatal = True
        else:
            chosen[name] = position
            written[name] = header
    for f in table.fields:
        if f.required and f.name not in chosen:
            problems.add("E105", raw.file, raw.header_row, f.title, "", title=f.title,
                         name=f.name)
            fatal = True
    if fatal:
        return None
    if raw.cells.empty:
        problems.add("W102", raw.file, None, None, "")
    columns: dict[str, object] = {}
    longest: dict[str, int] = {}
    scan = not raw.extra.get("visible", False)
    kinds, formulas = raw.extra.get("kinds", {}), raw.extra.get("formulas", {})
    extra: dict[str, np.ndarray] = {}
    for f in table.fields:
        if f.name not in chosen:
            columns[f.name] = pd.Series("", index=raw.cells.index, dtype=object)
            continue
        column = prepare_column(raw.cells[chosen[f.name]], scan=scan)
        header = written[f.name]
        if column.bidi is not None and column.bidi.any():
            problems.add_rows("W402", raw.file, raw.rows[column.bidi], header,
                              column.values[column.bidi], title=f.title)
        if column.other is not None and column.other.any():
            problems.add_rows("W403", raw.file, raw.rows[column.other], header,
                              column.values[column.other], title=f.title,
                              kinds=column.kinds[column.other])
        kind = kinds.get(chosen[f.name])
        if kind is not None:
            if f.type == "date":
                # an .xlsx number cell in a date column is an Excel date serial
                whole = kind == CELL_NUMBER
                days = map_unique(pd.Series(column.values[whole], dtype=object), serial_date)
                found = np.array([d is not None for d in days], dtype=bool)
                converted = column.values.copy()
                converted[np.flatnonzero(whole)[found]] = days[found]
                column.values = converted
            extra[KIND_PREFIX + f.name] = kind
        if chosen[f.name] in formulas:
            extra[FORMULA_PREFIX + f.name] = formulas[chosen[f.name]]
        columns[f.name] = pd.Series(column.values, index=raw.cells.index, dtype=object)
        longest[f.name] = column.longest
    for name, values in extra.items():
        columns[name] = pd.Series(values, index=raw.cells.index)
    frame = pd.DataFrame(columns)
    frame.attrs["longest"] = longest
    return frame, written
