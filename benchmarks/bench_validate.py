"""gongkai validate on a large generated data folder (goal: 1,000,000 rows in < 60 s, < 4 GiB).

    python benchmarks/bench_validate.py [ROWS]
"""

from __future__ import annotations

import sys

from common import run, sample


def main() -> None:
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    folder = sample(rows)
    seconds, peak, out = run([sys.executable, "-m", "generator.cli", "validate", "--data",
                              str(folder), "--format", "text"])
    verdict = out.strip().splitlines()[-1]
    print(f"validate {rows:,} result rows: {seconds:.1f} s, peak memory {peak:.2f} GiB")
    print(f"  {verdict}")


if __name__ == "__main__":
    main()
