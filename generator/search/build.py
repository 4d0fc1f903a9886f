"""Building the search page and both indexes, skipping an index whose records did not change."""

from __future__ import annotations

import hashlib
import json
import sys
import time
from pathlib import Path
from typing import Any

import pandas as pd

from ..build.keys import StageKey
from ..build.render import make_environment
from ..build.writer import files_below, replace_file
from ..model import Model
from . import code_index, fold, pagefind_bundle, server_index, word_index
from .rank import TIERS
from .records import (
    FILTER_LABELS,
    FILTERS,
    filter_options,
    model_index,
    record_fingerprints,
    search_records,
)

PAGE = "search/index.html"
OPTIONS = "filters.json"
BUNDLE_STATE = ".gongkai-search.json"
STATE = "state.json"


SOURCE_TABLES = ("tasks", "items", "plans")
# the browser's search files: each of their writers replaces a file (replace_file) or
# puts a new folder in the old one's place, and never writes into a file that is there
BROWSER_FOLDERS = ("search", pagefind_bundle.BUNDLE)


def browser_files(output: str | Path) -> set[str]:
    """The browser search files in ``output`` ("/"-separated, relative): a staged build
    may hard-link them from the live site (build.shared), so a rebuild that changes a
    few of the word blocks neither copies nor compares the others."""
    return set(files_below(Path(output), *BROWSER_FOLDERS))


def model_fingerprint(model: Model, documents: list[dict[str, str]] | None,
                      settings: dict[str, Any], fingerprints: pd.Series | None = None) -> str:
    """sha256 of what the records are made from: each enterprise's record fingerprint
    (:func:`records.record_fingerprints`, passed in when already worked out), the other
    tables the records read (not where rows came from), the documents, the settings, the
    index code and the Pagefind version.

    Hashing the model is seconds; computing the records of a large site is minutes, so an
    unchanged site does not compute them at all.
    """
    if fingerprints is None:
        fingerprints = record_fingerprints(model["results"], model_index(model))
    digest = hashlib.sha256(fingerprints.to_numpy(dtype="uint64").tobytes())
    digest.update("\0".join(fingerprints.index).encode())
    for name in SOURCE_TABLES:
        frame = model[name].drop(columns=["_file", "_row"], errors="ignore")
        for column in frame.columns:
            values = frame[column]
            if values.dtype == object:
                values = values.astype(str)
            digest.update(pd.util.hash_pandas_object(values, index=False).to_numpy().tobytes())
        digest.update(f"{name}{list(frame.columns)}".encode())
    digest.update(json.dumps(documents or [], ensure_ascii=False, sort_keys=True).encode())
    key = (StageKey("search").value(digest.digest())
           .settings(settings, ["GONGKAI_RESULT_VOCABULARY"], ["GONGKAI_SEARCH"])
           .code("search").versions("pagefind"))
    return key.hexdigest()


def render_search_page(template_dirs: list[Path], settings: dict[str, Any], output: Path,
                       options: dict[str, list[str]]) -> bool:
    """Write search/index.html; False when its bytes did not change.

    The filters are listed in the order of FILTERS, whatever order ``options`` has (it may
    come back from a JSON file with sorted keys): the browser's indexes name a filter by
    its place in that order.
    """
    options = {f: options.get(f, []) for f in FILTERS}
    globals_ = {k: v for k, v in settings.items() if k.isupper()}
    env = make_environment(template_dirs, globals_)
    html = env.get_template("search.html").render(
        root="../", nav_current="search", filters=options, filter_labels=FILTER_LABELS,
        query="", chosen={}, sort="")
    return replace_file(Path(output) / PAGE, html.encode("utf-8"))


def write_fold(output: Path, settings: dict[str, Any]) -> None:
    """search/fold.json and its shards (:func:`.fold.browser_files`), the first with the
    ranking tiers (:data:`.rank.TIERS`), for search.js."""
    for name, data in fold.browser_files(settings).items():
        if name == fold.FILE:
            data = data | {"tiers": list(TIERS)}
        replace_file(Path(output) / name,
                     json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode("utf-8"))


def _replace(path: Path, text: str) -> None:
    replace_file(path, text.encode("utf-8"))


def _write_server_index(records: pd.DataFrame, folder: Path, options: dict[str, list[str]],
                        regions: list[str] | None = None) -> str:
    """The server index (Whoosh for tasks, items, plans and documents; a table for the
    enterprises), after the browser's indexes, whose working tables it need not share
    memory with."""
    try:
        how = server_index.write_index(records, folder)
        # replaced, never written into: the staged index shares its files with the live one
        _replace(folder / server_index.REGIONS, json.dumps(regions or [], ensure_ascii=False))
        _replace(folder / OPTIONS, json.dumps(options, ensure_ascii=False, sort_keys=True))
    except OSError as exc:
        raise RuntimeError(f"服务器搜索索引生成失败：{exc}") from exc
    return how


