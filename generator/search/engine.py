"""The server index loaded once, for answering queries from memory.

``gongkai serve`` answers many queries from one index, so everything a query needs is
read once per index version (:func:`loaded`), and a query touches only arrays:

* enterprises, from the table :mod:`.server_index` writes beside the Whoosh index
  (``enterprises.parquet``), kept in credit-code order, which is the order within a tier;
* their folded names as one array of code points with every position of every
  character pair (:class:`NameIndex`), so the enterprises holding a piece of a name
  are found without scanning the names, exactly as ``str.contains`` would find them;
* tasks, items, plans and documents are searched in Whoosh, as before, through a small
  pool of searchers (a Whoosh searcher must not be shared between threads), with their
  stored fields read once.

The ranking is :mod:`.rank`'s rule (:func:`.rank.tier_rule`), asked of these arrays for
every enterprise at once (:meth:`LoadedIndex.tiers` equals :func:`.rank.enterprise_tiers`);
tests/test_search_engine.py holds the two to each other.
"""

from __future__ import annotations

import contextlib
import functools
import itertools
import json
import logging
import os
import queue
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pyarrow as pa
import pyarrow.parquet as pq
from whoosh import index as windex
from whoosh import query as wq
from whoosh.query.compound import CompoundQuery

from .fold import fold, variants
from .rank import OTHER, clean_query, code_query, tier_rule
from .records import FILTERS

ENTERPRISES = "enterprises.parquet"  # written by server_index.write_index
OPTIONS = "filters.json"  # the build's filter lists (build.OPTIONS)
REGIONS = "regions.json"
RECORD_HASHES = "records.parquet"
MAX_LIMIT = 100  # results per page
MAX_PAGE = 10_000
SEARCHERS = 2  # Whoosh searchers per loaded index: queries for tasks and the like are short
SPARSE = 50_000  # estimated candidates up to which the rule is asked of them alone, not of all
_BY_NAME = 300  # candidates up to which their names are read one by one
_BASE = 0x110000  # one more than the largest code point: a pair of characters as one integer
_EDGE = 0  # between two enterprises' names (a folded name holds no NUL)
_SPACE = 0x20  # between one enterprise's names
_COLUMNS = ("url", "label", "code", "summary", "date", "names", *FILTERS)


def _points(text: str) -> np.ndarray:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32)


class NameIndex:
    """Every character pair of every enterprise's names, with the positions it stands at.

    The names are laid end to end in one array of code points (``text``); ``owner`` says
    whose names a position belongs to. A piece of a name is looked up by its rarest pair,
    and each position found is checked character by character, so the answer is exactly
    the enterprises whose names hold the piece.
    """

    def __init__(self, names: list[str]) -> None:
        self.size = len(names)
        joined = "\0" + "\0".join(names) + "\0"
        self.text = _points(joined)
        lengths = np.fromiter((len(n) + 1 for n in names), dtype=np.int64, count=len(names))
        self.owner = np.full(len(self.text), -1, dtype=np.int32)
        if names:  # each name and the NUL after it belong to its enterprise
            self.owner[1:] = np.repeat(np.arange(len(names), dtype=np.int32), lengths)
        first = self.text[:-1].astype(np.int64)
        second = self.text[1:].astype(np.int64)
        starts = np.flatnonzero((first != _EDGE) & (first != _SPACE))
        keys = first[starts] * _BASE + second[starts]
        order = np.argsort(keys, kind="stable")
        self.positions = starts[order].astype(np.int64)
        sorted_keys = keys[order]
        self.keys, firsts = np.unique(sorted_keys, return_index=True)
        self.bounds = np.append(firsts, len(sorted_keys)).astype(np.int64)

    def _slice(self, low: int, high: int) -> np.ndarray:
        """Positions of the pairs whose keys lie in [low, high)."""
        a, b = np.searchsorted(self.keys, [low, high])
        return self.positions[self.bounds[a]:self.bounds[b]]

    def starts(self, form: str) -> np.ndarray:
        """Every position where ``form`` starts in the names."""
        points = _points(form)
        if len(points) == 0:
            return np.flatnonzero(self.owner >= 0)
        if len(points) == 1:
            point = int(points[0])
            return self._slice(point * _BASE, (point + 1) * _BASE)
        pair_keys = points[:-1].astype(np.int64) * _BASE + points[1:].astype(np.int64)
        at = np.searchsorted(self.keys, pair_keys)
        found = (at < len(self.keys)) & (self.keys[np.minimum(at, len(self.keys) - 1)] == pair_keys)
        if not found.all():
            return np.array([], dtype=np.int64)
        counts = self.bounds[at + 1] - self.bounds[at]
        rarest = int(np.argmin(counts))
        pos = self.positions[self.bounds[at[rarest]]:self.bounds[at[rarest] + 1]] - rarest
        pos = pos[(pos >= 0) & (pos + len(points) <= len(self.text))]
        for k in range(len(points)):
            if k not in (rarest, rarest + 1) and len(pos):
                pos = pos[self.text[pos + k] == points[k]]
        return pos

    def estimate(self, form: str) -> int:
        """At least as many as the positions where ``form`` starts (cheap: no positions read)."""
        points = _points(form)
        if len(points) == 0:
            return len(self.text)
        if len(points) == 1:
            a, b = np.searchsorted(self.keys, [int(points[0]) * _BASE, (int(points[0]) + 1) * _BASE])
            return int(self.bounds[b] - self.bounds[a])
        pair_keys = points[:-1].astype(np.int64) * _BASE + points[1:].astype(np.int64)
        at = np.searchsorted(self.keys, pair_keys)
        if ((at >= len(self.keys)) | (self.keys[np.minimum(at, len(self.keys) - 1)] != pair_keys)).any():
            return 0
        return int((self.bounds[at + 1] - self.bounds[at]).min())

    def holding(self, forms: list[str]) -> np.ndarray:
        """A mask of the enterprises whose names hold any of ``forms``."""
        mask = np.zeros(self.size, dtype=bool)
        for form in forms:
            mask[self.owner[self.starts(form)]] = True
        return mask


