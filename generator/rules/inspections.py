"""How inspections were done: visits, 双随机 share, joint visits, repeated inspections.

A visit is one enterprise inspected on one day within one task: several items checked
then count once (进一次门、查多项事). An inspection repeats when the same enterprise was
already checked for the same item in the same year by an earlier task.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

if TYPE_CHECKING:
    from ..model.enterprises import EnterpriseIndex

RANDOM = "双随机抽查"
JOINT = "部门联合抽查"


def first_inspection(frame: pd.DataFrame) -> pd.Series:
    """Per row with a date, the index label of the first inspection of its (enterprise, item, year).

    The earliest inspection (ties: the smaller task id, then file order) is the first.
    ``frame`` has columns uscc, item_id, task_id and inspected_on; rows without a date
    are left out. Validation (W301) and the figures both use this one rule.
    """
    day = frame["inspected_on"]
    keyed = pd.DataFrame({"uscc": frame["uscc"], "item_id": frame["item_id"], "year": day.dt.year,
                          "task_id": frame["task_id"], "day": day, "label": frame.index})
    keyed = keyed[day.notna().to_numpy()].sort_values(["day", "task_id"], kind="stable")
    return keyed.groupby(["uscc", "item_id", "year"], sort=False, observed=True)["label"] \
        .transform("first").rename("first")


def repeated(results: pd.DataFrame) -> pd.Series:
    """True for rows whose (enterprise, item, year) was first inspected by another task."""
    first = first_inspection(results)
    tasks = results["task_id"].astype(object)
    flag = pd.Series(tasks.loc[first.index].to_numpy() != tasks.loc[first.to_numpy()].to_numpy(),
                     index=first.index)
    return flag.reindex(results.index, fill_value=False).astype(bool)


def visit_of_rows(results: pd.DataFrame, index: EnterpriseIndex) -> np.ndarray:
    """Per result row, the number of its visit (task, enterprise, day), 0, 1, ... in order of
    first appearance: the one definition of "one inspection" that the visit counts and the
    inspectors' rule (:mod:`.teams`) share."""
    task_code = pd.factorize(results["task_id"].astype(object))[0]
    day = results["inspected_on"].to_numpy(dtype="datetime64[D]").astype(np.int64)
    return pd.DataFrame({"t": task_code, "u": index.row, "d": day}).groupby(
        ["t", "u", "d"], sort=False).ngroup().to_numpy()


def visits(results: pd.DataFrame, selection: pd.Series, joint: pd.Series,
           index: EnterpriseIndex, visit: np.ndarray | None = None) -> pd.DataFrame:
    """One row per visit: task, department, year, random?, joint?, items checked.

    Grouping runs on integer codes: at a million rows, hashing strings is most of the cost.
    ``index``: the results' enterprise index (its numbers are the enterprise codes);
    ``visit``: :func:`visit_of_rows`, when the caller has it already.
    """
    if visit is None:
        visit = visit_of_rows(results, index)
    item_code = pd.factorize(results["item_id"].astype(object))[0]
    pairs = pd.DataFrame({"v": visit, "i": item_code}).drop_duplicates()
    n_items = np.bincount(pairs["v"].to_numpy(), minlength=visit.max() + 1 if len(visit) else 0)
    _, first = np.unique(visit, return_index=True)
    out = pd.DataFrame({
        "task_id": results["task_id"].to_numpy()[first],
        "uscc": results["uscc"].to_numpy()[first],
        "inspected_on": results["inspected_on"].to_numpy()[first],
        "inspecting_department": results["inspecting_department"].to_numpy()[first],
        "items": n_items[visit[first]] if len(first) else np.zeros(0, dtype=np.int64),
    })
    out["year"] = out["inspected_on"].dt.year  # already datetime: to_datetime would scan it
    tid = out["task_id"].astype(object)
    out["random"] = (tid.map(selection) == RANDOM).to_numpy(dtype=bool)
    out["joint"] = tid.map(joint).fillna(False).to_numpy(dtype=bool)
    out["multi_item"] = out["items"].to_numpy() > 1
    return out


def visit_counts(visit_rows: pd.DataFrame, task_ids: pd.Series) -> pd.DataFrame:
    """Per task (index as ``task_ids``): visits and visits with several items."""
    per = visit_rows.groupby(visit_rows["task_id"].astype(object), sort=False).agg(
        visits=("items", "size"), multi_item_visits=("multi_item", "sum"))
    per = per.reindex(task_ids.astype(object)).fillna(0).astype(np.int64)
    per.index = task_ids.index
    return per
