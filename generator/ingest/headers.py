"""Header mapping: agency column titles → contract field names.

Exports differ in spacing, width and language of headers; all of them fold to one
key here, so ``任务编号``, `` 任务编号 ``, ``ｔａｓｋ＿ｉｄ`` and ``task_id`` are the same column.
"""

from __future__ import annotations

import re
import unicodedata
from functools import cache

import pandas as pd
import pyarrow.compute as pc

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
        {f.name: (stripped(raw.cells[chosen[f.name]]) if f.name in chosen
                  else pd.Series("", index=raw.cells.index, dtype=object))
         for f in table.fields}
    )
    return frame, written


# every character ``str.strip()`` removes (``str.isspace``); Arrow trims exactly these
WHITESPACE = ("\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f \x85\xa0\u1680\u2000\u2001\u2002\u2003\u2004"
              "\u2005\u2006\u2007\u2008\u2009\u200a\u2028\u2029\u202f\u205f\u3000")


def stripped(column: pd.Series) -> pd.Series:
    """A column of cells without surrounding white space, as Python strings.

    Cells still in Arrow are trimmed there, without a Python call per cell.
    """
    if isinstance(column.dtype, pd.ArrowDtype):
        trimmed = pc.utf8_trim(column.array.__arrow_array__(), WHITESPACE)
        return pd.Series(trimmed.to_numpy(), index=column.index, dtype=object)
    return column.str.strip()
