"""Search records come from the model: every enterprise once, with the tokens queries need."""

from __future__ import annotations

import json
import re

import pandas as pd
from sitebuild import ROOT, sample_site

from generator.search import pagefind_bundle, word_index
from generator.search.build import build_search, model_fingerprint
from generator.search.rank import clean_query, code_rank
from generator.search.records import bigrams, search_records
from generator.settings import load_settings


def test_every_enterprise_once_with_latest_name():
    _, model = sample_site()
    records = search_records(model)
    ents = records[records["kind"] == "enterprise"]
    assert sorted(ents["code"]) == sorted(model["results"]["uscc"].astype(str).unique())
    latest = model["results"].sort_values("inspected_on").groupby("uscc").tail(1)
    names = dict(zip(latest["uscc"].astype(str), latest["entity_name"], strict=True))
    assert all(names[c] == t for c, t in zip(ents["code"], ents["title"], strict=True))
    # tasks, items and plans are records too (content/ documents: test_search_cli)
    kinds = set(records["kind"])
    assert {"task", "item", "plan"} <= kinds
    assert len(records[records["kind"] == "task"]) == len(model["tasks"])


def test_grams_hold_name_pieces():
    grams = bigrams(pd.Series(["青禾商贸", "A"]))
    assert grams.tolist() == ["青禾 禾商 商贸", ""]


def test_query_cleaning_and_code_rule():
    assert clean_query("") == ""
    assert clean_query('"(*) AND OR') == "AND OR"
    assert len(clean_query("字" * 10_000)) == 200
    assert code_rank("91130139ma8efytm3l", "91130139MA8EFYTM3L") == 0
    assert code_rank("91130139", "91130139MA8EFYTM3L") == 1
    assert code_rank("青禾", "91130139MA8EFYTM3L") == 2
    # a code typed in full-width digits and letters is still a code
    assert code_rank(clean_query("９１１３０１３９ＭＡ８ＥＦＹＴＭ３Ｌ"), "91130139MA8EFYTM3L") == 0


def test_unchanged_model_skips_both_indexes(tmp_path):
    _, model = sample_site()
    settings = load_settings(ROOT / "pelicanconf.py", CACHE_PATH=str(tmp_path / "cache"))
    out = tmp_path / "site"
    templates = [ROOT / "themes/gongkai/templates"]
    lines: list[str] = []
    first = build_search(model, settings, out, templates, log=lines.append)
    assert first == {"pagefind": "written", "server": "written"}
    entry = out / pagefind_bundle.BUNDLE / "pagefind-entry.json"
    # Pagefind holds every record but the enterprises, which the word index holds
    records = search_records(model)
    enterprises = int((records["kind"] == "enterprise").sum())
    assert json.loads(entry.read_text())["languages"]["zh"]["page_count"] == len(records) - enterprises
    words = json.loads((out / word_index.FOLDER / word_index.MANIFEST).read_text())
    assert words["count"] == enterprises
    browser = [*(out / "pagefind").rglob("*"), *(out / "search").rglob("*")]
    before = {p: p.stat().st_mtime_ns for p in browser}
    second = build_search(model, settings, out, templates, log=lines.append)
    assert second == {"pagefind": "unchanged", "server": "unchanged"}
    assert {p: p.stat().st_mtime_ns for p in browser} == before
    assert "未变化" in lines[-1]
    # one fewer result row: a new fingerprint; the bundle is rebuilt, the server index only
    # has the changed records replaced
    original = model["results"]
    model.tables["results"] = original.iloc[1:]
    try:
        # both fingerprints are kept inside the output, published with what they describe
        stored = json.loads((out / ".gongkai-search.json").read_text())
        assert stored["pagefind"] != model_fingerprint(model, None, settings)
        stored = json.loads((out / ".gongkai-search-state.json").read_text())
        assert stored["server"] != model_fingerprint(model, None, settings)
        third = build_search(model, settings, out, templates, log=lines.append)
    finally:
        model.tables["results"] = original
    assert third == {"pagefind": "written", "server": "updated"}
    assert "服务器索引已更新" in lines[-1]


def test_search_page_lists_filters_from_the_model():
    out, model = sample_site()
    html = (out / "search" / "index.html").read_text(encoding="utf-8")
    for department in model["results"]["inspecting_department"].unique():
        assert f">{department}</option>" in html
    assert "wasm-unsafe-eval" in html and "<noscript>" in html


def test_search_script_stays_local_and_writes_text_only():
    js = (ROOT / "themes/gongkai/static/js/search.js").read_text(encoding="utf-8")
    assert not re.search(r"https?://|\beval\(|new Function|innerHTML|outerHTML|insertAdjacentHTML|\.style\b", js)
    assert "textContent" in js and 'root + "pagefind/pagefind.js"' in js


def test_records_kept_from_the_last_build_equal_records_computed_afresh(tmp_path, monkeypatch):
    """An incremental build computes only the enterprises whose rows changed; the rest
    come from the cache, and the whole equals a computation from scratch."""
    from generator.search import records as records_module

    _, model = sample_site()
    cache = tmp_path / "records.parquet"
    tables = {name: model[name] for name in ("results", "items", "tasks")}
    first = records_module.enterprise_records(tables, cache)
    pd.testing.assert_frame_equal(first, records_module.enterprise_records(tables))

    results = tables["results"].copy()
    results["uscc"] = results["uscc"].astype(str)
    codes = sorted(results["uscc"].unique())
    renamed, gone, retold = codes[0], codes[1], codes[2]
    results.loc[results["uscc"] == renamed, "entity_name"] = "澄湖镇蓝莓农场"
    results = results[results["uscc"] != gone].copy()
    results.loc[results.index[results["uscc"] == retold][0], "result_text"] = "责令限期整改"
    newcomer = results.iloc[[5]].assign(uscc="91330000MA0000000X", entity_name="新设的果蔬合作社")
    results = pd.concat([results, newcomer], ignore_index=True)
    changed = {**tables, "results": results}

    computed: list[set[str]] = []
    real = records_module._enterprise_frame

    def counting(rows, items, tasks):
        computed.append(set(rows["uscc"].astype(str)))
        return real(rows, items, tasks)

    monkeypatch.setattr(records_module, "_enterprise_frame", counting)
    cached = records_module.enterprise_records(changed, cache)
    assert computed == [{renamed, retold, "91330000MA0000000X"}]
    monkeypatch.setattr(records_module, "_enterprise_frame", real)
    pd.testing.assert_frame_equal(cached, records_module.enterprise_records(changed))
    assert cached.loc[cached["code"] == renamed, "title"].tolist() == ["澄湖镇蓝莓农场"]
    assert gone not in set(cached["code"])

    # a renamed item changes every record that lists it, from the cache too
    items = tables["items"].copy()
    items.loc[items.index[0], "name"] = "改名后的抽查事项"
    renamed_items = {**changed, "items": items}
    pd.testing.assert_frame_equal(records_module.enterprise_records(renamed_items, cache),
                                  records_module.enterprise_records(renamed_items))


def test_cached_filter_lists_come_back_exactly_whatever_they_hold():
    """Filter lists are read back once per distinct list; values that would make that
    ambiguous (the separator, empty strings) are read one by one instead."""
    import pyarrow as pa

    from generator.search.records import _python_lists

    for lists in ([["市场监管局", "税务局"], [], ["税务局"], ["市场监管局", "税务局"]],
                  [["a\x1fb"], ["a", "b"]], [[""], []], []):
        column = pa.chunked_array([pa.array(lists, type=pa.list_(pa.string()))])
        assert _python_lists(column) == lists
