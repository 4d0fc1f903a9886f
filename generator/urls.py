"""The URL scheme of the built site, and safe path segments for identifiers.

Identifiers made only of ASCII letters, digits, ``-``, ``_`` and ``.`` appear
verbatim; anything else (slashes, ``..``, Chinese text) becomes a stable hashed slug,
so no identifier can escape the output folder or collide silently.

Departments are named in Chinese, and a hashed slug (``x-1601e11ec6ae``) tells a
reader of a link or a feed subscription nothing, so departments get readable slugs:
the short code of the departments table when it gives one, otherwise the pinyin of
the name (:func:`department_slugs`). Which slug a department has depends on the data,
so the mapping of the data being published is set once per build
(:func:`use_department_slugs`); the hashed form stays the department's *old* address
(:func:`department_legacy`), which the site keeps answering for earlier links.
"""

from __future__ import annotations

import hashlib
import re
from collections.abc import Iterable, Mapping

# the whole identifier: "$" would also let a trailing newline through
SAFE = re.compile(r"[A-Za-z0-9_][A-Za-z0-9._-]{0,127}")
RESERVED = {"con", "prn", "aux", "nul", *(f"com{i}" for i in range(10)),
            *(f"lpt{i}" for i in range(10))}


def segment(identifier: str) -> str:
    """A path segment for an identifier: verbatim when safe, otherwise a stable slug."""
    text = str(identifier)
    if 4 < len(text) <= 128 and text.isascii() and text.isalnum():
        return text  # a credit code: the common case, and never a reserved name
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


def items_by_department(department: str, slugs: Mapping[str, str] | None = None) -> str:
    return f"items/by-department/{department_slug(department, slugs)}/"


def items_by_category(category: str) -> str:
    return f"items/by-category/{segment(category)}/"


def inspector(certificate: str) -> str:
    """The page of one inspector, by certificate number (行政执法公示)."""
    return f"inspectors/{segment(certificate)}/"


def plan(plan_id: str) -> str:
    return f"plans/{segment(plan_id)}/"


def changes(anchor: str = "") -> str:
    """The 更新记录 page, or one entry on it."""
    return "changes/" + (f"#{anchor}" if anchor else "")


# --- departments ---------------------------------------------------------------------

_NOT_SLUG = re.compile(r"[^a-z0-9]+")
SLUG_LENGTH = 64
_department_slugs: dict[str, str] = {}


def transliterate(name: str) -> str:
    """The pinyin of a name as a lower-case ASCII slug ("" when nothing is left of it).

    Syllables are run together as Chinese addresses write them (``gonganju``); anything
    but letters and digits becomes one ``-``.
    """
    from pypinyin import lazy_pinyin

    text = "".join(lazy_pinyin(str(name))).lower()
    return _NOT_SLUG.sub("-", text).strip("-")[:SLUG_LENGTH].strip("-")


def _slug_hash(name: str) -> str:
    return hashlib.sha256(str(name).encode("utf-8")).hexdigest()[:6]


def department_slugs(names: Iterable[str], short_codes: Mapping[str, str] | None = None
                     ) -> dict[str, str]:
    """A distinct readable folder name for each department.

    A short code (lower-cased: folder names differ only in case on no file system the
    site may be copied to) is taken as it is; the validator has made sure short codes
    are safe and distinct. Every other department gets the pinyin of its name; two that
    read alike, or one that reads like another's short code, get a piece of the hash of
    their name added, so each keeps the same slug whatever else the data holds. A name
    with nothing to transliterate keeps its hashed :func:`segment`.
    """
    short_codes = short_codes or {}
    names = sorted(set(names) | set(short_codes))
    out: dict[str, str] = {}
    for name in names:
        code = str(short_codes.get(name) or "").strip().lower()
        if code and segment(code) == code:
            out[name] = code
    taken = set(out.values())
    wanted = {name: transliterate(name) for name in names if name not in out}
    count: dict[str, int] = {}
    for slug in wanted.values():
        count[slug] = count.get(slug, 0) + 1
    for name, slug in wanted.items():
        if not slug or segment(slug) != slug:
            out[name] = segment(name)
        elif count[slug] > 1 or slug in taken:
            out[name] = f"{slug[:SLUG_LENGTH - 7]}-{_slug_hash(name)}"
        else:
            out[name] = slug
    return out


def use_department_slugs(slugs: Mapping[str, str]) -> None:
    """Set the departments' slugs of the data this process is publishing (and forks).

    A process publishes one data set; one that handles several (tests) sets the slugs of
    the one whose addresses it asks for.
    """
    _department_slugs.clear()
    _department_slugs.update(slugs)


def department_slug(name: str, slugs: Mapping[str, str] | None = None) -> str:
    """The folder name of a department's page and feed (``slugs``: instead of the build's)."""
    slug = (_department_slugs if slugs is None else slugs).get(name)
    if slug is None:  # a department outside the data being published: its pinyin
        slug = department_slugs([name])[name]
    return slug


def department(name: str, slugs: Mapping[str, str] | None = None) -> str:
    return f"departments/{department_slug(name, slugs)}/"


def department_legacy(name: str) -> str:
    """Where a department's page was before departments had readable slugs."""
    return f"departments/{segment(name)}/"


def items_by_department_legacy(department: str) -> str:
    return f"items/by-department/{segment(department)}/"


def year(value: int) -> str:
    return f"years/{int(value)}/"


def root_for(path: str) -> str:
    """Relative prefix from a page at ``path`` (a folder URL like "tasks/x/") to the root."""
    depth = path.count("/")
    return "../" * depth


def output_file(path: str) -> str:
    """The file that serves a folder URL."""
    return path + "index.html" if path.endswith("/") or path == "" else path


# --- open-data files: pages link to them, the open-data output writes them ---------------
DATA_FOLDER = "data"
FEED_FOLDER = "feeds"
FEED_FORMATS = {"atom": "application/atom+xml", "rss": "application/rss+xml"}


def task_csv(task_id: str) -> str:
    """The CSV of one task's results, below the site root."""
    return f"{DATA_FOLDER}/tasks/{segment(task_id)}.csv"


def task_xlsx(task_id: str) -> str:
    """The Excel copy of one task's results (the same rows as its CSV)."""
    return f"{DATA_FOLDER}/xlsx/tasks/{segment(task_id)}.xlsx"


def year_xlsx(year: int) -> str:
    """The Excel copy of one inspection year's results."""
    return f"{DATA_FOLDER}/xlsx/results-{int(year)}.xlsx"


def department_csv(department: str) -> str:
    """The CSV of the results one department inspected, below the site root."""
    return f"{DATA_FOLDER}/departments/{department_slug(department)}.csv"


def enterprise_feed(uscc: str) -> str:
    """The Atom feed that follows one enterprise (results, follow-ups, corrections)."""
    return f"{FEED_FOLDER}/enterprises/{segment(uscc)}.atom.xml"


def task_feed(task_id: str, fmt: str = "atom") -> str:
    return f"{FEED_FOLDER}/tasks/{segment(task_id)}.{fmt}.xml"


def department_feed(name: str, fmt: str = "atom") -> str:
    return f"{FEED_FOLDER}/departments/{department_slug(name)}.{fmt}.xml"
