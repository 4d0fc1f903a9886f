"""The browser's credit-code shards, from the model."""

from __future__ import annotations

import bisect
import json

from search_cases import enterprises
from sitebuild import ROOT, sample_site

from generator.search import code_index, word_index
from generator.search.build import build_search
from generator.search.records import FILTERS, filter_options, search_records
from generator.settings import load_settings


def _read(folder) -> tuple[dict, list[list]]:
    manifest = json.loads((folder / code_index.MANIFEST).read_text(encoding="utf-8"))
    shards = [json.loads((folder / f"{n}.json").read_text(encoding="utf-8"))
              for n in range(len(manifest["keys"]))]
    return manifest, shards


def test_built_site_has_shards_holding_exactly_the_model_enterprises():
    out, model = sample_site()
    manifest, shards = _read(out / code_index.FOLDER)
    listed = [e[0] for shard in shards for e in shard]
    codes = sorted(model["results"]["uscc"].astype(str).str.upper().unique())
    assert listed == codes  # each enterprise once, in code order
    assert manifest["count"] == len(codes)
    assert all(len(s) == manifest["size"] for s in shards[:-1]) and 0 < len(shards[-1]) <= manifest["size"]
    # each entry shows what the enterprise's search record says, filters as positions
    records = search_records(model)
    options = filter_options(records)
    ents = enterprises(model).set_index("code")
    for shard in shards:
        for code, title, summary, date, url, *filters in shard:
            row = ents.loc[code]
            assert [title, summary, date, url] == [row["title"], row["summary"], row["date"], row["url"]]
            assert url == f"enterprises/{code}/"  # relative to the site root
            for name, places in zip(FILTERS, filters, strict=True):
                assert [options[name][p] for p in places] == sorted(row[name], key=options[name].index)


def test_manifest_keys_find_the_shard_of_every_code_and_prefix(tmp_path):
    _, model = sample_site()
    records = search_records(model)
    code_index.write_codes(records, tmp_path, filter_options(records), size=16)
    manifest, shards = _read(tmp_path / code_index.FOLDER)
    keys = manifest["keys"]
    assert len(shards) > 10 and keys[0] == ""
    for n, shard in enumerate(shards):
        if n:  # a key sorts after the previous shard's codes and at or before its own
            assert shards[n - 1][-1][0] < keys[n] <= shard[0][0]
            assert shard[0][0].startswith(keys[n])
        for entry in shard:
            assert bisect.bisect_right(keys, entry[0]) - 1 == n
    # a prefix's codes are those between the shard of the prefix and the shard of its end
    codes = [e[0] for s in shards for e in s]
    prefix = codes[len(codes) // 2][:9]
    lo, hi = bisect.bisect_right(keys, prefix) - 1, bisect.bisect_right(keys, prefix + "\uffff") - 1
    span = [e[0] for s in shards[lo:hi + 1] for e in s if e[0].startswith(prefix)]
    assert span == [c for c in codes if c.startswith(prefix)] and span


def test_shards_are_deterministic_and_replace_old_ones(tmp_path):
    _, model = sample_site()
    records = search_records(model)
    options = filter_options(records)
    folder = code_index.write_codes(records, tmp_path / "a", options, size=16)
    stale = folder / "999.json"
    stale.write_text("[]", encoding="utf-8")
    code_index.write_codes(records, tmp_path / "a", options, size=16)
    assert not stale.exists()
    again = code_index.write_codes(records, tmp_path / "b", options, size=16)
    files = sorted(p.name for p in folder.iterdir())
    assert files == sorted(p.name for p in again.iterdir())
    assert all((folder / f).read_bytes() == (again / f).read_bytes() for f in files)
    assert not list(tmp_path.glob("a/search/.codes-*"))  # no staging folder left


def test_search_page_lists_filters_in_the_order_the_indexes_use(tmp_path):
    _, model = sample_site()
    settings = load_settings(ROOT / "pelicanconf.py", CACHE_PATH=str(tmp_path / "cache"),
                             GONGKAI_SEARCH_SERVER_INDEX=False)
    out = tmp_path / "site"
    templates = [ROOT / "themes/gongkai/templates"]
    for _ in range(2):  # the second build reads the filter lists back from its saved state
        build_search(model, settings, out, templates, log=lambda text: None)
        html = (out / "search" / "index.html").read_text(encoding="utf-8")
        places = [html.index(f'data-filter="{f}"') for f in FILTERS]
        assert places == sorted(places)
    assert (out / code_index.FOLDER / code_index.MANIFEST).is_file()
    assert (out / word_index.FOLDER / word_index.MANIFEST).is_file()
