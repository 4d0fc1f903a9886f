"""One view per resource: each turns the model into the contexts of its pages.

Small resources (items, plans, tasks, departments) are plain lists of pages. The
enterprise pages, half a million at provincial scale, are a :class:`EnterprisePages`
object that builds one context on demand from rows turned into Python objects a shard
at a time, and fingerprints every page with vectorized row hashes so an incremental
build renders only the pages whose rows changed.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass, field
from functools import cache, cached_property
from types import SimpleNamespace
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from .. import urls
from ..model import Model
from ..model.departments import Department, department_names, moved, use_for_urls
from ..model.enterprises import date_key
from ..model.plans import plan_changes, plan_versions
from ..model.publications import publication_events
from ..model.texts import date_codes, date_strings
from ..rules import figures
from ..rules.aggregate import CATEGORY_LABELS
from ..rules.joint import multi_department
from ..rules.teams import minimum
from . import links as downloads
from . import stats
from .formats import ratio_text
from .page import Page

CHANGE_LABELS = {"added": "新增任务", "removed": "删除任务", "changed": "修改"}


def run_bounds(keys: np.ndarray) -> np.ndarray:
    """Where each run of equal values starts in sorted ``keys``, plus ``len(keys)`` at the end."""
    if not len(keys):
        return np.zeros(1, dtype=np.int64)
    return np.r_[np.flatnonzero(np.r_[True, keys[1:] != keys[:-1]]), len(keys)]


def item_texts(data: SiteData, ids: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """Name and page URL of each of the distinct items ``ids``, each followed by "" (what
    code -1, a missing item, picks)."""
    return (np.array([data.item_names.get(i, i) for i in ids] + [""], dtype=object),
            np.array([urls.item(i) for i in ids] + [""], dtype=object))


def item_columns(data: SiteData, item_ids: pd.Series) -> tuple[list[str], list[str]]:
    """Name and page URL of each row's item, worked out once per distinct item."""
    codes, ids = pd.factorize(item_ids.astype(str))
    names, links = item_texts(data, list(ids))
    return names[codes].tolist(), links[codes].tolist()


# Rows of the pages rendered by the hundred thousand: Jinja reads ``row.field`` as an
# attribute first, which on a dict costs a caught exception per lookup.
Row = SimpleNamespace


def records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """Rows as dicts with dates formatted and missing values as "" (templates stay simple).

    Column by column into Python lists, then zipped: the same values as
    ``to_dict("records")`` (Python ints, floats, bools, strings and lists), without
    pandas' per-frame copying, which dominates for the many small frames pages show.
    """
    names = list(frame.columns)
    columns = []
    for name in frame.columns:
        values = frame[name]
        if pd.api.types.is_datetime64_any_dtype(values):
            columns.append(date_strings(values))
            continue
        missing = values.isna().to_numpy()
        column = values.astype(object).tolist()
        for i in np.flatnonzero(missing).tolist():
            column[i] = ""
        columns.append(column)
    return [dict(zip(names, row, strict=True)) for row in zip(*columns, strict=True)]


def all_departments(model: Model) -> list[str]:
    """Every department named anywhere in the data: each has a page (and a feed)."""
    return department_names(model)


def empty_ledger() -> pd.DataFrame:
    from ..agency.ledger import COLUMNS

    return pd.DataFrame(columns=COLUMNS)


@dataclass
class SiteData:
    """Lookups shared by many views, computed once per build."""

    model: Model
    items: pd.DataFrame
    tasks: pd.DataFrame
    enterprises: pd.DataFrame
    item_names: dict[str, str]
    task_names: dict[str, str]
    departments: list[str]
    content_links: dict[str, str] = field(default_factory=dict)
    # name → contact details and slug of every department (see .departments)
    directory: dict[str, Department] = field(default_factory=dict)
    # corrections and retractions of published results, newest first (agency.ledger)
    ledger: pd.DataFrame = field(default_factory=empty_ledger)
    plan_names: dict[str, str] = field(default_factory=dict)
    _strata: dict[str, list[dict[str, Any]]] | None = field(default=None, repr=False)

    def department(self, name: str) -> Department:
        found = self.directory.get(name)
        if found is None:
            found = Department(name, urls.department_slug(name), urls.segment(name))
        return found

    @property
    def strata(self) -> dict[str, list[dict[str, Any]]]:
        """Strata rows of each task, as its page shows them.

        Worked out on first use: they need the rule figures, which the enterprise pages
        do not, so the enterprise pages can start rendering before the figures exist.
        """
        if self._strata is None:
            self._strata = {}
            shown = figures(self.model).strata  # ratios are a rule: computed once, in generator.rules
            for row in records(shown[["task_id", "risk_tier", "population", "sampled", "ratio",
                                      "target_ratio", "meets_ratio"]]):
                row["ratio"] = ratio_text(row["ratio"] if row["ratio"] != "" else None)
                row["target_ratio"] = ratio_text(row["target_ratio"] if row["target_ratio"] != ""
                                                 else None)
                self._strata.setdefault(row.pop("task_id"), []).append(row)
        return self._strata

    def document_url(self, document: str | None) -> str:
        """Where a task's 实施方案 is: an http(s) URL as given, or its content page."""
        document = document or ""
        if document.startswith(("http://", "https://")):
            return document
        return self.content_links.get(document, "")

    @classmethod
    def from_model(cls, model: Model, content_links: dict[str, str] | None = None,
                   ledger: pd.DataFrame | None = None) -> SiteData:
        """The shared lookups; also makes the URL builder give departments their slugs."""
        items, tasks = model["items"], model["tasks"]
        directory = use_for_urls(model)
        versions = plan_versions(model["plans"])
        if len(versions):  # the name of each plan's latest version
            latest = versions.sort_values("version").groupby("plan_id", observed=True).tail(1)
            plan_names = dict(zip(latest["plan_id"].astype(str), latest["plan_name"].astype(str),
                                  strict=True))
        else:
            plan_names = {}
        return cls(
            model=model, items=items, tasks=tasks,
            enterprises=model.enterprises,
            item_names=dict(zip(items["item_id"], items["name"], strict=True)),
            task_names=dict(zip(tasks["task_id"], tasks["name"], strict=True)),
            departments=list(directory),
            content_links=content_links or {},
            directory=directory,
            ledger=ledger if ledger is not None else empty_ledger(),
            plan_names=plan_names,
        )


