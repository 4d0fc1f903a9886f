"""One Atom feed per enterprise: its new results, follow-ups, corrections and withdrawals.

A citizen or journalist who follows one company subscribes to its feed. Entries come from
the tables grouped once by the model's enterprise index; each feed's bytes depend only on
its own entries (its "updated" time is its newest entry, never the build time), and the
feeds of enterprises whose entries are unchanged are not even made again: their entries
are fingerprinted vectorized and compared with the manifest of the last build
(:mod:`generator.build.record_files`).
"""

from __future__ import annotations

from collections.abc import Iterator
from datetime import date, datetime, time
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .. import urls
from ..build.keys import StageKey
from ..build.record_files import (
    RecordFiles,
    Written,
    enterprise_rows,
    executor,
    group_fingerprints,
    stage_salt,
)
from ..model import Model
from .feeds import settings_entry_ids

FOLDER = f"{urls.FEED_FOLDER}/enterprises"


def entries_frame(model: Model) -> pd.DataFrame:
    """Every entry of every enterprise feed: enterprise number, key, day, title, summary,
    link, category; one vectorized frame built from results, dispositions, corrections."""
    disp = model["dispositions"]
    dent = _disposition_ent(model)
    corrections, cent = _owned_corrections(model)
    return entries_of(model["results"], model.enterprise_index.row, disp[dent >= 0],
                      dent[dent >= 0], corrections, cent)


def _disposition_ent(model: Model) -> np.ndarray:
    """Each follow-up's enterprise number (-1: none), as :func:`enterprise_rows` found it:
    the feeds and the JSON API tie follow-ups to enterprises by one rule."""
    grouped = enterprise_rows(model)
    dent = np.full(len(model["dispositions"]), -1, dtype=np.int64)
    dent[grouped.dispositions] = grouped.disposition_ent
    return dent


def _owned_corrections(model: Model) -> tuple[pd.DataFrame, np.ndarray]:
    """The corrections of enterprises that have results, grouped by enterprise number
    (stable), and that number for each."""
    corrections = _corrections(model)
    if not len(corrections):
        return corrections, np.zeros(0, dtype=np.int64)
    cent = model.enterprise_index.position(corrections["uscc"].astype(str).to_numpy(dtype=object))
    keep = np.flatnonzero(cent >= 0)
    keep = keep[np.argsort(cent[keep], kind="stable")]
    return corrections.iloc[keep], cent[keep]


