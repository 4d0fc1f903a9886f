"""The server index: Whoosh with jieba segmentation, for ``gongkai search`` and ``gongkai serve``.

It lives outside the public output (under CACHE_PATH by default), because a server
reads it, not a browser. Queries are built from words, never parsed as Whoosh query
syntax, so no input can be a syntax error.
"""

from __future__ import annotations

import hashlib
import os
import shutil
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from whoosh import index as windex
from whoosh.fields import ID, KEYWORD, STORED, TEXT, Schema

from ..build.keys import StageKey
from .records import FILTERS
from .whoosh_text import analyzer


def schema() -> Schema:
    fields: dict[str, Any] = {
        "url": ID(stored=True, unique=True),
        "kind": ID(stored=True),
        "label": STORED,  # the title as shown
        # no positions: queries are words, never phrases, and positions double the postings' cost
        "title": TEXT(analyzer=analyzer(), field_boost=2.0, phrase=False),
        "code": ID(stored=True, sortable=True),
        "summary": STORED,
        "date": ID(stored=True, sortable=True),
        "text": TEXT(analyzer=analyzer(), phrase=False),
        "grams": KEYWORD(lowercase=True, scorable=True),
    }
    for f in FILTERS:
        fields[f] = KEYWORD(stored=True, commas=True, lowercase=False)
    return Schema(**fields)


FOLDER = ".gongkai-search"  # inside the output: published with the site, in one swap


def index_dir(settings: dict[str, Any], output: str | Path) -> Path:
    """Where the server index of the site built into ``output`` lives: inside it (a dot
    folder no web server configured as in deploy/ serves), so the index a server answers
    from is always that of the published site; a build killed before its swap leaves
    both as they were. ``GONGKAI_SEARCH_INDEX_DIR`` puts it elsewhere (then without that
    guarantee)."""
    configured = settings.get("GONGKAI_SEARCH_INDEX_DIR")
    if configured:
        return Path(configured)
    return Path(output).absolute() / FOLDER


def cache_key(output: str | Path) -> str:
    """The same key for a site's output and its staging folder (see build.atomic), for the
    caches kept outside both."""
    output = Path(output).resolve()
    if output.name.startswith(".") and output.name.endswith(".building"):
        output = output.parent / output.name[1:-len(".building")]
    return hashlib.sha256(str(output).encode()).hexdigest()[:12]


def index_files(output: str | Path) -> set[str]:
    """The server index's files in ``output`` ("/"-separated, relative): Whoosh writes new
    segment and table-of-contents files and never rewrites one, so a staged build may
    hard-link them from the live site (build.shared)."""
    folder = Path(output) / FOLDER
    base = len(str(Path(output))) + 1
    return {str(p)[base:].replace(os.sep, "/") for p in folder.rglob("*") if p.is_file()} \
        if folder.is_dir() else set()


def _keywords(values: list[str]) -> str:
    return ",".join(v.replace(",", "，") for v in values)


# an index written by other code (another schema, other documents) is rebuilt, never updated
LAYOUT = StageKey("server-index").code("search/server_index.py").hexdigest()[:16]
RECORD_HASHES = "records.parquet"
UPDATE_AT_MOST = 0.25  # above this share of changed records, a fresh index is cheaper


def record_hashes(records: pd.DataFrame) -> pd.Series:
    """A 64-bit hash per record (by URL) of every field the index holds."""
    shown = pd.DataFrame({c: records[c].astype(str) for c in ("kind", "title", "code", "summary",
                                                              "date", "text", "grams")})
    for f in FILTERS:
        shown[f] = records[f].map("\x1f".join)
    shown["layout"] = LAYOUT
    return pd.Series(pd.util.hash_pandas_object(shown, index=False).to_numpy(),
                     index=records["url"].astype(str).to_numpy(), dtype="uint64")


def _documents(records: pd.DataFrame):
    """Whoosh documents of tasks, items, plans and documents (enterprises are answered
    from :func:`enterprise_table`)."""
    columns = {c: records[c].tolist() for c in records.columns}
    for i in range(len(records)):
        doc = {k: columns[k][i] for k in ("url", "kind", "code", "summary", "date", "text", "title",
                                           "grams")}
        doc["label"] = columns["title"][i]
        for f in FILTERS:
            doc[f] = _keywords(columns[f][i])
        yield doc


