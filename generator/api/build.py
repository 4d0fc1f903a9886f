"""Write the static JSON API from the model: one pass over each table, one file per record.

Every table is turned into plain Python columns once (dates as ISO strings, missing values
as ``null``), rows are grouped by the model's enterprise index, and each file is written
through the engine's writer, which leaves a file alone when its bytes are unchanged. A
rebuild of unchanged data therefore rewrites nothing, and the bytes never depend on the
order or time of a build.
"""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import urls
from ..build.executor import Executor
from ..build.keys import StageKey
from ..build.record_files import (
    RecordFiles,
    Written,
    enterprise_rows,
    executor,
    stage_salt,
)
from ..build.writer import FileInfo, write_file
from ..contract import Table
from ..model import Model
from ..publish.files import remove_stale
from . import schema

FOLDER = f"api/{schema.VERSION}"
OPENAPI = f"{FOLDER}/openapi.json"
PAGE = "api/"
TITLES = {"enterprises": "企业（全部抽查结果、曾用名称、后续处置）", "tasks": "抽查任务",
          "items": "抽查事项", "plans": "抽查计划（每个版本及调整说明）"}


def dumps(value: Any) -> bytes:
    """Stable bytes: sorted keys, UTF-8 Chinese, no spaces."""
    return json.dumps(value, ensure_ascii=False, sort_keys=True,
                      separators=(",", ":")).encode("utf-8")


def _column(values: pd.Series, kind: str) -> list[Any]:
    if kind == "date":
        text = values.dt.strftime("%Y-%m-%d")
        return text.astype(object).where(values.notna(), None).tolist()
    if kind in ("list", "result"):
        return [list(v) if isinstance(v, (list, tuple, np.ndarray)) else [] for v in values]
    if kind == "integer":
        return [None if pd.isna(v) else int(v) for v in values.astype(object)]
    if kind == "number":
        return [None if pd.isna(v) else float(v) for v in values.astype(object)]
    return values.astype(object).where(values.notna(), None).tolist()


def columns(table: Table, frame: pd.DataFrame, skip: tuple[str, ...] = ()
            ) -> dict[str, list[Any]]:
    """Each published field of ``table`` as a list of JSON values, converted vectorized."""
    out: dict[str, list[Any]] = {}
    for f in table.fields:
        if f.name in skip:
            continue
        out[f.name] = _column(frame[f.name], f.type)
        if f.type == "ratio":
            out[f.name + "_min"] = _column(frame[f.name + "_min"], "number")
    return out


def records(cols: dict[str, list[Any]]) -> list[dict[str, Any]]:
    names = list(cols)
    return [dict(zip(names, row, strict=True)) for row in zip(*cols.values(), strict=True)]


def _links(page: str, site: str) -> dict[str, str]:
    return {"html": site + page}


