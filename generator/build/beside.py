"""Stages of a rebuild that run in forked processes beside the data pages.

A rebuild of a site in use renders few pages, and its other stages (the search
records and indexes, the open-data files) need only the model. Run one after the
other they are single-core work on a machine with more; started in processes of their
own when the pages start (``data_outputs_starting``, or ``rule_figures_ready`` for a
stage that reads the rule figures: see :mod:`generator.signals`), they share the cores
with the pages. When every page is rendered again (a first build, a changed template) the
stages run afterwards, in the build process: the page workers use every core then,
and the stages' working memory would add up.
"""

from __future__ import annotations

import os
from collections.abc import Callable
from typing import Any

from ..forked import Forked, can_fork
from .context import current


def may_run_beside(settings: dict[str, Any], setting: str, rerender_all: bool,
                   has_earlier: bool, executor_tasks: bool = False) -> bool:
    """``setting`` (True, False or "auto"): "auto" runs a stage beside the pages on a
    rebuild (``has_earlier``: its output of an earlier build is there) that does not
    render every page again, on a machine with more than one core.

    ``executor_tasks``: the stage hands partitions to the build's executor. A forked
    process cannot use the client of a Dask cluster (its connection lives in threads,
    which a fork does not copy), so on a cluster such a stage stays in the build process.
    """
    if not can_fork():
        return False
    run = current()
    if executor_tasks and run is not None and run.cluster is not None:
        return False
    choice = settings.get(setting, "auto")
    if choice != "auto":
        return bool(choice)
    cores = int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1)
    return cores > 1 and not rerender_all and has_earlier


def start_beside(context: dict[str, Any], key: str, fn: Callable[..., Any], *args: Any) -> None:
    """Run ``fn(*args)`` in a forked process, found again under ``key`` of the generators'
    shared ``context``; the pages leave it one core."""
    context[key] = Forked(fn, *args)
    run = current()
    if run is not None:
        run.busy_cores += 1


def wait_beside(context: dict[str, Any], key: str) -> bool:
    """Wait for the stage started under ``key`` (its error is raised here); False when
    none was started, and the caller runs the stage itself."""
    job = context.pop(key, None)
    if job is None:
        return False
    job.result()
    return True
