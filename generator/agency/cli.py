"""The agency subcommands of ``gongkai``: init, templates and diff."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

from ..console import UsageError, command_settings


def cmd_init(args: argparse.Namespace) -> int:
    from .init import AgencyAnswers, InitError, init_repository, prompt_answers

    if args.region is None and sys.stdin.isatty():
        answers = prompt_answers()
    else:
        answers = AgencyAnswers(region=args.region or "", departments=args.department or [],
                                site_url=args.site_url or "", base_path=args.base_path,
                                package=args.package)
    try:
        written = init_repository(Path(args.dir), answers, force=args.force)
    except InitError as exc:
        raise UsageError(str(exc)) from exc
    print(f"已在 {args.dir} 生成 {len(written)} 个文件。下一步：")
    print(f"  cd {args.dir} && git init && pre-commit install")
    print("  把平台导出的表格放进 data/（或填写其中的模板），然后 make validate、make html。")
    return 0


def cmd_templates(args: argparse.Namespace) -> int:
    from .templates import write_templates

    settings = command_settings(args.settings)
    formats = ("xlsx", "csv") if args.format == "both" else (args.format,)
    written = write_templates(Path(args.out), formats, settings)
    for path in written:
        print(path)
    return 0


def cmd_diff(args: argparse.Namespace) -> int:
    from ..contract import load_contract
    from .diff import DiffError, as_json, as_markdown, as_text, published_lines
    from .revisions import diff_revisions

    settings = command_settings(args.settings)
    data = Path(args.data or settings.get("GONGKAI_DATA_DIR", "data"))
    if args.folders and (args.rev_from or args.rev_to):
        raise UsageError("比较两个目录时不能同时使用 --from/--to。")
    if args.folders and len(args.folders) != 2:
        raise UsageError("请给出两个数据目录：gongkai diff 旧目录 新目录")
    try:
        diff = diff_revisions(data, settings, args.rev_from, args.rev_to,
                              tuple(args.folders) if args.folders else None)
    except DiffError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    contract = load_contract()
    if args.published:
        # the commit hook: only what happened to records already public
        lines = published_lines(diff, contract["results"])
        if lines:
            print(f"已公示的记录有变化（{diff.source} → {diff.target}）：")
            print("\n".join(f"  {line}" for line in lines))
            mode = str(settings.get("GONGKAI_RETRACTIONS", "warn"))
            print("这些变化会在网站的“更新记录”页面公开。如果是误删或误改，请恢复后再提交。")
            return 1 if mode == "error" else 0
        return 0
    report = {"json": lambda d: as_json(d), "markdown": lambda d: as_markdown(d, contract)}.get(
        args.format, lambda d: as_text(d, contract))
    print(report(diff))
    return 0


def add_agency_commands(sub: Any) -> None:
    """``sub``: the ``gongkai`` parser's subcommands (what ``add_subparsers`` returned)."""
    p = sub.add_parser("init", help="生成一个新的公示数据仓库（模板、设置、持续集成）")
    p.add_argument("dir", help="新仓库的目录")
    p.add_argument("--region", help="地区名称，如 青禾县（不给出时逐项提问）")
    p.add_argument("--department", action="append", help="发布部门，可重复")
    p.add_argument("--site-url", help="网站地址，如 https://www.example.gov.cn")
    p.add_argument("--base-path", default="/", help="网站所在路径，如 /sjsgk/（默认 /）")
    p.add_argument("--package", default="",
                   help="requirements.txt 中安装 gongkai 的写法（默认：与本版本兼容的范围，如 gongkai>=0.2.0,<0.3；"
                        "也可以是 wheel 文件或 git 地址，如 \"gongkai @ git+https://…@v0.2.0\"）")
    p.add_argument("--force", action="store_true", help="目录不空时也写入（覆盖同名文件）")
    p.set_defaults(func=cmd_init)

    p = sub.add_parser("templates", help="生成各表的空白填报模板（XLSX 和 CSV）")
    p.add_argument("--out", required=True, help="输出目录")
    p.add_argument("--format", choices=["both", "xlsx", "csv"], default="both")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.set_defaults(func=cmd_templates)

    p = sub.add_parser("diff", help="比较两个版本的数据（默认：上次提交 → 工作区）")
    p.add_argument("folders", nargs="*", help="两个数据目录（不给出时按 git 版本比较）")
    p.add_argument("--from", dest="rev_from", help="旧版本（默认 HEAD）")
    p.add_argument("--to", dest="rev_to", help="新版本（默认工作区）")
    p.add_argument("--data", help="数据目录（默认取设置中的 GONGKAI_DATA_DIR）")
    p.add_argument("--format", choices=["text", "markdown", "json"], default="text")
    p.add_argument("--published", action="store_true",
                   help="只列出已公示记录的撤回、更正和被删除的文件（提交钩子用）")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.set_defaults(func=cmd_diff)
