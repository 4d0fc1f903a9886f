"""Where the partitions of a stage run: this machine's cores, or a Dask cluster.

A stage hands its work over as one function, one object every partition shares and a
way to make partition ``k``: ``start(fn, shared, count, part)`` evaluates
``fn(shared, part(k))`` for every ``k`` and :meth:`Job.results` returns the answers in
partition order. The stage's code is the same whichever executor runs it:

- :class:`LocalExecutor` forks workers that inherit ``shared`` and make their own
  partitions from inherited memory (nothing large is pickled), and the calling process
  joins them once it has done its own work;
- :class:`ClusterExecutor` sends ``shared`` once to every worker of a Dask cluster and
  each partition as a task; Dask runs a task again elsewhere when a worker is lost.
"""

from __future__ import annotations

import gc
import multiprocessing as mp
import os
import sys
import uuid
import warnings
from collections.abc import Callable
from typing import Any, Protocol

from ..forked import Forked, can_fork

Task = Callable[[Any, Any], Any]
MakePart = Callable[[int], Any]


class ClusterError(Exception):
    """The cluster cannot run the build (its message, in Chinese, says why and what to do)."""


class Job(Protocol):
    def poll(self) -> int:
        """Partitions finished so far (without waiting)."""

    def results(self) -> list[Any]:
        """Every partition's answer, in partition order (waits; a local job works too)."""

    def cancel(self) -> None:
        """Stop what still runs: the answers are no longer wanted."""


class Executor(Protocol):
    workers: int

    def start(self, fn: Task, shared: Any, count: int, part: MakePart) -> Job: ...


class _LocalJob:
    def __init__(self, fn: Task, shared: Any, count: int, part: MakePart, processes: int,
                 min_parallel: int) -> None:
        self._fn, self._shared, self._part, self.count = fn, shared, part, count
        self._answers: dict[int, Any] = {}
        self._workers: list[Forked] = []
        self.parallel = processes > 1 and count > 1 and count >= min_parallel and can_fork()
        ctx = mp.get_context("fork") if self.parallel else None
        self._next = ctx.Value("q", 0) if ctx else None
        self._done = ctx.Value("q", 0) if ctx else None
        self._frozen = False
        self._taken = 0
        if self.parallel:
            gc.freeze()  # the workers' garbage collector leaves the inherited objects alone
            self._frozen = True
            self._workers = [Forked(self._work, os.getpid())
                             for _ in range(min(processes, count) - 1)]

    def _take(self) -> int:
        if self._next is None:
            self._taken += 1
            return self._taken - 1
        with self._next.get_lock():
            k = self._next.value
            self._next.value = k + 1
        return k

    def _work(self, parent: int | None = None) -> dict[int, Any]:
        """Run partitions until none is left. ``parent``: the building process, when this
        is a worker, which stops if the build was killed rather than work on for it."""
        answers = {}
        while (k := self._take()) < self.count:
            if parent is not None and os.getppid() != parent:
                break
            answers[k] = self._fn(self._shared, self._part(k))
            if self._done is not None:
                with self._done.get_lock():
                    self._done.value += 1
        return answers

    def poll(self) -> int:
        if self._done is None:
            return len(self._answers)
        return int(self._done.value)

    def results(self) -> list[Any]:
        try:
            self._answers.update(self._work())
            for worker in self._workers:
                self._answers.update(worker.result())
            self._workers = []
        finally:
            self.cancel()
        return [self._answers[k] for k in range(self.count)]

    def cancel(self) -> None:
        for worker in self._workers:
            worker.cancel()
        self._workers = []
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


class LocalExecutor:
    """Partitions on this machine: ``processes`` processes, the caller's included."""

    def __init__(self, processes: int = 1, min_parallel: int = 2) -> None:
        self.workers = max(1, processes)
        self.min_parallel = min_parallel

    def start(self, fn: Task, shared: Any, count: int, part: MakePart) -> Job:
        return _LocalJob(fn, shared, count, part, self.workers, self.min_parallel)


def program_version() -> str:
    """gongkai's version and a hash of its code: a worker must run the same program."""
    from .. import __version__
    from .keys import StageKey

    return f"{__version__}+{StageKey('program').code('').hexdigest()[:12]}"


