"""What `gongkai serve` answers when something is wrong: a request uvicorn cannot parse
(400, asked over a raw socket of the real ``gongkai serve`` process), a search index that
cannot be read (503) and a handler that fails (500), from real uvicorn servers on
127.0.0.1 built from a broken index folder or a broken theme."""

from __future__ import annotations

import logging
import re
import shutil
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import httpx
import pytest
import uvicorn
from bs4 import BeautifulSoup
from searchserver import gongkai_serve
from sitebuild import ROOT, sample_index, sample_settings, sample_settings_file, sample_site

from generator.search.serve import ERRORS, HTTP_PROTOCOL, SearchApp, create_app

THEME = ROOT / "themes" / "gongkai" / "templates"


@pytest.fixture(scope="module")
def served(tmp_path_factory):
    out, _ = sample_site()
    with gongkai_serve(out, sample_settings_file(), tmp_path_factory.mktemp("serve")) as server:
        yield server


def raw_answer(url: str, request: bytes) -> bytes:
    """Send ``request`` as it is, read the answer until the server closes."""
    host, port = url.split("//")[1].rstrip("/").split(":")
    with socket.create_connection((host, int(port)), timeout=10) as sock:
        sock.sendall(request)
        received = b""
        while chunk := sock.recv(65_536):
            received += chunk
    return received


def is_chinese_page(html: str, message: str) -> bool:
    soup = BeautifulSoup(html, "html.parser")
    return soup.html is not None and soup.html.get("lang") == "zh-CN" and message in soup.get_text()


MALFORMED = {
    "no request line": b"GARBAGE\r\n\r\n",
    "space in the target": b"GET /a b HTTP/1.1\r\nHost: x\r\n\r\n",
    "header without a colon": b"GET / HTTP/1.1\r\nHost: x\r\nBad Header Line\r\n\r\n",
    "NUL in a header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: a\x00b\r\n\r\n",
    "space before the colon": b"GET / HTTP/1.1\r\nHost : x\r\n\r\n",
    "unknown HTTP version": b"GET / HTTP/7.1\r\nHost: x\r\n\r\n",
    "raw UTF-8 in the target": b"GET /\xe5\xad\x97 HTTP/1.1\r\nHost: x\r\n\r\n",
    "control characters in a header": b"GET / HTTP/1.1\r\nHost: x\r\nX-Name: " + b"\x01" * 10 + b"\r\n\r\n",
    "binary": b"\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + bytes(range(64)),
}


