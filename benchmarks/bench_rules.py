"""All rules and charts on a large generated data folder (goal: 1,000,000 result rows in < 30 s).

    python benchmarks/bench_rules.py [ROWS]

The model is loaded first (validation has its own benchmark); the figure timed is
``figures(model)`` (every deadline, ratio, share and rate) plus drawing and writing the
dashboard's five SVG charts.
"""

from __future__ import annotations

import sys
import tempfile
import time
from pathlib import Path

from common import ROOT, sample

sys.path.insert(0, str(ROOT))

from generator.build.render import make_environment  # noqa: E402
from generator.model import load_model  # noqa: E402
from generator.rules import figures  # noqa: E402
from generator.settings import load_settings  # noqa: E402
from generator.site import stats  # noqa: E402


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = sample(rows)
    settings = load_settings(ROOT / "pelicanconf.py")
    start = time.perf_counter()
    model = load_model(folder, settings)
    loaded = time.perf_counter() - start

    start = time.perf_counter()
    f = figures(model)
    rules = time.perf_counter() - start
    start = time.perf_counter()
    year = model.as_of.year if model.as_of else None
    with tempfile.TemporaryDirectory() as out:
        env = make_environment([ROOT / "themes" / "gongkai" / "templates"], {})
        stats.write_charts(stats.charts(f, year, float(settings["GONGKAI_RANDOM_SHARE_GOAL"])), Path(out),
                           env)
    charts = time.perf_counter() - start
    print(f"rules and charts for {len(model['results']):,} result rows: {rules + charts:.1f} s "
          f"(rules {rules:.1f} s, charts {charts:.1f} s; model load {loaded:.1f} s not counted)")
    print(f"  {len(f.tasks):,} tasks, {len(f.department_years):,} department-years, "
          f"{int(f.tasks['overdue'].sum()):,} overdue tasks, unknown years: {sorted(f.unknown_years) or 'none'}")


if __name__ == "__main__":
    main()