class _ClusterJob:
    def __init__(self, client: Any, fn: Task, shared: Any, count: int, part: MakePart,
                 address: str) -> None:
        self._client, self._address = client, address
        run = uuid.uuid4().hex[:8]
        name = getattr(fn, "__name__", "task")
        [shared_future] = client.scatter([shared], broadcast=True, hash=False)
        self._shared = shared_future
        self._futures = []
        with warnings.catch_warnings():
            # a partition's rows travel inside its task (megabytes, which Dask warns of):
            # scattered to one worker instead, they would be lost with it, and the task
            # could not be run again elsewhere
            warnings.filterwarnings("ignore", message="Sending large graph")
            for k in range(count):
                self._futures.append(client.submit(fn, shared_future, part(k),
                                                   key=f"{name}-{run}-{k}", pure=False,
                                                   retries=2))

    def poll(self) -> int:
        return sum(1 for f in self._futures if f.done())

    def results(self) -> list[Any]:
        from distributed import KilledWorker

        try:
            return self._client.gather(self._futures)
        except KilledWorker as exc:
            raise ClusterError(f"E903 集群任务 {exc.args[0] if exc.args else ''} 多次因工作进程"
                               f"退出而失败（调度器 {self._address}）：请查看工作进程的日志和"
                               "内存，网站未改动。") from None
        finally:
            self.cancel()

    def cancel(self) -> None:
        self._client.cancel(self._futures + [self._shared])


class ClusterExecutor:
    """Partitions as tasks on the Dask cluster whose scheduler is at ``address``.

    Refuses at once, with a message saying what to do, when the scheduler cannot be
    reached, has no workers, or a worker runs another version of gongkai: a cluster
    build never falls back to a local one without being asked.
    """

    def __init__(self, address: str, timeout: float = 20.0) -> None:
        try:
            from distributed import Client
        except ImportError:
            raise ClusterError("E900 未安装 Dask（dask[distributed]）：请先安装 gongkai 的依赖，"
                               "或去掉 --scheduler 在本机生成。") from None
        self.address = address
        try:
            self.client = Client(address, timeout=timeout, set_as_default=False)
        except (OSError, TimeoutError) as exc:
            raise ClusterError(f"E901 无法连接 Dask 调度器 {address}（{exc}）：请先启动 "
                               "dask scheduler 和 dask worker，或去掉 --scheduler 在本机生成。"
                               ) from None
        try:
            self.client.wait_for_workers(1, timeout=timeout)
        except (OSError, TimeoutError):
            self.close()
            raise ClusterError(f"E902 调度器 {address} 没有可用的工作进程：请用 dask worker "
                               f"{address} 启动至少一个。") from None
        ours = program_version()
        theirs = self.client.run(program_version)
        wrong = sorted(w for w, v in theirs.items() if v != ours)
        if wrong:
            self.close()
            raise ClusterError(f"E904 工作进程 {', '.join(wrong)} 运行的 gongkai 版本与本机"
                               f"（{ours}）不同：请在每台机器上安装同一版本后再生成。")
        self.workers = len(theirs)

    @classmethod
    def reach(cls, address: str, settings: dict[str, Any]) -> ClusterExecutor:
        """The cluster a build was pointed at, reached within GONGKAI_SCHEDULER_TIMEOUT
        and announced on the terminal: the one way both entry points (``gongkai build``,
        ``pelican content``) start a cluster build. Raises :class:`ClusterError`."""
        given = settings.get("GONGKAI_SCHEDULER_TIMEOUT") or 20
        try:
            timeout = float(given)
        except (TypeError, ValueError):
            raise ClusterError(f"E905 GONGKAI_SCHEDULER_TIMEOUT 应是秒数（如 20），现在是 {given!r}。"
                               ) from None
        if not timeout > 0:
            raise ClusterError(f"E905 GONGKAI_SCHEDULER_TIMEOUT 应是大于 0 的秒数，现在是 {given!r}。")
        cluster = cls(str(address), timeout)
        cluster.announce()
        return cluster

    @property
    def dashboard(self) -> str:
        return self.client.dashboard_link or ""

    def start(self, fn: Task, shared: Any, count: int, part: MakePart) -> Job:
        return _ClusterJob(self.client, fn, shared, count, part, self.address)

    def announce(self) -> None:
        print(f"Dask 集群：调度器 {self.address}，{self.workers} 个工作进程"
              + (f"；进度见 {self.dashboard}" if self.dashboard else ""), file=sys.stderr)

    def close(self) -> None:
        self.client.close()
