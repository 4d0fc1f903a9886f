"""The URL scheme of the built site, and safe path segments for identifiers.

Identifiers made only of ASCII letters, digits, ``-``, ``_`` and ``.`` appear
verbatim; anything else (Chinese department names, slashes, ``..``) becomes a stable
hashed slug, so no identifier can escape the output folder or collide silently.
"""

from __future__ import annotations

import hashlib
import re

# the whole identifier: "$" would also let a trailing newline through
SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
            *(f"lpt{i}" for i in range(10))}


def segment(identifier: str) -> str:
    """A path segment for an identifier: verbatim when safe, otherwise a stable slug."""
    text = str(identifier)
    if SAFE.fullmatch(text) and not text.endswith(".") and text.split(".")[0].lower() \
            not in RESERVED:
        return text
    digest = hashlib.sha256(text.encode("utf-8")).hexdigest()[:12]
    return f"x-{digest}"


def enterprise(uscc: str) -> str:
    return f"enterprises/{segment(uscc)}/"


def task(task_id: str, page: int = 1) -> str:
    return f"tasks/{segment(task_id)}/" + (f"page/{page}/" if page > 1 else "")


def item(item_id: str) -> str:
    return f"items/{segment(item_id)}/"


def items_by_department(department: str) -> str:
    return f"items/by-department/{segment(department)}/"


def items_by_category(category: str) -> str:
    return f"items/by-category/{segment(category)}/"


def plan(plan_id: str) -> str:
    return f"plans/{segment(plan_id)}/"


def department(name: str) -> str:
    return f"departments/{segment(name)}/"


def year(value: int) -> str:
    return f"years/{int(value)}/"


def root_for(path: str) -> str:
    """Relative prefix from a page at ``path`` (a folder URL like "tasks/x/") to the root."""
    depth = path.count("/")
    return "../" * depth


def output_file(path: str) -> str:
    """The file that serves a folder URL."""
    return path + "index.html" if path.endswith("/") or path == "" else path