def build_search(model: Model, settings: dict[str, Any], output: Path,
                 template_dirs: list[Path], documents: list[dict[str, str]] | None = None,
                 log=None, beside: bool = False) -> dict[str, str]:
    """The search page, the browser's indexes (Pagefind bundle, credit-code shards) and (unless
    disabled) the server index.

    Each index is rebuilt only when the fingerprint of its records changed or its
    files are missing: an unchanged site rebuilds in seconds. ``beside``: this stage
    runs beside the data pages (see search.plugin); said in the log line. The server
    index is not updated in a third process: beside the pages and the browser's indexes
    it only slowed the pages down.
    """
    log = log or (lambda text: print(text, file=sys.stderr))
    output = Path(output)
    start = time.perf_counter()
    record_fps = record_fingerprints(model["results"], model_index(model))
    fingerprint = model_fingerprint(model, documents, settings, record_fps)
    folder = server_index.index_dir(settings, output)
    # The browser bundle's fingerprint lives inside the output, so a build killed before
    # the output is swapped can never leave a record of a bundle the live site lacks;
    # the server index lives outside the output, and so does its fingerprint.
    state_files = {"pagefind": output / BUNDLE_STATE, "server": folder.with_name(folder.name + "-" + STATE)}
    state: dict[str, Any] = {}
    for key, path in state_files.items():
        try:
            saved = json.loads(path.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            continue
        state.setdefault("options", saved.get("options"))
        state[key] = saved.get(key)
    if state.get("options") is None:
        state.pop("options", None)
    entry = output / pagefind_bundle.BUNDLE / "pagefind-entry.json"
    server = bool(settings.get("GONGKAI_SEARCH_SERVER_INDEX", True))
    browser_files = (entry, output / code_index.FOLDER / code_index.MANIFEST,
                     output / word_index.FOLDER / word_index.MANIFEST, output / fold.FILE)
    todo = {"pagefind": state.get("pagefind") != fingerprint
            or not all(f.is_file() for f in browser_files)}
    if server:
        todo["server"] = state.get("server") != fingerprint or not (folder / OPTIONS).is_file()
    records = None
    if any(todo.values()) or "options" not in state:
        cache = Path(settings.get("CACHE_PATH") or "cache")
        records = search_records(model, documents,
                                 cache / f"search-{server_index.cache_key(output)}-records.parquet",
                                 record_fps)
        state["options"] = filter_options(records)
    options = state["options"]
    render_search_page(template_dirs, settings, output, options)
    done = {k: "written" if v else "unchanged" for k, v in todo.items()}
    took = {"records": time.perf_counter() - start}
    if todo["pagefind"]:
        pagefind_bundle.write_bundle(records, output)
        by_code = code_index.ByCode.of(records, options)  # read by both indexes
        code_index.write_codes(records, output, options, prepared=by_code)
        word_index.write_words(records, output, options,
                               settings.get("GONGKAI_SEARCH_BLOCK") or word_index.BLOCK, by_code)
        write_fold(output, settings)
        state["pagefind"] = fingerprint
        took["pagefind"] = time.perf_counter() - start - sum(took.values())
    if todo.get("server"):
        done["server"] = _write_server_index(records, folder, options, fold.regions(settings))
        state["server"] = fingerprint
        took["server"] = time.perf_counter() - start - sum(took.values())
    for key, path in state_files.items():
        if key in state:
            path.parent.mkdir(parents=True, exist_ok=True)
            saved = {"options": options, key: state[key]}
            path.write_text(json.dumps(saved, ensure_ascii=False, sort_keys=True), encoding="utf-8")
    labels = {"written": "已重建", "updated": "已更新", "unchanged": "未变化"}
    count = f"{len(records)} 条记录，" if records is not None else ""
    parts = {k: f"{v:.1f}" for k, v in took.items()}
    log(f"搜索索引：{count}浏览器索引{labels[done['pagefind']]}"
        + (f"，服务器索引{labels[done['server']]}" if "server" in done else "")
        + f"，用时 {time.perf_counter() - start:.1f} 秒" + ("，与数据页面并行" if beside else "")
        + (f"（记录 {parts['records']}，浏览器索引 {parts.get('pagefind', '-')}，"
           f"服务器索引 {parts.get('server', '-')}）" if any(todo.values()) else ""))
    return done
