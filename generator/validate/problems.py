"""Collecting problems, one row or a whole column of rows at a time.

Rules find problems as boolean masks over a table; recording them as chunks keeps
validation vectorized, and messages are only formatted when a report is asked for.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from .codes import CODES, ERROR, WARNING

# "original": a library's own words behind a problem (English, for experts; JSON only)
COLUMNS = ["severity", "code", "file", "row", "column", "value", "message", "original"]
# a value is shown up to this many characters: a megabyte cell must not make a megabyte report
SHOWN = 100


def shown(text: str) -> str:
    """``text`` as a report shows it: cut after :data:`SHOWN` characters, with its length."""
    if len(text) <= SHOWN:
        return text
    return f"{text[:SHOWN]}……（共 {len(text)} 个字）"


@dataclass
class _Chunk:
    code: str
    file: Any
    row: Any
    column: Any
    value: Any
    params: dict[str, Any]
    size: int


def _as_list(value: Any, size: int) -> list[Any]:
    if isinstance(value, (pd.Series, np.ndarray, list, pd.Index)):
        values = list(value.tolist() if hasattr(value, "tolist") else value)
        if len(values) != size:
            raise ValueError("problem columns must have one value per row")
        return values
    return [value] * size


class Problems:
    """All problems found in one validation run, in the order they were found."""

    def __init__(self) -> None:
        self._chunks: list[_Chunk] = []

    def add(self, code: str, file: str | None, row: int | None, column: str | None,
            value: Any, **params: Any) -> None:
        """Record one problem (file-level problems have ``row`` None)."""
        if code not in CODES:
            raise KeyError(f"unknown problem code {code}")
        self._chunks.append(_Chunk(code, file, row, column, value, params, 1))

    def add_rows(self, code: str, file: Any, row: Any, column: Any, value: Any,
                 **params: Any) -> None:
        """Record one problem per row; arguments are scalars or equal-length columns."""
        if code not in CODES:
            raise KeyError(f"unknown problem code {code}")
        size = len(row)
        if size:
            self._chunks.append(_Chunk(code, file, row, column, value, params, size))

    def __len__(self) -> int:
        return sum(c.size for c in self._chunks)

    def count(self, severity: str) -> int:
        return sum(c.size for c in self._chunks if CODES[c.code][0] == severity)

    @property
    def errors(self) -> int:
        return self.count(ERROR)

    @property
    def warnings(self) -> int:
        return self.count(WARNING)

    def codes(self) -> set[str]:
        return {c.code for c in self._chunks}

    def _rows(self) -> Iterator[tuple]:
        for c in self._chunks:
            severity, template = CODES[c.code]
            files = _as_list(c.file, c.size)
            rows = _as_list(c.row, c.size)
            columns = _as_list(c.column, c.size)
            values = _as_list(c.value, c.size)
            params = {k: _as_list(v, c.size) for k, v in c.params.items()}
            originals = params.pop("original", [None] * c.size)
            for i in range(c.size):
                value = values[i]
                value = "" if value is None or (isinstance(value, float) and np.isnan(value)) \
                    else shown(str(value))
                fill = {k: (shown(v[i]) if isinstance(v[i], str) else v[i])
                        for k, v in params.items()}
                fill.setdefault("value", value)
                row = rows[i]
                row = None if row is None or pd.isna(row) else int(row)
                yield (severity, c.code, files[i], row, columns[i], value,
                       template.format(**fill), originals[i])

    def frame(self) -> pd.DataFrame:
        """All problems as a table, sorted by file and row so reports read top to bottom."""
        frame = pd.DataFrame(list(self._rows()), columns=COLUMNS)
        frame["row"] = frame["row"].astype("Int64")
        order = frame.assign(_f=frame["file"].fillna(""), _r=frame["row"].fillna(0))
        order = order.sort_values(["_f", "_r"], kind="stable")
        return order.drop(columns=["_f", "_r"]).reset_index(drop=True)
