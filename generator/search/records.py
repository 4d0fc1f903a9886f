"""Search records computed from the model: one per enterprise, task, item, plan and document.

Both indexes (Pagefind in the browser, Whoosh on a server) are fed from this one
frame, so what can be found and how it is labelled is decided here once.
Columns of :func:`search_records`:

url (relative to the site root), kind, title, code, summary (latest result), date
(YYYY-MM-DD, the sort key), text (words to find it by), grams (name bigrams, which
Chinese segmentation would miss), names (an enterprise's names, each folded by
:func:`.fold.fold`, joined by spaces: what the ranking rule compares a query with; empty
for other records), and the filter lists department, year, category, item.
Code prefixes need no words of their own: the browser answers them from the code shards
(code_index.py), the server index with a prefix query on the code field.
"""

from __future__ import annotations

import os
import re
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import urls
from ..build.keys import StageKey
from ..model import Model
from ..model.enterprises import EnterpriseIndex, enterprise_index
from ..model.enterprises import enterprises as enterprise_table
from ..model.texts import date_strings
from ..rules.aggregate import CATEGORY_LABELS
from .fold import fold

COLUMNS = ["url", "kind", "title", "code", "summary", "date", "text", "grams", "names",
           "department", "year", "category", "item"]
FILTERS = ("department", "year", "category", "item")
FILTER_LABELS = {"department": "检查部门", "year": "年度", "category": "检查结果", "item": "抽查事项"}
KIND_LABELS = {"enterprise": "企业", "task": "抽查任务", "item": "抽查事项", "plan": "抽查计划",
               "document": "文档"}
CATEGORY_ORDER = ["发现问题", "未发现问题", "不适用"]
MIN_PREFIX = 8  # a credit-code prefix this long finds every enterprise sharing it
CODE_LENGTH = 18


def _name_grams(text: str) -> str:
    return " ".join(w[k:k + 2] for w in text.split() for k in range(len(w) - 1))


def bigrams(names: pd.Series) -> pd.Series:
    """Every two-character piece of each name (of each space-separated name), computed once
    per distinct name."""
    names = names.fillna("").astype(str)
    codes, uniques = pd.factorize(names)
    grams = np.array([_name_grams(n) for n in uniques] + [""], dtype=object)
    return pd.Series(grams[codes], index=names.index, dtype=object)


def folded_names(latest: pd.Series, every: pd.Series) -> pd.Series:
    """Each enterprise's names (``latest``, then its list in ``every`` where it has one)
    folded one by one (see :mod:`.fold`) and joined by spaces, each name folded once."""
    distinct = pd.unique(pd.concat([latest.astype(str), every.explode().dropna().astype(str)]))
    lookup = dict(zip(distinct, map(fold, distinct), strict=True))
    out = []
    for name, listed in zip(latest.astype(str).tolist(), every.tolist(), strict=True):
        forms = [lookup[name]]
        if isinstance(listed, list):
            forms += [lookup[str(n)] for n in listed if lookup[str(n)] not in forms]
        out.append(" ".join(f for f in forms if f))
    return pd.Series(out, index=latest.index, dtype=object)


