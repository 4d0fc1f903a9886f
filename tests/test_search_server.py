"""`gongkai serve`: the site, /api/search (JSON) and the server-rendered /search/ page,
from a real uvicorn process on 127.0.0.1, asked with a real HTTP client (httpx)."""

from __future__ import annotations

import asyncio
import json
import re
import time
import urllib.parse
from pathlib import Path

import httpx
import pytest
from bs4 import BeautifulSoup
from search_cases import fragments, prefix_sibling, shared_prefix
from searchserver import gongkai_serve
from sitebuild import ROOT, sample_settings_file, sample_site

from generator.search.serve import ERRORS, MAX_URL


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out, _ = sample_site()
    with gongkai_serve(out, sample_settings_file(), tmp_path_factory.mktemp("serve")) as server:
        yield server
    assert "Traceback" not in server.log(), server.log()


@pytest.fixture(scope="module")
def base_url(served):
    return served.url


def get(url: str, method: str = "GET") -> tuple[int, str, str]:
    reply = httpx.request(method, url, timeout=30)
    return reply.status_code, reply.headers.get("content-type", ""), reply.text


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


@pytest.mark.parametrize("query", ["", "a" * 5_000, "字" * 800, '"(*) AND OR NOT ~^:[]{}',
                                   "<script>alert(1)</script>", "%%%", "\ufffd\U0001f600", "ﬁ㈱ｑ"])
def test_bad_queries_never_fail(base_url, query):
    for path in ("api/search?", "search/?"):
        status, _, body = get(base_url + path + urllib.parse.urlencode({"q": query}))
        assert status == 200, (path, status)
        assert "<script>alert" not in body
    assert len(api(base_url, q=query)["query"]) <= 200  # cut, as the browser cuts it


def test_what_the_api_refuses_it_refuses_in_json_with_a_stable_code(base_url):
    cases = {"api/search?q=" + "%E5%AD%97" * 1_000: ("uri_too_long", 414),
             "api/search?limit=abc&q=x": ("bad_parameter", 400),
             "api/search?page=0&q=x": ("bad_parameter", 400),
             "api/search?page=-3&q=x": ("bad_parameter", 400),
             "api/search?q=x&sort=%00": ("control_character", 400),
             "api/search?q=a%0Ab": ("control_character", 400),
             "api/search?q=a%C2%85b": ("control_character", 400),
             "api/nothing": ("not_found", 404)}
    for path, (code, status) in cases.items():
        reply = httpx.get(base_url + path, timeout=30)
        assert reply.status_code == status, path
        assert reply.headers["content-type"].startswith("application/json"), path
        assert reply.json() == {"error": ERRORS[code][1], "code": code, "status": status}, path
    reply = httpx.post(base_url + "api/search?q=x", timeout=30)
    assert reply.status_code == 405 and reply.json()["code"] == "method_not_allowed"
    assert reply.headers["allow"] == "GET, HEAD"


def test_paging_is_bounded(base_url):
    answer = api(base_url, q="公司", limit="1000")
    assert answer["limit"] == 100 and len(answer["results"]) == 100
    far = api(base_url, q="公司", page="999999999")
    assert far["page"] == 10_000 and far["results"] == [] and far["total"] == api(base_url, q="公司")["total"]


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
    status, kind, body = get(base_url + "x" * 20_000)
    assert status == 414 and "网址过长" in body and kind.startswith("text/html")


def test_every_error_page_is_in_chinese(base_url):
    pages = {"%00": 400, "a%01b/": 400, "search/?q=%00": 400, "search/?page=x": 400,
             "x" * (MAX_URL + 1): 414, "search/?q=" + "a" * MAX_URL: 414}
    for path, status in pages.items():
        got, kind, body = get(base_url + path)
        assert got == status and kind.startswith("text/html"), path
        soup = BeautifulSoup(body, "html.parser")
        assert soup.html["lang"] == "zh-CN" and re.search(r"[\u4e00-\u9fff]{4}", soup.h1.get_text()), path
        assert "Error" not in body and "Traceback" not in body, path
    for method in ("POST", "PUT", "DELETE", "PATCH", "OPTIONS"):
        reply = httpx.request(method, base_url, timeout=30)
        assert reply.status_code == 405 and "不支持这种请求方式" in reply.text, method
        assert reply.headers["allow"] == "GET, HEAD"