# --- enterprises --------------------------------------------------------------------


class ResultRow(NamedTuple):
    """One result row of an enterprise page (a tuple: made by the million, cheaply)."""

    item_id: str
    item_name: str
    item_url: str
    department: str
    inspected_on: str
    result: str
    category: str
    published_on: str
    note: str
    corrections: tuple = ()  # what the 更新记录 says this result was before (rarely any)


# the fields a shard's rows are loaded with (corrections are added to the few that have any)
LOADED_FIELDS = ResultRow._fields[:-1]
# words of a follow-up outcome that say it is still going on ("正在整改", "期限未满")
OPEN_OUTCOME_WORDS = ("正在", "尚未", "未满", "未完成", "待")


def objection_lines(data: SiteData) -> dict[str, Row]:
    """Per department, what a page needs to say where to object to its results: the
    department's page, and its telephone, address and web page where the data gives them.

    Worked out once per build: every result row names one of a few dozen departments.
    """
    out = {}
    for name in data.departments:
        d = data.department(name)
        parts = []
        for label, value in d.contact:
            href = value if label == "网站" else ""
            parts.append(("；" if parts else "：", label, value, href))
        out[name] = Row(name=name, url=urls.department(name), parts=parts)
    return out


def objection_key(data: SiteData) -> dict[str, str]:
    """Per department, the text its objection line is made of (for page fingerprints)."""
    return {name: repr((d.url, d.parts)) for name, d in objection_lines(data).items()}


def ledger_marks(data: SiteData) -> tuple[dict[str, dict[tuple[str, str], list[Row]]],
                                          dict[str, list[Row]]]:
    """What the 更新记录 says about each enterprise (by credit code), newest first.

    First, the corrections of the results its page still shows, by (task, item); then the
    results withdrawn from it and not published again since (only the latest withdrawal
    of each). The record is short (changes to published results are rare), so it is
    walked row by row; the results are only searched for the enterprises it names.
    """
    entries = data.ledger
    if not len(entries):
        return {}, {}
    entries = entries.astype(object).where(entries.notna(), "")
    results = data.model["results"]
    named = entries["uscc"].astype(str).unique().tolist()
    mine = results.loc[results["uscc"].isin(named).to_numpy(dtype=bool),
                       ["task_id", "uscc", "item_id"]]
    present = set(zip(mine["task_id"].astype(str), mine["uscc"].astype(str),
                      mine["item_id"].astype(str), strict=True))
    corrections: dict[str, dict[tuple[str, str], list[Row]]] = {}
    withdrawn: dict[str, list[Row]] = {}
    seen: set[tuple[str, str, str]] = set()
    for e in entries.to_dict("records"):
        key = (str(e["task_id"]), str(e["uscc"]), str(e["item_id"]))
        task, item = key[0], key[2]
        row = Row(date=str(e["date"]), url=urls.changes(str(e["anchor"])),
                  field_title=str(e["field_title"]), old=str(e["old"]), new=str(e["new"]),
                  published_on=str(e["old_published_on"]), reason=str(e["subject"]),
                  entity_name=str(e["entity_name"]), task_id=task,
                  task_name=data.task_names.get(task, task),
                  task_url=urls.task(task) if task in data.task_names else "",
                  item_name=data.item_names.get(item, item),
                  item_url=urls.item(item) if item in data.item_names else "")
        if e["kind"] == "corrected":
            if key in present:
                corrections.setdefault(key[1], {}).setdefault((task, item), []).append(row)
        elif key not in present and key not in seen:
            seen.add(key)
            withdrawn.setdefault(key[1], []).append(row)
    return corrections, withdrawn


def plain_result(rows: Sequence[ResultRow]) -> str:
    """One inspection's results in plain words: a problem anywhere is what it found."""
    return _plain(tuple((r.result, r.category) for r in rows))


@cache
def _plain(rows: tuple[tuple[str, str], ...]) -> str:
    """:func:`plain_result` of (result, category) pairs: pages share a few hundred of them."""
    problems = [result for result, category in rows if category == "problem"]
    if problems:
        details = []
        for text in dict.fromkeys("；".join(problems).split("；")):
            rest = text.removeprefix("发现问题").lstrip("，,")
            if rest and rest not in details:
                details.append(rest)
        return "发现问题" + ("，" + "；".join(details) if details else "")
    if any(category == "no_problem" for _, category in rows):
        return "未发现问题"
    return "；".join(dict.fromkeys(result for result, _ in rows if result)) or "—"


def open_followup(group: Row) -> str:
    """What is still open about one inspection's follow-up, or "" when nothing is.

    Open is: the last decision of its follow-up has no outcome or no 录入日期 yet, or
    its outcome says it is still going on (正在整改, 期限未满); or a result says follow-up
    is still to come (发现问题待后续处理) and none is recorded.
    """
    if group.dispositions:
        last = group.dispositions[-1]
        outcome = str(last.outcome or "")
        if not outcome or not last.recorded_on or any(w in outcome for w in OPEN_OUTCOME_WORDS):
            return f"{last.action}，{outcome}" if outcome else f"{last.action}，处置结果尚未录入"
        return ""
    if any(r.category == "problem" and "待" in r.result for r in group.rows):
        return "发现的问题待后续处理，尚未录入处置情况"
    return ""


