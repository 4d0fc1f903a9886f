"""The in-memory server search answers exactly as the ranking rule and Whoosh say.

generator/search/engine.py finds enterprises with arrays instead of Whoosh queries and
reads their fields from a table beside the index. These tests hold it to the definitions:
``rank.enterprise_tiers`` over every enterprise, Whoosh's own scoring for tasks, items
and plans (searched with a mask, as before), and the Whoosh stored fields for an index
written without the table.
"""

from __future__ import annotations

import random
import shutil

import pandas as pd
import pytest
from search_cases import ranking_cases
from sitebuild import sample_index, sample_site
from whoosh import index as windex
from whoosh import query as wq

from generator.search import engine
from generator.search.rank import OTHER, clean_query, enterprise_tiers
from generator.search.records import FILTERS
from generator.search.whoosh_text import other_query


@pytest.fixture(scope="module")
def index() -> engine.LoadedIndex:
    sample_site()
    return engine.loaded(sample_index())


def queries(index: engine.LoadedIndex) -> list[str]:
    """Pieces of names of every length, codes and their prefixes, several words, and
    queries made to trip the array search (a NUL, a name across two names, ASCII)."""
    _, model = sample_site()
    rng = random.Random(25)
    labels = index.table["label"].to_pylist()
    codes = index.table["code"].to_pylist()
    names = index.table["names"].to_pylist()
    out = [q for _, q, _ in ranking_cases(model)]
    for _ in range(60):
        n = rng.randrange(len(labels))
        label, code, name = labels[n], codes[n], names[n]
        start = rng.randrange(len(label))
        out += [label[start:start + rng.choice((1, 2, 3, 4, 7))], code, code[:8], code[:rng.randrange(1, 18)],
                code.lower()[:10], name.replace(" ", "")[:6], f"{label[:2]} {label[-4:]}", label + "有限责任公司"]
    two = next(n for n in names if " " in n)  # an enterprise with a former name
    first, second = two.split(" ")[:2]
    out += [first[-2:] + second[:2], "9", "91", "a", "公司", "青禾", "x\0y", "有限 公司 青禾",
            "ＱＨ", "(*) AND OR", "的的的的", ""]
    return list(dict.fromkeys(out))


def test_tiers_are_the_rule_over_every_enterprise(index):
    codes = pd.Series(index.table["code"].to_pylist())
    names = pd.Series(index.table["names"].to_pylist())
    checked = 0
    for query in queries(index):
        cleaned = clean_query(query)
        expected = enterprise_tiers(cleaned, codes, names, index.regions)
        got = index.tiers(cleaned)
        assert got.tolist() == expected.tolist(), query
        checked += int((expected >= 0).any())
    assert checked > 100


def test_the_name_index_finds_exactly_what_contains_finds():
    names = ["甲乙丙丁", "乙丙", "丙丁甲", "", "甲 乙丙丁", "丁丁丁", "𠀀𠀁甲"]
    found = engine.NameIndex(names)
    series = pd.Series(names)
    for piece in ["甲", "乙丙", "丙丁", "甲乙丙丁", "丁丁", "丁丁丁丁", "甲乙", "𠀁甲", "𠀀", "乙丙丁", "戊", "丁甲"]:
        assert found.holding([piece]).tolist() == series.str.contains(piece, regex=False).tolist(), piece


def reference_others(folder, text: str, filters: dict[str, str], scores: bool = False) -> list:
    """Tasks, items, plans and documents as Whoosh ranks them with a mask of enterprises."""
    q = other_query(text)
    if q is None:
        return []
    wanted = [wq.Term(f, v) for f, v in filters.items()]
    with windex.open_dir(str(folder)).searcher() as searcher:
        hits = searcher.search(q, limit=None, filter=wq.And(wanted) if wanted else None,
                               mask=wq.Term("kind", "enterprise"))
        ranked = sorted(hits, key=lambda h: (-round(float(h.score or 0.0), 6), h.docnum))
        return [(h["url"], round(float(h.score or 0.0), 6)) if scores else h["url"] for h in ranked]


def test_tasks_items_and_plans_rank_as_whoosh_ranks_them(index):
    _, model = sample_site()
    tasks = model["tasks"]
    others = list(index.others.values())
    texts = [str(f.get("label") or "") for f in others]
    words = ["检查", "抽查", "2025", "公示", "随机", "青禾", "计划", "代理记账", "市场 监督"]
    words += [t[2:6] for t in texts[:20]] + [str(f.get("code") or "")[:k] for f in others[:15] for k in (3, 8, 12)]
    words += [str(c) for c in tasks.iloc[:, 0].head(5)]
    compared = 0
    for text in dict.fromkeys(w for w in words if w):
        for filters in ({}, {"year": "2025"}, {"department": index.options["department"][0]}):
            expected = reference_others(index.folder, text, filters)
            got = [index.others[d]["url"] for d in index._other_results(text, filters)]
            assert got == expected, (text, filters)
            compared += bool(expected)
    assert compared > 30


