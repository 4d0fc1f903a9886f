"""The nginx configurations in deploy/, run by a real nginx in front of the sample site:
every answer a citizen can get is Chinese, dot files are never served, and the
search configuration says so in Chinese when gongkai serve is not running."""

from __future__ import annotations

import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path

import httpx
import pytest
from sitebuild import sample_site

ROOT = Path(__file__).resolve().parents[1]
NGINX = shutil.which("nginx") or ("/usr/sbin/nginx" if Path("/usr/sbin/nginx").is_file() else None)
pytestmark = pytest.mark.skipif(NGINX is None, reason="需要 nginx（make setup-test 会安装）")

PROXY_LINES = """proxy_http_version 1.1;
proxy_set_header Connection "";
proxy_set_header Host $host;
proxy_connect_timeout 2s;
proxy_read_timeout 5s;
proxy_hide_header Content-Security-Policy;
proxy_hide_header X-Content-Type-Options;
proxy_hide_header Referrer-Policy;
proxy_hide_header X-Frame-Options;
proxy_hide_header Permissions-Policy;
"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def server_block(conf: str, port: int, root: Path, proxy: Path) -> str:
    """The deploy file with its address, root and include paths pointed at this test."""
    text = conf.replace("listen 80;", f"listen 127.0.0.1:{port};")
    text = re.sub(r"root /srv/gongkai/output;", f"root {root};", text)
    text = text.replace("/etc/nginx/gongkai-proxy.conf", str(proxy))
    # the search upstream: a port where nothing listens (gongkai serve is not running)
    return text.replace("server 127.0.0.1:8000;", f"server 127.0.0.1:{free_port()};")


@pytest.fixture(scope="module", params=["nginx.conf", "nginx-search.conf"])
def nginx(request, tmp_path_factory):
    out, _ = sample_site()
    work = tmp_path_factory.mktemp("nginx")
    proxy = work / "gongkai-proxy.conf"
    proxy.write_text(PROXY_LINES, encoding="utf-8")
    port = free_port()
    block = server_block((ROOT / "deploy" / request.param).read_text(encoding="utf-8"), port,
                         out, proxy)
    mime = "/etc/nginx/mime.types"
    conf = work / "nginx.conf"
    # run as root (CI), nginx's workers would drop to nobody, who cannot read a test's folder
    user = "user root;" if os.getuid() == 0 else ""
    conf.write_text(f"""daemon off;
{user}
pid {work}/nginx.pid;
error_log {work}/error.log;
events {{}}
http {{
    {f"include {mime};" if Path(mime).is_file() else ""}
    access_log off;
    client_body_temp_path {work}/body;
    proxy_temp_path {work}/proxy;
    fastcgi_temp_path {work}/fastcgi;
    uwsgi_temp_path {work}/uwsgi;
    scgi_temp_path {work}/scgi;
{block}
}}
""", encoding="utf-8")
    checked = subprocess.run([NGINX, "-t", "-p", str(work), "-c", str(conf)], capture_output=True,
                             text=True)
    assert checked.returncode == 0, checked.stderr
    proc = subprocess.Popen([NGINX, "-p", str(work), "-c", str(conf)], stderr=subprocess.PIPE)
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        try:
            socket.create_connection(("127.0.0.1", port), timeout=0.2).close()
            break
        except OSError:
            time.sleep(0.05)
    yield request.param, f"http://127.0.0.1:{port}"
    proc.terminate()
    proc.wait(timeout=10)


def chinese(response: httpx.Response) -> bool:
    return 'lang="zh-CN"' in response.text and "nginx" not in response.text.lower()


def test_pages_and_the_sites_own_404(nginx):
    _, base = nginx
    home = httpx.get(base + "/")
    assert home.status_code == 200 and chinese(home)
    assert "Content-Security-Policy" in home.headers
    missing = httpx.get(base + "/no/such/page/")
    assert missing.status_code == 404 and chinese(missing)
    assert missing.text == (sample_site()[0] / "404.html").read_text(encoding="utf-8")


def test_dot_files_are_never_served(nginx):
    _, base = nginx
    for path in ("/.gongkai-build.json", "/.gongkai-pages.parquet", "/.gongkai-search/",
                 "/.gongkai-api.parquet", "/.gongkai-enterprise-feeds.parquet",
                 "/.gongkai-error/400"):  # the error answers are internal only
        answer = httpx.get(base + path)
        assert answer.status_code == 404 and chinese(answer), path


def test_refusals_of_nginx_itself_are_chinese(nginx):
    _, base = nginx
    posted = httpx.post(base + "/", content=b"x")
    assert posted.status_code == 405 and chinese(posted)
    long = httpx.get(base + "/" + "a" * 40000)
    assert long.status_code == 414 and chinese(long)
    host, port = base.removeprefix("http://").split(":")
    with socket.create_connection((host, int(port)), timeout=5) as raw:
        raw.sendall(b"NOT A REQUEST\x01\r\n\r\n")
        answer = b""
        while chunk := raw.recv(65536):
            answer += chunk
    head, _, body = answer.partition(b"\r\n\r\n")
    assert head.startswith(b"HTTP/1.1 400")
    assert 'lang="zh-CN"' in body.decode("utf-8") and b"nginx" not in body.lower()


def test_search_down_is_said_in_chinese(nginx):
    name, base = nginx
    if name != "nginx-search.conf":
        pytest.skip("只有 nginx-search.conf 把搜索交给 gongkai serve")
    answer = httpx.get(base + "/api/search", params={"q": "青禾"})
    assert answer.status_code == 503 and chinese(answer)
    assert "搜索暂时不可用" in answer.text
