"""``gongkai serve``: the built site on 127.0.0.1, plus search answered by the Whoosh index.

``/api/search?q=`` answers JSON; ``/search/?q=`` is rendered on the server, so offices
whose browsers cannot run WebAssembly (or JavaScript) can search too. Every query is
cleaned first (:func:`.rank.clean_query`): a bad query finds nothing, it never fails.
"""

from __future__ import annotations

import functools
import http.server
import json
import sys
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlencode, urlsplit

from ..site.render import make_environment
from . import server_index
from .build import OPTIONS
from .rank import clean_query
from .records import FILTER_LABELS, FILTERS, KIND_LABELS

MAX_URL = 65_536  # http.server refuses longer request lines itself (414)
PAGE_SIZE = 20
ERRORS = {400: "请求无法识别。", 404: "没有找到这个页面。", 405: "不支持这种请求方式。",
          414: "网址过长。", 500: "服务器出错，请稍后再试。", 501: "不支持这种请求方式。",
          503: "服务暂时不可用，请稍后再试。"}


class SearchApp:
    """What the handler needs: the index folder, the filter options and the theme."""

    def __init__(self, output: Path, folder: Path, settings: dict[str, Any],
                 template_dirs: list[Path]) -> None:
        self.output = output
        self.folder = folder
        self.options = json.loads((folder / OPTIONS).read_text(encoding="utf-8"))
        globals_ = {k: v for k, v in settings.items() if k.isupper() and k != "GONGKAI_MODEL"}
        self.env = make_environment(template_dirs, globals_)

    def answer(self, params: dict[str, list[str]], limit: int = PAGE_SIZE) -> dict[str, Any]:
        text = (params.get("q") or [""])[0]
        filters = {f: (params.get(f) or [""])[0] for f in FILTERS}
        filters = {f: v for f, v in filters.items() if v in self.options.get(f, [])}
        sort = "date" if (params.get("sort") or [""])[0] == "date" else ""
        page = 1
        try:
            limit = int((params.get("limit") or [limit])[0])
            page = int((params.get("page") or [1])[0])
        except ValueError:
            pass
        found = server_index.search(self.folder, text, limit, filters, sort, page)
        for hit in found["results"]:
            hit["kind_label"] = KIND_LABELS.get(hit["kind"], hit["kind"])
        found.update(filters=filters, sort=sort)
        return found

    def page(self, params: dict[str, list[str]]) -> str:
        found = self.answer(params)
        query = clean_query((params.get("q") or [""])[0])
        raw = (params.get("q") or [""])[0].strip()
        if not query:
            message = "请输入文字、数字或信用代码。" if raw else "请输入关键词。"
        elif not found["total"]:
            message = f"没有找到与“{query}”相符的结果。"
        elif found["total"] > len(found["results"]):
            first = (found["page"] - 1) * found["limit"] + 1
            message = (f"找到 {found['total']} 条结果，这是第 {first}–{first + len(found['results']) - 1} 条"
                       f"（第 {found['page']}/{found['pages']} 页）。")
        else:
            message = f"找到 {found['total']} 条结果。"
        return self.env.get_template("search_server.html").render(
            root="../", nav_current="search", filters=self.options, filter_labels=FILTER_LABELS,
            query=query, chosen=found["filters"], sort=found["sort"], results=found["results"],
            total=found["total"], message=message, search_query=query,
            pages=self._pages(params, found))

    @staticmethod
    def _pages(params: dict[str, list[str]], found: dict[str, Any]) -> dict[str, str]:
        """Links to the previous and next page of the same query (query string only)."""
        kept = [(k, v[0]) for k, v in params.items() if k != "page" and v and v[0]]
        out = {}
        if found["page"] > 1:
            out["previous"] = "?" + urlencode([*kept, ("page", found["page"] - 1)])
        if found["page"] < found["pages"]:
            out["next"] = "?" + urlencode([*kept, ("page", found["page"] + 1)])
        return out


class Handler(http.server.SimpleHTTPRequestHandler):
    app: SearchApp

    def log_message(self, *args: Any) -> None:
        pass

    def _send(self, status: int, body: bytes, content_type: str) -> None:
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Cache-Control", "no-store")
        self.send_header("X-Content-Type-Options", "nosniff")
        self.end_headers()
        if self.command != "HEAD":
            self.wfile.write(body)

    def send_error(self, code: int, message: str | None = None, explain: str | None = None) -> None:
        """Every error in Chinese: a missing page gets the site's own 404.html."""
        page = Path(self.app.output) / "404.html"
        if code == 404 and page.is_file():
            body = page.read_bytes()
        else:
            text = ERRORS.get(code, "请求无法完成。")
            body = (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{code}</title>'
                    f'<h1>{text}</h1><p><a href="/">返回首页</a></p></html>').encode()
        self.close_connection = True
        self._send(code, body, "text/html; charset=utf-8")

    def do_GET(self) -> None:
        if len(self.path) > MAX_URL:
            self._send(414, "查询过长。".encode(), "text/plain; charset=utf-8")
            return
        parts = urlsplit(self.path)
        params = parse_qs(parts.query, keep_blank_values=True)
        try:
            if parts.path == "/api/search":
                body = json.dumps(self.app.answer(params), ensure_ascii=False).encode()
                self._send(200, body, "application/json; charset=utf-8")
                return
            if parts.path in ("/search/", "/search/index.html", "/search"):
                self._send(200, self.app.page(params).encode(), "text/html; charset=utf-8")
                return
        except Exception as exc:  # the index is unreadable: say so, do not crash the server
            print(f"搜索出错：{type(exc).__name__}: {exc}", file=sys.stderr)
            message = {"error": "搜索暂时不可用，请稍后再试。", "code": "S500"}
            self._send(503, json.dumps(message, ensure_ascii=False).encode(),
                       "application/json; charset=utf-8")
            return
        super().do_GET()



def make_server(app: SearchApp, port: int = 8000) -> http.server.ThreadingHTTPServer:
    handler = functools.partial(type("BoundHandler", (Handler,), {"app": app}),
                                directory=str(app.output))
    return http.server.ThreadingHTTPServer(("127.0.0.1", port), handler)
