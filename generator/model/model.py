"""The :class:`Model` object: typed tables with provenance, plus the validation verdict."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..contract import Contract, Table
from ..validate.problems import Problems
from .enterprises import EnterpriseIndex, enterprise_index, enterprises

PROVENANCE = ["_file", "_row"]


@dataclass
class TableSummary:
    rows_read: int = 0
    rows_valid: int = 0
    rows_rejected: int = 0

    def as_dict(self) -> dict[str, int]:
        return {"rows_read": self.rows_read, "rows_valid": self.rows_valid,
                "rows_rejected": self.rows_rejected}


@dataclass
class Model:
    """Validated tables keyed by contract table name.

    Each table has the contract's English field names as columns (ratios add
    ``<name>_min``, results add ``category``), and ``_file``/``_row`` saying where
    every row came from. Only rows without errors are here.
    """

    contract: Contract
    settings: dict[str, Any]
    data_dir: Path
    tables: dict[str, pd.DataFrame]
    problems: Problems
    summary: dict[str, TableSummary] = field(default_factory=dict)
    # (results frame, its index): worked out once, and again if the table is replaced
    _enterprises: tuple[pd.DataFrame, EnterpriseIndex] | None = field(
        default=None, init=False, repr=False, compare=False)
    _enterprise_table: tuple[pd.DataFrame, pd.DataFrame] | None = field(
        default=None, init=False, repr=False, compare=False)

    def __getitem__(self, name: str) -> pd.DataFrame:
        return self.tables[name]

    @property
    def ok(self) -> bool:
        """True when the data may be published: no errors anywhere."""
        return self.problems.errors == 0

    # dates that record something that happened; task windows and planned dates may
    # lie in the future and would make a site claim data it cannot have yet
    EVENT_DATES = (("results", "inspected_on"), ("results", "published_on"),
                   ("dispositions", "decided_on"), ("dispositions", "recorded_on"),
                   ("plans", "published_on"))

    @property
    def data_date(self) -> date | None:
        """The latest recorded event: the default "as of" date, so builds are reproducible."""
        latest = [self.tables[t][f].max() for t, f in self.EVENT_DATES if len(self.tables[t])]
        latest = [d for d in latest if pd.notna(d)]
        return max(latest).date() if latest else None

    @property
    def as_of(self) -> date | None:
        configured = self.settings.get("GONGKAI_AS_OF")
        if configured:
            return pd.Timestamp(configured).date()
        return self.data_date

    @property
    def enterprise_index(self) -> EnterpriseIndex:
        """Each result row's enterprise as a number (see :class:`EnterpriseIndex`).

        Shared by the pages, the rule figures, the search records and their fingerprints,
        so none of them sorts or groups by credit code strings.
        """
        results = self.tables["results"]
        if self._enterprises is None or self._enterprises[0] is not results:
            self._enterprises = (results, enterprise_index(results))
        return self._enterprises[1]

    @property
    def enterprises(self) -> pd.DataFrame:
        """One row per enterprise in :attr:`enterprise_index` order: its latest name, all
        its names, counts and dates (see :func:`.enterprises.enterprises`). Worked out once
        for every output that names an enterprise, so they all call it the same."""
        results = self.tables["results"]
        if self._enterprise_table is None or self._enterprise_table[0] is not results:
            self._enterprise_table = (results, enterprises(results, self.enterprise_index))
        return self._enterprise_table[1]

    def arrow(self, name: str, provenance: bool = False) -> pa.Table:
        """One table as Arrow with contract types: dates as date32, counts as int64, lists."""
        return to_arrow(self.contract[name], self.tables[name], provenance)


def arrow_type(field_type: str) -> pa.DataType:
    return {
        "integer": pa.int64(),
        "date": pa.date32(),
        "list": pa.list_(pa.string()),
        "result": pa.list_(pa.string()),
    }.get(field_type, pa.string())


def to_arrow(table: Table, frame: pd.DataFrame, provenance: bool = False) -> pa.Table:
    columns, names = [], []
    for f in table.fields:
        values = frame[f.name]
        if f.type == "date":
            array = pa.array(values.dt.date if len(values) else [], type=pa.date32(),
                             from_pandas=True)
        else:
            array = pa.array(values, type=arrow_type(f.type), from_pandas=True)
        columns.append(array)
        names.append(f.name)
        if f.type == "ratio":
            columns.append(pa.array(frame[f.name + "_min"], type=pa.float64(),
                                    from_pandas=True))
            names.append(f.name + "_min")
    if provenance:
        for p in PROVENANCE:
            columns.append(pa.array(frame[p].astype(str) if p == "_file" else frame[p],
                                    from_pandas=True))
            names.append(p)
    return pa.Table.from_arrays(columns, names=names)
