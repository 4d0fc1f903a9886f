"""What each plan adjustment changed: computed once here, read by pages, feeds and diffs.

A plan version is a full snapshot, so an adjustment is the difference between a
version and the one before it: tasks added, tasks removed, and each changed field.
"""

from __future__ import annotations

import pandas as pd

from ..contract import Table

# plan-level fields describe the version itself, not a task; they are not task changes
VERSION_FIELDS = ("plan_id", "plan_name", "year", "publisher", "version", "published_on",
                  "adjustment_note")


def task_fields(table: Table) -> list[str]:
    return [f.name for f in table.fields if f.name not in VERSION_FIELDS and f.name != "task_id"]


def _display(value: object) -> str:
    if value is None or (not isinstance(value, list) and pd.isna(value)):
        return ""
    if isinstance(value, list):
        return "；".join(map(str, value))
    if isinstance(value, pd.Timestamp):
        return value.strftime("%Y-%m-%d")
    return str(value)


def plan_versions(plans: pd.DataFrame) -> pd.DataFrame:
    """One row per (plan, version): date, note and task count, ordered by version."""
    if plans.empty:
        return pd.DataFrame(columns=["plan_id", "version", "plan_name", "year", "publisher",
                                     "published_on", "adjustment_note", "tasks"])
    grouped = plans.groupby(["plan_id", "version"], sort=True, observed=True)
    versions = grouped.agg(plan_name=("plan_name", "first"), year=("year", "first"),
                           publisher=("publisher", "first"),
                           published_on=("published_on", "first"),
                           adjustment_note=("adjustment_note", "first"),
                           tasks=("task_id", "count")).reset_index()
    return versions


def plan_changes(plans: pd.DataFrame, table: Table) -> pd.DataFrame:
    """Every change between consecutive versions of each plan.

    Columns: plan_id, version (the new one), previous, task_id, task_name, change
    (added / removed / changed), field (field name for "changed"), old, new.
    """
    columns = ["plan_id", "version", "previous", "task_id", "task_name", "change", "field",
               "old", "new"]
    records: list[dict] = []
    fields = task_fields(table)
    for plan_id, frame in plans.groupby("plan_id", sort=True, observed=True):
        versions = sorted(frame["version"].dropna().unique())
        for previous, version in zip(versions, versions[1:], strict=False):
            old = frame[frame["version"] == previous].set_index("task_id")
            new = frame[frame["version"] == version].set_index("task_id")
            base = {"plan_id": plan_id, "version": int(version), "previous": int(previous)}
            for task_id in new.index.difference(old.index, sort=False):
                records.append({**base, "task_id": task_id, "task_name": new.at[task_id,
                                "task_name"], "change": "added", "field": None, "old": None,
                                "new": None})
            for task_id in old.index.difference(new.index, sort=False):
                records.append({**base, "task_id": task_id, "task_name": old.at[task_id,
                                "task_name"], "change": "removed", "field": None, "old": None,
                                "new": None})
            for task_id in new.index.intersection(old.index, sort=False):
                for name in fields:
                    before, after = _display(old.at[task_id, name]), _display(
                        new.at[task_id, name])
                    if before != after:
                        records.append({**base, "task_id": task_id,
                                        "task_name": new.at[task_id, "task_name"],
                                        "change": "changed", "field": name, "old": before,
                                        "new": after})
    return pd.DataFrame.from_records(records, columns=columns)
