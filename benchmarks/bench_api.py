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
    results = model.tables["results"]
    print(f"结果行数 {len(results):,}，企业 {len(model.enterprise_index):,}")
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
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 100_000)
