"""Atom and RSS 2.0 feeds: all updates, result publications, plans, and one per department and task.

Entries are events recorded in the data (a task's results published on a day, a plan
version published), never build times, so a rebuild of the same data gives the same
bytes, and every entry id is derived from what it announces, so readers never see a
duplicate after a rebuild.

Other kinds of update (corrections, retractions) join the feeds through
:func:`register_entries`: a source is a function ``model -> iterable of FeedEntry``;
its entries go into the all-updates feed and into the feeds of the departments and
tasks they name.
"""

from __future__ import annotations

import hashlib
import html
import json
import os
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from feedgen.feed import FeedGenerator

from .. import urls
from ..build.keys import StageKey
from ..build.writer import FileInfo, write_file
from ..model import Model
from ..model.plans import plan_changes, plan_versions
from ..model.publications import publication_events
from .files import remove_stale

FOLDER = urls.FEED_FOLDER
FORMATS = urls.FEED_FORMATS
CHANGE_WORDS = {"added": "新增任务", "removed": "删除任务", "changed": "修改"}


@dataclass(frozen=True)
class FeedEntry:
    """One update. ``key`` identifies it forever (its id is derived from the key)."""

    key: str
    title: str
    link: str  # page path below the site root, e.g. "tasks/T1/"
    day: date
    summary: str = ""
    category: str = ""
    departments: tuple[str, ...] = ()
    tasks: tuple[str, ...] = ()


@dataclass
class Feed:
    name: str  # path below feeds/ without extension, e.g. "all" or "tasks/T1"
    title: str
    description: str
    page: str  # the page the feed follows, below the site root
    entries: list[FeedEntry] = field(default_factory=list)
    # what the feed's id is derived from when not its name (a department's feed keeps the
    # id it had under its old, hashed name, so readers see one feed under both names)
    id_key: str = ""
    # the name this feed is a copy of: a department feed's old address, kept for subscribers
    copy_of: str = ""

    def path(self, fmt: str) -> str:
        return f"{FOLDER}/{self.name}.{fmt}.xml"


EntrySource = Callable[[Model], Iterable[FeedEntry]]
_SOURCES: list[EntrySource] = []


def register_entries(source: EntrySource) -> EntrySource:
    """Add a source of extra entries (e.g. corrections and retractions) to every build.

    Usable as a decorator. The source is called with the model and returns
    :class:`FeedEntry` objects with stable keys and dates from the data.
    """
    if source not in _SOURCES:
        _SOURCES.append(source)
    return source


def unregister_entries(source: EntrySource) -> None:
    if source in _SOURCES:
        _SOURCES.remove(source)


task_feed_path = urls.task_feed
department_feed_path = urls.department_feed


# --- entries from the model ------------------------------------------------------------


def publication_entries(model: Model) -> list[FeedEntry]:
    """One entry per task and publication date: how many enterprises' results went public."""
    results = model["results"]
    published = results.loc[results["published_on"].notna(),
                            ["task_id", "published_on", "uscc", "inspecting_department"]]
    if published.empty:
        return []
    published = published.assign(task_id=published["task_id"].astype(str))
    keys = ["task_id", "published_on"]
    agg = publication_events(results, model.enterprise_index).set_index(keys)
    depts: dict[tuple, set[str]] = {}
    triples = published[keys + ["inspecting_department"]].drop_duplicates()
    for task_id, day, dept in zip(triples["task_id"], triples["published_on"],
                                  triples["inspecting_department"].astype(str), strict=True):
        depts.setdefault((task_id, day), set()).add(dept)
    tasks = model["tasks"]
    names = dict(zip(tasks["task_id"].astype(str), tasks["name"].astype(str), strict=True))
    leads = dict(zip(tasks["task_id"].astype(str), tasks["lead_department"].astype(str),
                     strict=True))
    out = []
    index = agg.index
    for task_id, day, n, rows, problems in zip(
            index.get_level_values(0), index.get_level_values(1), agg["enterprises"].tolist(),
            agg["rows"].tolist(), agg["problems"].tolist(), strict=True):
        departments = depts.get((task_id, day), set())
        if task_id in leads:
            departments = departments | {leads[task_id]}
        out.append(FeedEntry(
            key=f"results/{task_id}/{day:%Y-%m-%d}",
            title=f"{names.get(task_id, task_id)} 抽查结果公示（{n}户）",
            link=urls.task(task_id), day=day.date(), category="抽查结果",
            summary=f"{day:%Y年%-m月%-d日}公示{n}户市场主体的{rows}条检查结果，"
                    f"其中发现问题{int(problems)}条。",
            departments=tuple(sorted(departments)), tasks=(task_id,)))
    return out


