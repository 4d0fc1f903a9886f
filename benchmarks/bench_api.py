"""The JSON API and the enterprise feeds at scale: files per second, first write and rewrite.

    python benchmarks/bench_api.py [ROWS]

Goal (issue 24): at 1,000,000 result rows the API adds < 20 % to the full build time and
nothing to a no-change rebuild (publish() skips it with the rest of the open data). The
model is loaded first and not timed. Data and output go under GONGKAI_BENCH_DIR
(default /tmp/gongkai-bench; /dev/shm keeps disk speed out of the figures).
"""

from __future__ import annotations

import shutil
import sys
import time

from common import ROOT, WORK, sample


def main(rows: int) -> None:
    sys.path.insert(0, str(ROOT))
    from generator.api.build import write_api
    from generator.model import load_model
    from generator.publish.enterprise_feeds import write_enterprise_feeds
    from generator.settings import load_settings

    data = sample(rows)
    out = WORK / f"api-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    model = load_model(data, load_settings(ROOT / "pelicanconf.py"))
    print(f"结果行数 {len(model['results']):,}，企业 {len(model.enterprise_index):,}")
    for output, write in (("JSON 接口", write_api), ("企业订阅源", write_enterprise_feeds)):
        for label in ("首次写入", "数据未变再写"):
            start = time.perf_counter()
            files = write(model, dict(model.settings), out)
            took = time.perf_counter() - start
            written = sum(f.written for f in files)
            size = sum(f.bytes for f in files)
            print(f"{output}{label}：{len(files):,} 个文件，写入 {written:,} 个，"
                  f"{size / 2**20:.1f} MiB，{took:.2f} s，{len(files) / took:,.0f} 文件/秒")
    shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
