"""The public 更新记录 page: every correction and withdrawal of a published result."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .. import urls
from ..agency.ledger import KIND_LABELS, UNCOMMITTED, build_ledger
from ..model import Model
from .page import Page


def changes_page(model: Model, settings: dict[str, Any], cache_dir: Path | str) -> Page:
    """The public 更新记录 page: which record, when, what it said before."""
    ledger = build_ledger(model, settings, cache_dir)
    rows = ledger.entries.astype(object).where(ledger.entries.notna(), "").to_dict("records")
    for row in rows:
        row["kind_label"] = KIND_LABELS.get(row["kind"], row["kind"])
        row["task_url"] = urls.task(row["task_id"])
        # an enterprise whose results were all withdrawn keeps its page, saying so
        row["enterprise_url"] = urls.enterprise(row["uscc"])
    dates = [r["date"] for r in rows if r["date"] and r["date"] != UNCOMMITTED]
    return Page("changes/", "changes.html", {
        "entries": rows, "available": ledger.available, "notes": ledger.notes,
        "retracted": sum(r["kind"] == "retracted" for r in rows),
        "corrected": sum(r["kind"] == "corrected" for r in rows),
        "data_updated": max(dates) if dates else "",
    })
