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
from urllib.parse import parse_qs, urlsplit

from ..site.render import make_environment
from . import server_index
from .build import OPTIONS
from .rank import clean_query
from .records import FILTER_LABELS, FILTERS, KIND_LABELS

MAX_URL = 65_536  # http.server refuses longer request lines itself (414)


class SearchApp:
    """What the handler needs: the index folder, the filter options and the theme."""

    def __init__(self, output: Path, folder: Path, settings: dict[str, Any],
                 template_dirs: list[Path]) -> None:
        self.output = output
        self.folder = folder
        self.options = json.loads((folder / OPTIONS).read_text(encoding="utf-8"))
        globals_ = {k: v for k, v in settings.items() if k.isupper() and k != "GONGKAI_MODEL"}
        self.env = make_environment(template_dirs, globals_)

    def answer(self, params: dict[str, list[str]], limit: int = 20) -> dict[str, Any]:
        text = (params.get("q") or [""])[0]
        filters = {f: (params.get(f) or [""])[0] for f in FILTERS}
        filters = {f: v for f, v in filters.items() if v in self.options.get(f, [])}
        sort = "date" if (params.get("sort") or [""])[0] == "date" else ""
        try:
            limit = int((params.get("limit") or [limit])[0])
        except ValueError:
            pass
        found = server_index.search(self.folder, text, limit, filters, sort)
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
            message = f"找到 {found['total']} 条结果，显示前 {len(found['results'])} 条。"
        else:
            message = f"找到 {found['total']} 条结果。"
        return self.env.get_template("search_server.html").render(
            root="../", nav_current="search", filters=self.options, filter_labels=FILTER_LABELS,
            query=query, chosen=found["filters"], sort=found["sort"], results=found["results"],
            total=found["total"], message=message, search_query=query)


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
