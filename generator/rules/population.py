"""The 检查对象名录库: what each task and stratum was drawn from, by the directory's count.

A task names its object type (tasks.object_type); its directory is its lead department's
count of that type as of the latest 统计日期 on or before the task's start: the directory
the draw was made from, not a later one. A count without a tier is the whole type; where
only tiers are counted, the whole is their sum on that date. Validation (W308, W309) and
the figures (tasks and strata: directory_population, directory_as_of, directory_ratio)
read these same two functions.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable

import pandas as pd

TOTAL = ""  # the tier of a count of the whole type


def _counts(population: pd.DataFrame) -> dict[tuple[str, str, str], tuple[list, list]]:
    """(department, type, tier) → (sorted dates, counts); tiers summed into the whole
    where a date has tier counts but no whole count."""
    frame = pd.DataFrame({
        "department": population["department"].astype(object),
        "object_type": population["object_type"].astype(object),
        "tier": population["risk_tier"].astype(object).where(population["risk_tier"].notna(),
                                                             TOTAL),
        "as_of": population["as_of"], "count": population["count"].astype("Int64"),
    }).dropna(subset=["department", "object_type", "as_of", "count"])
    totals = frame[frame["tier"] == TOTAL]
    summed = frame[frame["tier"] != TOTAL].groupby(["department", "object_type", "as_of"],
                                                   as_index=False)["count"].sum()
    have = pd.MultiIndex.from_frame(totals[["department", "object_type", "as_of"]])
    summed = summed[~pd.MultiIndex.from_frame(summed[["department", "object_type", "as_of"]])
                    .isin(have)].assign(tier=TOTAL)
    frame = pd.concat([frame, summed], ignore_index=True).sort_values("as_of", kind="stable")
    out: dict[tuple[str, str, str], tuple[list, list]] = {}
    for key, group in frame.groupby(["department", "object_type", "tier"], sort=False):
        out[key] = (group["as_of"].tolist(), group["count"].astype(int).tolist())
    return out


def _lookup(counts: dict, keys: Iterable[tuple[str, str, str, pd.Timestamp]]
            ) -> pd.DataFrame:
    found_count, found_date = [], []
    for department, object_type, tier, start in keys:
        series = counts.get((department, object_type, tier))
        at = -1 if series is None or pd.isna(start) else bisect.bisect_right(series[0], start) - 1
        found_count.append(series[1][at] if at >= 0 else pd.NA)
        found_date.append(series[0][at] if at >= 0 else pd.NaT)
    return pd.DataFrame({"count": pd.array(found_count, dtype="Int64"),
                         "as_of": pd.to_datetime(pd.Series(found_date, dtype="datetime64[ns]"))})


def directory_for_tasks(population: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``tasks`` (same order): count and as_of of its directory (NA: none)."""
    counts = _counts(population)
    keys = zip(tasks["lead_department"].astype(object), tasks["object_type"].astype(object),
               [TOTAL] * len(tasks), tasks["start"], strict=True)
    out = _lookup(counts, keys)
    out.index = tasks.index
    return out


def directory_for_strata(population: pd.DataFrame, strata: pd.DataFrame,
                         tasks: pd.DataFrame) -> pd.DataFrame:
    """Per row of ``strata`` (same order): department, object_type, count and as_of of the
    directory's count of its task's type in its tier."""
    by_task = tasks.drop_duplicates("task_id").set_index(tasks["task_id"].drop_duplicates()
                                                         .astype(object))
    task_ids = strata["task_id"].astype(object)
    department = task_ids.map(by_task["lead_department"].astype(object))
    object_type = task_ids.map(by_task["object_type"].astype(object))
    start = task_ids.map(by_task["start"])
    keys = zip(department, object_type, strata["risk_tier"].astype(object), start, strict=True)
    out = _lookup(_counts(population), keys)
    out.index = strata.index
    out["department"] = department.to_numpy(dtype=object)
    out["object_type"] = object_type.to_numpy(dtype=object)
    return out


def ratio(sampled: pd.Series, count: pd.Series) -> pd.Series:
    """sampled ÷ the directory's count (NA where either is missing or the count is 0)."""
    count = count.astype("Float64")
    return (sampled.astype("Float64") / count.where(count > 0)).astype("Float64")


__all__ = ["directory_for_strata", "directory_for_tasks", "ratio"]
