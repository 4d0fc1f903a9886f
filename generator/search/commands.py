"""``gongkai search`` and ``gongkai serve``: both read the index a build wrote."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .build import OPTIONS
from .records import KIND_LABELS
from .server_index import index_dir


class NoIndex(Exception):
    """No server index for this output folder (exit 2 with a message)."""


def _folder(settings: dict[str, Any], output: str | None) -> tuple[Path, Path]:
    out = Path(output or settings.get("OUTPUT_PATH") or "output")
    folder = index_dir(settings, out)
    if not (folder / OPTIONS).is_file():
        raise NoIndex(f"没有找到 {out} 的搜索索引（{folder}）：请先运行 gongkai build"
                      "（并保持 GONGKAI_SEARCH_SERVER_INDEX 为 True）。")
    return out, folder


def run_search(settings: dict[str, Any], query: str, output: str | None, limit: int,
               as_json: bool, page: int = 1) -> int:
    from .server_index import search

    _, folder = _folder(settings, output)
    found = search(folder, query, limit, page=page)
    if as_json:
        print(json.dumps(found, ensure_ascii=False, indent=1))
        return 0
    if not found["query"]:
        print("查询为空：请输入文字、数字或信用代码。", file=sys.stderr)
        return 0
    if not found["results"]:
        print(f"没有找到与“{found['query']}”相符的结果。")
        return 0
    for hit in found["results"]:
        extra = "  ".join(x for x in (hit["code"], hit["summary"], hit["date"]) if x)
        print(f"{KIND_LABELS.get(hit['kind'], hit['kind'])}  {hit['title']}  {extra}\n    {hit['url']}")
    shown = len(found["results"])
    first = (found["page"] - 1) * found["limit"] + 1
    print(f"共 {found['total']} 条" + (f"，显示第 {first}–{first + shown - 1} 条（第 {found['page']}/"
                                      f"{found['pages']} 页，--page 翻页）" if found["total"] > shown else ""))
    return 0


def search_app(settings: dict[str, Any], output: str | None):
    """The service's view of a built site: its output, index and theme."""
    from ..agency import theme_path
    from .serve import SearchApp

    out, folder = _folder(settings, output)
    theme = Path(settings.get("THEME") or theme_path())
    if not (theme / "templates" / "search_server.html").is_file():  # e.g. relative to elsewhere
        theme = Path(theme_path())
    return SearchApp(out, folder, settings, [theme / "templates"])


def run_serve(settings: dict[str, Any], output: str | None, port: int, host: str = "127.0.0.1",
              production: bool = False, workers: int = 1, settings_file: str | None = None) -> int:
    """Serve until Ctrl+C (or SIGTERM). Preview: one process, quiet. Production (behind
    nginx): access log, the proxy's client address, ``workers`` processes that each read
    the index once."""
    import os
    import socket

    import uvicorn

    from .serve import ENVIRONMENT, HTTP_PROTOCOL, create_app

    # a missing or unreadable index fails here, in words; with several workers each of them
    # reads it, the supervising process only checks that it is there
    app = search_app(settings, output) if workers == 1 else None
    if app is not None and app.problem:
        raise NoIndex(f"无法读取 {app.folder} 的搜索索引：{app.problem}；请重新运行 gongkai build。")
    out = app.output if app is not None else _folder(settings, output)[0].resolve()
    try:
        family = socket.AF_INET6 if ":" in host else socket.AF_INET
        # IPPROTO_TCP named: asyncio sets TCP_NODELAY only on sockets that say so, and without
        # it a response's body waits for the client's delayed ACK of its headers
        sock = socket.socket(family, socket.SOCK_STREAM, socket.IPPROTO_TCP)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        sock.bind((host, port))
    except OSError as exc:
        raise NoIndex(f"无法在 {host}:{port} 上启动服务：{exc.strerror or exc}") from exc
    bound = sock.getsockname()[1]
    options: dict[str, Any] = dict(
        log_level="info" if production else "warning", access_log=production,
        proxy_headers=production, forwarded_allow_ips="127.0.0.1,::1", server_header=False,
        http=HTTP_PROTOCOL,  # a request it cannot parse is answered in Chinese too
        backlog=2048, timeout_keep_alive=5, timeout_graceful_shutdown=10,
    )
    shown = f"[{host}]" if ":" in host else host
    mode = f"正式模式，{workers} 个进程" if production and workers > 1 else ("正式模式" if production else "预览")
    print(f"正在服务 {out}（{mode}）：http://{shown}:{bound}/（Ctrl+C 停止）", flush=True)
    if workers > 1:  # uvicorn binds the address itself and hands it to its worker processes
        sock.close()
        os.environ[ENVIRONMENT] = json.dumps({"cwd": os.getcwd(), "settings": settings_file,
                                              "output": str(out)}, ensure_ascii=False)
        uvicorn.run("generator.search.commands:app_from_environment", factory=True, host=host, port=bound,
                    workers=workers, **options)
    elif app is not None:
        uvicorn.Server(uvicorn.Config(create_app(app), **options)).run(sockets=[sock])
    return 0


def app_from_environment():
    """The application for a worker process uvicorn started (production, several workers):
    the same settings, site and index as the command that started it (which checked the
    settings file already)."""
    import os

    from ..settings import SITE_DEFAULTS, load_settings
    from .serve import ENVIRONMENT, create_app

    given = json.loads(os.environ[ENVIRONMENT])
    os.chdir(given["cwd"])
    settings = load_settings(given["settings"] or ("pelicanconf.py" if Path("pelicanconf.py").is_file()
                                                   else SITE_DEFAULTS))
    return create_app(search_app(settings, given["output"]))