def plan_entries(model: Model) -> list[FeedEntry]:
    """One entry per plan version; an adjustment says what changed and why."""
    plans = model["plans"]
    if plans.empty:
        return []
    versions = plan_versions(plans)
    changes = plan_changes(plans, model.contract["plans"])
    titles = {f.name: f.title for f in model.contract["plans"].fields}
    out = []
    for v in versions.itertuples(index=False):
        plan_id, version = str(v.plan_id), int(v.version)
        own = plans[(plans["plan_id"] == plan_id) & (plans["version"] == version)]
        touched = set(own["task_id"].astype(str))
        departments = {str(v.publisher)} | set(own["lead_department"].dropna().astype(str))
        if version == 1:
            title = f"{v.plan_name} 发布"
            summary = f"发布{v.year}年度抽查计划，共{int(v.tasks)}个抽查任务。"
        else:
            ch = changes[(changes["plan_id"] == plan_id) & (changes["version"] == version)]
            touched |= set(ch["task_id"].astype(str))
            parts = []
            for c in ch.itertuples(index=False):
                if c.change == "changed":
                    parts.append(f"{c.task_name}的{titles.get(c.field, c.field)}由“{c.old}”改为“{c.new}”")
                else:
                    parts.append(f"{CHANGE_WORDS[c.change]}“{c.task_name}”")
            title = f"{v.plan_name} 调整（第{version}版）"
            reason = v.adjustment_note.rstrip("。") if isinstance(v.adjustment_note, str) else ""
            summary = f"调整说明：{reason}。" if reason else ""
            summary += ("调整内容：" + "；".join(parts) + "。") if parts else "任务无变化。"
        out.append(FeedEntry(
            key=f"plans/{plan_id}/{version}", title=title, link=urls.plan(plan_id),
            day=v.published_on.date(), summary=summary, category="抽查计划",
            departments=tuple(sorted(departments)), tasks=tuple(sorted(touched))))
    return out


def extra_entries(model: Model) -> list[FeedEntry]:
    """Entries of the registered sources (see :func:`register_entries`)."""
    return [e for source in _SOURCES for e in source(model)]


def collect_feeds(model: Model, settings: dict[str, Any],
                  extra: list[FeedEntry] | None = None) -> list[Feed]:
    """Every feed with its entries (newest first, at most GONGKAI_FEED_ENTRIES each)."""
    results = publication_entries(model)
    plans = plan_entries(model)
    extra = extra_entries(model) if extra is None else extra
    site = settings.get("SITENAME", "")
    feeds = [
        Feed("all", f"{site}：全部更新", "抽查结果公示、抽查计划发布和调整等全部更新。", "",
             results + plans + extra),
        Feed("results", f"{site}：抽查结果公示", "每个抽查任务每次公示检查结果时发布一条。",
             "tasks/", list(results)),
        Feed("plans", f"{site}：抽查计划及调整", "年度抽查计划的发布和每次调整（含调整内容和理由）。",
             "plans/", list(plans)),
    ]
    by_dept: dict[str, list[FeedEntry]] = {}
    by_task: dict[str, list[FeedEntry]] = {}
    for e in results + plans + extra:
        for d in e.departments:
            by_dept.setdefault(d, []).append(e)
        for t in e.tasks:
            by_task.setdefault(t, []).append(e)
    from ..model.departments import moved, use_for_urls  # the departments that have a page

    departments = use_for_urls(model)
    for name, d in departments.items():
        feeds.append(Feed(f"departments/{d.slug}", f"{name}：抽查更新",
                          f"{name}的抽查结果公示和抽查计划。", urls.department(name),
                          by_dept.get(name, []), id_key=f"departments/{d.legacy}"))
    # a feed reader polls the address it was given and follows no HTML redirect: each
    # department feed is also written under its old, hashed name, as the same feed
    for d in moved(departments):
        feeds.append(Feed(f"departments/{d.legacy}", f"{d.name}：抽查更新",
                          f"{d.name}的抽查结果公示和抽查计划。", urls.department(d.name),
                          by_dept.get(d.name, []), id_key=f"departments/{d.legacy}",
                          copy_of=f"departments/{d.slug}"))
    tasks = model["tasks"].set_index(model["tasks"]["task_id"].astype(str))["name"]
    for task_id in sorted(tasks.index):  # a planned task that never ran has no page
        feeds.append(Feed(f"tasks/{urls.segment(task_id)}", f"{tasks[task_id]}：更新",
                          f"抽查任务 {task_id} 的结果公示和计划调整。", urls.task(task_id),
                          by_task.get(task_id, [])))
    limit = int(settings.get("GONGKAI_FEED_ENTRIES") or 100)
    for f in feeds:
        f.entries = sorted(f.entries, key=lambda e: (e.day, e.key), reverse=True)[:limit]
    return feeds


