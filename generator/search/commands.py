"""``gongkai search`` and ``gongkai serve``: both read the index a build wrote."""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from .build import OPTIONS
from .records import KIND_LABELS
from .server_index import index_dir

PACKAGE_ROOT = Path(__file__).resolve().parents[2]


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


def run_serve(settings: dict[str, Any], output: str | None, port: int) -> int:
    from .serve import SearchApp, make_server

    out, folder = _folder(settings, output)
    theme = Path(settings.get("THEME") or PACKAGE_ROOT / "themes/gongkai")
    app = SearchApp(out, folder, settings, [theme / "templates"])
    try:
        server = make_server(app, port)
    except OSError as exc:
        raise NoIndex(f"无法在 127.0.0.1:{port} 上启动服务：{exc.strerror or exc}") from exc
    print(f"正在服务 {out}：http://127.0.0.1:{server.server_address[1]}/（Ctrl+C 停止）", flush=True)
    try:
        server.serve_forever()
    except KeyboardInterrupt:
        pass
    finally:
        server.server_close()
    return 0
