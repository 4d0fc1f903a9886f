"""The enterprise view of the results: one row per credit code, computed vectorized.

Names can change between inspections (a company renames itself); the latest name
is the page title and earlier ones are listed, so a citizen finds it by either.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

COLUMNS = ["uscc", "name", "inspections", "tasks", "first_inspected", "last_inspected",
           "problems", "names"]
_LAST = np.iinfo(np.int64).max


@dataclass(frozen=True)
class EnterpriseIndex:
    """Each result row's enterprise as a number: its code's place among the sorted codes.

    Sorting or grouping a million rows by a string column takes a second or more every
    time; by this number it takes milliseconds. Pages, fingerprints and search records
    all group results by enterprise, so the model works it out once (see
    :meth:`generator.model.Model.enterprise_index`).
    """

    codes: np.ndarray  # the distinct credit codes, sorted (str)
    row: np.ndarray  # int64 per result row: the position of its code in ``codes``

    def __len__(self) -> int:
        return len(self.codes)

    def position(self, codes: np.ndarray | pd.Series | list[str]) -> np.ndarray:
        """Each code's number (its place in ``codes``), -1 for a code no result has:
        a binary search in the sorted codes, not a hash table of a million strings."""
        wanted = np.asarray(codes, dtype=object)
        if not len(self.codes) or not len(wanted):
            return np.full(len(wanted), -1, dtype=np.int64)
        at = np.searchsorted(self.codes, wanted).clip(0, len(self.codes) - 1)
        return np.where(self.codes[at] == wanted, at, -1).astype(np.int64)

    def bounds(self, order: np.ndarray) -> np.ndarray:
        """Where each enterprise's rows start in ``results`` taken in ``order`` (which must
        group them), plus the row count at the end."""
        return np.searchsorted(self.row[order], np.arange(len(self.codes) + 1))


def enterprise_index(results: pd.DataFrame) -> EnterpriseIndex:
    """The :class:`EnterpriseIndex` of ``results`` (every row has a credit code)."""
    row, codes = pd.factorize(results["uscc"], sort=True)
    return EnterpriseIndex(codes=np.asarray(codes, dtype=object), row=row.astype(np.int64))


def date_key(values: pd.Series, descending: bool = False) -> np.ndarray:
    """Dates as int64 that sort like ``sort_values`` sorts them: missing dates last."""
    when = values.to_numpy(dtype="datetime64[ns]").view(np.int64)
    missing = when == np.iinfo(np.int64).min
    return np.where(missing, _LAST, -when if descending else when)


def enterprises(results: pd.DataFrame, index: EnterpriseIndex | None = None) -> pd.DataFrame:
    """Columns: uscc, name (latest), inspections, tasks, first_inspected, last_inspected,
    problems, names (all distinct, latest first, when more than one; else None).

    ``index``: the results' :class:`EnterpriseIndex`, when already known.
    """
    if results.empty:
        return pd.DataFrame(columns=COLUMNS)
    index = index if index is not None else enterprise_index(results)
    count = len(index)
    # latest inspection first within each enterprise; ties keep the input order
    order = np.lexsort((date_key(results["inspected_on"], descending=True), index.row))
    row = index.row[order]
    starts = index.bounds(order)
    firsts = order[starts[:-1]]
    names = results["entity_name"]
    when = results["inspected_on"]
    task_codes = pd.factorize(results["task_id"])[0].astype(np.int64)
    width = int(task_codes.max()) + 1
    tasks = np.bincount(np.unique(index.row * width + task_codes) // width, minlength=count)
    problems = np.bincount(index.row, weights=(results["category"] == "problem").to_numpy(),
                           minlength=count).astype(np.int64)
    frame = pd.DataFrame({
        "uscc": pd.array(index.codes, dtype=results["uscc"].dtype),
        "name": names.iloc[firsts].reset_index(drop=True),
        "inspections": pd.array(np.diff(starts), dtype="Int64"),
        "tasks": tasks.astype(np.int64),
        "first_inspected": when.groupby(index.row).min().reset_index(drop=True),
        "last_inspected": when.iloc[firsts].reset_index(drop=True),
        "problems": problems,
    })
    # every distinct name of an enterprise, latest first, where it has more than one
    name_codes = pd.factorize(names)[0].astype(np.int64)
    pairs = row * (int(name_codes.max()) + 1) + name_codes[order]
    _, first_seen = np.unique(pairs, return_index=True)
    first_seen.sort()
    owners = row[first_seen]
    many = np.bincount(owners, minlength=count) > 1
    keep = first_seen[many[owners]]
    listed = pd.Series(names.iloc[order[keep]].to_numpy(dtype=object)).groupby(row[keep]).agg(list)
    lookup = listed.to_dict()
    frame["names"] = [lookup.get(i) for i in range(count)]
    return frame[COLUMNS]
