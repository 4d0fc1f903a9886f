"""A table on its way through validation: raw cells, typed values and the rows rejected.

Rules mark problems with boolean masks; :meth:`Stage.report` turns a mask into
located problems (file, spreadsheet row, column as written) and, for errors,
rejects the rows so they never reach the model.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Table
from .codes import ERROR, severity
from .problems import Problems

# row numbers an E311 lists before "等" (all its rows are counted)
SHOWN_ROWS = 5


def _rows_of(value: Any, mask: np.ndarray, size: int) -> np.ndarray:
    if isinstance(value, (pd.Series, np.ndarray, list)) and len(value) == size:
        return np.asarray(value, dtype=object)[mask]
    return np.full(int(mask.sum()), value, dtype=object)


@dataclass
class Stage:
    table: Table
    raw: pd.DataFrame  # field columns as written (str), plus _file and _row
    written: dict[str, dict[str, str]]  # file → field → header as written in that file
    problems: Problems
    typed: pd.DataFrame = field(init=False)
    rejected: np.ndarray = field(init=False)
    rows_rejected_whole_files: int = 0
    # characters of each field's longest cell, as the readers measured it (None: unknown)
    longest: dict[str, int] | None = None

    def __post_init__(self) -> None:
        self.typed = pd.DataFrame(index=self.raw.index)
        self.typed["_file"] = self.raw["_file"]
        self.typed["_row"] = self.raw["_row"]
        self.rejected = np.zeros(len(self.raw), dtype=bool)
        self._field_errors: dict[str, np.ndarray] = {}
        self.held = np.zeros(len(self.raw), dtype=bool)  # rows held back by E311

    def field_ok(self, *names: str) -> np.ndarray:
        """Rows where none of ``names`` has an error of its own.

        A check across fields or tables runs wherever its own inputs are sound, whatever
        else is wrong with the row: that is what lets one run report every defect, while a
        check never repeats a defect already reported on the value it would read.
        """
        ok = np.ones(len(self.raw), dtype=bool)
        for name in names:
            bad = self._field_errors.get(name)
            if bad is not None:
                ok &= ~bad
        return ok

    def __len__(self) -> int:
        return len(self.raw)

    @property
    def valid(self) -> np.ndarray:
        return ~self.rejected

    def column_header(self, name: str, files: pd.Series) -> pd.Series:
        """The header as the agency wrote it, per row (files of one table may differ)."""
        title = self.table.field(name).title
        mapping = {f: self.written.get(f, {}).get(name, title) for f in files.unique()}
        return files.map(mapping)

    def report(self, code: str, mask: Any, name: str | None, value: Any = None,
               **params: Any) -> None:
        """Record ``code`` for every row in ``mask``; errors also reject those rows."""
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        rows = self.raw.loc[mask]
        files = rows["_file"].astype(object)
        column = self.column_header(name, files) if name else None
        if value is None:
            value = rows[name] if name else ""
        elif isinstance(value, (pd.Series, np.ndarray)) and len(value) == len(self.raw):
            value = np.asarray(value, dtype=object)[mask]
        params = {k: (np.asarray(v, dtype=object)[mask]
                      if isinstance(v, (pd.Series, np.ndarray)) and len(v) == len(self.raw)
                      else v)
                  for k, v in params.items()}
        self.problems.add_rows(code, files, rows["_row"].to_numpy(), column, value, **params)
        if severity(code) == ERROR:
            self.rejected |= mask
            if name:
                bad = self._field_errors.setdefault(name, np.zeros(len(self.raw), dtype=bool))
                bad |= mask

    def hold_back(self, mask: Any, name: str, value: Any, cause: Any, code: str = "E311",
                  **params: Any) -> None:
        """E311 for rows held back because a row they refer to has errors: once per cause.

        A task row with one error would otherwise bury its own message under one E311 for
        each of its thousands of results. Rows are grouped by file and the value they
        refer to; each group is one problem at its first row, with the number of rows and
        the first few row numbers. ``cause`` (per row, or one value) says where the
        referred-to row is. The rows are rejected all the same. ``code`` E314: the table
        referred to is missing altogether.
        """
        mask = np.asarray(mask, dtype=bool)
        if not mask.any():
            return
        picked = self.raw.loc[mask]
        frame = pd.DataFrame({
            "file": picked["_file"].astype(object).to_numpy(),
            "row": picked["_row"].to_numpy(dtype=np.int64),
            "value": _rows_of(value, mask, len(self.raw)),
            "cause": _rows_of(cause, mask, len(self.raw)),
        }).fillna("").astype({"value": str}).sort_values(["file", "value", "row"], kind="stable")
        group = frame.groupby(["file", "value"], sort=False)
        first = group.head(SHOWN_ROWS)
        shown = first.groupby(["file", "value"], sort=False)["row"].agg(list)
        heads = group.first()
        counts = group.size()
        listing = ["第 " + "、".join(map(str, rows)) + " 行" + ("等" if count > len(rows) else "")
                   for rows, count in zip(shown.tolist(), counts.tolist(), strict=True)]
        files = pd.Series(heads.index.get_level_values("file"), dtype=object)
        self.problems.add_rows(code, files, heads["row"].to_numpy(),
                               self.column_header(name, files),
                               heads.index.get_level_values("value").to_numpy(dtype=object),
                               cause=heads["cause"].to_numpy(dtype=object),
                               count=counts.to_numpy(), rows=listing, **params)
        self.rejected |= mask
        self.held |= mask

    def locations(self, index: Any = None) -> pd.Series:
        """Human-readable location of every row ("items.csv 第 3 行"), for cross-row messages.

        ``index`` (labels of ``raw``) limits it to some rows: a million strings are not
        built to name the few rows a message needs.
        """
        raw = self.raw if index is None else self.raw.loc[index]
        return raw["_file"].astype(str) + " 第 " + raw["_row"].astype(str) + " 行"