def summary_of(tasks: list[Row]) -> Row:
    """The page's first line: how often, the latest inspection, and any open follow-up."""
    latest = max(tasks, key=lambda g: g.rows[-1].inspected_on)
    day = latest.rows[-1].inspected_on
    rows = [r for r in latest.rows if r.inspected_on == day]
    still_open = []
    for group in tasks:
        text = open_followup(group) if group.dispositions or "problem" in (
            r.category for r in group.rows) else ""
        if text:
            still_open.append(Row(task_name=group.task_name, url=group.url, text=text,
                                  sep="；" if still_open else ""))
    return Row(count=len(tasks), date=rows[-1].inspected_on, task_name=latest.task_name,
               url=latest.url, result=plain_result(rows),
               pending=any(not r.published_on for r in rows), open=still_open)


def visit_blocks(rows: Sequence[Any], keys: Sequence[Any], departments: Sequence[str]) -> list[Row]:
    """The rows of one table split into blocks, each multi-department visit a block of its own.

    ``keys``: each row's visit within the table (its date on an enterprise's task, its
    enterprise and date on a task page), rows of one visit next to each other;
    ``departments``: each row's inspecting department. A visit whose rows name several
    departments (:func:`generator.rules.joint.multi_department`, the rule the figures
    count) is one record, ``visit`` describing it; the other rows stay in plain blocks
    (``visit`` None) between them. One plain block when no row is of such a visit.
    """
    if len(set(departments)) < 2:  # the usual page: nothing to group
        return [Row(visit=None, rows=list(rows))]
    blocks: list[Row] = []
    start = 0
    for end in range(1, len(rows) + 1):
        if end < len(rows) and keys[end] == keys[start]:
            continue
        run = list(rows[start:end])
        names = sorted(set(departments[start:end]))
        if multi_department(names):
            blocks.append(Row(visit=Row(items=len(run), departments=names), rows=run))
        elif blocks and blocks[-1].visit is None:
            blocks[-1].rows.extend(run)
        else:
            blocks.append(Row(visit=None, rows=run))
        start = end
    return blocks


def paginate_blocks(blocks: list[Row], size: int) -> list[list[Row]]:
    """Blocks in pages of at most ``size`` rows, a visit never split between two pages (one
    larger than a page gets a page of its own); plain blocks are cut where a page is full,
    so a table without joint visits pages exactly as its rows would."""
    pages: list[list[Row]] = [[]]
    count = 0
    for block in blocks:
        if block.visit is not None:
            if count and count + len(block.rows) > size:
                pages.append([])
                count = 0
            pages[-1].append(block)
            count += len(block.rows)
            continue
        rows = block.rows
        while rows:
            if count >= size:
                pages.append([])
                count = 0
            taken, rows = rows[:size - count], rows[size - count:]
            pages[-1].append(Row(visit=None, rows=taken))
            count += len(taken)
    return pages


