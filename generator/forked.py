"""A function run in a forked process, its result (or exception) handed back.

Forking shares the model with the child without copying or pickling it; only the
small result travels back through a pipe. Used to run independent stages of a build
side by side on a machine with more than one core.
"""

from __future__ import annotations

import multiprocessing as mp
import pickle
from collections.abc import Callable
from typing import Any


def can_fork() -> bool:
    return "fork" in mp.get_all_start_methods()


def _child(fn: Callable[..., Any], args: tuple, conn: Any) -> None:
    try:
        outcome = (True, fn(*args))
    except BaseException as exc:  # noqa: BLE001 - handed to the parent to raise
        outcome = (False, exc)
    try:
        conn.send(pickle.dumps(outcome))
    except Exception as exc:  # noqa: BLE001 - a result or exception that cannot be pickled
        conn.send(pickle.dumps((False, RuntimeError(str(exc)))))
    if not outcome[0]:
        raise SystemExit(1)


class Forked:
    """``fn(*args)`` in a forked process; :meth:`result` waits and returns or raises."""

    def __init__(self, fn: Callable[..., Any], *args: Any) -> None:
        ctx = mp.get_context("fork")
        self._conn, child_conn = ctx.Pipe(duplex=False)
        # not a daemon: the function may start processes of its own (Whoosh's writers)
        self._process = ctx.Process(target=_child, args=(fn, args, child_conn), daemon=False)
        self._process.start()
        child_conn.close()

    def result(self) -> Any:
        try:
            data = self._conn.recv()
        except EOFError:
            data = None
        self._process.join()
        if data is None:
            raise RuntimeError(f"子进程异常退出（退出码 {self._process.exitcode}）")
        ok, value = pickle.loads(data)
        if not ok:
            raise value
        return value

    def cancel(self) -> None:
        """Stop the process if it still runs (its result is no longer wanted)."""
        if self._process.is_alive():
            self._process.terminate()
        self._process.join()
