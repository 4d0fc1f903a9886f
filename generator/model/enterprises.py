"""The enterprise view of the results: one row per credit code, computed vectorized.

Names can change between inspections (a company renames itself); the latest name
is the page title and earlier ones are listed, so a citizen finds it by either.
"""

from __future__ import annotations

import pandas as pd


def enterprises(results: pd.DataFrame) -> pd.DataFrame:
    """Columns: uscc, name (latest), names (all distinct, latest first), inspections,
    tasks, first_inspected, last_inspected, problems."""
    if results.empty:
        return pd.DataFrame(columns=["uscc", "name", "names", "inspections", "tasks",
                                     "first_inspected", "last_inspected", "problems"])
    ordered = results[["uscc", "entity_name", "inspected_on", "task_id", "category"]]
    ordered = ordered.sort_values(["uscc", "inspected_on"], ascending=[True, False],
                                  kind="stable")
    grouped = ordered.groupby("uscc", sort=True, observed=True)
    frame = grouped.agg(
        name=("entity_name", "first"),
        inspections=("task_id", "size"),
        tasks=("task_id", "nunique"),
        first_inspected=("inspected_on", "min"),
        last_inspected=("inspected_on", "max"),
    )
    frame["problems"] = (ordered["category"] == "problem").groupby(
        ordered["uscc"], observed=True).sum()
    distinct = ordered.drop_duplicates(["uscc", "entity_name"])
    counts = distinct.groupby("uscc", observed=True).size()
    many = counts[counts > 1].index
    names = distinct[distinct["uscc"].isin(many)].groupby("uscc", observed=True)[
        "entity_name"].agg(list)
    lookup = names.to_dict()
    frame["names"] = [lookup.get(code) for code in frame.index]
    return frame.reset_index()