class EnterprisePages:
    """Every enterprise page, built on demand from pre-sorted result columns.

    The rows a page shows are turned into Python objects only for the pages about to be
    rendered, a shard at a time (:meth:`load`): by whichever process renders that shard,
    so the work is shared out with the rendering instead of done before it, and an
    incremental build converts the rows of the enterprises it renders alone.
    """

    template = "enterprise.html"

    def __init__(self, data: SiteData) -> None:
        model = data.model
        index = model.enterprise_index
        results = model["results"]
        # by enterprise, then date, task and item: sorted by numbers, as sort_values
        # would sort the columns (ties keep the input order)
        factorized = {c: pd.factorize(results[c], sort=True) for c in ("item_id", "task_id")}
        order = np.lexsort((factorized["item_id"][0], factorized["task_id"][0],
                            date_key(results["inspected_on"]), index.row))
        shown = ["entity_name", "task_id", "item_id", "inspecting_department", "inspected_on",
                 "published_on", "category", "result_text", "note"]  # what pages read
        # the rows stay where they are: codes and row hashes are put in page order, which
        # costs less than moving every text column of a million rows
        results = results[shown]
        self._order = order
        self._index = index
        self.ents = data.enterprises
        self.bounds = index.bounds(order)
        self.item_names = data.item_names
        self.task_names = data.task_names
        self.names = self.ents["name"].astype(str).tolist()
        self.all_names = self.ents["names"].tolist()
        self.usccs = self.ents["uscc"].astype(str).tolist()
        disp = model["dispositions"]
        self._results = results
        self._fingerprint_inputs = disp
        self._columns = self._page_columns(data, results, order, factorized)
        # follow-up rows by enterprise (its number, which is its place in usccs), then task
        # and decision date
        position = index.position(disp["uscc"].astype(str))
        disp = disp.assign(_position=position)[position >= 0]
        disp = disp.sort_values(["_position", "task_id", "decided_on"], kind="stable")
        self._disp = disp[["_position", "uscc", "task_id", "department", "action", "outcome",
                           "decided_on", "recorded_on"]].reset_index(drop=True)
        self._disp_position = self._disp["_position"].to_numpy()
        self._objections = objection_lines(data)
        self._objection_key = objection_key(data)
        self._corrections, self._withdrawn = ledger_marks(data)
        self.tombstones = sorted(set(self._withdrawn) - set(self.usccs))
        self._task_urls: dict[str, str] = {}  # each task's page URL, worked out once
        self._spans: dict[int, tuple[int, int]] = {}  # of the loaded enterprises: see load()
        self._rows: list[ResultRow] = []
        self._row_tasks: list[str] = []
        self._dispositions: dict[int, list[Row]] = {}

    @staticmethod
    def _page_columns(data: SiteData, results: pd.DataFrame, order: np.ndarray,
                      factorized: dict[str, tuple]) -> dict[str, tuple]:
        """Each shown column as codes (in page order) and the text of each code, worked out
        once for all rows, so loading a shard is array lookups, not pandas conversions."""
        item_codes, item_ids = factorized["item_id"]
        item_codes = item_codes[order]
        item_ids = pd.Series(item_ids).astype(str).tolist()
        names, links = item_texts(data, item_ids)
        columns = {"item_id": (item_codes, np.array(item_ids + [""], dtype=object)),
                   "item_name": (item_codes, names), "item_url": (item_codes, links)}
        for name, column in (("task_id", "task_id"), ("department", "inspecting_department"),
                             ("result", "result_text"), ("category", "category"),
                             ("note", "note")):
            codes, uniques = factorized.get(column) or pd.factorize(results[column])
            values = uniques.tolist() if column == "category" else (
                pd.Series(uniques).astype(str).tolist())
            columns[name] = (codes[order], np.array(values + [""], dtype=object))
        for name in ("inspected_on", "published_on"):
            codes, texts = date_codes(results[name])
            columns[name] = (codes[order], texts)
        return columns

    def load(self, only: np.ndarray | Sequence[int]) -> None:
        """Turn the rows of the enterprises at positions ``only`` into page rows, replacing
        those loaded before (so memory holds one shard's rows, not a million)."""
        only = np.asarray(only, dtype=np.int64)
        lo, hi = self.bounds[only], self.bounds[only + 1]
        lengths = hi - lo
        starts = np.cumsum(lengths) - lengths
        if len(only) and np.all(np.diff(only) == 1):  # one run of enterprises: one slice
            rows = slice(int(lo[0]), int(hi[-1]))
        else:
            rows = np.arange(int(lengths.sum())) + np.repeat(lo - starts, lengths)
        c = self._columns
        lists = [values[codes[rows]].tolist() for codes, values in (
            c[f] for f in LOADED_FIELDS)]
        lists.append([()] * len(lists[0]))
        self._rows = list(map(ResultRow._make, zip(*lists, strict=True)))
        codes, values = c["task_id"]
        self._row_tasks = values[codes[rows]].tolist()
        self._spans = dict(zip(only.tolist(), zip(starts.tolist(), (starts + lengths).tolist(),
                                                   strict=True), strict=True))
        self._dispositions = {}
        first = np.searchsorted(self._disp_position, only, "left")
        last = np.searchsorted(self._disp_position, only, "right")
        with_followup = np.flatnonzero(last > first)
        if len(with_followup):
            n = last[with_followup] - first[with_followup]
            at = np.arange(int(n.sum())) + np.repeat(first[with_followup] - (np.cumsum(n) - n), n)
            for row in records(self._disp.iloc[at]):
                self._dispositions.setdefault(row.pop("_position"), []).append(Row(**row))

    @property
    def loaded_rows(self) -> int:
        """How many result rows :meth:`load` last turned into page rows."""
        return len(self._rows)

    def __len__(self) -> int:
        return len(self.usccs)

    def path(self, i: int) -> str:
        return urls.enterprise(self.usccs[i])

    @cached_property
    def fingerprints(self) -> np.ndarray:
        """A 64-bit hash per enterprise of every row its page shows (order-independent).

        Worked out when first asked for: a first build needs them only for the manifest
        it saves at the end, so they are computed while the pages render.
        """
        fingerprints = self._fingerprints(self._results, self._fingerprint_inputs)
        del self._results, self._fingerprint_inputs
        return fingerprints

    def _fingerprints(self, results: pd.DataFrame, disp: pd.DataFrame) -> np.ndarray:
        if not len(results):
            return np.zeros(0, dtype=np.uint64)
        # the code is not hashed: a fingerprint is only compared with the same page's; a
        # joint visit's rows shown as one record (visit_blocks) follow from task, date and
        # department, hashed here with the rest
        shown = results[["entity_name", "task_id", "item_id", "inspecting_department",
                         "inspected_on", "published_on", "category", "result_text", "note"]]
        row_hash = pd.util.hash_pandas_object(shown, index=False).to_numpy()
        # task and item names and each department's objection line, hashed once per task,
        # item and department rather than once per row
        with np.errstate(over="ignore"):
            for column, names, mix in (("task_id", self.task_names, 0x9E3779B97F4A7C15),
                                       ("item_id", self.item_names, 0xC2B2AE3D27D4EB4F),
                                       ("inspecting_department", self._objection_key,
                                        0x165667B19E3779F9)):
                codes, ids = pd.factorize(results[column])
                shown_names = pd.Series([str(names.get(i, i)) for i in ids], dtype=object)
                named = pd.util.hash_pandas_object(shown_names, index=False).to_numpy()
                row_hash = row_hash ^ (named[codes] * np.uint64(mix))
        row_hash = row_hash[self._order]  # rows hashed where they are, summed in page order
        sums = np.add.reduceat(row_hash, self.bounds[:-1]) if len(row_hash) else row_hash
        if len(disp):
            disp_hash = pd.util.hash_pandas_object(disp.drop(columns=["_file", "_row"]),
                                                   index=False)
            per = disp_hash.groupby(disp["uscc"].astype(str).to_numpy()).sum()
            sums = sums + per.reindex(self.usccs, fill_value=0).to_numpy(dtype=np.uint64)
        marked = sorted(set(self._corrections) | set(self._withdrawn))
        if marked:  # what the 更新记录 says about an enterprise is on its page too
            at = self._index.position(marked)
            for code, position in zip(marked, at.tolist(), strict=True):
                if position >= 0:
                    text = repr((self._corrections.get(code), self._withdrawn.get(code)))
                    digest = hashlib.sha256(text.encode("utf-8")).digest()[:8]
                    with np.errstate(over="ignore"):
                        sums[position] += np.uint64(int.from_bytes(digest, "little"))
        return sums.astype(np.uint64)

    def context(self, i: int) -> dict[str, Any]:
        span = self._spans.get(i)
        if span is None:  # not in the loaded shard: load this page alone
            self.load([i])
            span = self._spans[i]
        lo, hi = span
        rows, row_tasks = self._rows, self._row_tasks
        uscc = self.usccs[i]
        marks = self._corrections.get(uscc)
        groups: dict[str, Row] = {}
        for r in range(lo, hi):
            tid = row_tasks[r]
            group = groups.get(tid)
            if group is None:
                url = self._task_urls.get(tid)
                if url is None:
                    url = self._task_urls[tid] = urls.task(tid)
                group = groups[tid] = Row(task_id=tid, task_name=self.task_names.get(tid, tid),
                                          url=url, rows=[], dispositions=[])
            row = rows[r]
            if marks:
                found = marks.get((tid, row.item_id))
                if found:
                    row = row._replace(corrections=tuple(found))
            group.rows.append(row)
        dispositions = self._dispositions.get(i, [])
        for d in dispositions:
            if d.task_id in groups:
                groups[d.task_id].dispositions.append(d)
        shown = rows[lo:hi]
        dates = [r.published_on for r in shown if r.published_on]
        dates += [r.inspected_on for r in shown if r.inspected_on]
        dates += [d.recorded_on for d in dispositions if d.recorded_on]
        tasks = sorted(groups.values(), key=lambda g: g.rows[0].inspected_on, reverse=True)
        objections = self._objections
        for number, group in enumerate(tasks, 1):  # what loop.index would say, without a loop object
            group.number = number
            # a task's rows are by date, then item: one visit's rows are next to each other
            group.blocks = visit_blocks(group.rows, [r.inspected_on for r in group.rows],
                                        [r.department for r in group.rows])
            group.objections = [objections[d] for d in dict.fromkeys(r.department for r in group.rows)
                                if d in objections]
        withdrawn = self._withdrawn.get(uscc, [])
        return {
            "uscc": uscc,
            "name": self.names[i],
            "feed_url": urls.enterprise_feed(uscc),
            "earlier_names": [n for n in (self.all_names[i] or []) if n != self.names[i]],
            "tasks": tasks,
            "inspections": hi - lo,
            "summary": summary_of(tasks) if tasks else None,
            "withdrawn": withdrawn,
            "changes_url": urls.changes(),
            "data_updated": max(dates) if dates else "",
            "category_labels": CATEGORY_LABELS,
        }

    def tombstone_pages(self) -> list[Page]:
        """A page for each enterprise whose published results were all withdrawn: its
        address keeps answering, and says what was withdrawn, when and why."""
        pages = []
        for uscc in self.tombstones:
            withdrawn = self._withdrawn[uscc]
            names = list(dict.fromkeys(w.entity_name for w in withdrawn if w.entity_name))
            dates = [w.date for w in withdrawn if w.date and w.date[:1].isdigit()]
            pages.append(Page(urls.enterprise(uscc), self.template, {
                "uscc": uscc, "name": names[0] if names else uscc, "earlier_names": names[1:],
                "tasks": [], "inspections": 0, "summary": None, "withdrawn": withdrawn,
                "tombstone": True, "withdrawn_on": max(dates) if dates else "",
                "changes_url": urls.changes(),
                "data_updated": max(dates) if dates else "",
                "category_labels": CATEGORY_LABELS,
            }))
        return pages


