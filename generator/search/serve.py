"""``gongkai serve``: the built site and the server search as an ASGI service.

Starlette answers, uvicorn serves: for preview on 127.0.0.1, and in production behind
nginx (deploy/nginx-search.conf) with several worker processes. ``/api/search?q=``
answers JSON; ``/search/?q=`` is rendered on the server, so offices whose browsers cannot
run WebAssembly (or JavaScript) can search too. Everything else is the site itself.

The service is read-only: the index is read into memory once per version
(:func:`.engine.loaded`) and every request reads it from a worker thread, never on the
event loop. What a citizen or an operator meets is decided here: every error is a page
in Chinese (or, from the API, JSON with a stable ``code``), control characters and
over-long addresses are refused before anything is looked up, dot files (the build's
bookkeeping and the server index inside the output) are never served, HEAD answers as
GET does, and each response carries the same Content-Security-Policy as the page's own
meta tag.
"""

from __future__ import annotations

import json
import logging
import re
import unicodedata
from collections.abc import Awaitable, Callable, Mapping
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

import anyio
from starlette.applications import Starlette
from starlette.exceptions import HTTPException
from starlette.requests import Request
from starlette.responses import HTMLResponse, RedirectResponse, Response
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send
from uvicorn.protocols.http.httptools_impl import HttpToolsProtocol

from ..build.render import make_environment
from . import engine
from .rank import MAX_QUERY
from .records import FILTER_LABELS, FILTERS, KIND_LABELS

MAX_URL = 8192  # bytes of path and query string, as nginx's default buffers take them
PAGE_SIZE = 20
SEARCH_THREADS = 1  # searches at once per process: they hold the GIL, and the event loop must not wait
LOG = logging.getLogger("gongkai.serve")

# code → (status, message): the stable codes of the API's errors, documented in README
ERRORS: dict[str, tuple[int, str]] = {
    "bad_request": (400, "请求的格式有误，服务器无法识别。"),
    "bad_parameter": (400, "请求参数有误：page 和 limit 须为正整数。"),
    "control_character": (400, "请求中含有控制字符，无法识别。"),
    "not_found": (404, "没有找到这个页面。"),
    "method_not_allowed": (405, "不支持这种请求方式，只能用 GET 或 HEAD。"),
    "uri_too_long": (414, f"网址过长（最多 {MAX_URL} 个字节）。"),
    "server_error": (500, "服务器出错，请稍后再试。"),
    "search_unavailable": (503, "搜索暂时不可用，请稍后再试。"),
}
_BY_STATUS = {400: "bad_parameter", 404: "not_found", 405: "method_not_allowed", 414: "uri_too_long",
              500: "server_error", 503: "search_unavailable"}
_CSP_BLOCK = re.compile(r'\{% block csp %\}<meta http-equiv="Content-Security-Policy" content="([^"]+)">')
DEFAULT_POLICY = ("default-src 'self'; img-src 'self' data:; script-src 'self'; style-src 'self'; "
                  "object-src 'none'; base-uri 'none'; form-action 'self'")