@pytest.mark.parametrize("name", MALFORMED)
def test_a_request_the_server_cannot_parse_is_answered_in_chinese(served, name):
    answer = raw_answer(served.url, MALFORMED[name])
    head, _, body = answer.partition(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    headers = dict(line.lower().split(": ", 1) for line in lines[1:])
    assert lines[0].startswith("HTTP/1.1 400 "), answer[:200]
    assert headers["content-type"] == "text/html; charset=utf-8"
    assert int(headers["content-length"]) == len(body) and headers["connection"] == "close"
    assert headers["x-content-type-options"] == "nosniff" and "default-src" in headers["content-security-policy"]
    text = body.decode("utf-8")
    assert is_chinese_page(text, ERRORS["bad_request"][1]), text
    assert "Invalid HTTP request" not in text
    assert httpx.get(served.url, timeout=30).status_code == 200  # the server goes on serving
    assert "Traceback" not in served.log(), served.log()


def test_a_well_formed_request_is_not_taken_for_a_malformed_one(served):
    answer = raw_answer(served.url, b"GET /api/search?q=x HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
    assert answer.startswith(b"HTTP/1.1 200 ")


class Lines(logging.Handler):
    """What the in-process server logs, formatted as a log file would hold it."""

    def __init__(self) -> None:
        super().__init__(logging.INFO)
        self.setFormatter(logging.Formatter("%(levelname)s %(name)s %(message)s"))
        self.lines: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.lines.extend(self.format(record).splitlines())


@contextmanager
def running(search: SearchApp) -> Iterator[tuple[str, Lines]]:
    """A real uvicorn server for ``search`` on 127.0.0.1, in a thread of this process,
    configured as ``gongkai serve`` configures it; yields its URL and its log."""
    lines = Lines()
    root = logging.getLogger()
    root.addHandler(lines)
    config = uvicorn.Config(create_app(search), http=HTTP_PROTOCOL, log_config=None, log_level="info",
                            lifespan="off", server_header=False)
    server = uvicorn.Server(config)
    sock = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
    sock.bind(("127.0.0.1", 0))
    thread = threading.Thread(target=server.run, kwargs={"sockets": [sock]}, daemon=True)
    thread.start()
    try:
        deadline = time.monotonic() + 30
        while not server.started:
            assert thread.is_alive() and time.monotonic() < deadline, lines.lines
            time.sleep(0.05)
        yield f"http://127.0.0.1:{sock.getsockname()[1]}/", lines
    finally:
        server.should_exit = True
        thread.join(20)
        root.removeHandler(lines)
        sock.close()


def broken_index(tmp: Path) -> Path:
    """A copy of the sample's server index without the table of contents of its full-text
    part, as a build killed while writing it would leave it."""
    folder = tmp / "index"
    shutil.copytree(sample_index(), folder)
    tocs = list(folder.glob("*.toc"))
    assert tocs
    for toc in tocs:
        toc.unlink()
    return folder


def test_an_index_that_cannot_be_read_is_a_503_in_words(tmp_path):
    out, _ = sample_site()
    search = SearchApp(out, broken_index(tmp_path), sample_settings(), [THEME])
    assert search.problem  # the service starts all the same: the site is still there
    with running(search) as (url, log):
        reply = httpx.get(url + "api/search", params={"q": "公司"}, timeout=30)
        assert reply.status_code == 503 and reply.headers["content-type"].startswith("application/json")
        assert reply.json() == {"error": ERRORS["search_unavailable"][1], "code": "search_unavailable",
                                "status": 503}
        page = httpx.get(url + "search/", params={"q": "公司"}, timeout=30)
        assert page.status_code == 503 and page.headers["content-type"].startswith("text/html")
        assert is_chinese_page(page.text, ERRORS["search_unavailable"][1])
        assert "EmptyIndexError" not in page.text and "Traceback" not in page.text
        head = httpx.head(url + "api/search", params={"q": "公司"}, timeout=30)
        assert head.status_code == 503 and head.content == b""
        assert httpx.get(url, timeout=30).status_code == 200
    said = [line for line in log.lines if "搜索暂时不可用" in line]
    assert len(said) == 3 and all("EmptyIndexError" in s for s in said), log.lines
    assert not any("Traceback" in line for line in log.lines), log.lines


def test_an_exception_in_a_handler_is_a_500_in_chinese_and_one_log_line(tmp_path):
    """A theme whose server search page fails to render: the asker gets the Chinese 500
    page, nothing of the exception; the log gets one line saying what failed where."""
    broken = tmp_path / "templates"
    broken.mkdir()
    (broken / "search_server.html").write_text("{{ no_such_function() }}", encoding="utf-8")
    out, _ = sample_site()
    search = SearchApp(out, sample_index(), sample_settings(), [broken, THEME])
    assert not search.problem
    with running(search) as (url, log):
        reply = httpx.get(url + "search/", params={"q": "公司"}, timeout=30)
        assert reply.status_code == 500 and reply.headers["content-type"].startswith("text/html")
        assert is_chinese_page(reply.text, ERRORS["server_error"][1])
        assert "no_such_function" not in reply.text and "Traceback" not in reply.text
        assert reply.headers["x-content-type-options"] == "nosniff"
        assert httpx.get(url + "api/search", params={"q": "公司"}, timeout=30).status_code == 200
    errors = [line for line in log.lines if line.startswith(("ERROR", "CRITICAL"))]
    assert len(errors) == 1, log.lines
    assert re.search(r"GET /search/.*UndefinedError.*no_such_function", errors[0]), errors
    assert not any("Traceback" in line for line in log.lines), log.lines


def test_preview_with_an_unreadable_index_stops_in_words(tmp_path):
    """One process, as for preview: an index that cannot be read stops ``gongkai serve``
    at once (exit 2) with the reason, instead of serving a search that cannot answer."""
    out = tmp_path / "output"
    out.mkdir()
    broken_index(tmp_path).rename(out / ".gongkai-search")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "serve", "--port", "0", "--output", str(out),
                           "--settings", str(sample_settings_file())],
                          cwd=ROOT, capture_output=True, text=True, timeout=120)
    assert done.returncode == 2, done.stderr
    assert "无法读取" in done.stderr and "EmptyIndexError" in done.stderr and "Traceback" not in done.stderr
    assert "正在服务" not in done.stdout
