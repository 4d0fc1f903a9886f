"""Full, unchanged and incremental site builds at scale, beside the goals and earlier figures.

    python benchmarks/bench_build.py [ROWS] [ADDED]

Goals on this machine kind (a 2-core, 24 GiB machine; every output and both search indexes):
1,000,000 rows full build < 180 s and < 4 GiB, no-change rebuild < 5 s, +1 % rows < 20 s;
100,000 rows full < 25 s, +1 % < 5 s; 10,000,000 rows completes < 8 GiB. The added rows
are held back from the results files for the first build and restored for the
first incremental one, removed again, and restored once more: the last build is the
one the +1 % goal is for, since it starts, like every build of a site in use, from the
site the build before it replaced, caught up with the published one (see
generator/build/atomic.py); the first incremental build after a fresh one copies the
whole site first. Peak memory is the process tree's.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pandas as pd
from common import ROOT, WORK, count_files, inventory, run, sample


def hold_back(folder: str, added: int) -> tuple[dict, dict]:
    """Remove ``added`` result rows (none with follow-up) from the largest results file."""
    import pathlib

    files = sorted(pathlib.Path(folder, "results").glob("*.csv"), key=lambda p: p.stat().st_size)
    target = files[-1]
    full = pd.read_csv(target, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    disp = pd.read_csv(pathlib.Path(folder, "dispositions.csv"), dtype=str,
                       keep_default_na=False, encoding="utf-8-sig")
    followed = set(zip(disp["任务编号"], disp["统一社会信用代码"], strict=True))
    keys = list(zip(full["任务编号"], full["统一社会信用代码"], strict=True))
    free = [i for i, k in enumerate(keys) if k not in followed]
    drop = set(free[-added:])
    full.drop(index=sorted(drop)).to_csv(target, index=False, encoding="utf-8-sig")
    return {"file": target, "full": full}, {}


STAGES = ("数据页面", "开放数据", "搜索索引")
# (rows): seconds and GiB the build must stay under, and the figures before the build engine
GOALS = {1_000_000: {"full": 180, "memory": 4, "unchanged": 5, "added": 20},
         100_000: {"full": 25, "added": 5}, 10_000_000: {"memory": 8}}
BEFORE = {1_000_000: {"full": "302–326 s, 4.5 GiB", "added": "45–52 s"},
          100_000: {"full": "65 s", "added": "18.5 s"}}


def versus(rows: int, kind: str) -> str:
    """The goal and the earlier figure of one kind of build, when there are any."""
    goal, before = GOALS.get(rows, {}), BEFORE.get(rows, {})
    parts = []
    if kind in goal:
        parts.append(f"goal < {goal[kind]} s")
    if kind == "full" and "memory" in goal:
        parts.append(f"< {goal['memory']} GiB")
    if kind in before:
        parts.append(f"before: {before[kind]}")
    return f"  [{', '.join(parts)}]" if parts else ""


def stages(log: str) -> str:
    """The build's own per-stage lines (pages, open data, search indexes); the end of the
    log when the build did not finish."""
    lines = log.splitlines()
    if not any(x.startswith("完成") for x in lines):
        return "  build did not finish:\n" + "\n".join("  " + x for x in lines[-15:])
    return "\n".join("  " + x for x in lines if x.startswith(STAGES))


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 100_000
    added = int(args[1]) if len(args) > 1 else max(1, rows // 100)
    source = sample(rows)
    data = WORK / f"build-data-{rows}"
    # a fresh output folder: deleting half a million files of an earlier run would keep
    # the disk busy during the timed build; earlier runs are removed after this one
    out = WORK / f"build-out-{rows}-{os.getpid()}"
    earlier = sorted(WORK.glob(f"build-out-{rows}*"))
    # each run holds about two files or folders per result row, and the site its last
    # build replaced one more folder per enterprise: when the file system (tmpfs counts inodes) could not
    # hold two runs at once, the earlier ones go first
    if earlier and os.statvfs(WORK).f_favail < 3 * rows:
        for folder in earlier:
            remove_run(folder)
        earlier = []
    shutil.rmtree(data, ignore_errors=True)
    shutil.copytree(source, data)
    held, _ = hold_back(str(data), added)
    cmd = [sys.executable, "-m", "generator.cli", "build", "--data", str(data), "--output",
           str(out)]
    seconds, peak, log = run(cmd)
    pages = count_files(out)
    print(f"full build, {rows - added:,} result rows: {pages:,} pages in {seconds:.1f} s "
          f"({pages / seconds:,.0f} pages/s), peak memory {peak:.2f} GiB{versus(rows, 'full')}\n"
          f"{stages(log)}\n  what the JSON API and enterprise feeds add: "
          f"python benchmarks/bench_api.py {rows} --full {seconds:.0f}")
    print(f"what the site holds:\n{inventory(out)}")
    seconds, peak, log = run(cmd)
    print(f"no-change rebuild: {seconds:.1f} s, peak memory {peak:.2f} GiB"
          f"{versus(rows, 'unchanged')}\n{stages(log)}")
    held["full"].to_csv(held["file"], index=False, encoding="utf-8-sig")
    seconds, peak, log = run(cmd)
    # the first build after a fresh one has no earlier site to start from: its staging
    # folder is a hard-linked copy of the whole published site (see generator/build/atomic.py)
    print(f"first incremental build after adding {added:,} rows (staging copied from the "
          f"whole published site): {seconds:.1f} s, peak memory {peak:.2f} GiB\n{stages(log)}")
    # the same change undone, then made again: each of these starts from the site the
    # build before it replaced, as every build of a site in use does
    hold_back(str(data), added)
    seconds, peak, log = run(cmd)
    print(f"incremental build removing them again: {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB\n{stages(log)}")
    held["full"].to_csv(held["file"], index=False, encoding="utf-8-sig")
    seconds, peak, log = run(cmd)
    print(f"incremental build adding them again (a site in use): {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB{versus(rows, 'added')}\n{stages(log)}")
    for folder in earlier:
        remove_run(folder)


def remove_run(folder: Path) -> None:
    """An earlier run's output, with what its builds kept beside it (the site they replaced
    and the lock) and in the cache (the server index and search records), a few GiB at 1M rows."""
    from generator.search.server_index import index_dir

    shutil.rmtree(folder, ignore_errors=True)
    index = ROOT / index_dir({}, folder)  # the builds run in ROOT, whose cache/ they use
    for kept in (folder.with_name(f".{folder.name}.previous"), index,
                 index.with_name(f"{index.name}-records.parquet"),
                 index.with_name(f"{index.name}-state.json"),
                 folder.with_name(f".{folder.name}.build.lock")):
        if kept.is_dir():
            shutil.rmtree(kept, ignore_errors=True)
        else:
            kept.unlink(missing_ok=True)


if __name__ == "__main__":
    main()
