"""A 200 MB results file is read with peak memory under 4 GiB (measured in a child process).

Marked ``slow`` (about a minute on two cores); it runs in ``make test``, and
``pytest -m 'not slow'`` leaves it out while working on something else.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
TARGET_BYTES = 200 * 1024 * 1024
LIMIT_GIB = 4.0

MEASURE = """
import json, resource, sys
from generator.model import load_model
model = load_model(sys.argv[1])
print(json.dumps({"rows": len(model["results"]), "read": model.summary["results"].rows_read,
                  "errors": model.problems.errors,
                  "peak_gib": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024}))
"""


def one_big_results_file(data: Path) -> Path:
    """Concatenate the sample's result files into a single file, header once."""
    parts = sorted((data / "results").glob("*.csv"))
    target = data / "results" / "all.csv"
    with open(target, "wb") as out:
        for i, part in enumerate(parts):
            with open(part, "rb") as fh:
                header = fh.readline()
                if i == 0:
                    out.write(header)
                shutil.copyfileobj(fh, out, 1 << 20)
            part.unlink()
    return target


@pytest.mark.slow
def test_a_200_mb_results_file_is_read_under_4_gib(tmp_path):
    data = tmp_path / "data"
    subprocess.run([sys.executable, "-m", "generator.cli", "sample-data", "--results", "1350000",
                    "--seed", "11", "--out", str(data)], cwd=ROOT, check=True,
                   capture_output=True)
    big = one_big_results_file(data)
    size = big.stat().st_size
    assert size >= TARGET_BYTES, size
    with open(big, "rb") as fh:
        records = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 24), b"")) - 1
    done = subprocess.run([sys.executable, "-c", MEASURE, str(data)], cwd=ROOT,
                          capture_output=True, text=True, timeout=1200)
    assert done.returncode == 0, done.stderr[-3000:]
    figures = json.loads(done.stdout.strip().splitlines()[-1])
    print(f"{size / 2**20:.0f} MB, {records} rows: peak {figures['peak_gib']:.2f} GiB")
    assert figures["read"] == records  # every row read
    assert figures["errors"] == 0 and figures["rows"] == records  # and published
    assert figures["peak_gib"] < LIMIT_GIB, figures
