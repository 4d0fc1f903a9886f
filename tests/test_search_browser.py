"""Typing queries into the built sample site's search page in headless Chromium."""

from __future__ import annotations

import bisect
import json
import re
import shutil
import urllib.parse
import urllib.request

import pytest
from browser import chromium, serve
from playwright.sync_api import expect
from search_cases import enterprises, fragments, prefix_sibling, shared_prefix
from sitebuild import sample_site

from generator.search.code_index import write_codes
from generator.search.records import filter_options, search_records
from generator.search.word_index import write_words

DONE = re.compile("^(找到|没有|搜索索引|请输入)")


@pytest.fixture(scope="module")
def browser():
    with chromium() as b:
        yield b


@pytest.fixture(scope="module", params=["as built", "small blocks and shards"])
def base_url(request, tmp_path_factory):
    """The sample site as built, and a copy whose word index holds 8 enterprises per block
    and whose credit codes are cut into shards of 16, so queries that span many blocks
    and shards (what a large site gets) pass the same tests."""
    out, model = sample_site()
    if request.param == "small blocks and shards":
        copy = tmp_path_factory.mktemp("blocks") / "output"
        shutil.copytree(out, copy)
        records = search_records(model)
        options = filter_options(records)
        write_words(records, copy, options, size=8)
        write_codes(records, copy, options, size=16)
        manifest = json.loads((copy / "search" / "words" / "index.json").read_text())
        assert manifest["blocks"] > 8
        out = copy
    with serve(out) as url:
        yield url


@pytest.fixture
def page(browser):
    page = browser.new_page(viewport={"width": 360, "height": 740})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    page.close()
    assert errors == [], errors  # no CSP violation, no script error


def search(page, base_url: str, query: str, **choices: str) -> list[str]:
    """Type the query, submit, wait for the status line; return the result links' codes."""
    page.goto(base_url + "search/")
    if choices:  # the filters fold away behind 筛选
        page.locator("details.search-filters > summary").click()
    for name, value in choices.items():
        page.select_option(f"select[name={name}]", value)
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    status = page.locator("#search-status")
    expect(status).to_have_text(DONE, timeout=20_000)
    assert not status.inner_text().startswith("搜索索引"), status.inner_text()
    hrefs = [a.get_attribute("href") for a in page.locator("#search-results li > a").all()]
    return [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs if "enterprises/" in h]


def test_full_code_finds_that_enterprise_first(page, base_url):
    _, model = sample_site()
    code, title = prefix_sibling(model)
    assert search(page, base_url, code)[0] == code
    first = page.locator("#search-results li").first
    assert first.locator("a").inner_text() == title
    assert code in first.inner_text()
    # the result list shows the latest result and its date
    row = enterprises(model).set_index("code").loc[code]
    assert row["summary"] in first.inner_text() and row["date"] in first.inner_text()
    # the link works from the search page
    first.locator("a").click()
    page.wait_for_load_state()
    assert page.url.endswith(f"/enterprises/{code}/")


@pytest.mark.parametrize("size", [8, 11])
def test_code_prefix_finds_every_enterprise_sharing_it(page, base_url, size):
    _, model = sample_site()
    prefix, codes = shared_prefix(model, size)
    assert set(search(page, base_url, prefix)) == codes


@pytest.mark.parametrize("length", [2, 4])
def test_chinese_name_fragments(page, base_url, length):
    _, model = sample_site()
    for piece, code in fragments(model, length):
        assert code in search(page, base_url, piece), piece


def test_filters_narrow_to_matching_enterprises(page, base_url):
    _, model = sample_site()
    ents = enterprises(model).set_index("code")
    everything = search(page, base_url, "有限公司")
    assert everything
    department = model["results"]["inspecting_department"].value_counts().index[-1]
    year = str(model["results"]["inspected_on"].dt.year.min())
    item = ents["item"].explode().value_counts().index[-1]
    for name, value in (("department", department), ("year", year), ("category", "发现问题"),
                        ("item", item)):
        narrowed = search(page, base_url, "有限公司", **{name: value})
        assert narrowed, (name, value)
        assert all(value in ents.loc[c, name] for c in narrowed), (name, value)
    # the chosen filter is kept in the address, so the page can be shared
    assert "item=" in page.url and urllib.parse.quote(item) in page.url


def test_phone_width_no_sideways_scroll(page, base_url):
    search(page, base_url, "有限公司")
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 361


def test_sort_by_date_newest_first(page, base_url):
    search(page, base_url, "有限公司", sort="date")
    dates = [t.get_attribute("datetime") for t in page.locator("#search-results time").all()]
    assert len(dates) > 5 and dates == sorted(dates, reverse=True)


def test_bad_queries_show_a_message(page, base_url):
    for query in ["", '"(*):', "字" * 300]:
        search(page, base_url, query)
        assert page.locator("#search-status").inner_text()
    assert page.locator("#search-q").input_value()  # the long query is kept, cut to 200


