"""Publication events: what went public together, read by the home page and the feeds alike."""

from __future__ import annotations

import pandas as pd


def publication_events(results: pd.DataFrame) -> pd.DataFrame:
    """One row per task and publication date, ordered by task and date.

    Agencies publish a task's results in batches; a reader cares that "task X published
    120 enterprises' results on day D", not about each row, so every output that
    announces publications counts them the same way: enterprises, result rows, problems.
    """
    published = results.loc[results["published_on"].notna(), ["task_id", "published_on", "uscc"]]
    published = published.assign(task_id=published["task_id"].astype(str),
                                  problem=(results["category"] == "problem").loc[published.index])
    events = published.groupby(["task_id", "published_on"], observed=True, sort=True).agg(
        enterprises=("uscc", "nunique"), rows=("uscc", "size"), problems=("problem", "sum"))
    return events.reset_index()