def entries_of(res: pd.DataFrame, ent: np.ndarray, disp: pd.DataFrame, dent: np.ndarray,
               corrections: pd.DataFrame, cent: np.ndarray) -> pd.DataFrame:
    """The feed entries of some enterprises from their rows (each table with the
    enterprise number of every row): a partition's share of :func:`entries_frame`, made
    in the partition's task. An entry's key names its enterprise, so the duplicates
    dropped are the same whichever enterprises a partition holds."""
    # the result rows, by far the most, written out with Arrow's string kernels
    task, uscc, item = _strings(res["task_id"]), _strings(res["uscc"]), _strings(res["item_id"])
    checked = pc.fill_null(pc.strftime(pa.array(res["inspected_on"], from_pandas=True),
                                       format="%Y-%m-%d"), "未记录")
    found = pc.fill_null(pc.binary_join(pa.array(res["result"], type=pa.list_(pa.string()),
                                                 from_pandas=True), "；"), "")
    parts = [pd.DataFrame({
        "ent": ent,
        "key": _objects(pc.binary_join_element_wise("enterprise-result/", task, "/", uscc, "/",
                                                    item, "")),
        "day": res["published_on"].fillna(res["inspected_on"]), "category": "抽查结果",
        "title": _objects(pc.binary_join_element_wise("抽查结果公示：", task, " ", item, "")),
        "summary": _objects(pc.binary_join_element_wise(
            _strings(res["inspecting_department"]), "，检查日期 ", checked, "：", found, "")),
        "link": _objects(pc.binary_join_element_wise("tasks/", task, ""))})]
    if len(disp):
        d = disp
        parts.append(pd.DataFrame({
            "ent": dent,
            "key": "enterprise-follow-up/" + d["task_id"].astype(str) + "/"
                   + d["uscc"].astype(str) + "/" + d["action"].astype(str) + "/"
                   + d["decided_on"].dt.strftime("%Y-%m-%d").fillna(""),
            "day": d["recorded_on"].fillna(d["decided_on"]), "category": "后续处置",
            "title": "后续处置：" + d["action"].astype(str),
            "summary": d["department"].astype(str) + "：" + d["outcome"].fillna("").astype(str),
            "link": "tasks/" + d["task_id"].astype(str)}))
    if len(corrections):
        c = corrections
        parts.append(pd.DataFrame({
            "ent": cent,
            # the enterprise is in the key: one commit's correction of a task's item and
            # field reaches each enterprise concerned, with an id of its own
            "key": "enterprise-" + c["kind"].astype(str) + "/" + c["commit"].astype(str) + "/"
                   + c["task_id"].astype(str) + "/" + c["uscc"].astype(str) + "/"
                   + c["item_id"].astype(str) + "/" + c["field"].astype(str),
            "day": pd.to_datetime(c["date"], errors="coerce"),
            "category": c["kind"].map({"withdrawn": "撤回"}).fillna("更正"),
            "title": c["kind"].map({"withdrawn": "撤回结果"}).fillna("更正：")
                     + c["field_title"].fillna("").astype(str),
            "summary": c["old"].fillna("").astype(str) + " → " + c["new"].fillna("").astype(str),
            "link": "tasks/" + c["task_id"].astype(str)}))
    frame = pd.concat(parts, ignore_index=True)
    frame = frame[frame["day"].notna()]
    frame = frame.drop_duplicates("key")
    # newest first within each enterprise, then by key: sorted by Arrow, strings in C
    order = pc.sort_indices(pa.table({
        "ent": frame["ent"].to_numpy(), "day": frame["day"].to_numpy(dtype="datetime64[ns]"),
        "key": pa.array(frame["key"].to_numpy(dtype=object), type=pa.string())}),
        sort_keys=[("ent", "ascending"), ("day", "descending"), ("key", "ascending")])
    return frame.iloc[order.to_numpy()].reset_index(drop=True)


def _strings(values: pd.Series) -> pa.Array:
    """A column as Arrow text, each value as ``str()`` writes it."""
    return pa.array(values.astype(str).to_numpy(dtype=object), type=pa.string())


def _objects(values: pa.Array) -> np.ndarray:
    return values.to_numpy(zero_copy_only=False)


def _corrections(model: Model) -> pd.DataFrame:
    """Corrections and withdrawals of the agency ledger, empty when there is none."""
    try:
        from ..agency.ledger import corrections_frame

        frame = corrections_frame(model, model.settings, model.settings.get("CACHE_PATH", "cache"))
    except (OSError, ValueError, KeyError):
        return pd.DataFrame()
    if not len(frame) or "uscc" not in frame:
        return pd.DataFrame()
    return frame[frame["date"].astype(str).str.match(r"\d{4}-\d{2}-\d{2}")]


def render(code: str, name: str, rows: list[tuple[Any, ...]], settings: dict[str, Any],
           tz: ZoneInfo) -> bytes:
    """The Atom feed of one enterprise from its entries (key, day, category, title,
    summary, link), newest first: :func:`feeds_of` for a partition of one."""
    frame = pd.DataFrame(rows, columns=SHOWN).assign(ent=0)
    frame["day"] = pd.to_datetime(frame["day"])
    return next(feeds_of({"settings": settings, "tz": tz},
                         {"entries": frame, "records": np.zeros(1, dtype=np.int64),
                          "codes": [code], "names": [name]}))


@lru_cache(maxsize=8192)
def _stamp(day: date, tz: ZoneInfo) -> str:
    return datetime.combine(day, time(0, 0), tz).isoformat()


