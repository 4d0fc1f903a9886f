"""The Pagefind bundle is byte-reproducible, and its canonical form is still a whole bundle.

Pagefind orders filter values (and the meta file's filters) by a hash map seeded at
random per run; these tests build real bundles with Pagefind's own indexer.
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

import cbor2
import pandas as pd
import pytest

from generator.search import pagefind_bundle, pagefind_stable
from generator.search.records import COLUMNS, FILTERS

DEPARTMENTS = [f"青禾县第{n}局" for n in "一二三四五六七八九十"] + ["青禾县市场监督管理局", "青禾县应急管理局"]
ITEMS = [f"抽查事项{n:02d}" for n in range(9)]


def records() -> pd.DataFrame:
    """Tasks spread over many filter values: a random order of 12 departments and 9
    items comes out the same twice with a chance far below one in a million."""
    rows = []
    for n in range(60):
        code = f"91130100MA{n:07d}X"
        rows.append({
            "url": f"tasks/{code}/", "kind": "task", "title": f"青禾县第{n}号商贸抽查任务",
            "code": code, "summary": "未发现问题", "date": f"2025-{n % 12 + 1:02d}-{n % 27 + 1:02d}",
            "text": f"青禾县 商贸 有限公司 {code} {DEPARTMENTS[n % 12]}", "grams": "商贸 有限",
            "department": sorted({DEPARTMENTS[n % 12], DEPARTMENTS[(n * 5) % 12]}),
            "year": [str(2020 + n % 6)], "category": [["发现问题", "未发现问题", "不适用"][n % 3]],
            "item": [ITEMS[n % 9]]})
    return pd.DataFrame(rows, columns=COLUMNS)


def tree(folder: Path) -> dict[str, str]:
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*")) if p.is_file()}


@pytest.fixture(scope="module")
def bundle(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("bundle")
    return pagefind_bundle.write_bundle(records(), out)


def files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in sorted(folder.rglob("*"))
            if p.is_file()}


def entry_and_meta(bundle: dict[str, bytes]) -> tuple[dict, str, list]:
    entry = json.loads(bundle[pagefind_stable.ENTRY])
    name = entry["languages"]["zh"]["hash"]
    return entry, name, pagefind_stable.decode(bundle[f"pagefind.{name}.pf_meta"])


def test_two_bundles_of_the_same_records_are_byte_identical(bundle, tmp_path):
    again = pagefind_bundle.write_bundle(records(), tmp_path)
    first, second = tree(bundle), tree(again)
    assert len(first) > 60 and any(k.startswith("filter/") for k in first)
    assert first == second


def test_canonical_undoes_the_order_pagefind_happened_to_use(bundle):
    """A bundle as Pagefind may hand it over (values and filters in another order, other
    names, a gzip time) becomes exactly the canonical bundle again."""
    written = files(bundle)
    shuffled = dict(written)
    entry, name, meta = entry_and_meta(shuffled)
    listed = []
    for number, (filter_name, file) in enumerate(reversed(meta[pagefind_stable.META_FILTERS])):
        index = pagefind_stable.decode(shuffled.pop(f"filter/{file}.pf_filter"))
        assert len(index[1]) > 1
        index[1].reverse()
        other = f"zh_{number:07d}"
        shuffled[f"filter/{other}.pf_filter"] = gzip.compress(
            pagefind_stable.SIGNATURE + cbor2.dumps(index), mtime=1700000000)
        listed.append([filter_name, other])
    meta[pagefind_stable.META_FILTERS] = listed
    del shuffled[f"pagefind.{name}.pf_meta"]
    shuffled["pagefind.zh_0000000000.pf_meta"] = gzip.compress(
        pagefind_stable.SIGNATURE + cbor2.dumps(meta), mtime=1700000000)
    entry["languages"]["zh"]["hash"] = "zh_0000000000"
    shuffled[pagefind_stable.ENTRY] = json.dumps(entry).encode()
    assert shuffled != written

    assert pagefind_stable.canonical(shuffled) == written
    assert pagefind_stable.canonical(written) == written


def test_the_canonical_bundle_is_whole_and_sorted(bundle):
    """Every file the meta file names exists, every filter file is named, each filter value
    leads to exactly the records holding it, and no gzip header carries a time."""
    entry, name, meta = entry_and_meta(files(bundle))
    assert sorted(p.name for p in bundle.glob("*.pf_meta")) == [f"pagefind.{name}.pf_meta"]
    pages = [page[0] for page in meta[1]]
    urls = []
    for page in pages:
        data = gzip.decompress((bundle / "fragment" / f"{page}.pf_fragment").read_bytes())
        urls.append(json.loads(data[len(pagefind_stable.SIGNATURE):])["url"])
    frame = records().set_index("url")
    assert sorted(urls) == sorted(frame.index)

    filters = meta[pagefind_stable.META_FILTERS]
    assert [f[0] for f in filters] == sorted(FILTERS)
    assert sorted(p.stem for p in (bundle / "filter").iterdir()) == sorted(f[1] for f in filters)
    for filter_name, file in filters:
        index = pagefind_stable.decode((bundle / "filter" / f"{file}.pf_filter").read_bytes())
        assert index[0] == filter_name
        values = [v[0] for v in index[1]]
        assert values == sorted(values)
        expected = sorted({v for vs in frame[filter_name] for v in vs})
        assert values == expected
        for value, numbers in index[1]:
            holders = sorted(urls[n] for n in numbers)
            assert holders == sorted(frame.index[frame[filter_name].map(lambda vs, v=value: v in vs)])

    for path in bundle.rglob("*"):
        raw = path.read_bytes() if path.is_file() else b""
        if raw[:2] == pagefind_stable.GZIP_MAGIC:
            assert raw[4:8] == b"\0\0\0\0", path.name
    assert any(p.suffix == ".pagefind" for p in bundle.iterdir())  # the wasm file was checked
