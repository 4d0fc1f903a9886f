"""Shared helpers for the benchmarks: cached sample data, timing and peak memory of a command."""

from __future__ import annotations

import os
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
    """Proportional resident bytes (PSS) of ``root`` and all its descendants, from /proc.

    Forked workers share most of their pages with the parent; PSS counts a shared page
    once across them, where adding up RSS would count it in every process.
    """
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            with open(f"/proc/{entry}/stat", "rb") as fh:
                fields = fh.read().rsplit(b")", 1)[1].split()
        except OSError:
            continue
        children.setdefault(int(fields[1]), []).append(int(entry))
    total, todo = 0, [root]
    while todo:
        pid = todo.pop()
        total += _pss(pid)
        todo.extend(children.get(pid, []))
    return total


def _pss(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/smaps_rollup", "rb") as fh:
            for line in fh:
                if line.startswith(b"Pss:"):
                    return int(line.split()[1]) * 1024
    except OSError:
        pass
    return 0


def run(cmd: list[str], tree: bool = True, **kwargs) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak memory in GiB, stdout + stderr).

    The peak is the larger of the biggest single process (ru_maxrss) and the memory of
    the whole process tree (PSS, sampled every 0.2 s): a build's worker processes and the
    Pagefind indexer run beside the main process, and together they are what the
    machine must hold. ``tree=False``: the biggest process alone. Sampling the tree reads
    every process's page tables and takes CPU time from a command that uses every core;
    a speed comparison with a one-process program turns it off.
    """
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
    # wait4 gives this command's own resource use (its biggest process) and, without
    # sampling, the exact moment it ends
    if tree:
        while True:
            tree_peak = max(tree_peak, _tree_rss(proc.pid))
            pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
            if pid:
                break
            time.sleep(0.2)
    else:
        _, status, usage = os.wait4(proc.pid, 0)
    seconds = time.perf_counter() - start
    proc.returncode = os.waitstatus_to_exitcode(status)
    for t in readers:
        t.join()
    if proc.returncode not in (0, 1):
        sys.stderr.write("".join(err)[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    return seconds, max(usage.ru_maxrss * 1024, tree_peak) / 2**30, "".join(out) + "".join(err)


def count_files(folder: Path, suffix: str = ".html") -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}"))


def inventory(folder: Path) -> str:
    """Files and bytes below each top-level folder of a site: what hosting it means
    (objects to upload, bytes to store), one line per folder, largest first."""
    sizes: dict[str, list[int]] = {}
    for top, _, names in os.walk(folder):
        rel = os.path.relpath(top, folder)
        key = "(top level)" if rel == "." else rel.split(os.sep, 1)[0]
        entry = sizes.setdefault(key, [0, 0])
        for name in names:
            entry[0] += 1
            entry[1] += os.stat(os.path.join(top, name)).st_size
    lines = [f"  {name:<14} {files:>10,} files {size / 2**20:>10,.1f} MiB"
             for name, (files, size) in sorted(sizes.items(), key=lambda kv: -kv[1][1])]
    files = sum(v[0] for v in sizes.values())
    size = sum(v[1] for v in sizes.values())
    return "\n".join([*lines, f"  {'all':<14} {files:>10,} files {size / 2**20:>10,.1f} MiB"])