# --- tasks --------------------------------------------------------------------------


def task_fingerprints(data: SiteData) -> dict[str, int]:
    """A 64-bit hash per task of everything its pages show, so unchanged tasks are skipped."""
    model = data.model
    results = model["results"]
    shown = results[["task_id", "uscc", "entity_name", "item_id", "inspecting_department",
                     "inspected_on", "published_on", "category", "note"]].copy()
    shown["result"] = results["result_text"]
    shown["item_name"] = results["item_id"].map(data.item_names).astype(str)
    per_task = pd.Series(pd.util.hash_pandas_object(shown, index=False).to_numpy(),
                         index=results["task_id"].astype(str).to_numpy())
    sums = per_task.groupby(level=0).sum() if len(per_task) else per_task
    objections = objection_key(data)
    inspecting = task_departments(results)
    out = {}
    for task in records(data.tasks):
        tid = task["task_id"]
        extra = repr((task, data.strata.get(tid, []), stats.compliance_for(data).get(tid),
                      [data.item_names.get(i) for i in task["item_ids"]],
                      data.document_url(task.get("plan_document")),
                      data.plan_names.get(task["plan_id"]),
                      [objections.get(d) for d in inspecting.get(tid, [])]))
        digest = int.from_bytes(hashlib.sha256(extra.encode("utf-8")).digest()[:8], "little")
        with np.errstate(over="ignore"):
            out[tid] = int(np.uint64(sums.get(tid, 0)) ^ np.uint64(digest))
    return out


class TaskRow(NamedTuple):
    """One result row of a task page."""

    uscc: str
    entity_name: str
    item_id: str
    item_name: str
    item_url: str
    inspecting_department: str
    inspected_on: str
    result: str
    category: str
    published_on: str
    url: str
    note: str


def task_departments(results: pd.DataFrame) -> dict[str, list[str]]:
    """The departments that inspected for each task, in order of name (whom to object to)."""
    pairs = results[["task_id", "inspecting_department"]].drop_duplicates()
    out: dict[str, list[str]] = {}
    for tid, dept in sorted(zip(pairs["task_id"].astype(str),
                                pairs["inspecting_department"].astype(str), strict=True)):
        out.setdefault(tid, []).append(dept)
    return out