MANIFEST = ".gongkai-enterprise-feeds.parquet"
RESULT_COLUMNS = ["task_id", "uscc", "item_id", "inspected_on", "published_on", "result",
                  "inspecting_department"]  # what entries_of() reads of a result
SHOWN = ["key", "day", "category", "title", "summary", "link"]


def salt(settings: dict[str, Any]) -> int:
    """What every feed depends on besides its entries: this code, feedgen, the settings."""
    return stage_salt(StageKey("enterprise-feeds")
                      .settings(settings, ("SITENAME", "TIMEZONE"), ("GONGKAI_",))
                      .code("publish/enterprise_feeds.py", "publish/feeds.py", "urls.py")
                      .versions("feedgen"))


FEED_SETTINGS = ("GONGKAI_SITE_URL", "SITENAME", "GONGKAI_REGION")  # what feeds_of() reads


def _escaped(values: pa.Array, attribute: bool = False) -> pa.Array:
    """Every value escaped as lxml (under feedgen) escapes element text, or with
    ``attribute`` an attribute value, by Arrow's string kernels."""
    pairs = [("&", "&amp;"), ("<", "&lt;"), (">", "&gt;"), ("\r", "&#13;")]
    if attribute:
        pairs += [('"', "&quot;"), ("\n", "&#10;"), ("\t", "&#9;")]
    for old, new in pairs:
        values = pc.replace_substring(values, old, new)
    return values


def _stamps(days: pd.Series, tz: ZoneInfo) -> pa.Array:
    """:func:`_stamp` of every day, worked out once per distinct day."""
    unique, where = np.unique(days.to_numpy(dtype="datetime64[D]"), return_inverse=True)
    text = [_stamp(day, tz) for day in unique.astype(object).tolist()]
    return pa.array(text, type=pa.string()).take(pa.array(where.ravel()))


def feeds_of(shared: dict[str, Any], rows: dict[str, Any]) -> Iterator[bytes]:
    """The feeds of some enterprises from their entries: a partition's task, here or on
    a cluster worker.

    Written as text in the exact form feedgen gives the other feeds (the tests compare
    the two byte for byte on every enterprise of the sample): a province has hundreds
    of thousands of these small feeds, and building each one as an element tree costs
    more than the rest of the open data together. Every entry of the partition is
    written out at once by Arrow's string kernels, then joined per feed.
    """
    settings, tz = shared["settings"], shared["tz"]
    part = rows.get("entries")
    if part is None:  # the rows of the enterprises, as a partition's task is given them
        part = entries_of(rows["results"], rows["ent"], rows["dispositions"], rows["dent"],
                          rows["corrections"], rows["cent"])
    site = str(settings.get("GONGKAI_SITE_URL") or "")
    base = site or "../" * urls.enterprise_feed("x").count("/")

    def text(name: str) -> pa.Array:
        return pa.array(part[name].astype(object).to_numpy(), type=pa.string())

    title, summary = text("title"), text("summary")
    summary = pc.if_else(pc.equal(pc.fill_null(summary, ""), ""), title, summary)
    stamps = _stamps(part["day"], tz)
    ids = settings_entry_ids(settings, part["key"].tolist())
    link = _escaped(pc.binary_join_element_wise(base, text("link"), "/", ""), attribute=True)
    entries = pc.binary_join_element_wise(
        "  <entry>\n    <id>", _escaped(ids), "</id>\n    <title>", _escaped(title),
        "</title>\n    <updated>", stamps, '</updated>\n    <link href="', link,
        '"/>\n    <summary>', _escaped(summary), '</summary>\n    <category term="',
        _escaped(text("category"), attribute=True), '"/>\n    <published>', stamps,
        "</published>\n  </entry>\n", "")
    starts = np.searchsorted(part["ent"].to_numpy(), rows["records"])
    offsets = pa.array(np.append(starts, len(part)).astype(np.int64), type=pa.int64())
    bodies = pc.binary_join(pa.LargeListArray.from_arrays(offsets, entries), "")
    # each feed's own lines, for all feeds of the partition at once
    codes = pa.array(rows["codes"], type=pa.string())
    names = pa.array(rows["names"], type=pa.string())
    paths = [urls.enterprise_feed(code) for code in rows["codes"]]
    own = [site + path if site else path.rsplit("/", 1)[-1] for path in paths]
    pages = [base + urls.enterprise(code) for code in rows["codes"]]
    empty = pc.equal(pc.binary_length(bodies), 0)
    first = pa.array(np.minimum(starts, max(len(part) - 1, 0)))
    newest = stamps.take(first) if len(part) else pa.nulls(len(codes), pa.string())
    updated = pc.if_else(empty, _stamp(date(2000, 1, 1), tz), newest)
    feeds = pc.binary_join_element_wise(
        "<?xml version='1.0' encoding='UTF-8'?>\n"
        '<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="zh-CN">\n  <id>',
        _escaped(settings_entry_ids(settings, [f"feed/enterprises/{c}" for c in rows["codes"]])),
        "</id>\n  <title>",
        _escaped(pc.binary_join_element_wise(names, "（", codes, "）抽查结果与后续处置", "")),
        "</title>\n  <updated>", updated, '</updated>\n  <link href="',
        _escaped(pa.array(pages, type=pa.string()), attribute=True), '" rel="alternate"/>\n'
        '  <link href="', _escaped(pa.array(own, type=pa.string()), attribute=True),
        '" rel="self"/>\n  <generator>gongkai</generator>\n  <subtitle>',
        _escaped(pc.binary_join_element_wise(names, " 的新抽查结果、后续处置、更正和撤回。", "")),
        "</subtitle>\n", bodies, "</feed>\n", "")
    yield from feeds.cast(pa.large_binary()).to_pylist()


