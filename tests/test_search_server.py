"""`gongkai serve`: the site, /api/search (JSON) and the server-rendered /search/ page."""

from __future__ import annotations

import json
import threading
import urllib.error
import urllib.parse
import urllib.request

import pytest
from bs4 import BeautifulSoup
from search_cases import fragments, prefix_sibling, shared_prefix
from sitebuild import ROOT, sample_settings, sample_site

from generator.search.commands import _folder
from generator.search.serve import SearchApp, make_server


@pytest.fixture(scope="module")
def base_url():
    out, _ = sample_site()
    settings = sample_settings()
    _, folder = _folder(settings, str(out))
    app = SearchApp(out, folder, settings, [ROOT / "themes/gongkai/templates"])
    server = make_server(app, 0)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()
    server.server_close()


def get(url: str) -> tuple[int, str, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.headers.get("Content-Type", ""), resp.read().decode()
    except urllib.error.HTTPError as err:
        return err.code, err.headers.get("Content-Type", ""), err.read().decode(errors="replace")


def api(base_url: str, **params: str) -> dict:
    status, kind, body = get(base_url + "api/search?" + urllib.parse.urlencode(params))
    assert status == 200 and kind.startswith("application/json")
    return json.loads(body)


def test_api_exact_code_first_and_prefix(base_url):
    _, model = sample_site()
    code, title = prefix_sibling(model)
    answer = api(base_url, q=code)
    assert answer["results"][0]["code"] == code and answer["results"][0]["title"] == title
    prefix, codes = shared_prefix(model)
    answer = api(base_url, q=prefix, limit="100")
    assert {h["code"] for h in answer["results"] if h["kind"] == "enterprise"} == codes


def test_api_filters_and_date_sort(base_url):
    _, model = sample_site()
    department = model["results"]["inspecting_department"].value_counts().index[-1]
    answer = api(base_url, q="公司", department=department, limit="100")
    assert answer["results"] and all(department in h["department"] for h in answer["results"])
    everything = api(base_url, q="公司", limit="100")
    assert answer["total"] < everything["total"]
    for name, value in (("year", "2025"), ("category", "发现问题")):
        narrowed = api(base_url, q="公司", limit="100", **{name: value})
        assert narrowed["results"] and all(value in h[name] for h in narrowed["results"])
    dated = api(base_url, q="公司", sort="date", limit="50")["results"]
    dates = [h["date"] for h in dated]
    assert dates == sorted(dates, reverse=True)
    # an unknown filter value is ignored, not an error
    assert api(base_url, q="公司", department="<script>")["filters"] == {}


@pytest.mark.parametrize("query", ["", "a" * 10_000, "字" * 5_000, '"(*) AND OR NOT ~^:[]{}',
                                   "<script>alert(1)</script>", "%%%"])
def test_bad_queries_never_fail(base_url, query):
    for path in ("api/search?", "search/?"):
        status, _, body = get(base_url + path + urllib.parse.urlencode({"q": query}))
        assert status == 200, (path, status)
        assert "<script>alert" not in body
    status, _, _ = get(base_url + "api/search?q=" + "%E5%AD%97" * 10_000)
    assert status < 500
    status, _, _ = get(base_url + "api/search?limit=abc&q=x&sort=%00")
    assert status == 200


def test_server_page_lists_results_without_javascript(base_url):
    _, model = sample_site()
    piece, code = fragments(model, 4, 1)[0]
    status, kind, body = get(base_url + "search/?" + urllib.parse.urlencode({"q": piece}))
    assert status == 200 and kind.startswith("text/html")
    soup = BeautifulSoup(body, "html.parser")
    links = [a["href"] for a in soup.select("#search-results a")]
    assert f"../enterprises/{code}/" in links
    assert soup.select_one("#search-q")["value"] == piece
    assert not soup.select("script[src*=search]")
    assert "找到" in soup.select_one("#search-status").get_text()
    empty = BeautifulSoup(get(base_url + "search/")[2], "html.parser")
    assert "请输入关键词" in empty.select_one("#search-status").get_text()


def test_static_site_still_served(base_url):
    status, kind, body = get(base_url)
    assert status == 200 and "双随机" in body
    status, _, _ = get(base_url + "pagefind/pagefind-entry.json")
    assert status == 200


def test_server_page_pages_through_every_result_without_javascript(base_url):
    """A fragment shared by hundreds of enterprises: 下一页 links lead through all of
    them, and the last page has no 下一页."""
    url = base_url + "search/?" + urllib.parse.urlencode({"q": "青禾"})
    total = api(base_url, q="青禾")["total"]
    seen: list[str] = []
    for _ in range(100):
        soup = BeautifulSoup(get(url)[2], "html.parser")
        seen += [a["href"] for a in soup.select("#search-results li > a")]
        following = soup.select_one(".search-pages a[rel=next]")
        if following is None:
            break
        assert following["href"].startswith("?")
        url = base_url + "search/" + following["href"]
    assert total > 20 and len(seen) == total and len(set(seen)) == total
    assert f"找到 {total} 条结果" in soup.select_one("#search-status").get_text()


def test_a_missing_page_gets_the_sites_own_chinese_404(base_url):
    out, _ = sample_site()
    status, kind, body = get(base_url + "no/such/page/")
    assert status == 404 and kind.startswith("text/html")
    assert body == (out / "404.html").read_text(encoding="utf-8")
    assert 'lang="zh-CN"' in body and "Error response" not in body
    status, _, body = get(base_url + "x" * 70_000)
    assert status == 414 and "网址过长" in body