# --- rendering --------------------------------------------------------------------------


@cache
def _namespace(site: str, region: str) -> uuid.UUID:
    return uuid.uuid5(uuid.NAMESPACE_URL, f"gongkai:{site}:{region}")


def entry_ids(site: str, region: str, keys: list[str]) -> pa.Array:
    """``uuid.uuid5(namespace, key).urn`` of every key, written out: a feed entry per
    result row makes this one of the commonest steps of a large build, so only the
    SHA-1 is taken key by key; the version bits and the text are made for all at once."""
    prefix = _namespace(site, region).bytes
    sha1 = hashlib.sha1
    digests = np.frombuffer(b"".join([sha1(prefix + key.encode("utf-8")).digest()[:16]
                                      for key in keys]), dtype=np.uint8).reshape(-1, 16).copy()
    digests[:, 6] = (digests[:, 6] & 0x0F) | 0x50  # version 5
    digests[:, 8] = (digests[:, 8] & 0x3F) | 0x80  # RFC 4122 variant
    hexed = pa.FixedSizeBinaryArray.from_buffers(
        pa.binary(32), len(keys), [None, pa.py_buffer(digests.tobytes().hex().encode("ascii"))]
    ).cast(pa.binary()).cast(pa.string())

    def cut(start: int, stop: int) -> pa.Array:
        return pc.utf8_slice_codeunits(hexed, start, stop)

    return pc.binary_join_element_wise("urn:uuid:", cut(0, 8), "-", cut(8, 12), "-",
                                       cut(12, 16), "-", cut(16, 20), "-", cut(20, 32), "")


def settings_entry_ids(settings: dict[str, Any], keys: list[str]) -> pa.Array:
    """:func:`entry_id` of every key."""
    return entry_ids(str(settings.get("SITENAME", "")), str(settings.get("GONGKAI_REGION", "")),
                     keys)


def entry_id(settings: dict[str, Any], key: str) -> str:
    """A URN derived from the site and the entry's key: the same entry, the same id, always."""
    return settings_entry_ids(settings, [key])[0].as_py()


def _href(site_url: str, feed_path: str, path: str) -> str:
    """Absolute when the public address is known, else relative to the feed file."""
    if site_url:
        return site_url + path
    return "../" * feed_path.count("/") + path if path else "../" * feed_path.count("/")


def render(feed: Feed, fmt: str, settings: dict[str, Any], as_of: date | None) -> bytes:
    tz = ZoneInfo(str(settings.get("TIMEZONE") or "Asia/Shanghai"))
    site_url = str(settings.get("GONGKAI_SITE_URL") or "")
    path = feed.path(fmt)

    def stamp(day: date) -> datetime:
        return datetime.combine(day, time(0, 0), tz)

    newest = max((e.day for e in feed.entries), default=as_of or date(2000, 1, 1))
    fg = FeedGenerator()
    fg.id(entry_id(settings, f"feed/{feed.id_key or feed.name}"))
    fg.title(feed.title)
    # RSS descriptions are HTML to a feed reader: data in them is escaped to stay text
    # (Atom's title, subtitle and summary are type="text", escaped once by the XML itself)
    as_text = html.escape if fmt == "rss" else str
    fg.subtitle(feed.description)
    fg.description(as_text(feed.description))
    fg.language("zh-CN")
    fg.generator("gongkai")
    fg.link(href=_href(site_url, path, feed.page) or "./", rel="alternate")
    fg.link(href=site_url + path if site_url else path.rsplit("/", 1)[-1], rel="self")
    if settings.get("AUTHOR"):
        fg.author({"name": str(settings["AUTHOR"])})
    fg.updated(stamp(newest))
    fg.lastBuildDate(stamp(newest))
    entries = list(reversed(feed.entries))  # feedgen prepends: add oldest first
    ids = settings_entry_ids(settings, [e.key for e in entries]).to_pylist()  # all at once
    for e, eid in zip(entries, ids, strict=True):
        fe = fg.add_entry()
        fe.id(eid)
        fe.guid(eid, permalink=False)
        fe.title(e.title)
        fe.link(href=_href(site_url, path, e.link))
        fe.summary(as_text(e.summary or e.title))
        fe.updated(stamp(e.day))
        fe.published(stamp(e.day))
        if e.category:
            fe.category(term=e.category)
    return fg.atom_str(pretty=True) if fmt == "atom" else fg.rss_str(pretty=True)


