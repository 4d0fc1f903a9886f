"""The departments of the data: every name used anywhere, its contact details and its slug.

Pages, feeds and datasets all name departments; each needs the same answer to "what is
this department's address on the site, and how does a citizen reach it". The answer is
worked out once per model (:func:`directory`) from the optional departments table and
every department name the other tables use, and :func:`use_for_urls` hands the slugs to
the URL builder for the whole build.
"""

from __future__ import annotations

import weakref
from dataclasses import dataclass
from typing import Any

from .. import urls
from .model import Model


@dataclass(frozen=True)
class Department:
    name: str
    slug: str
    legacy: str  # the hashed slug of its name: its address before slugs were readable
    short_code: str = ""
    phone: str = ""
    address: str = ""
    website: str = ""

    @property
    def contact(self) -> tuple[tuple[str, str], ...]:
        """(label, value) of each contact detail given, in the order a citizen uses them."""
        return tuple((label, value) for label, value in (
            ("电话", self.phone), ("地址", self.address), ("网站", self.website)) if value)


def department_names(model: Model) -> list[str]:
    """Every department named anywhere in the data: each has a page (and a feed)."""
    tasks = model["tasks"]
    departments: set[str] = set()
    departments.update(model["items"]["department"].dropna())
    departments.update(tasks["lead_department"].dropna())
    for joint in tasks["joint_departments"]:
        departments.update(joint or [])
    departments.update(model["results"]["inspecting_department"].dropna().unique())
    departments.update(model["plans"]["publisher"].dropna())
    table = model.tables.get("departments")
    if table is not None:
        departments.update(table["name"].dropna())
    return sorted(str(d) for d in departments)


# one model's directory, kept while that model lives (a build asks from several places)
_last: tuple[Any, tuple[int, ...], dict[str, Department]] | None = None


def directory(model: Model) -> dict[str, Department]:
    """Name → :class:`Department` for every department of ``model``, sorted by name."""
    global _last
    tables = model.tables
    key = tuple(id(tables.get(t)) for t in ("items", "tasks", "results", "plans", "departments"))
    if _last is not None and _last[0]() is model and _last[1] == key:
        return _last[2]
    names = department_names(model)
    rows: dict[str, dict[str, str]] = {}
    table = tables.get("departments")
    if table is not None and len(table):
        frame = table[["name", "short_code", "phone", "address", "website"]].astype(object)
        for row in frame.where(frame.notna(), "").to_dict("records"):
            rows[str(row["name"])] = {k: str(v) for k, v in row.items()}
    slugs = urls.department_slugs(names, {n: r["short_code"] for n, r in rows.items()
                                          if r["short_code"]})
    out = {}
    for name in names:
        row = rows.get(name, {})
        out[name] = Department(name=name, slug=slugs[name], legacy=urls.segment(name),
                               short_code=row.get("short_code", ""),
                               phone=row.get("phone", ""), address=row.get("address", ""),
                               website=row.get("website", ""))
    _last = (weakref.ref(model), key, out)
    return out


def use_for_urls(model: Model) -> dict[str, Department]:
    """Make the URL builder give ``model``'s departments their slugs; return the directory."""
    found = directory(model)
    urls.use_department_slugs({name: d.slug for name, d in found.items()})
    return found


def moved(found: dict[str, Department]) -> list[Department]:
    """Departments whose old (hashed) address differs from the new one and is free to keep
    answering: not, ignoring case, any department's new address."""
    current = {d.slug.casefold() for d in found.values()}
    return [d for d in found.values()
            if d.legacy.casefold() != d.slug.casefold() and d.legacy.casefold() not in current]
