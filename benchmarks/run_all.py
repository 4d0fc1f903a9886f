"""Every benchmark in turn at one size, each printing its own figures (``make bench``).

    python benchmarks/run_all.py [ROWS]   (default 100,000 result rows)

A quick look at all of them on this machine; the goals of each are at their full sizes
(see each script's docstring and the README), run one by one.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
SCRIPTS = [("bench_validate.py", "{rows}"), ("bench_rules.py", "{rows}"),
           ("bench_publish.py", "{rows}"), ("bench_diff.py", "{rows}"),
           ("bench_build.py", "{rows}"), ("bench_search.py", "{rows}"),
           ("bench_api.py", "{rows}"), ("bench_render.py", "--rounds 3"),
           ("bench_pelican.py", "{enterprises} 1")]


def main() -> int:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
    failed = []
    for script, args in SCRIPTS:
        argv = args.format(rows=rows, enterprises=max(1000, rows // 50)).split()
        print(f"== {script} {' '.join(argv)}", flush=True)
        start = time.perf_counter()
        code = subprocess.call([sys.executable, str(HERE / script), *argv], cwd=HERE.parent)
        print(f"== {script}: exit {code}, {time.perf_counter() - start:.0f} s", flush=True)
        if code:
            failed.append(script)
    if failed:
        print("failed: " + ", ".join(failed), file=sys.stderr)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