HEADERS = {  # as deploy/nginx.conf sends them
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "strict-origin-when-cross-origin",
    "X-Frame-Options": "SAMEORIGIN",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def has_control(text: str) -> bool:
    """True when ``text`` holds a control character (C0, DEL, C1): never part of a name,
    a code or a path, and a NUL breaks file-system calls."""
    return any(unicodedata.category(c) == "Cc" for c in text)


def policies(template_dirs: list[Path]) -> dict[str, str]:
    """The Content-Security-Policy of each kind of page, read from the templates' own
    ``csp`` blocks (so the header always says what the page's meta tag says), plus
    ``frame-ancestors``, which only a header can say."""
    found: dict[str, str] = {}
    for key, name in (("page", "base.html"), ("search", "search.html"), ("server", "search_server.html")):
        for folder in template_dirs:
            path = Path(folder) / name
            match = _CSP_BLOCK.search(path.read_text(encoding="utf-8")) if path.is_file() else None
            if match:
                found[key] = match.group(1)
                break
    page = found.get("page", DEFAULT_POLICY)
    return {k: found.get(k, page) + "; frame-ancestors 'self'" for k in ("page", "search", "server")}


class SearchApp:
    """What the service answers from: the built site, its loaded index and the theme."""

    def __init__(self, output: Path, folder: Path, settings: dict[str, Any],
                 template_dirs: list[Path]) -> None:
        self.output = Path(output).resolve()
        self.folder = Path(folder)
        globals_ = {k: v for k, v in settings.items() if k.isupper() and k != "GONGKAI_MODEL"}
        self.env = make_environment(template_dirs, globals_)
        self.policies = policies(template_dirs)
        self.error_root = str(settings.get("GONGKAI_404_ROOT") or "/")
        self.problem = ""  # why the index cannot be read, if it cannot: searches answer 503
        try:
            engine.loaded(self.folder)  # read now: the first visitor waits for nothing
        except Exception as exc:  # the site is still served; each search tries to read it again
            self.problem = f"{type(exc).__name__}: {exc}"

    def index(self) -> engine.LoadedIndex:
        """The loaded index, or :class:`Unavailable` when it cannot be read (a broken or
        half-written build): the asker is told to try later, the operator why."""
        try:
            return engine.loaded(self.folder, wait=False)
        except Exception as exc:
            raise Unavailable(f"{type(exc).__name__}: {exc}") from exc

    @property
    def options(self) -> dict[str, list[str]]:
        return self.index().options

    def answer(self, params: Mapping[str, str]) -> dict[str, Any]:
        """The API's answer; ``params`` already checked by :func:`read_params`. A build
        that replaces the index is picked up without a restart (:func:`.engine.loaded`)."""
        index = self.index()
        filters = {f: params.get(f, "") for f in FILTERS}
        filters = {f: v for f, v in filters.items() if v in index.options.get(f, [])}
        sort = "date" if params.get("sort") == "date" else ""
        found = index.search(params.get("q", ""), int(params.get("limit") or PAGE_SIZE), filters, sort,
                             int(params.get("page") or 1))
        for hit in found["results"]:
            hit["kind_label"] = KIND_LABELS.get(hit["kind"], hit["kind"])
        found.update(filters=filters, sort=sort)
        return found

    def page(self, params: Mapping[str, str]) -> str:
        found = self.answer({k: v for k, v in params.items() if k != "limit"})
        query = found["query"]
        raw = params.get("q", "").strip()
        if not query:
            message = "请输入文字、数字或信用代码。" if raw else "请输入关键词。"
        elif not found["total"]:
            message = f"没有找到与“{query}”相符的结果。"
        elif found["total"] > len(found["results"]):
            first = (found["page"] - 1) * found["limit"] + 1
            shown = f"这是第 {first}–{first + len(found['results']) - 1} 条" if found["results"] else "本页没有结果"
            message = f"找到 {found['total']} 条结果，{shown}（第 {found['page']}/{found['pages']} 页）。"
        else:
            message = f"找到 {found['total']} 条结果。"
        return self.env.get_template("search_server.html").render(
            root="../", nav_current="search", filters=self.options, filter_labels=FILTER_LABELS,
            query=query, chosen=found["filters"], sort=found["sort"], results=found["results"],
            total=found["total"], message=message, search_query=query,
            pages=self._pages(params, found))

    def error_page(self, code: str) -> str:
        status, message = ERRORS[code]
        try:
            return self.env.get_template("error.html").render(
                root=self.error_root, status=status, message=message, nav_current="")
        except Exception:  # a theme without error.html, or one that fails: still Chinese
            return (f'<!doctype html><html lang="zh-CN"><meta charset="utf-8"><title>{status}</title>'
                    f'<h1>{message}</h1><p><a href="{self.error_root}">返回首页</a></p></html>')

    @staticmethod
    def _pages(params: Mapping[str, str], found: dict[str, Any]) -> dict[str, str]:
        """Links to the previous and next page of the same query (query string only)."""
        kept = [(k, v) for k, v in params.items() if k not in ("page", "limit") and v]
        out = {}
        if found["page"] > 1:
            out["previous"] = "?" + urlencode([*kept, ("page", min(found["page"] - 1, max(found["pages"], 1)))])
        if found["page"] < found["pages"]:
            out["next"] = "?" + urlencode([*kept, ("page", found["page"] + 1)])
        return out


class Unavailable(Exception):
    """The search index cannot be read; answered 503 ``search_unavailable``."""


class BadRequest(Exception):
    def __init__(self, code: str) -> None:
        super().__init__(code)
        self.code = code


def read_params(request: Request) -> dict[str, str]:
    """The search parameters, first value of each: ``q`` cut to :data:`.rank.MAX_QUERY`
    characters, ``page``/``limit`` positive integers (clamped by the search to at most
    10,000 and 100), no control characters anywhere."""
    out: dict[str, str] = {}
    for key, value in request.query_params.multi_items():
        if has_control(key) or has_control(value):
            raise BadRequest("control_character")
        out.setdefault(key, value)
    for key in ("page", "limit"):
        value = out.get(key, "").strip()
        if value and not (value.isascii() and value.isdigit() and int(value) > 0):
            raise BadRequest("bad_parameter")
    if "q" in out:
        out["q"] = out["q"][:MAX_QUERY]
    return out


class Guard:
    """Refuses what must never reach a handler: an over-long address (414), control
    characters in the path (400), any other method than GET and HEAD (405), and any dot
    file or folder (404: the build's bookkeeping and the server index live in the output
    as dot files). Every response gets the security headers and its page's policy."""

    def __init__(self, app: ASGIApp, search: SearchApp) -> None:
        self.app = app
        self.search = search

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope.get("path", "")
        raw = scope.get("raw_path") or path.encode("utf-8", "surrogateescape")
        policy = self.search.policies["server" if path in SERVER_PAGES else
                                      "search" if path.startswith("/search/") else "page"]

        started = False

        async def send_with_headers(message: dict) -> None:
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                headers = list(message.get("headers", []))
                names = {k.lower() for k, _ in headers}
                extra = {"Content-Security-Policy": policy, **HEADERS}
                if path.startswith("/api/") or path in SERVER_PAGES:
                    extra["Cache-Control"] = "no-store"
                headers += [(k.lower().encode(), v.encode()) for k, v in extra.items()
                            if k.lower().encode() not in names]
                message = {**message, "headers": headers}
            await send(message)

        code = None
        if len(raw) + len(scope.get("query_string", b"")) > MAX_URL:
            code = "uri_too_long"
        elif has_control(path):
            code = "control_character"
        elif scope["method"] not in ("GET", "HEAD"):
            code = "method_not_allowed"
        elif any(part.startswith(".") for part in path.split("/")):
            code = "not_found"
        if code is None:
            try:
                await self.app(scope, receive, send_with_headers)
            except Exception as exc:  # Starlette answered 500 and passed it on: one line, no traceback
                LOG.error("服务器出错：%s %s：%s: %s", scope["method"], path, type(exc).__name__, exc)
                if not started:
                    await error_response(self.search, path, "server_error")(scope, receive, send_with_headers)
            return
        response = error_response(self.search, path, code)
        await response(scope, receive, send_with_headers)


SERVER_PAGES = ("/search/", "/search/index.html")


def error_response(search: SearchApp, path: str, code: str) -> Response:
    """An error as the asker can read it: JSON from the API, otherwise a page in Chinese
    (a missing page is the site's own 404.html)."""
    status, message = ERRORS[code]
    headers = {"Allow": "GET, HEAD"} if status == 405 else None
    if path.startswith("/api/"):
        body = json.dumps({"error": message, "code": code, "status": status}, ensure_ascii=False)
        return Response(body, status, headers=headers, media_type="application/json; charset=utf-8")
    page = search.output / "404.html"
    if status == 404 and page.is_file():
        return HTMLResponse(page.read_bytes(), 404)
    return HTMLResponse(search.error_page(code), status, headers=headers)


def create_app(search: SearchApp) -> ASGIApp:
    """The ASGI application: the search routes, then the site's files."""
    limiter = anyio.CapacityLimiter(SEARCH_THREADS)

    async def in_thread(fn: Callable[..., Any], *args: Any) -> Any:
        return await anyio.to_thread.run_sync(fn, *args, limiter=limiter)

    async def guarded(request: Request, answer: Callable[[dict[str, str]], Awaitable[Response]]) -> Response:
        try:
            params = read_params(request)
        except BadRequest as exc:
            return error_response(search, request.url.path, exc.code)
        try:
            return await answer(params)
        except Unavailable as exc:  # say so in words; the operator learns why, in one line
            LOG.warning("搜索暂时不可用：%s", exc)
            return error_response(search, request.url.path, "search_unavailable")

    async def api(request: Request) -> Response:
        async def answer(params: dict[str, str]) -> Response:
            found = await in_thread(search.answer, params)
            return Response(json.dumps(found, ensure_ascii=False), media_type="application/json; charset=utf-8")
        return await guarded(request, answer)

    async def page(request: Request) -> Response:
        async def answer(params: dict[str, str]) -> Response:
            return HTMLResponse(await in_thread(search.page, params))
        return await guarded(request, answer)

    async def to_folder(request: Request) -> Response:
        query = request.url.query
        return RedirectResponse("search/" + (f"?{query}" if query else ""), 308)

    async def no_such_api(request: Request) -> Response:
        return error_response(search, request.url.path, "not_found")

    async def http_error(request: Request, exc: Exception) -> Response:
        status = getattr(exc, "status_code", 500)
        return error_response(search, request.url.path, _BY_STATUS.get(status, "server_error"))

    async def server_error(request: Request, exc: Exception) -> Response:
        return error_response(search, request.url.path, "server_error")

    routes = [
        Route("/api/search", api, methods=["GET", "HEAD"]),
        Route("/search/", page, methods=["GET", "HEAD"]),
        Route("/search/index.html", page, methods=["GET", "HEAD"]),
        Route("/search", to_folder, methods=["GET", "HEAD"]),
        Route("/api/{rest:path}", no_such_api, methods=["GET", "HEAD"]),
        Mount("/", StaticFiles(directory=search.output, html=True, follow_symlink=False)),
    ]
    app = Starlette(routes=routes, exception_handlers={HTTPException: http_error, 500: server_error})
    HttpProtocol.answer = malformed_answer(search)
    return Guard(app, search)


def malformed_answer(search: SearchApp) -> bytes:
    """The whole response to a request uvicorn cannot parse (a broken request line or
    header): the theme's error page in Chinese, with the security headers, then close."""
    status, _ = ERRORS["bad_request"]
    body = search.error_page("bad_request").encode("utf-8")
    headers = {"Content-Type": "text/html; charset=utf-8", "Content-Length": str(len(body)),
               "Connection": "close", "Content-Security-Policy": search.policies["page"], **HEADERS}
    head = f"HTTP/1.1 {status} Bad Request\r\n" + "".join(f"{k.lower()}: {v}\r\n" for k, v in headers.items())
    return head.encode("utf-8") + b"\r\n" + body


class HttpProtocol(HttpToolsProtocol):
    """uvicorn's HTTP protocol (httptools, what it picks by itself), whose answer to a
    request it cannot parse is in Chinese, not its own English plain text. Named in the
    server's ``Config(http=...)`` (:data:`HTTP_PROTOCOL`), so worker processes use it too;
    :func:`create_app` sets the page from the theme, in each process."""

    answer: bytes = (f'HTTP/1.1 400 Bad Request\r\ncontent-type: text/html; charset=utf-8\r\n'
                     f'connection: close\r\n\r\n<!doctype html><html lang="zh-CN"><meta charset="utf-8">'
                     f'<h1>{ERRORS["bad_request"][1]}</h1></html>').encode()

    def send_400_response(self, msg: str) -> None:
        self.transport.write(self.answer)
        self.transport.close()


HTTP_PROTOCOL = f"{__name__}:HttpProtocol"


ENVIRONMENT = "GONGKAI_SERVE"  # how worker processes learn what to serve (commands.run_serve)
