"""Plain Pelican with one article per enterprise, against gongkai's data pages.

    python benchmarks/bench_pelican.py [ENTERPRISES] [ROUNDS]

Goal (issue 3): gongkai at least 20 times faster per page than plain Pelican.
Both render the same enterprises from the same generated data. With ROUNDS > 1, plain
Pelican and gongkai's build without search indexes run in turn ROUNDS times, so a
slow spell of the machine hits both, and each round's ratio and their median are shown.
"""

from __future__ import annotations

import re
import shutil
import statistics
import sys

import pandas as pd
from common import ROOT, WORK, count_files, run, sample


def main() -> None:
    enterprises = int(sys.argv[1]) if len(sys.argv) > 1 else 20_000
    rounds = int(sys.argv[2]) if len(sys.argv) > 2 else 1
    rows = int(enterprises * 2.0)  # the generator makes about two result rows per enterprise
    data = sample(rows, seed=11)
    results = pd.concat([pd.read_csv(p, dtype=str, keep_default_na=False, encoding="utf-8-sig")
                         for p in sorted((data / "results").glob("*.csv"))])
    site = WORK / "pelican-plain"
    shutil.rmtree(site, ignore_errors=True)
    content = site / "content"
    content.mkdir(parents=True)
    groups = results.groupby("统一社会信用代码", sort=True)
    for code, g in groups:
        lines = [f"Title: {g['市场主体名称'].iloc[-1]}", f"Date: {g['检查日期'].max()}",
                 f"Slug: {code}", "", "| 任务 | 检查事项 | 检查日期 | 检查结果 | 公示日期 |",
                 "|---|---|---|---|---|"]
        for r in g.itertuples(index=False):
            lines.append(f"| {r[0]} | {r[4]} | {r[5]} | {r[6]} | {r[7]} |")
        (content / f"{code}.md").write_text("\n".join(lines) + "\n", encoding="utf-8")
    conf = site / "pelicanconf.py"
    conf.write_text("SITENAME='plain'\nPATH='content'\nOUTPUT_PATH='output'\nTIMEZONE='Asia/Shanghai'\n"
                    "DEFAULT_LANG='zh'\nFEED_ALL_ATOM=None\nCATEGORY_FEED_ATOM=None\n"
                    "MARKDOWN={'extension_configs': {'markdown.extensions.tables': {}}}\n"
                    "ARTICLE_SAVE_AS='enterprises/{slug}/index.html'\nARTICLE_URL='enterprises/{slug}/'\n"
                    "DEFAULT_PAGINATION=False\nLOAD_CONTENT_CACHE=False\n", encoding="utf-8")

    def plain() -> float:
        shutil.rmtree(site / "output", ignore_errors=True)
        seconds, peak, _ = run([sys.executable, "-m", "pelican", "-s", str(conf), "-q"], cwd=site,
                               tree=False)
        plain_pages = count_files(site / "output" / "enterprises")
        print(f"plain Pelican: {plain_pages:,} article pages in {seconds:.1f} s "
              f"({plain_pages / seconds:,.0f} pages/s), peak {peak:.2f} GiB")
        return plain_pages / seconds

    plain_rate = plain()

    out = WORK / "pelican-gongkai"
    shutil.rmtree(out, ignore_errors=True)
    seconds, peak, _ = run([sys.executable, "-m", "generator.cli", "build", "--data", str(data),
                            "--output", str(out)])
    pages = count_files(out)
    rate = pages / seconds
    print(f"gongkai: {pages:,} pages in {seconds:.1f} s ({rate:,.0f} pages/s, whole build "
          f"including validation), peak {peak:.2f} GiB")
    print(f"per page, whole build: gongkai is {rate / plain_rate:.1f} times faster")
    # the same build without the search indexes: closer to what plain Pelican produces
    conf_bare = WORK / "pelican-gongkai-nosearch.py"
    conf_bare.write_text("import runpy\n"
                         f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r}).items()"
                         " if k.isupper()})\n"
                         f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'themes/gongkai')!r}\n"
                         f"CACHE_PATH = {str(WORK / 'cache-nosearch')!r}\nGONGKAI_SEARCH = False\n",
                         encoding="utf-8")

    def bare(plain_rate: float) -> float | None:
        """One cold build without search indexes; the data-page stage's ratio to ``plain_rate``."""
        shutil.rmtree(WORK / "cache-nosearch", ignore_errors=True)
        folder = WORK / "pelican-gongkai-nosearch"
        shutil.rmtree(folder, ignore_errors=True)
        seconds, peak, log = run([sys.executable, "-m", "generator.cli", "build", "--data", str(data),
                                  "--output", str(folder), "--settings", str(conf_bare)], tree=False)
        pages = count_files(folder)
        print(f"gongkai without search indexes: {pages:,} pages in {seconds:.1f} s "
              f"({pages / seconds:,.0f} pages/s, {pages / seconds / plain_rate:.1f} times plain Pelican), "
              f"peak {peak:.2f} GiB (largest process; the process tree is not sampled, "
              "which would take CPU time from the build)")
        stage = re.search(r"数据页面：写入 (\d+)，未变化 (\d+).*?用时 ([\d.]+) 秒", log)
        if not stage:
            return None
        rendered = int(stage[1]) + int(stage[2])
        stage_rate = rendered / float(stage[3])
        print(f"data-page stage: {rendered:,} pages in {float(stage[3]):.2f} s ({stage_rate:,.0f} pages/s), "
              f"{stage_rate / plain_rate:.1f} times plain Pelican's rate")
        return stage_rate / plain_rate

    ratios = [bare(plain_rate)]
    for _ in range(rounds - 1):
        ratios.append(bare(plain()))
    known = [r for r in ratios if r is not None]
    if len(known) > 1:
        print(f"data-page stage against plain Pelican, {len(known)} rounds: "
              + ", ".join(f"{r:.1f}×" for r in known) + f"; median {statistics.median(known):.1f}×")


if __name__ == "__main__":
    main()
