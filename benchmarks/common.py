"""Shared helpers for the benchmarks: cached sample data, timing and peak memory of a command."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
WORK = Path(os.environ.get("GONGKAI_BENCH_DIR", "/tmp/gongkai-bench"))


def sample(results: int, seed: int = 7) -> Path:
    """A data folder of about ``results`` result rows, generated once and reused."""
    folder = WORK / f"data-{results}-{seed}"
    if not (folder / "tasks.csv").is_file():
        run([sys.executable, "-m", "generator.cli", "sample-data", "--results", str(results),
             "--seed", str(seed), "--out", str(folder)])
    return folder


def _tree_rss(root: int) -> int:
    """Resident bytes of ``root`` and all its descendants (from /proc), 0 where unreadable."""
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        pid = int(entry)
        children.setdefault(int(fields[1]), []).append(pid)
        rss[pid] = int(fields[21]) * PAGE
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += rss.get(pid, 0)
        todo.extend(children.get(pid, []))
    return total


PAGE = os.sysconf("SC_PAGE_SIZE")


def run(cmd: list[str], **kwargs) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak memory in GiB, stdout + stderr).

    The peak is the larger of the biggest single process (ru_maxrss) and the sum over
    the whole process tree sampled every 0.2 s: a build's worker processes and the
    Pagefind indexer run beside the main process, and together they are what the
    machine must hold.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    proc = subprocess.Popen(cmd, cwd=kwargs.pop("cwd", ROOT), stdout=subprocess.PIPE,
                            stderr=subprocess.PIPE, text=True, **kwargs)
    tree_peak = 0
    out: list[str] = []
    err: list[str] = []
    readers = [threading.Thread(target=lambda s, b: b.append(s.read()), args=(stream, buf))
               for stream, buf in ((proc.stdout, out), (proc.stderr, err))]
    for t in readers:
        t.start()
    while proc.poll() is None:
        tree_peak = max(tree_peak, _tree_rss(proc.pid))
        time.sleep(0.2)
    for t in readers:
        t.join()
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if proc.returncode not in (0, 1):
        sys.stderr.write("".join(err)[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    # ru_maxrss is the largest child so far; count it only when this child raised it
    single = max(peak, before) * 1024 if peak > before else 0
    return seconds, max(single, tree_peak) / 2**30, "".join(out) + "".join(err)


def count_files(folder: Path, suffix: str = ".html") -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}"))
