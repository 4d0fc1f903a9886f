"""gongkai diff between two large data folders (goal: 1,000,000 result rows each in < 30 s).

    python benchmarks/bench_diff.py [ROWS]

The second folder is a copy of the first with a few changes: one results file re-sorted
(no change), ten results corrected, five removed, one plan version added. Prints the
whole command's wall and CPU time (it validates the two versions in two processes at
once), then each stage run alone in this process: loading (validating) each version,
turning both into published text, and the comparison itself. On a shared machine the
CPU figures are the steadier ones.
"""

from __future__ import annotations

import resource
import shutil
import sys
import time

import pandas as pd
from common import WORK, run, sample


def changed_copy(folder, rows: int):
    target = WORK / f"data-{rows}-changed"
    if target.exists():
        shutil.rmtree(target)
    shutil.copytree(folder, target)
    files = sorted((target / "results").glob("*.csv"))
    first = pd.read_csv(files[0], dtype=str, keep_default_na=False, encoding="utf-8-sig")
    first = first.iloc[::-1]  # re-sorted: must be no change
    first.iloc[:10, first.columns.get_loc("检查结果")] = "发现问题待后续处理"
    first = first.iloc[5:]
    first.to_csv(files[0], index=False, encoding="utf-8-sig")
    plans_path = target / "plans.csv"
    plans = pd.read_csv(plans_path, dtype=str, keep_default_na=False, encoding="utf-8-sig")
    plan = plans["计划编号"].iloc[0]
    versions = plans[plans["计划编号"] == plan]["版本"].astype(int)
    latest = plans[(plans["计划编号"] == plan) & (plans["版本"].astype(int) == versions.max())]
    added = latest.assign(版本=str(versions.max() + 1),
                          发布日期=(pd.to_datetime(latest["发布日期"]) + pd.Timedelta(days=1))
                          .dt.strftime("%Y-%m-%d"),
                          调整说明="根据上级部署调整抽查比例")
    pd.concat([plans, added]).to_csv(plans_path, index=False, encoding="utf-8-sig")
    return target


def _timed(fn):
    """(result, wall seconds, CPU seconds of this process)."""
    wall, cpu = time.perf_counter(), time.process_time()
    out = fn()
    return out, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    old = sample(rows)
    new = changed_copy(old, rows)
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    seconds, peak, out = run([sys.executable, "-m", "generator.cli", "diff", str(old), str(new)])
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime - before.ru_utime) + (after.ru_stime - before.ru_stime)
    summary = [line for line in out.splitlines()
               if line.startswith(("抽查结果", "已公示结果", "新增的计划版本", "公示时限状态"))]
    print(f"diff {rows:,} vs {rows:,} result rows (command): {seconds:.1f} s wall, "
          f"{cpu:.1f} s CPU (both processes), largest process {peak:.2f} GiB")
    for line in summary:
        print(f"  {line}")

    # the stages one after the other in this process, to see where the time goes
    sys.path.insert(0, str(WORK.parent))
    from generator.agency.diff import compare_sides, model_statuses, side_of
    from generator.model import load_model
    from generator.settings import load_settings

    settings = load_settings()
    a, wall_a, cpu_a = _timed(lambda: load_model(old, settings))
    b, wall_b, cpu_b = _timed(lambda: load_model(new, settings))
    sides, wall_s, cpu_s = _timed(lambda: (side_of(a, problems=False), side_of(b)))
    diff, wall_c, cpu_c = _timed(lambda: compare_sides(*sides, model_statuses(a, b)))
    print(f"  stages in one process (wall / CPU): loading the old version {wall_a:.1f} / "
          f"{cpu_a:.1f} s, the new one {wall_b:.1f} / {cpu_b:.1f} s; published text of both "
          f"{wall_s:.1f} / {cpu_s:.1f} s; comparing {wall_c:.1f} / {cpu_c:.1f} s "
          f"({len(diff.published)} published results retracted or corrected)")
    print("  (the command loads the two versions in two processes at once, so on two free "
          "cores its wall time is about the slower load plus the comparison)")


if __name__ == "__main__":
    main()
