"""Everything a user reads on the console is Chinese: argparse's and the libraries' words too.

Agencies run ``gongkai`` and ``make html`` without reading English. argparse prints its
headings and errors through gettext, which has no Chinese catalogue for it, so its
messages are given here; Pelican and Docutils print a few English lines of their own,
which are translated or, where they say nothing an agency needs, left out.
"""

from __future__ import annotations

import argparse
import logging
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any

# argparse's messages (Python 3.11 to 3.13), as gettext message ids
ARGPARSE = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "expected one argument": "后面需要一个值",
    "expected at most one argument": "后面最多有一个值",
    "expected at least one argument": "后面至少需要一个值",
    "expected %s argument": "后面需要 %s 个值",
    "expected %s arguments": "后面需要 %s 个值",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选项 %(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "%(value)r 不是有效的%(type)s",
    "ambiguous option: %(option)s could match %(matches)s":
        "选项 %(option)s 不明确，可能是：%(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 中必须提供一个",
    "ignored explicit argument %r": "多余的值 %r 被忽略",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)":
        "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
    "argument \"-\" with mode %r": "参数“-”不能用于模式 %r",
}


def _translate(message: str) -> str:
    return ARGPARSE.get(message, message)


def _ntranslate(singular: str, plural: str, n: int) -> str:
    return _translate(singular if n == 1 else plural)


def chinese_argparse() -> None:
    """argparse speaks Chinese from here on (its headings are made when a parser is made).

    argparse looks its messages up through its module-level ``_`` and ``ngettext`` at the
    moment it prints them; there is no other hook, so those two names are replaced.
    """
    argparse._ = _translate  # type: ignore[attr-defined]
    argparse.ngettext = _ntranslate  # type: ignore[attr-defined]


def integer(text: str) -> int:
    """An ``int`` argument whose error names the type in Chinese (argparse uses ``__name__``)."""
    return int(text)


integer.__name__ = "整数"


def name_types(parser: argparse.ArgumentParser) -> None:
    """Give every ``type=int`` argument of ``parser`` and its subcommands a Chinese type name."""
    for action in parser._actions:
        if action.type is int:
            action.type = integer
        if isinstance(action, argparse._SubParsersAction):
            for sub in action.choices.values():
                name_types(sub)


# --- Pelican and Docutils -------------------------------------------------------------------

# Pelican's English log lines that say nothing an agency can act on
_SILENCED = (
    "Docutils has no localization for",  # DEFAULT_LANG "zh"; no content/ page is reStructuredText
)
# known Pelican warnings, translated; "{0}" is the first argument of the log call
_TRANSLATED = {
    "Unable to find": "找不到 {0}",
    "Empty alt attribute for image": "图片缺少替代文字（alt）：{0}",
}


class _PelicanLines(logging.Filter):
    """Drops the lines in :data:`_SILENCED` and puts known warnings into Chinese."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = str(record.msg)
        if message.startswith(_SILENCED):
            return False
        for start, chinese in _TRANSLATED.items():
            if message.startswith(start):
                args = record.args if isinstance(record.args, tuple) else (record.args,)
                record.msg, record.args = chinese.format(*(args or ("",))), ()
                break
        return True


class _ChineseHandler(logging.Handler):
    """Pelican's warnings during ``gongkai build``, under a Chinese label, on stderr."""

    def emit(self, record: logging.LogRecord) -> None:
        try:
            label = "错误" if record.levelno >= logging.ERROR else "警告"
            print(f"{label}（Pelican）：{record.getMessage()}", file=sys.stderr)
        except Exception:  # noqa: BLE001 - a log line must never stop a build
            self.handleError(record)


_installed = False


def quiet_pelican(handler: bool = False) -> None:
    """Filter Pelican's English lines; with ``handler``, also print its warnings in Chinese.

    Called when the plugin registers (``gongkai build`` and ``pelican content`` alike);
    ``gongkai build`` adds the handler, since it sets up no logging of its own and Python
    would print the bare English message. Pelican's closing "Done: Processed …" line is
    left out: ``gongkai build`` prints its own summary, and ``pelican content`` lists the
    files it wrote above it.
    """
    global _installed
    line_filter = _PelicanLines()
    for name in ("pelican", "pelican.readers", "pelican.generators", "pelican.contents",
                 "pelican.utils", "pelican.settings", "pelican.plugins._utils"):
        logger = logging.getLogger(name)
        if not any(isinstance(f, _PelicanLines) for f in logger.filters):
            logger.addFilter(line_filter)
    if handler:
        logger = logging.getLogger("pelican")
        if not any(isinstance(h, _ChineseHandler) for h in logger.handlers):
            chinese = _ChineseHandler(logging.WARNING)
            chinese.addFilter(line_filter)
            logger.addHandler(chinese)
            logger.propagate = False
    if _installed:
        return
    _installed = True
    try:
        from pelican import log
    except ImportError:
        return
    log.console.print = _without_done(log.console.print)


def _without_done(print_: Callable[..., Any]) -> Callable[..., Any]:
    def filtered(*objects: Any, **kwargs: Any) -> Any:
        if objects and isinstance(objects[0], str) and objects[0].startswith("Done: Processed"):
            return None
        return print_(*objects, **kwargs)

    return filtered


class UsageError(Exception):
    """A problem with how the command was called (exit code 2)."""


def command_settings(path: str | None) -> dict:
    """The settings a command runs with: the file given, else ./pelicanconf.py, else
    gongkai's defaults; a missing or broken file is the caller's to fix (exit 2)."""
    from .settings import SITE_DEFAULTS, load_settings

    if path is None and Path("pelicanconf.py").is_file():
        path = "pelicanconf.py"
    if path is not None and not Path(path).is_file():
        raise UsageError(f"设置文件不存在：{path}")
    try:
        return load_settings(path if path is not None else SITE_DEFAULTS)
    except Exception as exc:  # a settings file is Python: any error in it is the user's to fix
        raise UsageError(f"设置文件 {path} 无法执行：{type(exc).__name__}: {exc}") from exc


def check_plugins(settings: dict) -> None:
    """Import every plugin the settings name before Pelican runs.

    Pelican logs a plugin that fails to import and builds on without it, which for
    gongkai's own plugin means a site without its filters and data pages; a missing
    dependency must stop the build with its name instead.
    """
    import importlib

    for name in settings.get("PLUGINS") or []:
        if not isinstance(name, str):
            continue
        try:
            importlib.import_module(name)
        except Exception as exc:  # any import error leaves the site without the plugin
            raise UsageError(f"插件 {name} 无法加载：{type(exc).__name__}: {exc}"
                             "（缺少的依赖请随 gongkai 一起安装：pip install gongkai）") from exc