def _distinct_lists(owner: np.ndarray, count: int, values: pd.Series) -> list[list[str]]:
    """Sorted distinct values per owner (``owner``: each row's position among ``count``
    owners, -1 for none), as integer pairs: sorting a million strings per column took
    seconds each."""
    present = values.notna().to_numpy() & (owner >= 0)
    value_codes, uniques = pd.factorize(values.to_numpy(dtype=object)[present], sort=True)
    width = max(len(uniques), 1)
    pairs = np.unique(owner[present].astype(np.int64) * width + value_codes)
    flat = np.asarray(uniques, dtype=object)[pairs % width].tolist()
    starts = np.searchsorted(pairs // width, np.arange(count + 1)).tolist()
    return [flat[a:b] for a, b in zip(starts[:-1], starts[1:], strict=True)]


def _enterprise_frame(results: pd.DataFrame, items: pd.Series, tasks: pd.Series) -> pd.DataFrame:
    """Records of the enterprises in ``results`` (every row of each), sorted by code."""
    if results.empty:
        return pd.DataFrame(columns=COLUMNS)
    ents = enterprise_table(results).set_index("uscc")
    rows = pd.DataFrame({
        "uscc": results["uscc"].astype(str),
        "department": results["inspecting_department"].astype(str),
        "year": results["inspected_on"].dt.year.astype("Int64").astype(str),
        "category": results["category"].map(CATEGORY_LABELS).fillna(""),
        "item": results["item_id"].map(items).fillna(results["item_id"]).astype(str),
        "task": results["task_id"].map(tasks).fillna(results["task_id"]).astype(str),
        "result": results["result_text"].astype(str),
    })
    rows = rows.replace({"<NA>": np.nan, "": np.nan})
    # latest result: the last inspection (then task id) of each enterprise
    order = results.sort_values(["uscc", "inspected_on", "task_id"], kind="stable")
    latest = order.groupby("uscc", observed=True).tail(1).set_index("uscc")
    codes = ents.index.astype(str)
    frame = pd.DataFrame(index=codes)
    frame["title"] = ents["name"].astype(str).to_numpy()
    all_names = ents["names"].map(lambda n: " ".join(n) if isinstance(n, list) else "")
    frame["date"] = date_strings(latest["inspected_on"].reindex(codes))
    frame["summary"] = latest["result_text"].reindex(codes).fillna("").astype(str).to_numpy()
    owner = codes.get_indexer(rows["uscc"])
    for c in ("department", "year", "category", "item", "task", "result"):
        frame[c] = _distinct_lists(owner, len(codes), rows[c])
    joined = {c: pd.Series([" ".join(v) for v in frame[c]], index=frame.index)
              for c in ("department", "task", "result")}
    frame["text"] = (frame["title"] + " " + all_names.reindex(codes).fillna("").to_numpy()
                     + " " + codes.to_numpy() + " " + joined["department"] + " " + joined["task"]
                     + " " + joined["result"]).str.split().str.join(" ")
    names = frame["title"] + " " + all_names.reindex(codes).fillna("").to_numpy()
    frame["grams"] = bigrams(names).to_numpy()
    frame["names"] = folded_names(frame["title"], ents["names"].reindex(codes)).to_numpy()
    frame["code"] = codes
    frame["url"] = [urls.enterprise(c) for c in codes]
    frame["kind"] = "enterprise"
    return frame.reset_index(drop=True)[COLUMNS]


LIST_COLUMNS = ("department", "year", "category", "item")
CACHE_SALT = b"gongkai_records"


def record_fingerprints(results: pd.DataFrame, index: EnterpriseIndex | None = None
                        ) -> pd.Series:
    """A 64-bit hash per enterprise (index: code, sorted) of the result values its record
    is made from. Item and task names are not hashed row by row but in the cache's salt
    (:func:`_salt`): a renamed item or task recomputes every record. ``index``: the
    results' enterprise index, when known (see ``Model.enterprise_index``)."""
    index = index if index is not None else enterprise_index(results)
    # the code is not hashed: each sum is compared with the same enterprise's alone
    shown = results[["entity_name", "inspecting_department", "inspected_on", "category",
                     "item_id", "task_id", "result_text"]]
    sums = np.zeros(len(index), dtype=np.uint64)
    np.add.at(sums, index.row, pd.util.hash_pandas_object(shown, index=False).to_numpy())
    return pd.Series(sums, index=pd.Index(index.codes, dtype=object))


def model_index(model: Model | dict[str, pd.DataFrame]) -> EnterpriseIndex:
    """The model's enterprise index (a plain dict of tables, as tests pass, gets its own)."""
    if isinstance(model, Model):
        return model.enterprise_index
    return enterprise_index(model["results"])


def _salt(items: pd.Series, tasks: pd.Series) -> str:
    """Changes whenever the code that makes records, or an item's or task's name, changes."""
    key = StageKey("search-records").value(CATEGORY_LABELS)
    for names in (items, tasks):
        key.value(sorted(zip(names.index.astype(str), names.astype(str), strict=True)))
    return key.code("search/records.py", "search/fold.py", "search/fold.toml", "urls.py",
                    "model/texts.py", "rules/aggregate.py", "model/enterprises.py").hexdigest()


def record_salt(model: Model | dict[str, pd.DataFrame]) -> str:
    """What every enterprise record depends on beyond its own rows (see :func:`_salt`):
    with :func:`record_fingerprints`, it fixes each enterprise record's content."""
    return _salt(model["items"].set_index("item_id")["name"],
                 model["tasks"].set_index("task_id")["name"])


def _read_cache(path: Path, salt: str) -> pd.DataFrame | None:
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(path)
    except (OSError, ValueError):
        return None
    if (table.schema.metadata or {}).get(CACHE_SALT) != salt.encode():
        return None
    frame = table.drop_columns(list(LIST_COLUMNS)).to_pandas()
    for column in LIST_COLUMNS:  # Python lists, as computed (pandas would give arrays)
        frame[column] = _python_lists(table.column(column))
    return frame


_SEPARATOR = "\x1f"


def _python_lists(column: Any) -> list[list[str]]:
    """A list column as Python lists, each distinct list converted once: enterprises share
    a few hundred department, year, category and item lists between half a million."""
    import pyarrow.compute as pc

    values = pc.list_flatten(column)
    if column.null_count or values.null_count or (len(values) and (
            pc.any(pc.match_substring(values, _SEPARATOR)).as_py()
            or pc.any(pc.equal(values, "")).as_py())):
        return column.to_pylist()  # joining them would not be reversible
    joined = pc.binary_join(column, _SEPARATOR).to_numpy(zero_copy_only=False)
    codes, uniques = pd.factorize(joined)
    lists = [u.split(_SEPARATOR) if u else [] for u in uniques]
    return [lists[k] for k in codes.tolist()]


def _write_cache(path: Path, frame: pd.DataFrame, salt: str) -> None:
    import pyarrow as pa
    import pyarrow.parquet as pq

    path.parent.mkdir(parents=True, exist_ok=True)
    table = pa.Table.from_pandas(frame, preserve_index=False)
    table = table.replace_schema_metadata({CACHE_SALT: salt.encode()})
    tmp = path.with_name(path.name + ".tmp")
    pq.write_table(table, tmp)
    os.replace(tmp, path)


def enterprise_records(model: Model, cache: Path | None = None,
                       fingerprints: pd.Series | None = None) -> pd.DataFrame:
    """One record per enterprise, sorted by code.

    ``cache``: a file keeping the last build's records with a hash of what each was made
    from; only enterprises whose hash changed are computed again. Half a million records
    take most of a minute; an incremental build changes a few thousand.
    ``fingerprints``: :func:`record_fingerprints` of the model, when already worked out.
    """
    results = model["results"]
    items = model["items"].set_index("item_id")["name"]
    tasks = model["tasks"].set_index("task_id")["name"]
    if cache is None or results.empty:
        return _enterprise_frame(results, items, tasks)
    salt = record_salt(model)
    if fingerprints is None:
        fingerprints = record_fingerprints(results, model_index(model))
    old = _read_cache(Path(cache), salt)
    if old is None:
        frame = _enterprise_frame(results, items, tasks)
    else:
        known = pd.Series(old["fingerprint"].to_numpy(dtype="uint64"), index=old["code"])
        same = known.reindex(fingerprints.index).to_numpy() == fingerprints.to_numpy()
        kept = old[old["code"].isin(fingerprints.index[same])].drop(columns="fingerprint")
        todo = fingerprints.index[~same]
        fresh = _enterprise_frame(results[results["uscc"].astype(str).isin(todo)], items, tasks)
        frame = pd.concat([kept, fresh], ignore_index=True)
        frame = frame.sort_values("code", kind="stable").reset_index(drop=True)[COLUMNS]
    saved = frame.assign(fingerprint=fingerprints.reindex(frame["code"]).to_numpy())
    _write_cache(Path(cache), saved, salt)
    return frame


def _record(url: str, kind: str, title: str, text: Iterable[Any], *, code: str = "",
            date: str = "", summary: str = "", **filters: list[str]) -> dict[str, Any]:
    words = " ".join(str(t) for t in text if t is not None and str(t) not in ("", "nan", "<NA>"))
    row = {"url": url, "kind": kind, "title": title, "code": code, "summary": summary,
           "date": date, "text": re.sub(r"\s+", " ", words).strip(), "grams": _name_grams(title),
           "names": ""}
    for f in FILTERS:
        row[f] = sorted({str(v) for v in filters.get(f, []) if v is not None and str(v)})
    return row


def _day(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if value is not None and not pd.isna(value) else ""


def other_records(model: Model, documents: list[dict[str, str]] | None = None
                  ) -> list[dict[str, Any]]:
    """Tasks, items, plans and content/ documents: a few thousand records at most."""
    out: list[dict[str, Any]] = []
    items = model["items"]
    item_names = dict(zip(items["item_id"], items["name"], strict=True))
    for t in model["tasks"].to_dict("records"):
        joint = list(t["joint_departments"] or [])
        out.append(_record(urls.task(t["task_id"]), "task", str(t["name"]),
                           [t["name"], t["task_id"], t["lead_department"], *joint, t["scope"],
                            *[item_names.get(i, i) for i in t["item_ids"] or []]],
                           code=str(t["task_id"]), date=_day(t["start"]),
                           summary=f"{t['lead_department']}，{_day(t['start'])} 至 {_day(t['end'])}",
                           department=[t["lead_department"], *joint],
                           year=[str(t["start"].year)] if not pd.isna(t["start"]) else [],
                           item=[item_names.get(i, i) for i in t["item_ids"] or []]))
    for it in items.to_dict("records"):
        out.append(_record(urls.item(it["item_id"]), "item", str(it["name"]),
                           [it["name"], it["item_id"], it["domain"], it["department"],
                            it["target"], it["basis"]],
                           code=str(it["item_id"]), summary=str(it["department"]),
                           department=[it["department"]], item=[it["name"]]))
    plans = model["plans"]
    if len(plans):
        for plan_id, frame in plans.groupby("plan_id", sort=True, observed=True):
            last = frame.sort_values("version", kind="stable").iloc[-1]
            out.append(_record(urls.plan(str(plan_id)), "plan", str(last["plan_name"]),
                               [last["plan_name"], plan_id, last["publisher"],
                                *frame["task_name"].dropna().unique()],
                               code=str(plan_id), date=_day(last["published_on"]),
                               summary=str(last["publisher"]),
                               department=[last["publisher"]], year=[str(last["year"])]))
    for doc in documents or []:
        out.append(_record(doc["url"], "document", doc["title"], [doc["title"], doc["text"]],
                           date=doc.get("date", "")))
    return out


def search_records(model: Model, documents: list[dict[str, str]] | None = None,
                   cache: Path | None = None, fingerprints: pd.Series | None = None
                   ) -> pd.DataFrame:
    """Every record both indexes hold, in a stable order (enterprises by code first).

    ``cache``, ``fingerprints``: see :func:`enterprise_records`."""
    ents = enterprise_records(model, cache, fingerprints)
    others = pd.DataFrame(other_records(model, documents), columns=COLUMNS)
    frame = pd.concat([ents, others], ignore_index=True) if len(others) else ents
    return frame.reset_index(drop=True)


def filter_options(records: pd.DataFrame) -> dict[str, list[str]]:
    """Values each filter can take, in the order the search form lists them.

    The browser's indexes name a record's filter values by their place in these lists.
    """
    options = {}
    for f in FILTERS:
        values = sorted(records[f].explode().dropna().astype(str).unique()) if len(records) else []
        if f == "year":
            values.reverse()
        if f == "category":
            values = [c for c in CATEGORY_ORDER if c in values] + \
                [c for c in values if c not in CATEGORY_ORDER]
        options[f] = values
    return options