def _task_rows(data: SiteData, results: pd.DataFrame) -> tuple[dict[str, tuple[int, int]], list[TaskRow]]:
    """Every result row as a table row, ordered by task, enterprise name and date (so the
    rows of one visit are next to each other); each task's span.

    One sort and one pass over columns for all tasks: at provincial scale there are ten
    thousand tasks, and a per-task sort and conversion cost more than their pages.
    """
    order = results.sort_values(["task_id", "entity_name", "uscc", "inspected_on", "item_id"],
                                kind="stable")
    tids = order["task_id"].astype(str).to_numpy()
    bounds = run_bounds(tids).tolist()
    spans = {tids[a]: (a, b) for a, b in zip(bounds[:-1], bounds[1:], strict=True)}
    names, links = item_columns(data, order["item_id"])
    usccs = order["uscc"].astype(str).tolist()
    rows = list(map(TaskRow._make, zip(
        usccs, order["entity_name"].astype(str).tolist(), order["item_id"].astype(str).tolist(),
        names, links, order["inspecting_department"].astype(str).tolist(),
        date_strings(order["inspected_on"]), order["result_text"].astype(str).tolist(),
        order["category"].astype(str).tolist(), date_strings(order["published_on"]),
        [urls.enterprise(u) for u in usccs],
        order["note"].astype(object).where(order["note"].notna(), "").tolist(), strict=True)))
    return spans, rows


def task_pages(data: SiteData, page_size: int, only: set[str] | None = None) -> list[Page]:
    """Pages of every task (or of the tasks in ``only``): details and paginated results."""
    results = data.model["results"]
    pages = []
    if only is not None:
        results = results[results["task_id"].isin(only)]
    spans, all_rows = _task_rows(data, results)
    compliance = stats.compliance_for(data)
    objections = objection_lines(data)
    inspecting = task_departments(results)
    for task in records(data.tasks):
        tid = task["task_id"]
        if only is not None and tid not in only:
            continue
        lo, hi = spans.get(tid, (0, 0))
        table = all_rows[lo:hi]
        counts = Counter(r.category for r in table)
        published = [r.published_on for r in table if r.published_on]
        dates = published + [r.inspected_on for r in table]
        # a visit of several departments is one record, never split between pages
        departments = [r.inspecting_department for r in table]
        keys = [(r.uscc, r.inspected_on) for r in table] if len(set(departments)) > 1 \
            else departments  # one department: visit_blocks groups nothing, keys unread
        pages_of_blocks = paginate_blocks(visit_blocks(table, keys, departments), page_size)
        n_pages = len(pages_of_blocks)
        base = {
            "task": task,
            "items": [{"item_id": i, "name": data.item_names.get(i, i), "url": urls.item(i)}
                      for i in task["item_ids"]],
            "lead_url": urls.department(task["lead_department"]),
            "joint": [{"name": d, "url": urls.department(d)} for d in task["joint_departments"]],
            "ratio": compliance.get(tid, {}).get("ratio", ""),  # a rule: generator.rules
            "strata": data.strata.get(tid, []),
            "compliance": compliance.get(tid, {}),
            "category_counts": [{"category": k, "label": CATEGORY_LABELS.get(k, k),
                                 "count": int(counts.get(k, 0))} for k in CATEGORY_LABELS],
            "enterprise_count": len({r.uscc for r in table}),
            "result_count": len(table),
            "published_count": len(published),
            "plan_document_url": data.document_url(task.get("plan_document")),
            "plan_url": urls.plan(task["plan_id"]) if task["plan_id"] else "",
            "plan_name": data.plan_names.get(task["plan_id"], task["plan_id"]),
            "objections": [objections[d] for d in inspecting.get(tid, []) if d in objections],
            **downloads.task_links(tid, task["name"], len(table)),
            "data_updated": max(dates) if dates else task["end"],
            "pages": n_pages,
            "category_labels": CATEGORY_LABELS,
        }
        page_urls = [urls.task(tid, k) for k in range(1, n_pages + 1)]
        for p in range(1, n_pages + 1):
            blocks = pages_of_blocks[p - 1]
            ctx = dict(base, page=p, blocks=blocks, rows=[r for b in blocks for r in b.rows],
                       prev_url=page_urls[p - 2] if p > 1 else "",
                       next_url=page_urls[p] if p < n_pages else "",
                       page_urls=page_urls)
            pages.append(Page(page_urls[p - 1], "task.html", ctx))
    return pages


def year_pages(data: SiteData) -> list[Page]:
    tasks = data.tasks.copy()
    tasks["year"] = tasks["start"].dt.year
    results = data.model["results"]
    per_task = results.groupby("task_id", observed=True).agg(
        enterprises=("uscc", "nunique"), results=("uscc", "size"))
    years = []
    pages = []
    for year, frame in sorted(tasks.groupby("year"), reverse=True):
        rows = records(frame.sort_values(["start", "task_id"], ascending=[False, True]))
        for r in rows:
            r["url"] = urls.task(r["task_id"])
            r["enterprises"] = int(per_task["enterprises"].get(r["task_id"], 0))
            r["results"] = int(per_task["results"].get(r["task_id"], 0))
        years.append({"year": int(year), "url": urls.year(year), "tasks": len(rows)})
        pages.append(Page(urls.year(year), "year.html", {"year": int(year), "tasks": rows,
                          "data_updated": max(r["end"] for r in rows)}))
    pages.append(Page("tasks/", "tasks.html", {"years": years}))
    return pages


# --- items --------------------------------------------------------------------------