def test_dot_files_and_anything_outside_the_site_are_never_served(base_url):
    out, _ = sample_site()
    not_found = (out / "404.html").read_text(encoding="utf-8")
    hidden = [p.relative_to(out).as_posix() for p in out.rglob(".*")]
    hidden += [p.relative_to(out).as_posix() for d in out.glob(".*") if d.is_dir() for p in d.rglob("*")]
    assert any(h.startswith(".gongkai-search/") for h in hidden) and ".gongkai-build.json" in hidden
    for name in hidden:
        for path in (name, urllib.parse.quote(name).replace(".", "%2E"), "enterprises/../" + name):
            status, _, body = get(base_url + path)
            assert status == 404 and body == not_found, path
    with httpx.Client(base_url=base_url) as client:  # sent as typed, not tidied by the client
        for raw in ("/../pelicanconf.py", "/%2e%2e/%2e%2e/etc/passwd", "/theme/../../pelicanconf.py",
                    "/%2E%2E%2F%2E%2E%2Fetc%2Fpasswd", "/..%2fpelicanconf.py"):
            request = client.build_request("GET", "/")
            request.url = request.url.copy_with(raw_path=raw.encode())
            reply = client.send(request)
            assert reply.status_code in (400, 404) and "root:" not in reply.text and "AUTHOR" not in reply.text, raw


def test_head_answers_as_get_does(base_url):
    for path in ("", "api/search?q=%E5%85%AC%E5%8F%B8", "search/?q=%E5%85%AC%E5%8F%B8", "no/such/page/",
                 "theme/css/site.css", "api/search?limit=abc", "%00", "search"):
        full = base_url + path
        got, head = httpx.get(full, timeout=30), httpx.head(full, timeout=30)
        assert head.status_code == got.status_code, path
        assert head.content == b""
        for header in ("content-type", "content-length", "content-security-policy", "location"):
            assert head.headers.get(header) == got.headers.get(header), (path, header)


def test_each_response_states_its_pages_policy(base_url):
    out, _ = sample_site()

    def meta(html: str) -> str:
        tag = BeautifulSoup(html, "html.parser").find("meta", attrs={"http-equiv": "Content-Security-Policy"})
        return tag["content"]

    for path in ("", "tasks/", "search/?q=%E5%85%AC%E5%8F%B8", "no/such/page/"):
        reply = httpx.get(base_url + path, timeout=30)
        assert reply.headers["content-security-policy"] == meta(reply.text) + "; frame-ancestors 'self'", path
        assert reply.headers["x-content-type-options"] == "nosniff"
    static_search = (out / "search" / "index.html").read_text(encoding="utf-8")
    reply = httpx.get(base_url + "search/fold.json", timeout=30)
    assert reply.headers["content-security-policy"] == meta(static_search) + "; frame-ancestors 'self'"
    assert "server: uvicorn" not in str(reply.headers).lower()


def test_many_clients_at_once_all_answered_and_nothing_in_the_log(served):
    """200 clients at once, pages and searches mixed: all answered, no traceback."""
    _, model = sample_site()
    pieces = [p for p, _ in fragments(model, 2, 3)] + [prefix_sibling(model)[0], shared_prefix(model)[0]]
    paths = ["", "tasks/", "theme/css/site.css", "no/such/page/"]
    paths += [f"api/search?{urllib.parse.urlencode({'q': p})}" for p in pieces]
    paths += [f"search/?{urllib.parse.urlencode({'q': p, 'page': 2})}" for p in pieces]

    async def run() -> list[int]:
        limits = httpx.Limits(max_connections=200)
        async with httpx.AsyncClient(base_url=served.url, limits=limits, timeout=60) as client:
            async def one(n: int) -> int:
                statuses = []
                for k in range(3):
                    statuses.append((await client.get(paths[(n + k) % len(paths)])).status_code)
                return max(statuses, key=lambda s: s != 200)
            return await asyncio.gather(*(one(n) for n in range(200)))

    statuses = asyncio.run(run())
    assert sorted(set(statuses)) in ([200], [200, 404])
    assert "Traceback" not in served.log() and "Error" not in served.log()


def test_the_proxy_config_sends_the_pages_policies():
    """deploy/nginx-search.conf: static files from nginx, the search from gongkai serve;
    the policies are the pages' own, as gongkai serve sends them."""
    from generator.search.serve import policies

    conf = (ROOT / "deploy" / "nginx-search.conf").read_text(encoding="utf-8")
    expected = policies([ROOT / "themes/gongkai/templates"])
    assert re.search(r'set \$csp "([^"]+)";', conf).group(1) == expected["page"]
    assert re.search(r'set \$csp_search "([^"]+)";', conf).group(1) == expected["search"]
    assert "proxy_hide_header Content-Security-Policy;" in conf  # sent once, by nginx
    assert "proxy_pass http://gongkai_search" in conf and re.search(r"location ~ /\\.\s*\{\s*deny all;", conf)
    assert Path(ROOT / "deploy" / "gongkai-serve.service").is_file()


