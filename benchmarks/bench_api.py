"""The JSON API and the enterprise feeds at scale: what they add to the open data, files
per second, first write and rewrite.

    python benchmarks/bench_api.py [ROWS] [--full SECONDS]

Goal (issue 24): at 1,000,000 result rows the API adds < 20 % to the full build time and
nothing to a no-change rebuild (publish() skips it with the rest of the open data). What
it adds is measured as a build would see it: the whole open-data step into a fresh
folder, once as built and once with the per-enterprise files (API and feeds) left out,
which this benchmark does by replacing their two functions. ``--full``: a full
build's seconds from bench_build.py, to print the share. The model is loaded first and
not timed. Data and output go under GONGKAI_BENCH_DIR (default /tmp/gongkai-bench).
"""

from __future__ import annotations

import os
import shutil
import sys
import time

from common import ROOT, WORK, sample


def open_data(model, settings: dict, with_records: bool) -> float:
    """Seconds of publish() into a fresh folder, with or without the per-enterprise files."""
    from generator.api import build as api_build
    from generator.publish import enterprise_feeds
    from generator.publish.build import publish

    out = WORK / f"api-open-data-{os.getpid()}-{with_records}"
    from generator.build.record_files import Written

    saved = api_build.write_api, enterprise_feeds.write_enterprise_feeds
    if not with_records:
        api_build.write_api = enterprise_feeds.write_enterprise_feeds = lambda *a, **k: Written()
    try:
        start = time.perf_counter()
        publish(model, settings, out, [ROOT / "themes" / "gongkai" / "templates"])
        return time.perf_counter() - start
    finally:
        api_build.write_api, enterprise_feeds.write_enterprise_feeds = saved
        shutil.rmtree(out, ignore_errors=True)


def main(rows: int, full: float | None) -> None:
    sys.path.insert(0, str(ROOT))
    from generator.api.build import write_api
    from generator.model import load_model
    from generator.publish.enterprise_feeds import write_enterprise_feeds
    from generator.settings import load_settings

    data = sample(rows)
    out = WORK / f"api-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    model = load_model(data, load_settings(ROOT / "pelicanconf.py"))
    results = model.tables["results"]
    print(f"结果行数 {len(results):,}，企业 {len(model.enterprise_index):,}")
    settings = {**model.settings, "GONGKAI_SITE_URL": "https://gk.example.gov.cn/"}
    without = open_data(model, settings, False)
    settle = 20 if rows >= 100_000 else 0  # the disk writes back the files just removed
    time.sleep(settle)
    with_ = open_data(model, settings, True)
    added = with_ - without
    print(f"开放数据（全新目录）：不含接口和企业订阅源 {without:.1f} s，含 {with_:.1f} s，"
          f"接口和企业订阅源增加 {added:.1f} s")
    if full:
        print(f"  占完整生成（{full:.0f} s）其余部分的 {added / (full - added):.0%} [goal < 20 %]")
    time.sleep(settle)
    # 1 % of the rows get a new note: the rebuild after an agency's correction round
    changed = results.copy()
    picked = changed.index[:: 100]
    changed.loc[picked, "note"] = "复核后更正"
    for output, write in (("JSON 接口", write_api), ("企业订阅源", write_enterprise_feeds)):
        for label, table in (("首次写入", results), ("数据未变再写", results),
                             ("1% 的行有改动", changed)):
            model.tables["results"] = table
            start = time.perf_counter()
            files = write(model, dict(model.settings), out)
            took = time.perf_counter() - start
            size = sum((out / p).stat().st_size for p in files.paths)
            print(f"{output}{label}：{len(files.paths):,} 个文件，写入 {len(files.written):,} 个，"
                  f"未重新生成 {files.skipped:,} 个，{size / 2**20:.1f} MiB，{took:.2f} s")
        model.tables["results"] = results
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    args = sys.argv[1:]
    full = float(args[args.index("--full") + 1]) if "--full" in args else None
    numbers = [a for i, a in enumerate(args) if not a.startswith("--")
               and (i == 0 or args[i - 1] != "--full")]
    main(int(numbers[0]) if numbers else 100_000, full)