def item_pages(data: SiteData) -> list[Page]:
    items = records(data.items.sort_values("item_id"))
    results = data.model["results"]
    counts = results.groupby("item_id", observed=True).size()
    for it in items:
        it["url"] = urls.item(it["item_id"])
        it["department_url"] = urls.department(it["department"])
        it["results"] = int(counts.get(it["item_id"], 0))
    departments = sorted({it["department"] for it in items})
    categories = sorted({it["category"] for it in items})
    filters = {
        "departments": [{"name": d, "url": urls.items_by_department(d)} for d in departments],
        "categories": [{"name": c, "url": urls.items_by_category(c)} for c in categories],
    }
    pages = [Page("items/", "items.html", dict(filters, items=items, heading="抽查事项清单"))]
    for d in departments:
        pages.append(Page(urls.items_by_department(d), "items.html", dict(
            filters, items=[i for i in items if i["department"] == d], heading=f"{d}的抽查事项",
            current=d)))
    for c in categories:
        pages.append(Page(urls.items_by_category(c), "items.html", dict(
            filters, items=[i for i in items if i["category"] == c], heading=c, current=c)))
    tasks = records(data.tasks)
    for it in items:
        used = [dict(t, url=urls.task(t["task_id"])) for t in tasks
                if it["item_id"] in t["item_ids"]]
        pages.append(Page(urls.item(it["item_id"]), "item.html", {"item": it, "tasks": used}))
    return pages


# --- plans --------------------------------------------------------------------------


def plan_pages(data: SiteData) -> list[Page]:
    model = data.model
    plans = model["plans"]
    versions = plan_versions(plans)
    changes = plan_changes(plans, model.contract["plans"])
    known_tasks = set(data.tasks["task_id"])
    # rows of each plan version and changes of each adjustment, split once, not filtered
    # out of the whole table again for every plan
    plan_rows = dict(list(plans.groupby(["plan_id", "version"], sort=False, observed=True)))
    changes_of = dict(list(changes.groupby(["plan_id", "version"], sort=False, observed=True)))
    pages, listing = [], []
    for plan_id, vs in versions.groupby("plan_id", sort=True, observed=True):
        vs = vs.sort_values("version")
        current = vs.iloc[-1]
        rows = records(plan_rows.get((plan_id, current["version"]), plans.iloc[:0])
                       .sort_values("task_id"))
        for r in rows:
            r["url"] = urls.task(r["task_id"]) if r["task_id"] in known_tasks else ""
            r["items"] = [{"item_id": i, "name": data.item_names.get(i, i), "url": urls.item(i)}
                          for i in r["item_ids"]]
        history = []
        for v in records(vs.sort_values("version", ascending=False)):
            entries = records(changes_of.get((plan_id, v["version"]), changes.iloc[:0]))
            for e in entries:
                e["label"] = CHANGE_LABELS[e["change"]]
                e["field_title"] = model.contract["plans"].field(e["field"]).title \
                    if e["field"] else ""
            history.append(dict(v, changes=entries))
        info = records(vs.tail(1))[0]
        listing.append(dict(info, url=urls.plan(plan_id), versions=len(vs)))
        pages.append(Page(urls.plan(plan_id), "plan.html", {
            "plan": info, "tasks": rows, "history": history,
            "data_updated": info["published_on"],
        }))
    listing.sort(key=lambda p: (-int(p["year"]), p["plan_id"]))
    pages.append(Page("plans/", "plans.html", {"plans": listing}))
    return pages


# --- departments --------------------------------------------------------------------


def department_pages(data: SiteData, latest: int = 50) -> list[Page]:
    results = data.model["results"]
    items = records(data.items)
    tasks = records(data.tasks.sort_values("start", ascending=False))
    pages, listing = [], []
    by_dept = dict(tuple(results.groupby("inspecting_department", sort=False, observed=True)))
    inspector_counts = department_inspectors(data)
    directory = population_history(data)
    for name in data.departments:
        own_items = [dict(i, url=urls.item(i["item_id"])) for i in items
                     if i["department"] == name]
        own_tasks = [dict(t, url=urls.task(t["task_id"]),
                          role="牵头" if t["lead_department"] == name else "配合")
                     for t in tasks if t["lead_department"] == name
                     or name in t["joint_departments"]]
        rows = by_dept.get(name, results.iloc[0:0]).sort_values(
            ["inspected_on", "uscc"], ascending=[False, True], kind="stable")
        recent = records(rows.head(latest)[["uscc", "entity_name", "task_id", "item_id",
                                            "inspected_on", "result", "category",
                                            "published_on"]])
        for r in recent:
            r["url"] = urls.enterprise(r["uscc"])
            r["task_url"] = urls.task(r["task_id"])
            r["task_name"] = data.task_names.get(r["task_id"], r["task_id"])
        dates = [t["end"] for t in own_tasks] + [r["inspected_on"] for r in recent]
        ctx = {"name": name, "items": own_items, "tasks": own_tasks, "recent": recent,
               "contact": data.department(name).contact,
               "result_count": len(rows), "data_updated": max(dates) if dates else "",
               "category_labels": CATEGORY_LABELS,
               "yearly": stats.department_figures_for(data).get(name, []),
               "teams": stats.recorded(figures(data.model)),
               "joint": stats.joint(figures(data.model)),
               "min_inspectors": minimum(data.model.settings),
               "inspector_count": inspector_counts.get(name, 0),
               "population": directory.get(name, []),
               **downloads.department_links(name, len(rows))}
        pages.append(Page(urls.department(name), "department.html", ctx))
        listing.append({"name": name, "url": urls.department(name), "items": len(own_items),
                        "tasks": len(own_tasks), "results": len(rows)})
    pages.append(Page("departments/", "departments.html", {"departments": listing}))
    return pages


# --- inspectors (执法检查人员名录库) -----------------------------------------------------


def inspector_names(model: Model) -> bool:
    """Whether inspectors are shown by name (the setting GONGKAI_INSPECTOR_NAMES)."""
    from ..publish.datasets import inspector_names as by_name

    return by_name(model.settings)


