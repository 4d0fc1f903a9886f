"""Enterprise pages in partitions: how the work is cut up never changes what is written."""

from __future__ import annotations

import hashlib
from pathlib import Path

import numpy as np
import pytest
from sitebuild import ROOT, sample_site

from generator.build.executor import LocalExecutor
from generator.build.partitions import partition_count, partition_of, split_rows
from generator.site.build import build_pages

THEME = ROOT / "themes" / "gongkai" / "templates"


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_a_credit_codes_partition_follows_from_the_code_alone():
    codes = [f"91330100MA{n:07d}X" for n in range(2000)]
    parts = partition_of(codes, 16)
    assert parts.min() >= 0 and parts.max() < 16
    assert len(set(parts.tolist())) == 16  # spread over every partition
    # the same code in another company of codes (a later build with more enterprises)
    again = partition_of(codes[500:700] + ["91110000100000000A"], 16)
    assert again[:200].tolist() == parts[500:700].tolist()
    assert partition_of(codes, 1).tolist() == [0] * len(codes)


def test_split_rows_puts_every_row_in_one_partition_in_its_order():
    codes = np.array(["A", "B", "A", "C", "B", "A", "D"], dtype=object)
    rows = split_rows(codes, 3)
    assert sorted(np.concatenate(rows).tolist()) == list(range(len(codes)))
    for part in rows:
        assert part.tolist() == sorted(part.tolist())
        assert len({partition_of([codes[i]], 3)[0] for i in part.tolist()}) <= 1
    a = [k for k, part in enumerate(rows) if 0 in part.tolist()][0]
    assert {0, 2, 5} <= set(rows[a].tolist())  # one enterprise's rows stay together


def test_partition_count_follows_the_rows_and_the_workers():
    assert partition_count(250_000, {"GONGKAI_PARTITION_ROWS": 100_000}) == 3
    assert partition_count(800, {"GONGKAI_PARTITION_ROWS": 100}, workers=2) == 8
    assert partition_count(800, {}, workers=2) == 1  # too little to share out
    assert partition_count(20_000, {}, workers=4) == 16
    assert partition_count(1_000_000, {}, workers=2) == 20


def test_pages_are_the_same_bytes_however_the_enterprises_are_partitioned(tmp_path):
    """One partition on one process, many partitions on one, many on two forked workers:
    the same files, the page manifest included; a rebuild in partitions skips them all."""
    _, model = sample_site()
    settings = dict(model.settings)
    trees, counts = {}, {}
    for name, rows, processes in (("one", 10**9, 1), ("many", 40, 1), ("forked", 40, 2)):
        out = tmp_path / name
        run = {**settings, "GONGKAI_PARTITION_ROWS": rows}
        counts[name] = build_pages(model, run, out, [THEME], cache_dir=tmp_path / f"cache-{name}",
                                   processes=processes, manifest=out / ".manifest.parquet")
        trees[name] = tree(out)
    enterprises = len(model.enterprises)
    assert len([p for p in trees["one"] if p.startswith("enterprises/")]) >= enterprises > 100
    assert trees["one"] == trees["many"] == trees["forked"]
    assert counts["one"].written == counts["forked"].written
    again = build_pages(model, {**settings, "GONGKAI_PARTITION_ROWS": 40}, tmp_path / "forked",
                        [THEME], cache_dir=tmp_path / "cache-forked", processes=2,
                        manifest=tmp_path / "forked" / ".manifest.parquet")
    assert again.written == 0 and again.skipped >= enterprises


def _square(shared: int, part: int) -> int:
    return shared * part * part


def _fails_on_three(shared: int, part: int) -> int:
    if part == 3:
        raise ValueError("partition 3")
    return part


@pytest.mark.parametrize("processes", [1, 2])
def test_the_local_executor_answers_in_partition_order(processes):
    job = LocalExecutor(processes).start(_square, 2, 9, lambda k: k + 1)
    assert job.results() == [2 * (k + 1) ** 2 for k in range(9)]
    failing = LocalExecutor(processes).start(_fails_on_three, None, 6, lambda k: k)
    with pytest.raises(ValueError, match="partition 3"):
        failing.results()
