"""What a task or department page links to among the open-data files: its CSV and its feeds."""

from __future__ import annotations

from typing import Any

from .. import urls


def _feeds(title: str, path) -> list[dict[str, str]]:
    return [{"title": f"{title}（{'Atom' if fmt == 'atom' else 'RSS'}）", "href": path(fmt),
             "type": mime} for fmt, mime in urls.FEED_FORMATS.items()]


def task_links(task_id: str, name: str, results: int) -> dict[str, Any]:
    """``download_url`` and ``xlsx_url`` (only when the task has results) and
    ``alternate_feeds``."""
    return {"download_url": urls.task_csv(task_id) if results else "",
            "xlsx_url": urls.task_xlsx(task_id) if results else "",
            "alternate_feeds": _feeds(f"{name}：更新", lambda fmt: urls.task_feed(task_id, fmt))}


def department_links(name: str, results: int) -> dict[str, Any]:
    return {"download_url": urls.department_csv(name) if results else "",
            "alternate_feeds": _feeds(f"{name}：抽查更新",
                                      lambda fmt: urls.department_feed(name, fmt))}
