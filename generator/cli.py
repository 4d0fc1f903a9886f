"""The ``gongkai`` command: validate agency data, build the site, make sample data.

Exit codes: 0 success, 1 the data has errors (or warnings with --strict), 2 usage
error or unreadable data folder. Bad input never produces a traceback.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from . import __version__
from .console import UsageError, check_plugins, command_settings
from .settings import SITE_DEFAULTS as DEFAULT_SETTINGS

if TYPE_CHECKING:
    from .build.executor import ClusterExecutor


class StrictRefused(Exception):
    """``--strict`` and the build found warnings: the staged site is not published."""



def cmd_validate(args: argparse.Namespace) -> int:
    from .model import load_model
    from .model.load import DataFolderError
    from .validate.report import as_json, as_markdown, as_text

    settings = command_settings(args.settings)
    data = args.data or settings.get("GONGKAI_DATA_DIR", "data")
    try:
        model = load_model(data, settings)
    except DataFolderError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    report = {"json": as_json, "markdown": as_markdown}.get(args.format, as_text)
    print(report(model))
    if model.problems.errors or (args.strict and model.problems.warnings):
        return 1
    return 0


def cmd_build(args: argparse.Namespace) -> int:
    import time

    from pelican.settings import read_settings

    from .build import inputs
    from .build.atomic import BuildRunning, only_build

    start = time.perf_counter()
    settings_path = args.settings or ("pelicanconf.py" if Path("pelicanconf.py").is_file()
                                      else None)
    merged = command_settings(settings_path)  # a missing or broken settings file is a usage error
    check_plugins(merged)
    override: dict = {}
    if args.content:
        override["PATH"] = str(Path(args.content).resolve())
    if args.output:
        override["OUTPUT_PATH"] = str(Path(args.output).resolve())
    if settings_path is None:
        # gongkai's own defaults, the folders relative to where the command runs
        print("提示：当前目录没有设置文件 pelicanconf.py，使用 gongkai 的默认设置"
              "（可用 --settings 指定设置文件，gongkai init 可生成一份）。", file=sys.stderr)
        from .agency import theme_path

        override.setdefault("THEME", theme_path())  # the checkout's themes/, or the installed package's
        # pages come from content/notices and content/pages when there is a content/
        override.setdefault("PATH", str(Path("content").resolve() if Path("content").is_dir()
                                        else DEFAULT_SETTINGS.with_name("no_content")))
        override.setdefault("OUTPUT_PATH", str(Path("output").resolve()))
        override.setdefault("CACHE_PATH", str(Path("cache").resolve()))
    settings = read_settings(str(settings_path or DEFAULT_SETTINGS), override=override)
    base = Path(settings_path).resolve().parent if settings_path else Path.cwd()
    data = Path(args.data) if args.data else base / settings.get("GONGKAI_DATA_DIR", "data")
    output = Path(settings["OUTPUT_PATH"]).absolute()
    key = inputs.build_key(data, Path(settings["PATH"]), Path(settings["THEME"]),
                           Path(settings_path) if settings_path else None,
                           [repr(sorted((k, repr(v)) for k, v in merged.items() if k.isupper()))])
    try:
        with only_build(output):  # a second build on the same output stops here, said so
            return _build_held(args.force, settings, merged, data, output, key, start,
                               args.strict, args.scheduler or settings.get("GONGKAI_SCHEDULER"))
    except BuildRunning as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2


def _build_held(force: bool, settings: dict, merged: dict, data: Path, output: Path, key: str,
                start: float, strict: bool = False, scheduler: str | None = None) -> int:
    """The build of cmd_build once it holds its output: skipped when nothing changed,
    else validated, rendered beside the published site and swapped in.

    ``strict``: warnings refuse publication, as ``gongkai validate --strict`` fails on them.
    ``scheduler``: the Dask scheduler whose workers run the partitioned stages.
    """
    import time

    from .build import inputs
    from .console import quiet_pelican

    quiet_pelican(handler=True)  # Pelican's few English lines: in Chinese, or left out
    last = None if force else inputs.unchanged(output, key)
    if last is not None:
        print("无变化：数据、内容、设置、主题和程序都与上次生成时相同，未重新生成"
              "（需要时用 --force 重新生成）")
        for line in last.get("warnings", []):
            print(line, file=sys.stderr)
        if strict and last.get("warnings"):
            print("错误：--strict：上次生成时有警告，请先处理。", file=sys.stderr)
            return 1
        print(last.get("reconciliation", ""))
        print(f"完成：输出到 {output}，用时 {time.perf_counter() - start:.1f} 秒")
        return 0
    cluster = None
    if scheduler:  # asked for a cluster: reached now, or the build stops; never run locally
        from .build.executor import ClusterError, ClusterExecutor

        try:
            cluster = ClusterExecutor.reach(scheduler, settings)
        except ClusterError as exc:
            print(f"错误：{exc}", file=sys.stderr)
            return 2
    try:
        return _build_staged(settings, merged, data, output, key, start, strict, cluster)
    finally:
        if cluster is not None:
            cluster.close()


def _build_staged(settings: dict, merged: dict, data: Path, output: Path, key: str,
                  start: float, strict: bool, cluster: ClusterExecutor | None) -> int:
    """Validate, render beside the published site, and swap in (see :func:`_build_held`)."""
    import time
    from functools import partial

    from pelican import Pelican

    from .build import inputs
    from .build.atomic import Seeding, staged_output, staging_path
    from .build.context import BuildContext, active
    from .build.executor import ClusterError
    from .build.gate import DataRefused, publishable_model
    from .build.shared import linked_files
    from .trust.reconcile import ReconciliationError, reconciliation_line
    from .trust.reproducible import clamp_mtimes, source_date_epoch
    from .validate.report import warning_summary

    pointer = f"gongkai validate --data {data}（逐条列出每个问题；--format json 供程序读取）"
    linked = partial(linked_files, output)  # listed only when the staging folder is prepared
    seeding = Seeding(output, linked)  # on the second core while the data is validated
    try:
        model = publishable_model(data, merged, Path(settings.get("CACHE_PATH", "cache")))
    except DataRefused as exc:
        seeding.cancel()
        print(f"错误：{exc}", file=sys.stderr)
        return exc.exitcode
    except BaseException:
        seeding.cancel()
        raise
    if strict and model.problems.warnings:
        seeding.cancel()
        for line in warning_summary(model, pointer):
            print(line, file=sys.stderr)
        print(f"错误：--strict：数据有 {model.problems.warnings} 个警告，未发布。", file=sys.stderr)
        return 1
    settings["GONGKAI_DATA_DIR"] = str(data)
    if not Path(settings["PATH"]).is_dir():
        Path(settings["PATH"]).mkdir(parents=True)
    # build beside the published site and swap only a finished, reconciled build in
    staging = staging_path(output)
    try:
        with staged_output(output, linked, seeding):
            settings["OUTPUT_PATH"] = str(staging)
            this_run = BuildContext(data_dir=data, output=staging, published=output,
                                    cache_dir=Path(settings.get("CACHE_PATH", "cache")),
                                    model=model, command="gongkai", cluster=cluster)
            with active(this_run):
                Pelican(settings).run()
            # every warning, those of validation and those found while building (W304,
            # W501), grouped as gongkai validate groups them
            summary = warning_summary(model, pointer)
            for text in summary:
                print(text, file=sys.stderr)
            if strict and summary:
                raise StrictRefused(f"--strict：生成时发现 {model.problems.warnings} 个警告，"
                                    "未发布。")
            line = reconciliation_line(model)
            inputs.record(staging, key, line, summary)
            epoch = source_date_epoch()
            if epoch is not None:
                clamp_mtimes(staging, epoch)
    except (ReconciliationError, StrictRefused, ClusterError) as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 1
    print(line)
    print(f"完成：输出到 {output}，用时 {time.perf_counter() - start:.1f} 秒")
    return 0


def cmd_contract_doc(args: argparse.Namespace) -> int:
    from .contract.docs import contract_markdown

    text = contract_markdown()
    if args.out == "-":
        sys.stdout.write(text)
    else:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(text, encoding="utf-8")
    return 0


def cmd_search(args: argparse.Namespace) -> int:
    from .search.commands import NoIndex, run_search

    if args.limit < 1:
        raise UsageError("--limit 须为正整数")
    if args.page < 1:
        raise UsageError("--page 须为正整数")
    try:
        return run_search(command_settings(args.settings), args.query, args.output, args.limit,
                          args.json, args.page)
    except NoIndex as exc:
        raise UsageError(str(exc)) from exc


def cmd_serve(args: argparse.Namespace) -> int:
    from .search.commands import NoIndex, run_serve

    if not 0 <= args.port <= 65535:
        raise UsageError("--port 须在 0 到 65535 之间")
    if args.workers < 1 or (args.workers > 1 and not args.production):
        raise UsageError("--workers 须为正整数，多于 1 个进程时须同时指定 --production")
    try:
        return run_serve(command_settings(args.settings), args.output, args.port, args.host, args.production,
                         args.workers, args.settings and str(Path(args.settings).resolve()))
    except NoIndex as exc:
        raise UsageError(str(exc)) from exc


def cmd_sample_data(args: argparse.Namespace) -> int:
    from .sample import write_sample_data

    counts = write_sample_data(Path(args.out), results=args.results, seed=args.seed)
    for table, n in counts.items():
        print(f"{table}: {n}")
    return 0


def build_parser() -> argparse.ArgumentParser:
    from .console import chinese_argparse, name_types

    chinese_argparse()  # before any parser is made: the headings are made with it
    parser = argparse.ArgumentParser(prog="gongkai", description="双随机、一公开信息公示")
    parser.add_argument("--version", action="version", version=f"gongkai {__version__}",
                        help="显示版本号并退出")
    sub = parser.add_subparsers(dest="command", required=True, title="命令",
                                metavar="命令", help="下列命令之一（gongkai 命令 -h 查看其用法）")

    p = sub.add_parser("validate", help="校验 data/ 中的数据文件")
    p.add_argument("--data", help="数据目录（默认 data）")
    p.add_argument("--format", choices=["text", "json", "markdown"], default="text",
                   help="报告格式：text（默认）、json（机器可读，含程序库的原始错误信息）或 markdown")
    p.add_argument("--strict", action="store_true", help="有警告也返回 1")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.set_defaults(func=cmd_validate)

    p = sub.add_parser("build", help="校验数据并生成站点")
    p.add_argument("--data", help="数据目录（默认取设置中的 GONGKAI_DATA_DIR）")
    p.add_argument("--content", help="内容目录（默认 content）")
    p.add_argument("--output", help="输出目录（默认 output）")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.add_argument("--force", action="store_true",
                   help="即使数据、内容、设置、主题和程序都与上次相同，也重新生成")
    p.add_argument("--strict", action="store_true",
                   help="有警告也不发布（返回 1），与 gongkai validate --strict 相同")
    p.add_argument("--scheduler", metavar="地址",
                   help="在 Dask 集群上生成：调度器地址，如 tcp://10.0.0.5:8786"
                        "（默认取设置中的 GONGKAI_SCHEDULER；不设则在本机生成）")
    p.set_defaults(func=cmd_build)

    p = sub.add_parser("contract-doc", help="生成数据规范文档")
    p.add_argument("--out", default="docs/数据规范.md")
    p.set_defaults(func=cmd_contract_doc)

    from .agency.cli import add_agency_commands

    add_agency_commands(sub)

    p = sub.add_parser("search", help="在已生成站点的搜索索引中查找")
    p.add_argument("query", help="企业名称片段、统一社会信用代码、任务或事项")
    p.add_argument("--limit", type=int, default=20, help="每页条数（默认 20，最多 100）")
    p.add_argument("--page", type=int, default=1, help="第几页（默认 1）")
    p.add_argument("--json", action="store_true", help="输出 JSON")
    p.add_argument("--output", help="站点输出目录（默认取设置中的 OUTPUT_PATH）")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.set_defaults(func=cmd_search)

    p = sub.add_parser("serve", help="提供站点和服务器端搜索（预览，或 --production 在 nginx 之后正式运行）")
    p.add_argument("--port", type=int, default=8000, help="端口（默认 8000；0 为任意空闲端口）")
    p.add_argument("--host", default="127.0.0.1", help="监听地址（默认 127.0.0.1，只有本机可以访问）")
    p.add_argument("--production", action="store_true",
                   help="正式模式：记录访问日志，信任本机反向代理（nginx）转来的客户端地址")
    p.add_argument("--workers", type=int, default=1, help="正式模式下的进程数（默认 1；每个进程各读一次索引）")
    p.add_argument("--output", help="站点输出目录（默认取设置中的 OUTPUT_PATH）")
    p.add_argument("--settings", help="设置文件（默认当前目录的 pelicanconf.py）")
    p.set_defaults(func=cmd_serve)

    p = sub.add_parser("sample-data", help="生成任意规模的示例数据")
    p.add_argument("--results", type=int, default=900, help="抽查结果行数")
    p.add_argument("--seed", type=int, default=2026)
    p.add_argument("--out", required=True, help="输出目录")
    p.set_defaults(func=cmd_sample_data)
    name_types(parser)
    return parser


def main(argv: list[str] | None = None) -> int:
    parser = build_parser()
    args = parser.parse_args(argv)
    try:
        return args.func(args)
    except UsageError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        return 130
    finally:  # nothing this command started outlives it
        from .model.cache import finish_writing

        finish_writing()


if __name__ == "__main__":
    sys.exit(main())
