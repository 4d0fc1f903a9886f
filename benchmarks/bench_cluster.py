"""The enterprise-page stage on this machine's cores and on a Dask LocalCluster, side by side.

    python benchmarks/bench_cluster.py [ROWS] [--workers N] [--partition-rows R] [--build]

Prints for each executor the stage's wall time, and for the cluster each partition's
task time (from Dask's task stream) and the workers' peak resident memory, which is
what one worker machine must hold for a partition of R rows. From those it works out
the workers and hours a build of 100 million rows would need at the same cost per row
(the figures that docs/规模.md quotes).

``--build``: instead, the whole ``gongkai build --scheduler`` of ROWS rows on a
LocalCluster of N workers, every output included: its time, the peak memory of the
building process tree and of each worker, its per-stage lines and what the site holds.
"""

from __future__ import annotations

import argparse
import shutil
import statistics
import sys
import time
from pathlib import Path

from common import ROOT, WORK, inventory, run, sample

sys.path.insert(0, str(ROOT))

from generator.build.executor import ClusterExecutor, LocalExecutor  # noqa: E402
from generator.model import load_model  # noqa: E402
from generator.settings import load_settings  # noqa: E402
from generator.site.build import build_pages  # noqa: E402


def _peak_rss() -> int:
    import resource

    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss * 1024


def folder_size(folder: Path) -> tuple[int, int]:
    files = size = 0
    for path in folder.rglob("*"):
        if path.is_file():
            files += 1
            size += path.stat().st_size
    return files, size


def whole_build(rows: int, workers: int) -> None:
    """One full ``gongkai build --scheduler`` on a fresh output, on a LocalCluster (with
    the project's settings: partitions of GONGKAI_PARTITION_ROWS)."""
    from distributed import Client, LocalCluster

    data = sample(rows)
    out = WORK / f"cluster-build-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    for kept in out.parent.glob(f".{out.name}.*"):
        shutil.rmtree(kept, ignore_errors=True) if kept.is_dir() else kept.unlink()
    with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                      host="127.0.0.1", dashboard_address=":0") as cluster:
        cmd = [sys.executable, "-m", "generator.cli", "build", "--data", str(data),
               "--output", str(out), "--scheduler", cluster.scheduler_address]
        seconds, peak, log = run(cmd)
        with Client(cluster.scheduler_address) as client:
            peaks = client.run(_peak_rss)
    finished = any(line.startswith("完成") for line in log.splitlines())
    print(f"gongkai build --scheduler, {rows:,} rows, {workers} workers: "
          f"{'finished' if finished else 'FAILED'} in {seconds:.1f} s; building process tree "
          f"peak {peak:.2f} GiB, worker peak {max(peaks.values()) / 2**30:.2f} GiB")
    keep = ("数据页面", "开放数据", "搜索索引", "  企业页面", "Dask", "模型", "完成", "读取")
    print("\n".join("  " + line for line in log.splitlines()
                    if line.startswith(keep) or not finished))
    if finished:
        print(f"what the site holds:\n{inventory(out)}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("rows", type=int, nargs="?", default=100_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partition-rows", type=int, default=50_000)
    parser.add_argument("--build", action="store_true")
    args = parser.parse_args()
    if args.build:
        whole_build(args.rows, args.workers)
        return
    from distributed import LocalCluster, get_task_stream

    data = sample(args.rows)
    settings = {**load_settings(ROOT / "pelicanconf.py"),
                "GONGKAI_PARTITION_ROWS": args.partition_rows}
    # started before the model is loaded: a worker's peak memory (ru_maxrss) counts what
    # the process it was started from held at the time
    cluster = LocalCluster(n_workers=args.workers, threads_per_worker=1, processes=True,
                           host="127.0.0.1", dashboard_address=":0")
    start = time.perf_counter()
    model = load_model(data, settings)
    rows = len(model["results"])
    print(f"{rows:,} result rows, {len(model.enterprises):,} enterprises; "
          f"model loaded in {time.perf_counter() - start:.1f} s")
    templates = [ROOT / "themes/gongkai/templates"]
    figures = {}
    for name in ("local", "cluster"):
        out = WORK / f"cluster-bench-{name}"
        shutil.rmtree(out, ignore_errors=True)
        if name == "local":
            start = time.perf_counter()
            counts = build_pages(model, settings, out, templates, cache_dir=WORK / "cluster-cache",
                                 executor=LocalExecutor(args.workers), manifest=out / ".m.parquet")
            figures[name] = time.perf_counter() - start
            print(f"local, {args.workers} processes: {counts.written:,} pages in "
                  f"{figures[name]:.1f} s")
            continue
        with cluster:
            executor = ClusterExecutor(cluster.scheduler_address)
            try:
                with get_task_stream(executor.client) as stream:
                    start = time.perf_counter()
                    counts = build_pages(model, settings, out, templates,
                                         cache_dir=WORK / "cluster-cache", executor=executor,
                                         manifest=out / ".m.parquet")
                    figures[name] = time.perf_counter() - start
                peaks = executor.client.run(_peak_rss)
            finally:
                executor.close()
        tasks = [t for t in stream.data if str(t["key"]).startswith("render_partition")]
        seconds = [sum(s["stop"] - s["start"] for s in t["startstops"]
                       if s["action"] == "compute") for t in tasks]
        print(f"cluster, {args.workers} workers: {counts.written:,} pages in "
              f"{figures[name]:.1f} s ({figures[name] / figures['local']:.2f}× local)")
        if seconds:
            per_row = sum(seconds) / rows
            print(f"  {len(seconds)} partitions of ~{rows / len(seconds):,.0f} rows: task median "
                  f"{statistics.median(seconds):.1f} s, max {max(seconds):.1f} s, "
                  f"{per_row * 1e6:.0f} µs of worker time per result row")
            print(f"  worker peak memory: {max(peaks.values()) / 2**30:.2f} GiB")
            hours = per_row * 100_000_000 / 3600
            print(f"  100M rows at this cost: {hours:.1f} worker-hours; on 50 workers "
                  f"{hours / 50 * 60:.0f} min, on 200 workers {hours / 200 * 60:.0f} min "
                  "(pages only)")
        files, size = folder_size(out)
        print(f"  site: {files:,} files, {size / 2**30:.2f} GiB "
              f"({size / max(1, rows):,.0f} bytes per result row)")


if __name__ == "__main__":
    main()
