"""The credit-code index: enterprises in credit-code order, cut into small JSON shards.

A credit code, or a prefix of one, is the most common lookup. Answering it from
Pagefind costs a browser the Pagefind runtime and its start-up file (hundreds of
kilobytes on a large site); the shards cost one small manifest and one or two shards.
search.js answers code-shaped queries from here and asks Pagefind only when no code
matches (or a wide prefix is filtered or sorted by date).

``search/codes/index.json`` holds the shard size, the enterprise count and the key of
each shard: the shortest prefix of its first code that sorts after the previous shard's
last code, so the shard holding code ``x`` is the last one whose key is <= ``x``, and
the position of ``x`` among all codes is ``shard * size + place in shard``.
``search/codes/<n>.json`` is a list of ``[code, title, summary, date, url, *filters]``,
each filter (in the order of records.FILTERS, as the search form lists them) a list of
positions in the form's list of that filter's values (records.filter_options).
"""

from __future__ import annotations

import json
import os
import shutil
from dataclasses import dataclass
from pathlib import Path

import pandas as pd

from .records import FILTERS

FOLDER = "search/codes"
MANIFEST = "index.json"
SHARD = 256  # enterprises per shard


def _key(first: str, previous: str) -> str:
    """The shortest prefix of ``first`` that sorts after ``previous`` (which sorts before it)."""
    for k in range(1, len(first) + 1):
        if first[:k] > previous:
            return first[:k]
    return first


def positions(column: pd.Series, values: list[str]) -> pd.Series:
    """Each cell's list of values as their positions in ``values`` (ascending), computed
    once per distinct list: enterprises share a handful of department and item lists."""
    lookup = {v: k for k, v in enumerate(values)}
    codes, uniques = pd.factorize(column.map(tuple))
    lists = [sorted(lookup[v] for v in u) for u in uniques]
    return pd.Series([lists[c] for c in codes], index=column.index, dtype=object)


def by_code(records: pd.DataFrame) -> pd.DataFrame:
    """The enterprise records in credit-code order: the order of the code shards and of
    the word index's blocks."""
    ents = records[records["kind"] == "enterprise"]
    codes = ents["code"].astype(str).str.upper()
    ents = ents.assign(code=codes)
    if not codes.is_monotonic_increasing:  # search records come sorted already
        ents = ents.sort_values("code", kind="stable")
    return ents.reset_index(drop=True)


@dataclass
class ByCode:
    """The enterprise records in credit-code order, with each filter's values as positions
    in the search form's lists: what both browser indexes read, worked out once."""

    ents: pd.DataFrame
    places: dict[str, pd.Series]

    @classmethod
    def of(cls, records: pd.DataFrame, options: dict[str, list[str]]) -> ByCode:
        ents = by_code(records)
        return cls(ents, {f: positions(ents[f], options.get(f, [])) for f in FILTERS})


def entries(records: pd.DataFrame, options: dict[str, list[str]],
            prepared: ByCode | None = None) -> pd.DataFrame:
    """The enterprise records in credit-code order, in the columns a shard lists."""
    prepared = prepared or ByCode.of(records, options)
    frame = prepared.ents[["code", "title", "summary", "date", "url"]].astype(str)
    for f in FILTERS:
        frame[f] = prepared.places[f]
    return frame


def shards(records: pd.DataFrame, options: dict[str, list[str]], size: int = SHARD,
           prepared: ByCode | None = None) -> dict[str, str]:
    """File name (inside FOLDER) → JSON text of the manifest and every shard."""
    size = max(1, int(size))
    frame = entries(records, options, prepared)
    codes = frame["code"].tolist()
    out: dict[str, str] = {}
    keys = []
    for n, start in enumerate(range(0, len(frame), size)):
        keys.append(_key(codes[start], codes[start - 1]) if start else "")
        out[f"{n}.json"] = frame.iloc[start:start + size].to_json(orient="values", force_ascii=False)
    manifest = {"size": size, "count": len(frame), "keys": keys}
    out[MANIFEST] = json.dumps(manifest, ensure_ascii=False, separators=(",", ":"))
    return out


def write_codes(records: pd.DataFrame, output: Path, options: dict[str, list[str]],
                size: int = SHARD, prepared: ByCode | None = None) -> Path:
    """Replace ``output/search/codes/`` with the shards of ``records``; return the folder.
    ``prepared``: :class:`ByCode` of ``records``, when already worked out."""
    target = Path(output) / FOLDER
    staging = target.with_name(f".{target.name}-new")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir(parents=True)
    for name, text in shards(records, options, size, prepared).items():
        (staging / name).write_text(text, encoding="utf-8")
    old = target.with_name(f".{target.name}-old")
    shutil.rmtree(old, ignore_errors=True)
    if target.exists():
        os.replace(target, old)
    os.replace(staging, target)
    shutil.rmtree(old, ignore_errors=True)
    return target
