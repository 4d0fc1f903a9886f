"""gongkai diff between two large data folders (goal: 1,000,000 result rows each in < 30 s).

    python benchmarks/bench_diff.py [ROWS]

The second folder is a copy of the first with a few changes: one results file re-sorted
(no change), ten results corrected, five removed, one plan version added. Prints the
whole command's time and, separately, the time of the comparison itself (both models
already loaded), since loading two models is validation, measured by bench_validate.
"""

from __future__ import annotations

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


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    old = sample(rows)
    new = changed_copy(old, rows)
    seconds, peak, out = run([sys.executable, "-m", "generator.cli", "diff", str(old), str(new)])
    summary = [line for line in out.splitlines()
               if line.startswith(("抽查结果", "已公示结果", "新增的计划版本", "公示时限状态"))]
    print(f"diff {rows:,} vs {rows:,} result rows (command): {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB")
    for line in summary:
        print(f"  {line}")

    sys.path.insert(0, str(WORK.parent))
    from generator.agency.diff import compare_models
    from generator.model import load_model
    from generator.settings import load_settings

    settings = load_settings()
    start = time.perf_counter()
    a, b = load_model(old, settings), load_model(new, settings)
    loaded = time.perf_counter() - start
    start = time.perf_counter()
    diff = compare_models(a, b)
    compared = time.perf_counter() - start
    print(f"  loading both models {loaded:.1f} s; comparing them {compared:.1f} s "
          f"({len(diff.published)} published results retracted or corrected)")


if __name__ == "__main__":
    main()
