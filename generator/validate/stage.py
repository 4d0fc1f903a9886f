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


@dataclass
class Stage:
    table: Table
    raw: pd.DataFrame  # field columns as written (str), plus _file and _row
    written: dict[str, dict[str, str]]  # file → field → header as written in that file
    problems: Problems
    typed: pd.DataFrame = field(init=False)
    rejected: np.ndarray = field(init=False)
    rows_rejected_whole_files: int = 0

    def __post_init__(self) -> None:
        self.typed = pd.DataFrame(index=self.raw.index)
        self.typed["_file"] = self.raw["_file"]
        self.typed["_row"] = self.raw["_row"]
        self.rejected = np.zeros(len(self.raw), dtype=bool)

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

    def locations(self, index: Any = None) -> pd.Series:
        """Human-readable location of every row ("items.csv 第 3 行"), for cross-row messages.

        ``index`` (labels of ``raw``) limits it to some rows: a million strings are not
        built to name the few rows a message needs.
        """
        raw = self.raw if index is None else self.raw.loc[index]
        return raw["_file"].astype(str) + " 第 " + raw["_row"].astype(str) + " 行"
