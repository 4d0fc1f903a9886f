"""Feed entries for every correction and withdrawal of a published result.

They go into the all-updates feed and into the feeds of the tasks and departments they
name, registered as a source of :mod:`.feeds` like any other.
"""

from __future__ import annotations

from datetime import date as date_type

from ..agency.ledger import KIND_LABELS, UNCOMMITTED, corrections_frame, describe
from ..model import Model
from .feeds import FeedEntry, register_entries


@register_entries
def correction_entries(model: Model) -> list[FeedEntry]:
    """Feed entries for the all-updates feed (and the feeds of the tasks and departments named)."""
    entries = corrections_frame(model, model.settings, model.settings.get("CACHE_PATH", "cache"))
    if not len(entries):
        return []
    tasks = model["tasks"]
    leads = dict(zip(tasks["task_id"].astype(str), tasks["lead_department"].astype(str),
                     strict=True))
    out = []
    for row in entries.astype(object).where(entries.notna(), "").to_dict("records"):
        if row["date"] == UNCOMMITTED:
            if model.as_of is None:
                continue
            day = model.as_of
        else:
            day = date_type.fromisoformat(row["date"])
        label = KIND_LABELS.get(row["kind"], row["kind"])
        key = "/".join(["corrections", row["commit"] or "uncommitted", row["task_id"], row["uscc"],
                        row["item_id"], row["kind"], row["field"] or ""])
        lead = leads.get(row["task_id"])
        out.append(FeedEntry(
            key=key, title=f"{label}已公示的检查结果：{row['entity_name']}（任务 {row['task_id']}）",
            link="changes/", day=day, summary=describe(row), category="更正和撤回",
            departments=(lead,) if lead else (), tasks=(row["task_id"],)))
    return out
