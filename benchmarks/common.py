"""Shared helpers for the benchmarks: cached sample data, timing and peak memory of a command."""

from __future__ import annotations

import os
import resource
import subprocess
import sys
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


def run(cmd: list[str], **kwargs) -> tuple[float, float, str]:
    """Run a command; return (seconds, peak resident memory of the child in GiB, stdout)."""
    before = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    start = time.perf_counter()
    done = subprocess.run(cmd, cwd=kwargs.pop("cwd", ROOT), capture_output=True, text=True,
                          **kwargs)
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    if done.returncode not in (0, 1):
        sys.stderr.write(done.stderr[-3000:])
        raise SystemExit(f"command failed: {' '.join(cmd)}")
    # ru_maxrss is the largest child so far; report it only when this child raised it
    return seconds, max(peak, before) / (1024 * 1024), done.stdout + done.stderr


def count_files(folder: Path, suffix: str = ".html") -> int:
    return sum(1 for _ in folder.rglob(f"*{suffix}"))