def _terms(value: str) -> set[str]:
    """The terms Whoosh made of a comma-separated KEYWORD field (commas=True: each value
    stripped)."""
    return {t.strip() for t in (value or "").split(",")} - {""}


def _shown(value: str) -> list[str]:
    return [v for v in (value or "").split(",") if v]


def _day(date: str) -> int:
    """A YYYY-MM-DD date as a number that sorts as the date does (0: none)."""
    digits = (date or "").replace("-", "")
    return int(digits) if digits.isdigit() else 0


class _CodePrefix(wq.Prefix):
    """``Prefix("code", text)`` scored exactly as Whoosh scores it, but expanded only to
    the codes of tasks, items, plans and documents: the enterprises' half a million codes
    are answered from arrays, and expanding the prefix to them costs seconds."""

    def __init__(self, text: str, boost: float, codes: list[str]) -> None:
        super().__init__("code", text, boost=boost)
        self.codes = [c for c in codes if c.startswith(text)]

    def _wanted(self) -> list[str]:
        return self.codes

    def estimate_size(self, ixreader) -> int:
        # orders an Or's branches only; with two branches, sums come out the same either way
        return sum(ixreader.doc_frequency("code", c) for c in self._wanted())

    def estimate_min_size(self, ixreader) -> int:
        return min((ixreader.doc_frequency("code", c) for c in self._wanted()), default=0)

    def matcher(self, searcher, context=None):
        # Whoosh scores a single expanded term by its weighting and several at a constant
        # score, ORed by a matcher class chosen from their number: which applies depends
        # on the whole lexicon, enterprises included, so that part is asked of Whoosh
        from whoosh import matching
        from whoosh.query.compound import DefaultOr, PreloadedOr
        from whoosh.searching import SearchContext

        wanted = [wq.Term("code", c) for c in self._wanted()]
        if not wanted:  # it would match enterprises only, and they are not asked for
            return matching.NullMatcher()
        many = wq.Or.TOO_MANY_CLAUSES
        lexicon = len(list(itertools.islice((w for w in self._btexts(searcher.reader()) if w), many)))
        if lexicon < 2:
            return super().matcher(searcher, context)
        context = context.set(weighting=None) if context else SearchContext(weighting=None)
        simple = lexicon < many and (context.needs_current or lexicon == 2 or searcher.doc_count_all() > 5000)
        kind = DefaultOr if simple else PreloadedOr
        return kind(wanted, boost=self.boost)._matcher(wanted, searcher, context)


