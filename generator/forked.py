"""A function run in a forked process, its result (or exception) handed back.

Forking shares the model with the child without copying or pickling it; only the
small result travels back through a pipe. Used to run independent stages of a build
side by side on a machine with more than one core.
"""

from __future__ import annotations

import multiprocessing as mp
import os
import pickle
import signal
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


DETACHED_SECONDS = 600  # a detached process still running after this is stopped


def detach(fn: Callable[..., Any], *args: Any) -> bool:
    """Run ``fn(*args)`` in a forked process nobody waits for; False when it cannot fork
    (the caller then runs it itself).

    For work whose result only a later build reads, such as writing a cache: the build
    goes on at once, on a core that is idle while it validates. The process forks twice
    so the detached one is never left as a zombie of the build.
    """
    if not can_fork():
        return False
    first = os.fork()
    if first:
        os.waitpid(first, 0)
        return True
    try:
        if os.fork() == 0:
            signal.alarm(DETACHED_SECONDS)  # never left running (a lock held at fork time)
            try:
                fn(*args)
            finally:
                os._exit(0)
    finally:
        os._exit(0)
