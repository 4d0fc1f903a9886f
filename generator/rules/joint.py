"""进一次门、查多项事: inspections that covered several departments' items on one visit.

A joint task (部门联合抽查) exists so that an enterprise opens its door once for the items of
every department taking part, not once per department. A visit is one enterprise on one day
within one task (:func:`.inspections.visit_of_rows`: the visits every other rule counts); it
is a *multi-department visit* (多部门联合检查) when its result rows name more than one
inspecting department. Those rows are what the enterprise and task pages show together as
one record (:func:`multi_department`), so a page and these counts cannot disagree.

Counted per task; per department and year, where each department of a visit counts it (the
visits it took part in, unlike the visit counts, which go to the visit's first row); and
overall, with each enterprise counted once however many such visits it had.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from .shares import share

__all__ = ["department_pairs", "multi_department", "multi_department_visits", "overall",
           "task_counts"]


def multi_department(departments: list[str]) -> bool:
    """Whether the rows of one visit, by their inspecting departments, are one joint record.

    The pages group a visit's rows with this, on the rows they already hold; the figures
    below count the same condition over the whole table.
    """
    return len(set(departments)) > 1


def _pairs(results: pd.DataFrame, visit: np.ndarray) -> pd.DataFrame:
    """The distinct (visit, department code) pairs, and the departments' names."""
    codes, names = pd.factorize(results["inspecting_department"].astype(object))
    pairs = pd.DataFrame({"v": visit, "d": codes}).drop_duplicates()
    pairs = pairs[pairs["d"].to_numpy() >= 0]
    return pairs.assign(name=np.asarray(names, dtype=object)[pairs["d"].to_numpy()])


def multi_department_visits(results: pd.DataFrame, visit: np.ndarray,
                            visit_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per multi-department visit, in order of visit number.

    ``visit``: each result row's visit number; ``visit_rows``: :func:`.inspections.visits`
    (one row per visit number, in order). Columns: task_id, uscc, entity_name,
    inspected_on, year, items (the visit's distinct items), departments (how many) and
    department_names (sorted, joined by "、").
    """
    n = len(visit_rows)
    pairs = _pairs(results, visit)
    per_visit = np.bincount(pairs["v"].to_numpy(dtype=np.int64), minlength=n)
    multi = np.flatnonzero(per_visit > 1)
    _, first = np.unique(visit, return_index=True)
    names = pairs[np.isin(pairs["v"].to_numpy(), multi)].sort_values(["v", "name"], kind="stable")
    joined = names.groupby("v", sort=True)["name"].agg("、".join)
    out = pd.DataFrame({
        "task_id": visit_rows["task_id"].to_numpy(dtype=object)[multi],
        "uscc": visit_rows["uscc"].to_numpy(dtype=object)[multi],
        "entity_name": results["entity_name"].to_numpy(dtype=object)[first[multi]],
        "inspected_on": visit_rows["inspected_on"].to_numpy()[multi],
        "year": visit_rows["year"].to_numpy()[multi],
        "items": visit_rows["items"].to_numpy()[multi],
        "departments": per_visit[multi],
        "department_names": joined.reindex(multi).to_numpy(dtype=object),
    })
    out["visit"] = multi  # kept for department_pairs; not a published column
    return out


def task_counts(multi: pd.DataFrame, task_ids: pd.Series) -> pd.DataFrame:
    """Per task (index as ``task_ids``): its multi-department visits and their enterprises."""
    by_task = multi.groupby(multi["task_id"].astype(object), sort=False)
    per = pd.DataFrame({"multi_department_visits": by_task.size(),
                        "multi_department_enterprises": by_task["uscc"].nunique()})
    per = per.reindex(task_ids.astype(object)).fillna(0).astype(np.int64)
    per.index = task_ids.index
    return per


def department_pairs(results: pd.DataFrame, visit: np.ndarray,
                     multi: pd.DataFrame) -> pd.DataFrame:
    """One row per multi-department visit and each department that inspected on it:
    department, year and uscc (for the department and year sums of :mod:`.aggregate`)."""
    pairs = _pairs(results, visit)
    at = pd.Series(np.arange(len(multi)), index=multi["visit"].to_numpy())
    pairs = pairs[pairs["v"].isin(at.index).to_numpy()]
    row = at.reindex(pairs["v"].to_numpy()).to_numpy(dtype=np.int64)
    return pd.DataFrame({"department": pairs["name"].to_numpy(dtype=object),
                         "year": multi["year"].to_numpy()[row],
                         "uscc": multi["uscc"].to_numpy(dtype=object)[row]})


def department_counts(pairs: pd.DataFrame) -> pd.DataFrame:
    """Per pair, the 0/1 counts the department and year rows add up: every visit, and each
    enterprise once per department and year."""
    first = ~pairs.duplicated(["department", "year", "uscc"]).to_numpy()
    return pd.DataFrame({"multi_department_visits": np.ones(len(pairs), dtype=np.int64),
                         "multi_department_enterprises": first.astype(np.int64)},
                        index=pairs.index)


def overall(multi: pd.DataFrame, visits: int) -> dict[str, object]:
    """The overall figures: such visits, their enterprises (each once) and their share of
    all visits (as the share of visits with several items is taken)."""
    return {"multi_department_visits": len(multi),
            "multi_department_enterprises": int(multi["uscc"].nunique()),
            "multi_department_visit_share": share(len(multi), visits)}