def test_header_box_on_every_page_leads_to_search(page, base_url):
    _, model = sample_site()
    code, _ = prefix_sibling(model)
    page.goto(base_url + "tasks/")
    page.fill("#site-q", code)
    page.press("#site-q", "Enter")
    page.wait_for_load_state()
    assert "/search/?q=" in page.url
    expect(page.locator("#search-status")).to_have_text(DONE, timeout=20_000)
    assert page.locator("#search-results li > a").first.get_attribute("href").endswith(f"{code}/")
    assert page.locator("#search-q").input_value() == code


def test_without_javascript_the_page_says_so_and_links_to_browse_pages(browser, base_url):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(base_url + "search/?q=公司")
    note = page.locator(".search-nojs")
    expect(note).to_be_visible()
    assert "JavaScript" in note.inner_text()
    for href in ("../tasks/", "../items/", "../plans/", "../departments/"):
        assert note.locator(f"a[href='{href}']").count() == 1
    page.locator(".search-nojs a[href='../tasks/']").click()
    page.wait_for_load_state()
    assert page.url.endswith("/tasks/")
    context.close()


def test_tasks_and_words_outside_names(page, base_url):
    _, model = sample_site()
    task = model["tasks"].iloc[0]
    search(page, base_url, str(task["name"])[4:10])
    titles = page.locator("#search-results li > a").all_inner_texts()
    assert task["name"] in titles
    # a department name is no enterprise's name: found through the words as typed
    department = model["results"]["inspecting_department"].iloc[0]
    search(page, base_url, department)
    assert page.locator("#search-results li").count() > 0


def _requests(page) -> list[str]:
    seen: list[str] = []
    page.on("request", lambda r: seen.append(r.url))
    return seen


def _manifest(base_url: str) -> dict:
    with urllib.request.urlopen(base_url + "search/codes/index.json") as reply:
        return json.load(reply)


def test_codes_are_answered_from_the_code_shards_without_pagefind(page, base_url):
    _, model = sample_site()
    code, title = prefix_sibling(model)
    seen = _requests(page)
    assert search(page, base_url, code.lower()) == [code]
    assert page.locator("#search-results li > a").first.inner_text() == title
    assert any("/search/codes/" in u for u in seen)
    assert not any("/pagefind/" in u for u in seen), seen
    # a code no enterprise has: Pagefind is asked, and finds nothing either
    seen.clear()
    assert search(page, base_url, "ZZZZZZZZ9") == []
    assert page.locator("#search-status").inner_text().startswith("没有")
    assert any("/pagefind/" in u for u in seen)


def test_prefix_spanning_shards_lists_every_code_and_counts_them(page, base_url):
    _, model = sample_site()
    codes = sorted(enterprises(model)["code"])
    manifest = _manifest(base_url)
    keys = manifest["keys"]

    def shard(value: str) -> int:
        return bisect.bisect_right(keys, value) - 1

    # a few codes over two shards or more, and a prefix wide enough to count beyond 20
    prefixes = sorted({c[:n] for c in codes for n in range(8, 18)})
    spanning = [(p, [c for c in codes if c.startswith(p)]) for p in prefixes]
    few = [(p, m) for p, m in spanning if 2 <= len(m) <= 20 and shard(m[0]) != shard(m[-1])]
    wide = max(spanning, key=lambda pm: len(pm[1]))
    assert few and len(wide[1]) > 20
    prefix, matched = few[0]
    seen = _requests(page)
    assert search(page, base_url, prefix) == matched  # code order
    assert not any("/pagefind/" in u for u in seen)
    prefix, matched = wide
    assert search(page, base_url, prefix) == matched[:20]
    assert page.locator("#search-status").inner_text() == f"找到 {len(matched)} 条结果，已显示 20 条。"
    # the next ones, from the next shards, in code order
    page.click(".search-more")
    expect(page.locator("#search-results li")).to_have_count(min(40, len(matched)))
    shown = [h.rstrip("/").rsplit("/", 1)[-1] for h in page.locator("#search-results li > a").evaluate_all(
        "as => as.map(a => a.getAttribute('href'))")]
    assert shown == matched[:40]
    assert not any("/pagefind/" in u for u in seen)


def test_code_prefix_with_filter_and_date_sort(page, base_url):
    _, model = sample_site()
    ents = enterprises(model).set_index("code")
    prefix, codes = shared_prefix(model)
    department = ents.loc[sorted(codes)[0], "department"][0]
    wanted = {c for c in codes if department in ents.loc[c, "department"]}
    assert set(search(page, base_url, prefix, department=department)) == wanted
    # a wide prefix sorted by date: newest first, whichever index answers
    wide = ents.index[0][:8]
    found = search(page, base_url, wide, sort="date")
    assert found and all(c.startswith(wide) for c in found)
    dates = [t.get_attribute("datetime") for t in page.locator("#search-results time").all()]
    assert dates == sorted(dates, reverse=True)
    newest = ents[ents.index.str.startswith(wide)]["date"].max()
    assert dates[0] == newest
