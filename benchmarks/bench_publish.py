"""Open data at scale: every dataset, the data package, feeds and sitemaps from one model.

    python benchmarks/bench_publish.py [ROWS]

Goal: 1,000,000 result rows in < 60 s and < 4 GiB; a second run on unchanged data
rewrites no file. The first run includes computing the compliance figures (shared with
the statistics pages in a site build). The model is loaded first (validation has its own benchmark) and
not timed; the sitemap lists every page the site build would write (from the model).
Memory is the peak of the whole process, model included.
"""

from __future__ import annotations

import resource
import shutil
import sys
import time
from pathlib import Path

from common import ROOT, WORK, run, sample


def child(data: str, out: str) -> None:
    sys.path.insert(0, str(ROOT))
    from generator import urls
    from generator.model.cache import load_model_cached
    from generator.publish.build import publish
    from generator.publish.sitemap import write_sitemaps
    from generator.settings import load_settings
    from generator.site.views import all_departments

    settings = load_settings(ROOT / "pelicanconf.py", GONGKAI_SITE_URL="https://gk.example.gov.cn/")
    start = time.perf_counter()
    model = load_model_cached(Path(data), settings, WORK / "publish-cache")
    print(f"  model loaded in {time.perf_counter() - start:.1f} s (not timed below)")
    output = Path(out)
    templates = [ROOT / "themes" / "gongkai" / "templates"]

    def pages() -> list[str]:
        paths = ["", "tasks/", "items/", "plans/", "departments/", "data/", "feeds/"]
        paths += [urls.enterprise(u) for u in model["results"]["uscc"].astype(str).unique()]
        paths += [urls.task(t) for t in model["tasks"]["task_id"]]
        paths += [urls.item(i) for i in model["items"]["item_id"]]
        paths += [urls.plan(p) for p in model["plans"]["plan_id"].unique()]
        paths += [urls.department(d) for d in all_departments(model)]
        return sorted(paths)

    from generator.publish.build import STATE

    for label in ("first run", "unchanged data (inputs fingerprinted)",
                  "unchanged data, no fingerprint (every file compared)"):
        if label.startswith("unchanged data, no"):
            (output / STATE).unlink()
        start = time.perf_counter()
        result = publish(model, settings, output, templates)
        publish_s = time.perf_counter() - start
        sitemap_files = write_sitemaps(output, settings["GONGKAI_SITE_URL"], pages())
        total = time.perf_counter() - start
        written = result.written + sum(f.written for f in sitemap_files)
        if result.skipped:
            print(f"  {label}: {publish_s:.1f} s, skipped, {written} written "
                  f"(sitemaps {total - publish_s:.1f} s)")
            continue
        size = sum(f.bytes for f in result.files) / 1024 / 1024
        print(f"  {label}: {total:.1f} s (datasets, package, archive, feeds, pages "
              f"{publish_s:.1f} s; sitemaps {total - publish_s:.1f} s); "
              f"{len(result.files) + len(sitemap_files)} files, {size:,.0f} MB, "
              f"{written} written; {len(result.datasets)} datasets, {len(result.feeds)} feeds, "
              f"{len(sitemap_files) - 1 or 1} sitemap files")
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024 / 1024
    print(f"  peak memory of the process {peak:.2f} GiB")


def main() -> None:
    if len(sys.argv) > 1 and sys.argv[1] == "--child":
        child(sys.argv[2], sys.argv[3])
        return
    rows = int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000
    data = sample(rows)
    out = WORK / f"publish-out-{rows}"
    shutil.rmtree(out, ignore_errors=True)
    seconds, peak, log = run([sys.executable, str(Path(__file__).resolve()), "--child",
                              str(data), str(out)])
    print(f"open data for {rows:,} result rows (whole process {seconds:.1f} s, "
          f"peak memory {peak:.2f} GiB):")
    print(log.rstrip())


if __name__ == "__main__":
    main()
