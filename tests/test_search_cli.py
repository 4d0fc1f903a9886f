"""`gongkai search` answers from the Whoosh index the sample build wrote."""

from __future__ import annotations

import json

import pytest
from search_cases import fragments, prefix_sibling, shared_prefix
from sitebuild import ROOT, sample_settings_file, sample_site

from generator.cli import main


def run(capsys, *args: str) -> tuple[int, str, str]:
    out, _ = sample_site()
    code = main(["search", *args, "--output", str(out), "--settings", str(sample_settings_file())])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def hits(capsys, query: str, limit: int = 100) -> list[dict]:
    code, out, _ = run(capsys, query, "--json", "--limit", str(limit))
    assert code == 0
    return json.loads(out)["results"]


@pytest.fixture(autouse=True)
def at_root(monkeypatch, capsys):
    monkeypatch.chdir(ROOT)
    sample_site()
    capsys.readouterr()  # the first build's log is not this command's output


def test_full_code_first_even_among_prefix_siblings(capsys):
    _, model = sample_site()
    code, title = prefix_sibling(model)
    found = hits(capsys, code)
    assert found[0]["code"] == code and found[0]["title"] == title
    found = hits(capsys, code.lower())
    assert found[0]["code"] == code
    status, out, _ = run(capsys, code)
    assert status == 0 and out.splitlines()[0].startswith("企业  " + title)


@pytest.mark.parametrize("size", [8, 10])
def test_code_prefix_finds_all_sharing_it(capsys, size):
    _, model = sample_site()
    prefix, codes = shared_prefix(model, size)
    found = hits(capsys, prefix)
    assert {h["code"] for h in found if h["kind"] == "enterprise"} == codes


@pytest.mark.parametrize("length", [2, 4])
def test_name_fragments_find_the_enterprise(capsys, length):
    _, model = sample_site()
    for piece, code in fragments(model, length):
        assert code in [h["code"] for h in hits(capsys, piece)], piece


@pytest.mark.parametrize("query", ["", "   ", "a" * 10_000, "字" * 10_000, '"(*) AND OR NOT ~^:[]{}',
                                   "title:x*", "\x00\x1f"])
def test_bad_queries_give_empty_or_cleaned_results(capsys, query):
    code, out, err = run(capsys, query, "--json")
    assert code == 0
    answer = json.loads(out)
    assert isinstance(answer["results"], list) and len(answer["query"]) <= 200
    assert "Traceback" not in err


def test_empty_query_says_so_in_text_mode(capsys):
    code, out, err = run(capsys, "")
    assert code == 0 and "查询为空" in err


def test_limit_and_missing_index(capsys, tmp_path):
    code, _, err = run(capsys, "公司", "--limit", "0")
    assert code == 2 and "--limit" in err
    assert len(hits(capsys, "公司", 3)) == 3
    assert main(["search", "公司", "--output", str(tmp_path / "nowhere")]) == 2
    assert "gongkai build" in capsys.readouterr().err


def test_content_documents_are_found(capsys):
    found = hits(capsys, "实施方案 代理记账")
    documents = [h for h in found if h["kind"] == "document"]
    assert any(h["url"] == "pages/qh-2026-cz-01/" for h in documents), found
