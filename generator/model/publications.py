"""Publication events: what went public together, read by the home page and the feeds alike."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pandas as pd

if TYPE_CHECKING:
    from .enterprises import EnterpriseIndex


def publication_events(results: pd.DataFrame, index: EnterpriseIndex) -> pd.DataFrame:
    """One row per task and publication date, ordered by task and date.

    Agencies publish a task's results in batches; a reader cares that "task X published
    120 enterprises' results on day D", not about each row, so every output that
    announces publications counts them the same way: enterprises, result rows, problems.
    ``index``: the results' enterprise index: enterprises are counted by number rather
    than by comparing credit codes.
    """
    shown = results["published_on"].notna().to_numpy()
    owner = index.row
    published = pd.DataFrame({
        "task_id": results["task_id"].astype(str).to_numpy(dtype=object)[shown],
        "published_on": results["published_on"].to_numpy()[shown],
        "owner": owner[shown],
        "problem": (results["category"] == "problem").to_numpy()[shown],
    })
    events = published.groupby(["task_id", "published_on"], observed=True, sort=True).agg(
        enterprises=("owner", "nunique"), rows=("owner", "size"), problems=("problem", "sum"))
    events["rows"] = events["rows"].astype("Int64")  # the nullable integers every reader expects
    return events.reset_index()