@dataclass
class PublishedFeeds:
    feeds: list[Feed]
    files: list[FileInfo]
    removed: int = 0


# what a feed file is rendered from besides its feed: these settings, this module, feedgen
RENDER_SETTINGS = ("TIMEZONE", "GONGKAI_SITE_URL", "AUTHOR", "SITENAME", "GONGKAI_REGION")
# inside the output: the render key of every feed file of the build that wrote it
STATE = ".gongkai-feeds.json"


@cache
def _code_salt() -> bytes:
    return StageKey("feeds").code("publish/feeds.py").versions("feedgen").digest()


def render_key(feed: Feed, fmt: str, settings: dict[str, Any], as_of: date | None,
               entry_digest: Callable[[FeedEntry], bytes]) -> str:
    """A digest of everything :func:`render` reads for this file: the same key, the same bytes."""
    digest = hashlib.sha256(_code_salt())
    digest.update(repr((fmt, feed.name, feed.id_key, feed.title, feed.description, feed.page,
                        [settings.get(k) for k in RENDER_SETTINGS],
                        None if feed.entries else as_of)).encode())
    for e in feed.entries:
        digest.update(entry_digest(e))
    return digest.hexdigest()


def _existing(output: Path, path: str) -> FileInfo | None:
    try:
        data = (output / path).read_bytes()
    except OSError:
        return None
    return FileInfo(path, len(data), hashlib.sha256(data).hexdigest())


def write_feeds(model: Model, settings: dict[str, Any], output,
                extra: list[FeedEntry] | None = None) -> PublishedFeeds:
    """Write every feed in both formats; a file whose render key is the one the last build
    recorded, and which is still there, is not rendered again (a province has a thousand
    feeds, and a day's new results change a few dozen)."""
    output = Path(output)
    feeds = collect_feeds(model, settings, extra)
    data_date = model.data_date
    try:
        previous = json.loads((output / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        previous = {}
    digests: dict[int, bytes] = {}  # entries are shared between feeds: each hashed once

    def entry_digest(e: FeedEntry) -> bytes:
        found = digests.get(id(e))
        if found is None:
            found = digests[id(e)] = hashlib.sha256(repr(e).encode()).digest()
        return found

    state: dict[str, str] = {}
    files = []
    for f in feeds:
        for fmt in FORMATS:
            path = f.path(fmt)
            key = state[path] = render_key(f, fmt, settings, data_date, entry_digest)
            kept = _existing(output, path) if previous.get(path) == key else None
            files.append(kept or write_file(output, path, render(f, fmt, settings, data_date)))
    if state != previous:  # a rebuild without changes rewrites nothing
        output.mkdir(parents=True, exist_ok=True)
        tmp = output / f"{STATE}.tmp{os.getpid()}"
        tmp.write_text(json.dumps(state, ensure_ascii=False, sort_keys=True), encoding="utf-8")
        os.replace(tmp, output / STATE)  # never in place: the output may share files with the live site
    keep = {f.path for f in files}
    removed = sum(remove_stale(output, f"{FOLDER}/{sub}", keep) for sub in ("tasks", "departments"))
    return PublishedFeeds(feeds, files, removed)


def frame_of(feeds: list[Feed]) -> pd.DataFrame:
    """The feeds as rows for the feeds page: title, page, count, Atom and RSS paths."""
    return pd.DataFrame([{"name": f.name, "title": f.title, "description": f.description,
                          "page": f.page, "entries": len(f.entries), "atom": f.path("atom"),
                          "rss": f.path("rss")} for f in feeds if not f.copy_of])
