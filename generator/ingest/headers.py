"""Header mapping: agency column titles → contract field names.

Exports differ in spacing, width and language of headers; all of them fold to one
key here, so ``任务编号``, `` 任务编号 ``, ``ｔａｓｋ＿ｉｄ`` and ``task_id`` are the same column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pandas as pd

from ..contract import Contract, Table


def normalize_header(value: str) -> str:
    """Fold width (NFKC), drop all white space and invisible format characters (a second
    byte order mark, zero-width spaces pasted from web pages), lower-case ASCII."""
    folded = unicodedata.normalize("NFKC", str(value))
    visible = "".join(c for c in folded if unicodedata.category(c) != "Cf")
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
    frame = pd.DataFrame(
        {f.name: (raw.cells[chosen[f.name]].str.strip() if f.name in chosen
                  else pd.Series("", index=raw.cells.index, dtype=object))
         for f in table.fields}
    )
    return frame, written
