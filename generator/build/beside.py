"""Stages of a rebuild that run in a forked process beside the data pages.

A rebuild of a site in use renders few pages, and its other stages (the search
records and indexes, the open-data files) need only the model. Run after the pages they
are single-core work on a machine with more. Each stage that may run beside the pages
is offered when the pages start (``data_outputs_starting``, or ``rule_figures_ready``
for a stage that reads the rule figures: see :mod:`generator.signals`), and once the
figures are worked out one forked process runs the offered stages one after the other
while the build process writes the pages. One process, not one per stage: the working
memory of a stage is a good part of the model's, and two at once beside the pages
would hold nearly twice what the build needs otherwise. When every page is rendered
again (a first build, a changed template) the stages run afterwards, in the build
process: the page workers use every core then.
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


QUEUE = "gongkai_beside_stages"


def start_beside(context: dict[str, Any], key: str, fn: Callable[..., Any], *args: Any) -> None:
    """Offer ``fn(*args)`` to the process beside the pages (see :func:`launch_beside`);
    it is found again under ``key`` of the generators' shared ``context``. A stage
    offered or started already is not offered again."""
    offered = context.setdefault(QUEUE, [])
    if key not in context and all(key != k for k, _, _ in offered):
        offered.append((key, fn, args))


def launch_beside(context: dict[str, Any]) -> None:
    """Fork the one process that runs every stage offered so far, in the order offered;
    the pages leave it one core."""
    stages = context.pop(QUEUE, [])
    if not stages:
        return
    job = _Stages([(fn, args) for _, fn, args in stages])
    for key, _, _ in stages:
        context[key] = job
    run = current()
    if run is not None:
        run.busy_cores += 1


def wait_beside(context: dict[str, Any], key: str) -> bool:
    """Wait for the stage offered under ``key`` (an error of any stage of its process is
    raised here); False when none was, and the caller runs the stage itself."""
    job = context.pop(key, None)
    if job is None:  # not offered, or offered and never launched: nothing ran it
        return False
    job.result()
    return True


class _Stages:
    """The forked process of the offered stages; its outcome is asked for once per stage."""

    def __init__(self, stages: list[tuple[Callable[..., Any], tuple]]) -> None:
        self._job = Forked(_run_stages, stages)
        self._error: BaseException | None = None
        self._done = False

    def result(self) -> None:
        if not self._done:
            self._done = True
            try:
                self._job.result()
            except BaseException as exc:
                self._error = exc
        if self._error is not None:
            raise self._error


def _run_stages(stages: list[tuple[Callable[..., Any], tuple]]) -> None:
    for fn, args in stages:
        fn(*args)