def enterprise_table(records: pd.DataFrame) -> pd.DataFrame:
    """The enterprises' fields as the index stores them, in credit-code order: what
    :mod:`.engine` answers enterprise queries from (reading half a million documents'
    stored fields back out of Whoosh takes a server seconds at every start)."""
    ents = records[records["kind"] == "enterprise"]
    out = pd.DataFrame({
        "url": ents["url"].astype(str), "label": ents["title"].fillna("").astype(str),
        "code": ents["code"].fillna("").astype(str), "summary": ents["summary"].fillna("").astype(str),
        "date": ents["date"].fillna("").astype(str),
        "names": [str(n or "") for n in ents["names"].tolist()]})
    for f in FILTERS:
        out[f] = [_keywords(v) for v in ents[f].tolist()]
    return out.sort_values("code", kind="stable").reset_index(drop=True)


def _previous_hashes(target: Path) -> pd.Series | None:
    try:
        frame = pd.read_parquet(target / RECORD_HASHES)
        if not windex.exists_in(str(target)):
            return None
        return pd.Series(frame["hash"].to_numpy(dtype="uint64"), index=frame["url"].to_numpy())
    except Exception:  # no or damaged state: the index is written afresh
        return None


def write_index(records: pd.DataFrame, target: Path) -> str:
    """Bring the index at ``target`` to hold exactly ``records``; say how ("written"/"updated").

    When few records changed since the index was written, only those are replaced in a
    hard-linked copy of it; otherwise every record is written again. Either way the new
    index replaces the old one only when it is complete.

    Enterprises are not Whoosh documents: :mod:`.engine` answers them from the table
    written beside the index (:func:`enterprise_table`), and half a million of them were
    most of the time an index took to write. Whoosh holds the tasks, items, plans and
    documents.
    """
    ents = records.index[records["kind"] == "enterprise"]
    table = enterprise_table(records)
    records = records.drop(index=ents)
    hashes = record_hashes(records)
    previous = _previous_hashes(target)
    staging = target.with_name(target.name + ".new")
    shutil.rmtree(staging, ignore_errors=True)
    how = "written"
    if previous is not None:
        at = previous.index.get_indexer(hashes.index)  # -1: a record the index lacks
        same = (at >= 0) & (previous.to_numpy()[np.maximum(at, 0)] == hashes.to_numpy())
        changed = np.flatnonzero(~same)
        removed = previous.index.difference(hashes.index)
        if len(changed) + len(removed) <= UPDATE_AT_MOST * max(len(hashes), 1):
            how = "updated"
    if how == "updated":
        shutil.copytree(target, staging, copy_function=os.link)  # segments are never rewritten
        (staging / RECORD_HASHES).unlink()  # hard links: written anew, never through the link
        (staging / ENTERPRISES).unlink(missing_ok=True)
        ix = windex.open_dir(str(staging))
        writer = ix.writer(limitmb=256)
        for url in removed:
            writer.delete_by_term("url", url)
        for doc in _documents(records.iloc[changed]):
            writer.update_document(**doc)
        writer.commit()
    else:
        staging.mkdir(parents=True)
        ix = windex.create_in(str(staging), schema())
        writer = ix.writer(limitmb=256)
        for doc in _documents(records):
            writer.add_document(**doc)
        writer.commit()
    table.to_parquet(staging / ENTERPRISES, index=False)
    pd.DataFrame({"url": hashes.index, "hash": hashes.to_numpy()}).to_parquet(
        staging / RECORD_HASHES, index=False)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return how


REGIONS = "regions.json"
ENTERPRISES = "enterprises.parquet"
MAX_LIMIT = 100  # results per page
MAX_PAGE = 10_000


def search(folder: Path, text: str, limit: int = 20, filters: dict[str, str] | None = None,
           sort: str = "", page: int = 1) -> dict[str, Any]:
    """One page of hits as plain dicts, ranked by :mod:`.rank`, and the exact total.

    The index is read into memory once per version (:func:`.engine.loaded`): a server
    answers every query from arrays, and ``gongkai search`` pays the reading once.
    """
    from .engine import loaded

    return loaded(Path(folder)).search(text, limit, filters, sort, page)