def reference(index: engine.LoadedIndex, text: str, limit: int, filters: dict[str, str], sort: str,
              page: int) -> tuple[int, list[str]]:
    """The old search: the rule over every enterprise, tiers then codes, then the others;
    by date, newest first and otherwise in rank order."""
    cleaned = clean_query(text)
    table = index.table.to_pandas()
    tiers = enterprise_tiers(cleaned, table["code"], table["names"], index.regions)
    keep = tiers >= 0
    for f, v in filters.items():
        keep &= table[f].map(lambda s, v=v: v in {t.strip() for t in s.split(",")}).to_numpy()
    ents = table[keep].assign(tier=tiers[keep]).sort_values(["tier", "code"], kind="stable")
    ranked = [(u, d) for u, d in zip(ents["url"], ents["date"], strict=True)]
    ranked += [(index.others[n]["url"], index.others[n].get("date") or "")
               for n in index._other_results(text, filters)]
    if sort == "date":
        ranked = [ranked[n] for n in sorted(range(len(ranked)), key=lambda n: (-engine._day(ranked[n][1]), n))]
    return len(ranked), [u for u, _ in ranked[(page - 1) * limit:page * limit]]


def test_pages_totals_filters_and_date_order_as_before(index):
    department = index.options["department"][-1]
    cases = [("青禾", 20, {}, "", 1), ("青禾", 20, {}, "", 3), ("青禾", 7, {}, "date", 2),
             ("公司", 100, {"year": "2025"}, "date", 1), ("公司", 50, {"department": department}, "", 2),
             ("检查", 20, {}, "date", 1), ("检查", 20, {"category": "发现问题"}, "", 1),
             ("青禾", 100, {}, "", 10_000)]
    cases += [(q, 20, {}, s, 1) for q in queries(index)[:80] for s in ("", "date")]
    for text, limit, filters, sort, page in cases:
        found = index.search(text, limit, filters, sort, page)
        total, urls = reference(index, text, limit, filters, sort, page)
        assert found["total"] == total, (text, filters, sort)
        assert [h["url"] for h in found["results"]] == urls, (text, filters, sort, page)
        tiers = [h["tier"] for h in found["results"]]
        if sort != "date":
            assert tiers == sorted(tiers) and all(t <= OTHER for t in tiers)


def test_a_rewritten_index_is_read_again(index, tmp_path):
    copy = tmp_path / "index"
    shutil.copytree(index.folder, copy)
    first = engine.loaded(copy)
    assert engine.loaded(copy) is first
    table = first.table.to_pandas()
    table.loc[0, "label"] = "新的名称"
    table.to_parquet(copy / (engine.ENTERPRISES + ".tmp"), index=False)
    (copy / (engine.ENTERPRISES + ".tmp")).replace(copy / engine.ENTERPRISES)
    again = engine.loaded(copy)
    assert again is not first and again.table["label"][0].as_py() == "新的名称"
    assert all(f in again.filters for f in FILTERS)


def test_code_prefixes_of_tasks_score_as_whoosh_scores_them(tmp_path):
    """Tasks whose codes share a prefix with many enterprises' codes (more than Whoosh
    ORs term by term), with one another, or with nothing: the prefix is expanded to the
    tasks' codes only, and every score and order stays Whoosh's."""
    from generator.search.records import search_records
    from generator.search.server_index import write_index

    _, model = sample_site()
    records = search_records(model)
    tasks = records.index[records["kind"] == "task"]
    codes = ["91ABCDEF0000000001", "91ABCDEF77", "91ABCDXY01", "91ABCDXY02", "77UNIQUECODE01"]
    for at, code in zip(tasks, codes, strict=False):
        records.at[at, "code"] = code
    template = records.loc[records["kind"] == "enterprise"].iloc[0]
    many = pd.DataFrame([template] * 5000)  # over 5,000 documents: Whoosh ORs a few terms otherwise
    many["code"] = [f"91ABCDEF{n:010d}" for n in range(2, 5002)]
    many["url"] = [f"enterprises/{c}/" for c in many["code"]]
    write_index(pd.concat([records, many], ignore_index=True), tmp_path / "index")
    loaded = engine.loaded(tmp_path / "index")
    for text in ["91ABCDEF", "91ABCDEF0000000001", "91ABCDEF000000000", "91ABCDEF77", "91ABCDXY", "91ABCDXY01",
                 "77UNIQUECODE", "91ABCD", "91ABCDEF00 检查", "91abcdxy"]:
        expected = reference_others(tmp_path / "index", text, {}, scores=True)
        got = [(loaded.others[d]["url"], score) for d, score in loaded._other_scored(text, ())]
        assert got == expected, text
    assert reference_others(tmp_path / "index", "91ABCDEF", {})  # the case is exercised


def test_few_candidates_or_every_enterprise_the_same_answer(index):
    """A query with few candidates is ranked among them alone; the same query asked of
    every enterprise gives the same rows, tiers and pages."""
    try:
        for text in queries(index):
            index.sparse_limit = engine.SPARSE
            index.forget_answers()
            few_rows, few_tiers = index.ranked(clean_query(text))
            sparse = [index.search(text, 20, {}, s) for s in ("", "date")]
            index.sparse_limit = -1
            index.forget_answers()
            rows, tiers = index.ranked(clean_query(text))
            assert few_rows.tolist() == rows.tolist() and few_tiers.tolist() == tiers.tolist(), text
            assert sparse == [index.search(text, 20, {}, s) for s in ("", "date")], text
    finally:
        index.sparse_limit = engine.SPARSE
        index.forget_answers()
