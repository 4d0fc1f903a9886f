"""Contexts of the open-data pages: /data/ (downloads), /data/dictionary/ (字段说明) and /feeds/."""

from __future__ import annotations

import json
from typing import Any

from markupsafe import Markup

from ..build.writer import FileInfo
from ..model import Model
from .datapackage import DESCRIPTOR, license_descriptor
from .datasets import Dataset
from .feeds import Feed
from .xlsx import year_xlsx

DATA_PAGE = "data/"
DICTIONARY_PAGE = "data/dictionary/"
FEEDS_PAGE = "feeds/"
SUMS = "data/SHA256SUMS"

KIND_LABELS = {"string": "文本", "integer": "整数", "number": "数值", "date": "日期（YYYY-MM-DD）",
               "boolean": "是/否（true/false）", "list": "列表（CSV 中以“；”分隔）"}
GROUP_LABELS = {"contract": "公示数据", "figures": "统计结果"}


def size_text(n: int) -> str:
    if n < 1024:
        return f"{n} 字节"
    if n < 1024 * 1024:
        return f"{n / 1024:.1f} KB"
    return f"{n / 1024 / 1024:.1f} MB"


def _file(info: FileInfo) -> dict[str, Any]:
    return {"path": info.path, "bytes": info.bytes, "size": size_text(info.bytes),
            "sha256": info.sha256}


def json_ld(data: Any) -> Markup:
    """JSON for a ``<script type="application/ld+json">`` data block; "<" is escaped so the
    text can never close the element or open a comment."""
    text = json.dumps(data, ensure_ascii=False, indent=1, sort_keys=False)
    return Markup(text.replace("<", "\\u003c").replace(">", "\\u003e").replace("&", "\\u0026"))


def _absolute(site_url: str, path: str) -> str:
    return site_url + path if site_url else path


def dataset_ld(ds: Dataset, settings: dict[str, Any], data_date: str, site_url: str
               ) -> dict[str, Any]:
    lic = license_descriptor(settings)
    out: dict[str, Any] = {
        "@type": "Dataset",
        "name": ds.schema.title,
        "description": ds.schema.description,
        "identifier": ds.name,
        "inLanguage": "zh-CN",
        "isAccessibleForFree": True,
        "variableMeasured": [c.title for c in ds.schema.columns],
        "distribution": [
            {"@type": "DataDownload", "encodingFormat": "text/csv",
             "contentUrl": _absolute(site_url, ds.files["csv"].path),
             "contentSize": f"{ds.files['csv'].bytes} B"},
            {"@type": "DataDownload", "encodingFormat": "application/vnd.apache.parquet",
             "contentUrl": _absolute(site_url, ds.files["parquet"].path),
             "contentSize": f"{ds.files['parquet'].bytes} B"},
        ],
    }
    if lic.get("path"):
        out["license"] = lic["path"]
    if data_date:
        out["dateModified"] = data_date
    if settings.get("AUTHOR"):
        out["creator"] = {"@type": "GovernmentOrganization", "name": str(settings["AUTHOR"])}
    if site_url:
        out["url"] = site_url + DATA_PAGE
    return out


def data_page(model: Model, datasets: list[Dataset], settings: dict[str, Any],
              archive_days: list[str], site_url: str) -> dict[str, Any]:
    data_date = model.data_date.isoformat() if model.data_date else ""
    rows = []
    for ds in datasets:
        rows.append({
            "name": ds.name, "title": ds.schema.title, "description": ds.schema.description,
            "rows": ds.rows, "group": GROUP_LABELS.get(ds.kind, ""),
            "csv": _file(ds.files["csv"]), "parquet": _file(ds.files["parquet"]),
            "partitions": [dict(_file(info), year=year, xlsx=year_xlsx(year))
                           for year, info in ds.partitions],
        })
    graph = {"@context": "https://schema.org",
             "@graph": [dataset_ld(ds, settings, data_date, site_url) for ds in datasets]}
    archive = [{"date": d, "path": f"data/archive/{d}/",
                "datapackage": f"data/archive/{d}/datapackage.json",
                "results": f"data/archive/{d}/results.csv"} for d in archive_days]
    return {
        "datasets": rows, "license": license_descriptor(settings), "data_updated": data_date,
        "datapackage": DESCRIPTOR, "sums": SUMS, "dictionary": DICTIONARY_PAGE,
        "feeds_page": FEEDS_PAGE, "archive": archive, "jsonld": json_ld(graph),
        "archive_keep": int(settings.get("GONGKAI_ARCHIVE_KEEP") or 0),
        "canonical_path": DATA_PAGE,
    }


def dictionary_page(model: Model, datasets: list[Dataset]) -> dict[str, Any]:
    tables = []
    for ds in datasets:
        columns = [{"title": c.title, "name": c.name, "type": KIND_LABELS.get(c.kind, c.kind),
                    "required": c.required, "unique": c.unique, "description": c.description,
                    "enum": list(c.values), "references": c.references or ""}
                   for c in ds.schema.columns]
        tables.append({"name": ds.name, "title": ds.schema.title,
                       "description": ds.schema.description,
                       "primary_key": [ds.schema.column(k).title for k in ds.schema.primary_key],
                       "columns": columns})
    return {"tables": tables, "data_updated": model.data_date.isoformat()
            if model.data_date else ""}


def feeds_page(model: Model, feeds: list[Feed]) -> dict[str, Any]:
    groups: dict[str, list[dict[str, Any]]] = {"site": [], "departments": [], "tasks": []}
    moved = []
    for f in feeds:
        if f.copy_of:  # an old address kept for subscribers: named once, not listed twice
            moved.append({"title": f.title, "atom": f.path("atom"), "rss": f.path("rss"),
                          "new_atom": f"feeds/{f.copy_of}.atom.xml",
                          "new_rss": f"feeds/{f.copy_of}.rss.xml"})
            continue
        kind = f.name.split("/", 1)[0] if "/" in f.name else "site"
        groups[kind].append({"title": f.title, "description": f.description, "page": f.page,
                             "atom": f.path("atom"), "rss": f.path("rss"),
                             "entries": len(f.entries)})
    return {"groups": groups, "moved": moved, "data_updated": model.data_date.isoformat()
            if model.data_date else ""}