def test_clients_that_hang_up_leave_nothing_in_the_log(served):
    """Visitors who close the connection mid-answer (a big file, a search) are no error."""
    import socket

    out, _ = sample_site()
    big = max((p for p in out.rglob("*") if p.is_file() and not p.name.startswith(".")
               and ".gongkai" not in p.as_posix()), key=lambda p: p.stat().st_size)
    host, port = served.url.split("//")[1].rstrip("/").split(":")
    for n in range(40):
        path = "/" + big.relative_to(out).as_posix() if n % 2 else "/api/search?q=%E5%85%AC%E5%8F%B8&limit=100"
        with socket.create_connection((host, int(port)), timeout=10) as sock:
            sock.sendall(f"GET {path} HTTP/1.1\r\nHost: {host}\r\n\r\n".encode())
            sock.recv(10)  # the first bytes of the answer, then hang up
    assert httpx.get(served.url, timeout=30).status_code == 200
    assert "Traceback" not in served.log() and "Error" not in served.log(), served.log()


def test_production_mode_workers_access_log_and_the_proxys_client(tmp_path):
    out, _ = sample_site()
    with gongkai_serve(out, sample_settings_file(), tmp_path, "--production", "--workers", "2") as server:
        answers = [httpx.get(server.url + "api/search", params={"q": "公司"}, timeout=30,
                             headers={"X-Forwarded-For": "203.0.113.7"}) for _ in range(6)]
        assert all(a.status_code == 200 and a.json()["total"] > 0 for a in answers)
        assert httpx.get(server.url + "no/such/page/", timeout=30).status_code == 404
        said = (tmp_path / "serve.out").read_text(encoding="utf-8") + server.log()
        assert "正式模式，2 个进程" in said
        assert re.search(r'203\.0\.113\.7:\d+ - "GET /api/search\?q=', said), said
    assert "Traceback" not in server.log()


def test_a_rebuilt_index_is_answered_without_a_restart(tmp_path):
    """The build replaces the index in place: the running service reads the new one in the
    background and answers from it, and from the old one until then."""
    import shutil

    from generator.search.records import search_records
    from generator.search.server_index import write_index

    out, model = sample_site()
    site = tmp_path / "site"
    shutil.copytree(out, site, symlinks=True)
    with gongkai_serve(site, sample_settings_file(), tmp_path / "serve") as server:
        assert api(server.url, q="蓝莓农场")["total"] == 0
        records = search_records(model)
        first = records.index[records["kind"] == "enterprise"][0]
        for column in ("title", "text", "names"):
            records.at[first, column] = "澄湖镇蓝莓农场"
        write_index(records, site / ".gongkai-search")
        for _ in range(200):
            found = api(server.url, q="蓝莓农场")
            if found["total"]:
                break
            time.sleep(0.1)
        assert found["total"] == 1 and found["results"][0]["title"] == "澄湖镇蓝莓农场"
    assert "Traceback" not in server.log()


def test_queries_are_normalized_as_the_browser_normalizes_them(base_url):
    """A code typed full-width, in lower case or between ideographic spaces, a name in
    traditional characters or without its legal-form suffix: the same enterprise found."""
    import opencc

    _, model = sample_site()
    code, _ = prefix_sibling(model)
    wide = "".join(chr(ord(c) + 0xFEE0) for c in code)
    for typed in (wide, code.lower(), f"　{code}　"):
        assert api(base_url, q=typed)["results"][0]["code"] == code, typed
    s2t = opencc.OpenCC("s2t").convert

    def to_traditional(text: str) -> str:  # character by character, as the fold compares
        return "".join(s2t(c) for c in text)

    names = [h for h in api(base_url, q="有限公司", limit="100")["results"] if h["kind"] == "enterprise"]
    hit = next(h for h in names if to_traditional(h["title"]) != h["title"] and h["title"].endswith("有限公司"))
    shorter = hit["title"].removesuffix("有限公司")
    for typed in (to_traditional(hit["title"]), shorter, to_traditional(shorter)):
        found = api(base_url, q=typed, limit="100")["results"]
        assert hit["code"] in [h["code"] for h in found], typed