def write_enterprise_feeds(model: Model, settings: dict[str, Any], output: Path) -> Written:
    """Write feeds/enterprises/{code}.atom.xml for every enterprise whose entries or name
    changed since the last build; remove the feeds of enterprises that are gone.

    Whether a feed changed is told by the fingerprint of the enterprise's rows (shared
    with its JSON file), its name and its corrections; the entries themselves are made
    only for the feeds to write, partition by partition, in the partitions' tasks."""
    tz = ZoneInfo(str(settings.get("TIMEZONE") or "Asia/Shanghai"))
    index = model.enterprise_index
    count = len(index.codes)
    grouped = enterprise_rows(model)
    names = model.enterprises["name"].astype(str).to_numpy(dtype=object)
    corrections, cent = _owned_corrections(model)
    with np.errstate(over="ignore"):
        fingerprints = grouped.fingerprints ^ pd.util.hash_pandas_object(
            pd.Series(names), index=False).to_numpy()
        if len(corrections):
            fingerprints += group_fingerprints(corrections.astype(str), cent, count) * np.uint64(5)
    paths = [urls.enterprise_feed(code) for code in index.codes]
    files = RecordFiles(Path(output), MANIFEST, salt(settings), FOLDER)
    todo = files.todo(paths, fingerprints)
    if len(todo):
        results, disp = model["results"], model["dispositions"]
        dent = _disposition_ent(model)
        wanted = np.zeros(count, dtype=bool)
        codes = np.asarray(index.codes, dtype=object)

        def rows_of(records: np.ndarray) -> dict[str, Any]:
            wanted[:] = False
            wanted[records] = True
            take = np.flatnonzero(wanted[index.row])  # in the tables' own order
            dtake = np.flatnonzero((dent >= 0) & wanted[dent.clip(0)])
            ctake = np.flatnonzero(wanted[cent])
            return {"results": results.iloc[take][RESULT_COLUMNS], "ent": index.row[take],
                    "dispositions": disp.iloc[dtake], "dent": dent[dtake],
                    "corrections": corrections.iloc[ctake], "cent": cent[ctake],
                    "records": records, "codes": codes[records].tolist(),
                    "names": names[records].tolist()}

        shared = {"settings": {k: settings.get(k) for k in FEED_SETTINGS}, "tz": tz}
        files.make(todo, codes, feeds_of, shared, rows_of, executor(settings))
    return files.finish()
