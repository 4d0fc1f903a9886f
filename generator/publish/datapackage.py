"""``data/datapackage.json``: a Frictionless Data Package generated from the schemas.

The descriptor is built from the same :class:`~.schema.DatasetSchema` objects that
wrote the files (which come from ``contract.toml``), with each file's size and
SHA-256, so ``frictionless validate`` checks the published bytes against the
published schema. CSV resources name their fields by the Chinese headers the files
carry; Parquet resources by the English column names.
"""

from __future__ import annotations

import json
from typing import Any

from ..build.writer import FileInfo
from ..model import Model
from .datasets import FOLDER, Dataset
from .schema import LIST_DELIMITER, Column, DatasetSchema

DESCRIPTOR = f"{FOLDER}/datapackage.json"
PROFILE = "data-package"


def license_descriptor(settings: dict[str, Any]) -> dict[str, str]:
    """GONGKAI_LICENSE as a data-package licence: name, title and path (URL)."""
    raw = settings.get("GONGKAI_LICENSE") or {}
    if isinstance(raw, str):
        raw = {"name": raw, "title": raw}
    return {k: str(raw[k]) for k in ("name", "title", "path") if raw.get(k)}


def field_descriptor(column: Column, csv: bool) -> dict[str, Any]:
    field: dict[str, Any] = {"name": column.title if csv else column.name, "title": column.title}
    if column.description:
        field["description"] = column.description
    if column.kind == "list":
        if csv:
            field.update(type="list", delimiter=LIST_DELIMITER, itemType="string")
        else:  # Arrow list<string>; the data package has no array-of-strings type for Parquet
            field.update(type="any", arrowType="list<string>")
    else:
        field["type"] = column.kind
    field["columnName" if csv else "csvHeader"] = column.name if csv else column.title
    constraints: dict[str, Any] = {}
    if column.required:
        constraints["required"] = True
    if column.unique:
        constraints["unique"] = True
    if column.values:
        constraints["enum"] = list(column.values)
    if column.minimum is not None:
        constraints["minimum"] = column.minimum
    if column.maximum is not None:
        constraints["maximum"] = column.maximum
    if column.pattern:
        constraints["pattern"] = column.pattern
    if constraints:
        field["constraints"] = constraints
    return field


def table_schema(schema: DatasetSchema, csv: bool, known: dict[str, DatasetSchema]
                 ) -> dict[str, Any]:
    def label(s: DatasetSchema, name: str) -> str:
        return s.column(name).title if csv else name

    out: dict[str, Any] = {"fields": [field_descriptor(c, csv) for c in schema.columns],
                           "missingValues": [""]}
    if schema.primary_key:
        out["primaryKey"] = [label(schema, k) for k in schema.primary_key]
    keys = []
    for c in schema.columns:
        target = known.get(c.references or "")
        if target is None or c.kind == "list":
            continue
        ref = c.name if c.name in target.names else (target.primary_key or (c.name,))[0]
        keys.append({"fields": [label(schema, c.name)],
                     "reference": {"resource": target.name if csv else f"{target.name}-parquet",
                                   "fields": [label(target, ref)]}})
    if keys:
        out["foreignKeys"] = keys
    return out


def _resource(name: str, info: FileInfo, fmt: str, title: str, description: str,
              schema: dict[str, Any]) -> dict[str, Any]:
    # Parquet files are described (schema included) and checked by size and hash; the
    # validator reads tables from text formats, so they are "file" resources
    tabular = fmt == "csv"
    res: dict[str, Any] = {
        "profile": "tabular-data-resource" if tabular else "data-resource", "name": name,
        "type": "table" if tabular else "file",
        "path": info.path.removeprefix(f"{FOLDER}/"),
        "title": title, "description": description, "format": fmt,
        "mediatype": "text/csv" if fmt == "csv" else "application/vnd.apache.parquet",
    }
    if fmt == "csv":
        res["encoding"] = "utf-8-sig"
    res.update(bytes=info.bytes, hash=f"sha256:{info.sha256}", schema=schema)
    return res


def descriptor(model: Model, datasets: list[Dataset], settings: dict[str, Any]) -> dict[str, Any]:
    known = {d.name: d.schema for d in datasets}
    resources = []
    for ds in datasets:
        s = ds.schema
        resources.append(_resource(s.name, ds.files["csv"], "csv", s.title, s.description,
                                   table_schema(s, True, known)))
    for ds in datasets:
        s = ds.schema
        resources.append(_resource(f"{s.name}-parquet", ds.files["parquet"], "parquet",
                                   f"{s.title}（Parquet）", s.description,
                                   table_schema(s, False, known)))
        for year, info in ds.partitions:
            resources.append(_resource(f"{s.name}-{year}-parquet", info, "parquet",
                                       f"{s.title}（{year} 年，Parquet 按年分区）",
                                       f"{s.description}按检查日期的年度分区（Hive 分区 year={year}）。",
                                       table_schema(s, False, {})))
    site = settings.get("SITENAME", "")
    region = settings.get("GONGKAI_REGION", "")
    out: dict[str, Any] = {
        "profile": PROFILE,
        "name": "gongkai",
        "title": f"{site}（{region}）" if region else site,
        "description": "“双随机、一公开”抽查事项清单、年度抽查计划（全部版本）、抽查任务、分层抽取、"
                       "抽查结果和后续处置的完整数据，与网站页面所示内容一致。",
        "version": model.contract.version,
        "licenses": [license_descriptor(settings)],
        "resources": resources,
    }
    if model.data_date:
        out["lastUpdated"] = model.data_date.isoformat()
    if settings.get("AUTHOR"):
        out["contributors"] = [{"title": str(settings["AUTHOR"]), "role": "publisher"}]
    return out


def descriptor_bytes(desc: dict[str, Any]) -> bytes:
    return (json.dumps(desc, ensure_ascii=False, indent=2) + "\n").encode("utf-8")