def _restrict_prefixes(q: wq.Query, codes: list[str]) -> wq.Query:
    if isinstance(q, wq.Prefix) and q.fieldname == "code":
        return _CodePrefix(q.text, q.boost, codes)
    if isinstance(q, CompoundQuery):
        return q.__class__([_restrict_prefixes(s, codes) for s in q.subqueries], boost=q.boost)
    return q


def stamp(folder: Path) -> tuple:
    """What changes when a build replaces or updates the index (cheap: a few stats)."""
    out: list[Any] = []
    for name in (RECORD_HASHES, ENTERPRISES, OPTIONS, REGIONS):
        try:
            st = os.stat(folder / name)
            out.append((st.st_ino, st.st_mtime_ns, st.st_size))
        except OSError:
            out.append(None)
    return tuple(out)


class LoadedIndex:
    """One version of a server index, read into memory; safe to query from many threads."""

    def __init__(self, folder: Path, searchers: int = SEARCHERS) -> None:
        self.folder = Path(folder)
        self.sparse_limit = SPARSE
        # caches of this version only: a reloaded index starts afresh and this one is freed
        self._answer = functools.lru_cache(maxsize=2048)(self._compute)
        self._other_scored = functools.lru_cache(maxsize=2048)(self._other_ranking)
        self.stamp = stamp(self.folder)
        self.options: dict[str, list[str]] = _read_json(self.folder / OPTIONS, {})
        self.regions: list[str] = _read_json(self.folder / REGIONS, [])
        ix = windex.open_dir(str(self.folder))
        self._pool: queue.Queue = queue.Queue()
        for _ in range(max(1, searchers)):
            self._pool.put(ix.searcher())
        with self._searcher() as searcher:
            table = self._read_enterprises(searcher)
            self._read_others(searcher)
        self._load_enterprises(table)
        from .whoosh_text import _segment

        _segment("检查")  # jieba loads its dictionary on first use

    # --- loading ---------------------------------------------------------------------------

    def _read_enterprises(self, searcher) -> pa.Table:
        try:
            return pq.read_table(self.folder / ENTERPRISES, columns=list(_COLUMNS))
        except (OSError, pa.ArrowException):  # no such index: nothing to find
            return pa.table({c: pa.array([], type=pa.string()) for c in _COLUMNS})

    def _load_enterprises(self, table: pa.Table) -> None:
        codes = np.array(table["code"].to_pylist(), dtype=str)
        order = np.argsort(codes, kind="stable")
        if not (order == np.arange(len(order))).all():
            table = table.take(pa.array(order))
            codes = codes[order]
        self.table = table
        self.size = len(codes)
        self.codes = codes
        upper = np.char.upper(codes) if len(codes) else codes
        self._upper_order = np.argsort(upper, kind="stable")
        self._upper = upper[self._upper_order]
        self.name_list = [str(n or "") for n in table["names"].to_pylist()]
        self.names = NameIndex(self.name_list)
        self.upper_codes = upper
        days = np.array([_day(d) for d in table["date"].to_pylist()], dtype=np.int64)
        other_days = {d: _day(f.get("date") or "") for d, f in self.others.items()}
        every_day = np.unique(np.concatenate([days, np.array(list(other_days.values()), dtype=np.int64)]))
        # date order as small integers, newest 0: one sort key with the rank order
        self.day_rank = len(every_day) - 1 - np.searchsorted(every_day, days)
        self.other_day_rank = {d: len(every_day) - 1 - int(np.searchsorted(every_day, v))
                               for d, v in other_days.items()}
        self.filters: dict[str, dict[str, np.ndarray]] = {}
        for f in FILTERS:
            by_value: dict[str, list[int]] = {}
            for n, value in enumerate(table[f].to_pylist()):
                for term in _terms(value):
                    by_value.setdefault(term, []).append(n)
            self.filters[f] = {v: np.array(ns, dtype=np.int64) for v, ns in by_value.items()}

    def _read_others(self, searcher) -> None:
        reader = searcher.reader()
        kinds = [k.decode() if isinstance(k, bytes) else k for k in reader.lexicon("kind")]
        self.others: dict[int, dict[str, Any]] = {}
        for kind in kinds:
            if kind == "enterprise":
                continue
            for docnum in searcher.docs_for_query(wq.Term("kind", kind)):
                self.others[docnum] = reader.stored_fields(docnum)
        self.other_docs = set(self.others)  # never changed: Whoosh takes a set as a filter
        # only tasks, items, plans and documents have words in these fields
        self._lexicon = {f: {t.decode() if isinstance(t, bytes) else t for t in reader.lexicon(f)}
                         for f in ("text", "title", "grams")}
        self.other_codes = sorted({str(f.get("code") or "") for f in self.others.values()} - {""})

    def forget_answers(self) -> None:
        """Drop the kept answers (benchmarks time the search itself, not the cache)."""
        self._answer.cache_clear()
        self._other_scored.cache_clear()

    def _others_may_hold(self, text: str) -> bool:
        """False when :func:`.whoosh_text.other_query` cannot match a task, item, plan or
        document: one of its words has none of its terms in their fields, and the code
        part none of their codes (the fields' lexicons, read once; Whoosh is not asked)."""
        from .whoosh_text import _grams, _segment

        cleaned = clean_query(text)
        code = code_query(cleaned)
        if code and any(c.startswith(code) for c in self.other_codes):
            return True
        for word in cleaned.lower().split():
            segmented = _segment(word)
            if segmented and all(w in self._lexicon["text"] or w in self._lexicon["title"] for w in segmented):
                continue
            grams = self._lexicon["grams"]
            if (all(g in grams for g in _grams(word)) if len(word) >= 2
                    else any(g.startswith(word) for g in grams)):
                continue
            return False
        return bool(cleaned)

    @contextlib.contextmanager
    def _searcher(self) -> Iterator[Any]:
        searcher = self._pool.get()
        try:
            yield searcher
        finally:
            self._pool.put(searcher)

    # --- the ranking rule over every enterprise ---------------------------------------------

    def _code_range(self, prefix: str, exact: bool = False) -> np.ndarray:
        """The enterprises whose upper-case code starts with (or is) ``prefix``."""
        low = np.searchsorted(self._upper, prefix, side="left")
        if exact:
            high = np.searchsorted(self._upper, prefix, side="right")
        else:
            high = np.searchsorted(self._upper, prefix[:-1] + chr(ord(prefix[-1]) + 1), side="left")
        return self._upper_order[low:high]

    def tiers(self, query: str) -> np.ndarray:
        """Each enterprise's tier for ``query`` (a :func:`.rank.clean_query`), -1 where it
        does not match: :func:`.rank.tier_rule`, asked of this index's arrays."""
        memo: dict[tuple[str, ...], np.ndarray] = {}

        def holding(forms: list[str]) -> np.ndarray:
            if tuple(forms) not in memo:
                memo[tuple(forms)] = self.names.holding(forms)
            return memo[tuple(forms)]

        def rows(prefix: str, exact: bool = False) -> np.ndarray:
            mask = np.zeros(self.size, dtype=bool)
            mask[self._code_range(prefix, exact)] = True
            return mask

        return tier_rule(query, self.size, self.regions, holding, rows,
                         lambda code: rows(code, exact=True)).astype(np.int8)

    def _candidates(self, query: str) -> np.ndarray | None:
        """Every enterprise that may have a tier for ``query`` (sorted rows), or None when
        that could be more than :attr:`sparse_limit`: every word's match holds the
        enterprises holding all words, so the rarest word's match, the whole query's
        names and the code prefix hold every one that matches at all."""
        words = query.split()
        if not words:
            return np.array([], dtype=np.int64)

        def sizes(word: str) -> tuple[int, str, str]:
            forms = variants(word, self.regions)  # each later form is a piece of the earlier ones
            head = fold(word).upper()
            size = self.names.estimate(forms[-1]) if forms else 0
            if head:
                size += len(self._code_range(head))
            return size, forms[-1] if forms else "", head

        size, form, head = min(sizes(w) for w in words)
        whole = variants("".join(words), self.regions)
        code = code_query(query)
        size += self.names.estimate(whole[-1]) if whole else 0
        size += len(self._code_range(code)) if code else 0
        if size > self.sparse_limit:
            return None
        marked = np.zeros(self.size, dtype=bool)  # sorted and unique for the price of a scan
        for f in (form, whole[-1] if whole else ""):
            if f:
                marked[self.names.owner[self.names.starts(f)]] = True
        for prefix in (head, code):
            if prefix:
                marked[self._code_range(prefix)] = True
        return np.flatnonzero(marked)

    def ranked(self, query: str) -> tuple[np.ndarray, np.ndarray]:
        """The enterprises with a tier for ``query`` (rows in credit-code order) and their
        tiers: :func:`.rank.tier_rule` asked of the few candidates when there are few,
        of every enterprise (:meth:`tiers`) otherwise."""
        cand = self._candidates(query)
        if cand is None:
            tiers = self.tiers(query)
            rows = np.flatnonzero(tiers >= 0)
            return rows, tiers[rows]
        names = [self.name_list[i] for i in cand.tolist()] if len(cand) <= _BY_NAME else []
        upper = self.upper_codes[cand] if names else self.upper_codes[:0]

        def holding(forms: list[str]) -> np.ndarray:
            if names:  # a few names: asked one by one
                return np.fromiter((any(f in n for f in forms) for n in names), dtype=bool, count=len(names))
            found = np.zeros(self.size, dtype=bool)
            for f in forms:
                found[self.names.owner[self.names.starts(f)]] = True
            return found[cand]

        def in_range(prefix: str, exact: bool = False) -> np.ndarray:
            if names:  # a few codes: compared one by one
                return (upper == prefix) if exact else np.char.startswith(upper, prefix)
            found = np.zeros(self.size, dtype=bool)
            found[self._code_range(prefix, exact)] = True
            return found[cand]

        tiers = tier_rule(query, len(cand), self.regions, holding, in_range,
                          lambda code: in_range(code, exact=True)).astype(np.int8)
        keep = tiers >= 0
        return cand[keep], tiers[keep]

    def _enterprise_filter(self, filters: dict[str, str]) -> np.ndarray | None:
        mask = None
        for f, value in filters.items():
            chosen = np.zeros(self.size, dtype=bool)
            chosen[self.filters.get(f, {}).get(value, np.array([], dtype=np.int64))] = True
            mask = chosen if mask is None else mask & chosen
        return mask

    def _other_filter(self, filters: dict[str, str]) -> set[int]:
        return {d for d in self.other_docs
                if all(v in _terms(self.others[d].get(f) or "") for f, v in filters.items())}

    # --- answering ---------------------------------------------------------------------------

    def _enterprise_hits(self, rows: np.ndarray, tiers: np.ndarray) -> list[dict[str, Any]]:
        picked = self.table.take(pa.array(rows, type=pa.int64())).to_pylist()
        out = []
        for fields, tier in zip(picked, tiers.tolist(), strict=True):
            item = {"url": fields["url"] or "", "kind": "enterprise", "code": fields["code"] or "",
                    "summary": fields["summary"] or "", "date": fields["date"] or "",
                    "title": fields["label"] or ""}
            for f in FILTERS:
                item[f] = _shown(fields[f])
            item["tier"] = int(tier)
            out.append(item)
        return out

    def _other_hit(self, docnum: int) -> dict[str, Any]:
        fields = self.others[docnum]
        item = {k: fields.get(k, "") for k in ("url", "kind", "code", "summary", "date")}
        item["title"] = fields.get("label", "")
        for f in FILTERS:
            item[f] = _shown(fields.get(f) or "")
        item["tier"] = OTHER
        return item

    def _other_results(self, text: str, filters: dict[str, str]) -> list[int]:
        return [d for d, _ in self._other_scored(text, tuple(sorted(filters.items())))]

    def _other_ranking(self, text: str, filters: tuple[tuple[str, str], ...]) -> list[tuple[int, float]]:
        """Tasks, items, plans and documents in Whoosh's order, with their scores."""
        from .whoosh_text import other_query

        q = other_query(text)
        if q is None or not self.other_docs or not self._others_may_hold(text):
            return []
        q = _restrict_prefixes(q, self.other_codes)
        allowed = self._other_filter(dict(filters)) if filters else self.other_docs
        if not allowed:
            return []
        with self._searcher() as searcher:
            hits = searcher.search(q, limit=None, filter=allowed)
            scored = [(h.docnum, round(float(h.score or 0.0), 6)) for h in hits]
        return sorted(scored, key=lambda h: (-h[1], h[0]))

    def search(self, text: str, limit: int = 20, filters: dict[str, str] | None = None,
               sort: str = "", page: int = 1) -> dict[str, Any]:
        """One page of hits as plain dicts, ranked by :mod:`.rank`, and the exact total.

        Answers are kept for the index's lifetime (the most recent 2,048): the
        index never changes, and a public search is asked the same names again and again.
        """
        limit = max(1, min(int(limit), MAX_LIMIT))
        page = max(1, min(int(page), MAX_PAGE))
        wanted = tuple(sorted((f, v) for f, v in (filters or {}).items() if f in FILTERS and v))
        found = self._answer(text, limit, wanted, "date" if sort == "date" else "", page)
        return {**found, "results": [dict(h) for h in found["results"]]}

    def _compute(self, text: str, limit: int, filters: tuple[tuple[str, str], ...], sort: str,
                page: int) -> dict[str, Any]:
        cleaned = clean_query(text)
        wanted = dict(filters)
        rows, tiers = self.ranked(cleaned)
        chosen = self._enterprise_filter(wanted)
        if chosen is not None:
            keep = chosen[rows]
            rows, tiers = rows[keep], tiers[keep]
        others = self._other_results(text, wanted)
        total = len(rows) + len(others)
        first, last = (page - 1) * limit, min(page * limit, total)
        results: list[dict[str, Any]] = []
        if first < last and sort == "date":
            results = self._by_date(rows, tiers, others, first, last)
        elif first < last:
            results = self._in_rank_order(rows, tiers, others, first, last)
        return {"query": cleaned, "total": total, "page": page, "pages": -(-total // limit),
                "limit": limit, "results": results}

    def _in_rank_order(self, rows: np.ndarray, tiers: np.ndarray, others: list[int],
                       first: int, last: int) -> list[dict[str, Any]]:
        results: list[dict[str, Any]] = []
        at = 0
        for tier in range(OTHER):  # within a tier, rows are in credit-code order already
            if at >= last:
                break
            chosen = rows[tiers == tier]
            if at + len(chosen) > first:
                picked = chosen[max(0, first - at):last - at]
                results += self._enterprise_hits(picked, np.full(len(picked), tier))
            at += len(chosen)
        results += [self._other_hit(d) for d in others[max(0, first - at):max(0, last - at)]]
        return results

    def _by_date(self, rows: np.ndarray, tiers: np.ndarray, others: list[int], first: int, last: int
                 ) -> list[dict[str, Any]]:
        """Newest first; within a day, in rank order."""
        span = OTHER * max(self.size, 1)
        ranks = np.concatenate([tiers.astype(np.int64) * max(self.size, 1) + rows,
                                span + np.arange(len(others), dtype=np.int64)])
        days = np.concatenate([self.day_rank[rows],
                               np.array([self.other_day_rank[d] for d in others], dtype=np.int64)])
        key = days * (span + len(others) + 1) + ranks
        picked = np.argpartition(key, last - 1)[:last] if last < len(key) else np.arange(len(key))
        picked = picked[np.argsort(key[picked])][first:last]
        out = []
        for k in picked.tolist():
            if k < len(rows):
                out += self._enterprise_hits(rows[k:k + 1], tiers[k:k + 1])
            else:
                out.append(self._other_hit(others[k - len(rows)]))
        return out


def _read_json(path: Path, default: Any) -> Any:
    try:
        return json.loads(path.read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return default


_LOADED: dict[str, LoadedIndex] = {}
_LOADING: set[str] = set()
_LOCK = threading.Lock()


def loaded(folder: Path, wait: bool = True) -> LoadedIndex:
    """The index at ``folder``, read once per version (a build that replaces or updates it
    is noticed by :func:`stamp`).

    ``wait=False`` (the service): while a new version is being read, in a thread of its
    own, queries go on being answered from the one already in memory.
    """
    key = str(Path(folder).resolve())
    with _LOCK:
        current = _LOADED.get(key)
        if current is not None and current.stamp == stamp(Path(key)):
            return current
        if current is not None and not wait:
            if key not in _LOADING:
                _LOADING.add(key)
                threading.Thread(target=_reload, args=(key,), daemon=True).start()
            return current
        current = _LOADED[key] = LoadedIndex(Path(key))
        return current


def _reload(key: str) -> None:
    try:
        fresh = LoadedIndex(Path(key))
    except Exception as exc:  # a build still writing: the next query tries again
        logging.getLogger("gongkai.serve").warning(
            "新的搜索索引暂时无法读取，继续使用已读取的版本（%s: %s）", type(exc).__name__, exc)
        fresh = None
    with _LOCK:
        if fresh is not None:
            _LOADED[key] = fresh
        _LOADING.discard(key)
