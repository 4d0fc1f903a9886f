"""The DCAT catalogue of the open data (``data/catalog.jsonld``, DCAT-AP terms).

Data portals (CKAN's DCAT harvester, data.europa.eu-style aggregators) harvest a
``dcat:Catalog`` of ``dcat:Dataset`` with ``dcat:Distribution``s; every figure in it (sizes,
checksums, dates) is read from the files this build wrote and from the model, so the
catalogue never disagrees with the downloads.
"""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..build.writer import FileInfo
from ..model import Model
from .datapackage import license_descriptor
from .datasets import Dataset

CATALOG = "data/catalog.jsonld"
MEDIA_TYPES = {"csv": "text/csv", "parquet": "application/vnd.apache.parquet"}
CONTEXT = {
    "dcat": "http://www.w3.org/ns/dcat#", "dct": "http://purl.org/dc/terms/",
    "foaf": "http://xmlns.com/foaf/0.1/", "spdx": "http://spdx.org/rdf/terms#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "dct:issued": {"@type": "xsd:date"}, "dct:modified": {"@type": "xsd:date"},
    "dcat:startDate": {"@type": "xsd:date"}, "dcat:endDate": {"@type": "xsd:date"},
    "dcat:byteSize": {"@type": "xsd:nonNegativeInteger"},
}
# the first date column of a table that says when its rows happened (temporal coverage)
TIME_FIELDS = {"results": "inspected_on", "dispositions": "decided_on", "plans": "published_on",
               "tasks": "start", "calendar": "date"}


def _distribution(url: str, info: FileInfo, fmt: str, title: str, licence: str
                  ) -> dict[str, Any]:
    return {"@id": url + info.path, "@type": "dcat:Distribution", "dct:title": title,
            "dcat:downloadURL": {"@id": url + info.path},
            "dcat:accessURL": {"@id": url + info.path},
            "dcat:mediaType": {"@id": "https://www.iana.org/assignments/media-types/"
                                      + MEDIA_TYPES[fmt]},
            "dct:format": fmt.upper(), "dcat:byteSize": info.bytes,
            "dct:license": {"@id": licence},
            "spdx:checksum": {"@type": "spdx:Checksum",
                              "spdx:algorithm": {"@id": "spdx:checksumAlgorithm_sha256"},
                              "spdx:checksumValue": info.sha256}}


def _temporal(model: Model, name: str) -> dict[str, Any] | None:
    column = TIME_FIELDS.get(name)
    frame = model.tables.get(name)
    if column is None or frame is None or column not in frame or not len(frame):
        return None
    days = pd.to_datetime(frame[column], errors="coerce").dropna()
    if not len(days):
        return None
    return {"@type": "dct:PeriodOfTime", "dcat:startDate": days.min().date().isoformat(),
            "dcat:endDate": days.max().date().isoformat()}


def catalog(model: Model, tables: list[Dataset], settings: dict[str, Any], url: str
            ) -> dict[str, Any]:
    """The catalogue as JSON-LD; ``url`` is the site's public address ("" gives IRIs
    relative to the site root, which a harvester resolves against the file's address)."""
    licence_raw = license_descriptor(settings)
    licence = licence_raw.get("path") or licence_raw.get("name", "")
    publisher = {"@type": "foaf:Agent",
                 "foaf:name": str(settings.get("AUTHOR") or settings.get("SITENAME") or "")}
    region = str(settings.get("GONGKAI_REGION") or "")
    spatial = {"@type": "dct:Location", "skos:prefLabel": region} if region else None
    modified = model.data_date.isoformat() if model.data_date else None
    datasets = []
    for ds in tables:
        s = ds.schema
        dists = [_distribution(url, ds.files[fmt], fmt, f"{s.title}（{fmt.upper()}）", licence)
                 for fmt in ("csv", "parquet") if fmt in ds.files]
        dists += [_distribution(url, info, "parquet", f"{s.title}（{year} 年，Parquet）", licence)
                  for year, info in ds.partitions]
        item: dict[str, Any] = {
            "@id": f"{url}data/#{s.name}", "@type": "dcat:Dataset", "dct:identifier": s.name,
            "dct:title": s.title, "dct:description": s.description or s.title,
            "dct:publisher": publisher, "dct:license": {"@id": licence},
            "dcat:keyword": ["双随机、一公开", "抽查", s.title], "dct:language": "zh-CN",
            "dcat:landingPage": {"@id": f"{url}data/"}, "dcat:distribution": dists}
        if modified:
            item["dct:modified"] = modified
        temporal = _temporal(model, s.name)
        if temporal:
            item["dct:temporal"] = temporal
        if spatial:
            item["dct:spatial"] = spatial
        datasets.append(item)
    site = str(settings.get("SITENAME") or "")
    out: dict[str, Any] = {
        "@context": {**CONTEXT, "skos": "http://www.w3.org/2004/02/skos/core#"},
        "@id": f"{url}{CATALOG}", "@type": "dcat:Catalog",
        "dct:title": f"{site}（{region}）开放数据" if region else f"{site}开放数据",
        "dct:description": "“双随机、一公开”抽查事项、计划、任务、结果和后续处置的开放数据目录。",
        "dct:publisher": publisher, "dct:license": {"@id": licence}, "dct:language": "zh-CN",
        "foaf:homepage": {"@id": f"{url}data/"}, "dcat:dataset": datasets}
    if modified:
        out["dct:modified"] = modified
    return out


def catalog_bytes(value: dict[str, Any]) -> bytes:
    return (json.dumps(value, ensure_ascii=False, indent=1, sort_keys=True) + "\n").encode("utf-8")