class Writer:
    """Collects the files of one API build and writes each only when its bytes changed."""

    def __init__(self, output: Path) -> None:
        self.output = Path(output)
        self.files: list[FileInfo] = []

    def write(self, rel: str, value: Any) -> None:
        self.files.append(write_file(self.output, f"{FOLDER}/{rel}", dumps(value)))

    def index(self, kind: str, entries: list[dict[str, str]]) -> None:
        pages = max(1, -(-len(entries) // schema.PAGE_SIZE))
        for n in range(1, pages + 1):
            chunk = entries[(n - 1) * schema.PAGE_SIZE:n * schema.PAGE_SIZE]
            self.write(f"{kind}/index-{n}.json", {
                "page": n, "pages": pages, "total": len(entries), "items": chunk,
                "next": f"index-{n + 1}.json" if n < pages else None})


def api_page(model: Model, paths: list[str], site: str) -> dict[str, Any]:
    """Context of the /api/ page: each kind of file, how many, an example of each."""
    endpoints = []
    for kind, title in TITLES.items():
        own = sorted(p for p in paths if p.startswith(f"{FOLDER}/{kind}/"))
        records_ = [p for p in own if "/index-" not in p]
        endpoints.append({"title": title, "path": f"{kind}/{{编号}}.json",
                          "count": len(records_), "example": records_[0] if records_ else ""})
        endpoints.append({"title": title.split("（")[0] + "分页索引",
                          "path": f"{kind}/index-{{页码}}.json",
                          "count": len(own) - len(records_), "example": f"{FOLDER}/{kind}/index-1.json"})
    codes = model.enterprise_index.codes
    return {"endpoints": endpoints, "openapi": OPENAPI, "page_size": schema.PAGE_SIZE,
            "base": site + FOLDER + "/" if site != "/" else "", "base_rel": FOLDER + "/",
            "sample_code": codes[0] if len(codes) else "91110000000000000X",
            "as_of": model.as_of.isoformat() if model.as_of else ""}


MANIFEST = ".gongkai-api.parquet"
ENTERPRISES = f"{FOLDER}/enterprises"


def salt(settings: dict[str, Any]) -> int:
    """What every enterprise file depends on besides its rows: the code and the site URL."""
    return stage_salt(StageKey("api").settings(settings, (), ("GONGKAI_SITE_URL",))
                      .code("api", "urls.py", "contract", "model/enterprises.py"))


def json_rows(cols: dict[str, list[Any]]) -> list[str]:
    """Each row of ``cols`` as a JSON object with sorted keys, written by pandas' C
    encoder rather than one ``json.dumps`` per row: an enterprise file is mostly these.
    That encoder writes "/" as "\\/"; undoing it is safe because it writes no bare "/"."""
    if not cols or not len(next(iter(cols.values()))):
        return []
    frame = pd.DataFrame({name: cols[name] for name in sorted(cols)})
    text = frame.to_json(orient="records", lines=True, force_ascii=False)
    return text.replace("\\/", "/").rstrip("\n").split("\n")


def enterprise_files(shared: dict[str, Any], rows: dict[str, Any]) -> Iterator[bytes]:
    """The JSON of some enterprises from their rows (see :func:`_enterprise_files`): a
    partition's task, here or on a cluster worker. Keys are sorted, as :func:`dumps`
    sorts them."""
    results, follow_ups, site = shared["results"], shared["dispositions"], shared["site"]
    part = rows["results"]
    found = json_rows({**columns(results, part, skip=("uscc", "entity_name")),
                       "category": part["category"].astype(object).tolist()})
    follow = json_rows(columns(follow_ups, rows["dispositions"], skip=("uscc",)))
    records_ = rows["records"]
    starts = np.searchsorted(rows["ent"], records_).tolist()
    ends = np.searchsorted(rows["ent"], records_, side="right").tolist()
    dstarts = np.searchsorted(rows["dent"], records_).tolist()
    dends = np.searchsorted(rows["dent"], records_, side="right").tolist()
    codes, latest = rows["codes"], rows["latest"]
    # the enterprise's own keys, in two runs around "results" (keys sorted)
    heads = json_rows({
        "links": [{"feed": site + urls.enterprise_feed(code),  # sorted: feed, html
                   **_links(urls.enterprise(code), site)} for code in codes],
        "name": latest,
        "names": [list(names) if names is not None and len(names) else [name]
                  for names, name in zip(rows["names"], latest, strict=True)]})
    tails = json_rows({"uscc": codes})
    for j in range(len(codes)):
        yield "".join((
            '{"follow_ups":[', ",".join(follow[dstarts[j]:dends[j]]), "],", heads[j][1:-1],
            ',"results":[', ",".join(found[starts[j]:ends[j]]), "],", tails[j][1:])
                      ).encode("utf-8")


def _enterprise_files(model: Model, site: str, output: Path, executor: Executor
                      ) -> tuple[RecordFiles, list[dict[str, str]]]:
    """Write ``enterprises/{code}.json`` for each enterprise whose rows changed; return the
    files (to be finished by the caller) and the index entries of every enterprise."""
    contract = model.contract
    results, disp = model["results"], model["dispositions"]
    index = model.enterprise_index
    count = len(index.codes)
    grouped = enterprise_rows(model)
    ent, dent = grouped.result_ent, grouped.disposition_ent
    shown = [f.name for f in contract["results"].fields if f.name != "uscc"]
    segments = [urls.segment(code) for code in index.codes]
    paths = [f"{ENTERPRISES}/{seg}.json" for seg in segments]
    files = RecordFiles(output, MANIFEST, salt({"GONGKAI_SITE_URL": site}), ENTERPRISES)
    todo = files.todo(paths, grouped.fingerprints)
    table = model.enterprises
    latest = table["name"].astype(object).to_numpy()
    codes = np.asarray(index.codes, dtype=object)
    if len(todo):
        names = table["names"].to_numpy(dtype=object)
        wanted = np.zeros(count, dtype=bool)

        def rows_of(records_: np.ndarray) -> dict[str, Any]:
            wanted[:] = False
            wanted[records_] = True
            take = np.flatnonzero(wanted[ent])
            dtake = np.flatnonzero(wanted[dent])
            return {"results": results.iloc[grouped.results[take]][shown + ["category"]],
                    "ent": ent[take], "dispositions": disp.iloc[grouped.dispositions[dtake]],
                    "dent": dent[dtake],
                    "records": records_, "codes": codes[records_].tolist(),
                    "latest": latest[records_].tolist(), "names": names[records_].tolist()}

        shared = {"results": contract["results"], "dispositions": contract["dispositions"],
                  "site": site}
        files.make(todo, codes, enterprise_files, shared, rows_of, executor)
    entries = [{"id": code, "name": name, "url": f"{seg}.json"}
               for code, name, seg in zip(index.codes, latest.tolist(), segments, strict=True)]
    return files, entries


def write_api(model: Model, settings: dict[str, Any], output: Path,
              template_dirs: list[Path] | None = None) -> Written:
    """Write ``api/v1/`` under ``output`` and, given templates, the /api/ page; stale files
    are removed. Enterprise files are made only for enterprises whose rows changed; the
    rest (a few files per task, item and plan, the indexes) only rewritten when their bytes
    differ. Returns every file of ``api/v1/`` and those written."""
    output = Path(output)
    site = str(settings.get("GONGKAI_SITE_URL") or "/")
    contract = model.contract
    w = Writer(output)
    enterprise_writer, entries = _enterprise_files(model, site, output, executor(settings))
    w.index("enterprises", entries)

    for kind, key, label in (("tasks", "task_id", "name"), ("items", "item_id", "name")):
        frame = model[kind].sort_values(key, kind="stable")
        link = urls.task if kind == "tasks" else urls.item
        entries = []
        for rec in records(columns(contract[kind], frame)):
            ident = rec[key]
            w.write(f"{kind}/{urls.segment(ident)}.json",
                    {**rec, "links": _links(link(ident), site)})
            entries.append({"id": ident, "name": rec[label] or ident,
                            "url": f"{urls.segment(ident)}.json"})
        w.index(kind, entries)

    plans = model["plans"].sort_values(["plan_id", "version", "task_id"], kind="stable")
    recs = records(columns(contract["plans"], plans))
    entries = []
    for plan_id, group in pd.Series(range(len(recs))).groupby(
            plans["plan_id"].to_numpy(), sort=True):
        versions = [{k: v for k, v in recs[j].items() if k != "plan_id"} for j in group]
        w.write(f"plans/{urls.segment(plan_id)}.json", {
            "plan_id": plan_id, "versions": versions,
            "links": _links(urls.plan(plan_id), site)})
        entries.append({"id": plan_id, "name": versions[-1]["plan_name"] or plan_id,
                        "url": f"{urls.segment(plan_id)}.json"})
    w.index("plans", entries)

    spec = schema.openapi(contract, site.rstrip("/") + f"/{FOLDER}" if site != "/" else "",
                          str(settings.get("SITENAME") or "gongkai"))
    w.files.append(write_file(output, OPENAPI, json.dumps(
        spec, ensure_ascii=False, sort_keys=True, indent=1).encode("utf-8")))
    # the enterprise folder's other files (its index pages) are listed in its manifest
    inside = [f.path for f in w.files if f.path.startswith(ENTERPRISES + "/")]
    enterprise_files = enterprise_writer.finish(also=inside)
    for kind in ("tasks", "items", "plans"):
        remove_stale(output, f"{FOLDER}/{kind}", {f.path for f in w.files})
    result = Written(
        paths=enterprise_files.paths + [f.path for f in w.files],
        written=enterprise_files.written + [f.path for f in w.files if f.written],
        removed=enterprise_files.removed, skipped=enterprise_files.skipped)
    if template_dirs:
        from ..build.render import Counts, Renderer, make_environment

        globals_ = {k: v for k, v in settings.items() if k.isupper()}
        Renderer(make_environment(template_dirs, globals_), output, {}).write(
            PAGE, "api.html", api_page(model, result.paths, site), Counts())
    return result
