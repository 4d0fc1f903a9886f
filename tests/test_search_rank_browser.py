"""The ranking rule in the browser, on a phone's screen, against the server's answers.

The static site's search page (search.js over the indexes written with the site) and
`gongkai serve`'s /api/search (the server index) must put the same enterprise first for
every case of search_cases.py, and list the enterprises in the same order.
"""

from __future__ import annotations

import json
import re
import shutil
import urllib.parse
import urllib.request

import pandas as pd
import pytest
from browser import chromium, serve
from playwright.sync_api import expect
from search_cases import enterprises, ranking_cases
from searchserver import gongkai_serve
from sitebuild import ROOT, sample_settings_file, sample_site

from generator.search import fold
from generator.search.rank import enterprise_tiers
from generator.search.records import filter_options
from generator.search.word_index import write_words
from generator.settings import load_settings

DONE = re.compile("^(找到|没有|搜索索引|请输入)")


@pytest.fixture(scope="module")
def api_url(tmp_path_factory):
    out, _ = sample_site()  # `gongkai serve`, a real uvicorn process: the server's own search
    with gongkai_serve(out, sample_settings_file(), tmp_path_factory.mktemp("serve")) as served:
        yield served.url


@pytest.fixture(scope="module")
def base_url():
    out, _ = sample_site()
    with serve(out) as url:  # a plain static server: the browser's own search
        yield url


@pytest.fixture(scope="module")
def page():
    with chromium() as browser:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        errors: list[str] = []
        page.on("pageerror", lambda e: errors.append(str(e)))
        yield page
        assert errors == []


def codes_shown(page) -> list[str]:
    hrefs = page.locator("#search-results li > a").evaluate_all("as => as.map(a => a.getAttribute('href'))")
    return [h.rstrip("/").rsplit("/", 1)[-1] for h in hrefs if "enterprises/" in h]


def browser_search(page, base_url: str, query: str) -> list[str]:
    page.goto(base_url + "search/")
    expect(page.locator("#search-status")).to_have_text("请输入关键词。")  # search.js has started
    page.fill("#search-q", query)
    page.press("#search-q", "Enter")
    expect(page.locator("#search-status")).to_have_text(DONE, timeout=20_000)
    return codes_shown(page)


def api(base_url: str, query: str, page: int = 1) -> dict:
    url = base_url + "api/search?" + urllib.parse.urlencode({"q": query, "page": page})
    with urllib.request.urlopen(url, timeout=30) as reply:
        return json.load(reply)


@pytest.mark.parametrize("case", range(7))
def test_browser_and_server_rank_alike(page, base_url, api_url, case):
    _, model = sample_site()
    label, query, code = ranking_cases(model)[case]
    shown = browser_search(page, base_url, query)
    assert shown and shown[0] == code, (label, query, shown[:3])
    server = [h["code"] for h in api(api_url, query)["results"] if h["kind"] == "enterprise"]
    assert shown == server, (label, query)


def test_paging_reaches_every_match_and_the_count_is_honest(page, base_url):
    """A fragment shared by hundreds of enterprises: 更多结果 until none is left, and
    every matching enterprise has been shown once."""
    _, model = sample_site()
    ents = enterprises(model)
    regions = fold.regions(load_settings(ROOT / "pelicanconf.py"))
    expected = set(ents.loc[enterprise_tiers("青禾", ents["code"], ents["names"], regions) >= 0, "code"])
    first = browser_search(page, base_url, "青禾")
    assert len(first) == 20
    status = page.locator("#search-status")
    assert re.match(r"找到 \d+ 条(以上)?结果，已显示 20 条", status.inner_text())
    more = page.locator(".search-more")
    for _ in range(100):
        if not more.is_visible():
            break
        before = page.locator("#search-results li").count()
        more.click()
        expect(page.locator("#search-results li")).not_to_have_count(before)
        expect(status).to_have_text(DONE)
    shown = codes_shown(page)
    assert len(shown) == len(set(shown)) and set(shown) == expected
    # then the tasks, items and plans (from Pagefind, which need not find what the
    # server's index finds): every result is shown, and the count says so exactly
    total = page.locator("#search-results li").count()
    assert total > len(shown) and status.inner_text() == f"找到 {total} 条结果。"
    assert not page.locator(".search-more").is_visible()


def test_results_start_on_the_first_screen(page, base_url):
    browser_search(page, base_url, "青禾")
    top = page.locator("#search-results li").first.bounding_box()
    assert top is not None and top["y"] < 844


def test_a_search_that_stops_reading_blocks_says_so_and_goes_on(page, tmp_path):
    """Blocks that hold both words, but in different enterprises, are read and found
    wanting: after MAX_BLOCKS of them the page says that more remain (never a silent
    "nothing found") and 继续查找 reads on to the one enterprise holding both."""
    out, _ = sample_site()
    site = tmp_path / "site"
    shutil.copytree(out, site)
    rows = []
    for n in range(40 * 8):
        block, place = divmod(n, 8)
        name = {0: "甲乙商行", 1: "丙丁商行"}.get(place, f"其他商行{n}")
        if block == 39 and place == 2:
            name = "甲乙丙丁商行"
        rows.append({"url": f"enterprises/X{n:05d}/", "kind": "enterprise", "title": name,
                     "code": f"X{n:05d}", "summary": "", "date": "", "text": name, "grams": "",
                     "names": name, "department": [], "year": [], "category": [], "item": []})
    records = pd.DataFrame(rows)
    write_words(records, site, filter_options(records), size=8)
    with serve(site) as url:
        browser_search(page, url, "甲乙 丙丁")
        status = page.locator("#search-status")
        assert status.inner_text() == "找到 0 条结果，但还有索引块未读取。点“继续查找”读取其余部分。"
        assert page.locator(".search-more").inner_text() == "继续查找"
        page.click(".search-more")
        expect(status).to_have_text("找到 1 条结果。")
        assert codes_shown(page) == ["X00314"]
