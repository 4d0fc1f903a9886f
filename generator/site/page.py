"""A page to render: where it goes, which template, what the template is given."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Page:
    path: str  # folder URL relative to the site root, e.g. "tasks/T1/"
    template: str
    context: dict[str, Any]
    fingerprint: int | None = None  # None: always render, write only if bytes differ