def inspector_pages(data: SiteData, latest: int = 100) -> list[Page]:
    """One page per inspector and an index, as 行政执法公示 publishes them: certificate
    number, category, department and validity (and the name unless the setting says
    certificate numbers only), with the inspections each took part in.

    The inspections are read from the rule figures' visits (generator.rules.teams), so a
    page counts exactly the visits the dashboard counts.
    """
    inspectors = data.model["inspectors"]
    if not len(inspectors):
        return []
    named = inspector_names(data.model)
    visits = figures(data.model).teams
    visits = visits[visits["inspectors"].notna()]
    pairs = visits.assign(certificate=visits["inspectors"].astype(str).str.split("；")) \
        .explode("certificate")
    counts = pairs["certificate"].value_counts()
    # a page shows its inspector's ``latest`` newest visits: only rows on or after the
    # date of each one's latest-th newest visit can be among them (ties on that date
    # included), and only those are sorted, not every visit of every inspector
    if len(pairs):
        nth = pairs.groupby("certificate", sort=False)["inspected_on"].transform(
            lambda days: days.nlargest(latest).min())
        pairs = pairs[(pairs["inspected_on"] >= nth).to_numpy(dtype=bool)]
    pairs = pairs.sort_values(["inspected_on", "task_id", "uscc"], ascending=[False, True, True],
                              kind="stable")
    by_cert = dict(tuple(pairs.groupby("certificate", sort=False)))
    pages, listing = [], []
    for r in records(inspectors.sort_values(["department", "certificate"], kind="stable")):
        cert = r["certificate"]
        own = by_cert.get(cert, pairs.iloc[0:0])
        shown = []
        for v in own.head(latest).itertuples():
            invalid = set(str(v.invalid).split("；")) if isinstance(v.invalid, str) else set()
            shown.append({"task_url": urls.task(v.task_id),
                          "task_name": data.task_names.get(v.task_id, v.task_id),
                          "entity_name": v.entity_name, "url": urls.enterprise(v.uscc),
                          "inspected_on": pd.Timestamp(v.inspected_on).strftime("%Y-%m-%d"),
                          "counted": cert not in invalid})
        person = {"certificate": cert, "name": r["name"] if named else "",
                  "department": r["department"], "department_url": urls.department(r["department"]),
                  "categories": "、".join(r["categories"] or []) or "—",
                  "valid_from": r["valid_from"] or "不限", "valid_to": r["valid_to"],
                  "status": r["status"] or "—", "url": urls.inspector(cert),
                  "inspections": int(counts.get(cert, 0))}
        pages.append(Page(person["url"], "inspector.html",
                          {"person": person, "named": named, "visits": shown,
                           "data_updated": shown[0]["inspected_on"] if shown else ""}))
        listing.append(person)
    groups: dict[str, list[dict[str, Any]]] = {}
    for person in listing:
        groups.setdefault(person["department"], []).append(person)
    pages.append(Page("inspectors/", "inspectors.html",
                      {"groups": [{"department": d, "url": urls.department(d), "people": p}
                                  for d, p in groups.items()], "named": named,
                       "min_inspectors": minimum(data.model.settings)}))
    return pages


def population_history(data: SiteData) -> dict[str, list[dict[str, Any]]]:
    """Per department, every count of its 检查对象名录库: by type and tier, oldest first, so
    the page shows how the directory the draws were made from grew or shrank."""
    table = data.model["population"]
    if not len(table):
        return {}
    order = table.assign(_tier=table["risk_tier"].fillna("")).sort_values(
        ["department", "object_type", "_tier", "as_of"], kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for r in records(order[["department", "object_type", "risk_tier", "count", "as_of"]]):
        r["risk_tier"] = r["risk_tier"] or "全部"
        out.setdefault(r.pop("department"), []).append(r)
    return out


def department_inspectors(data: SiteData) -> dict[str, int]:
    """Per department, how many inspectors the inspectors table lists."""
    inspectors = data.model["inspectors"]
    return inspectors["department"].astype(str).value_counts().to_dict() if len(inspectors) else {}


def moved_department_pages(data: SiteData) -> list[Page]:
    """The departments' old addresses (hashed slugs), each sending its reader on to the
    page's readable address: links and bookmarks made before keep working."""
    with_items = set(data.items["department"].astype(str))
    pages = []
    for d in moved(data.directory):
        pages.append(Page(urls.department_legacy(d.name), "redirect.html",
                          {"name": d.name, "target": urls.department(d.name)}))
        if d.name in with_items:  # only a department with items has an items page
            pages.append(Page(urls.items_by_department_legacy(d.name), "redirect.html",
                              {"name": f"{d.name}的抽查事项",
                               "target": urls.items_by_department(d.name)}))
    return pages


# --- home ---------------------------------------------------------------------------


HOME_FIGURES = ("year.tasks", "year.enterprises", "year.problem_rate", "year.publication_rate")


def home_page(data: SiteData, notices: list[dict[str, str]] | None = None) -> Page:
    model = data.model
    results = model["results"]
    as_of = model.as_of
    year = as_of.year if as_of else None
    # the dashboard's cards of the same year, by name: one scope, label and rounding for both
    figures_ = [c for c in stats.year_cards(figures(model), year) if c.name in HOME_FIGURES] \
        if year else []
    published = publication_events(results, model.enterprise_index)[
        ["task_id", "published_on", "enterprises"]]
    published = published.rename(columns={"enterprises": "count"}).sort_values(
        ["published_on", "task_id"], ascending=[False, True])
    latest_results = records(published.head(10))
    for r in latest_results:
        r["url"] = urls.task(r["task_id"])
        r["task_name"] = data.task_names.get(r["task_id"], r["task_id"])
    versions = plan_versions(model["plans"])
    adjustments = records(versions[versions["version"] > 1].sort_values(
        "published_on", ascending=False).head(5))
    for a in adjustments:
        a["url"] = urls.plan(a["plan_id"])
    return Page("", "home.html", {
        "figures": figures_, "year": year, "latest_results": latest_results,
        "adjustments": adjustments, "notices": notices or [],
        "data_updated": as_of.isoformat() if as_of else "",
    })
