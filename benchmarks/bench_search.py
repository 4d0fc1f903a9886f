"""Search at scale: index build time, and a cold query in headless Chromium on loopback.

    python benchmarks/bench_search.py [ROWS] [--no-server-index] [--browse-only]
    (default 1,000,000 rows; --browse-only: the queries again over the last run's site)

Goals: index build < 5 min; at 1,000,000 result rows a cold query (new browser profile,
nothing cached, a phone's 390x844 screen) shows its first results <= 300 ms after Enter
and transfers <= 250 KiB, for 2-, 4- and 8-character name fragments, full names (with
and without the legal-form suffix, in traditional characters) and credit codes. Printed:
the time to the first result shown, the time until the status line is final (tasks,
items and plans from Pagefind come after the enterprises), and the bytes transferred
(the page itself apart, and what search.js starts loading while the query is typed). Credit codes are answered
from the code shards (search/codes/); other queries find enterprises in the word index
(search/words/) and tasks, items, plans and documents in the Pagefind bundle.
The search needs no data page, so the site here holds the search page, the theme and
both indexes, built from the same model `gongkai build` publishes.
"""

from __future__ import annotations

import json
import re
import shutil
import sys
import time
from pathlib import Path

from common import ROOT, WORK, sample

sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "tests"))

from generator.model.cache import load_model_cached  # noqa: E402
from generator.search import server_index  # noqa: E402
from generator.search.build import build_search, write_fold  # noqa: E402
from generator.settings import load_settings  # noqa: E402


def timed(label: str, fn, *args):
    start = time.perf_counter()
    value = fn(*args)
    print(f"{label}: {time.perf_counter() - start:.1f} s", flush=True)
    return value


def build(rows: int, server: bool = True) -> tuple[Path, object]:
    data = sample(rows)
    work = WORK / f"search-{rows}"
    out = work / "output"
    settings = load_settings(ROOT / "pelicanconf.py", CACHE_PATH=str(work / "cache"),
                             GONGKAI_SEARCH_SERVER_INDEX=server)
    model = timed("model (validated, cached)", load_model_cached, data, settings, work / "cache")
    shutil.rmtree(out, ignore_errors=True)
    shutil.rmtree(server_index.index_dir(settings, out), ignore_errors=True)
    (work / "cache" / f"{server_index.index_dir(settings, out).name}-state.json").unlink(missing_ok=True)
    shutil.copytree(ROOT / "themes/gongkai/static", out / "theme")
    templates = [ROOT / "themes/gongkai/templates"]
    timed("index build (records, word index, code shards, Pagefind, Whoosh)", build_search, model,
          settings, out, templates, None, print)
    size = sum(p.stat().st_size for p in (out / "pagefind").rglob("*") if p.is_file())
    files = sum(1 for _ in (out / "pagefind").rglob("*"))
    entry = json.loads((out / "pagefind" / "pagefind-entry.json").read_text())
    meta = sum(p.stat().st_size for p in (out / "pagefind").glob("*.pf_meta"))
    print(f"Pagefind bundle: {size / 2**20:.0f} MiB in {files} files; "
          f"{entry['languages']['zh']['page_count']} Pagefind records; start-up file {meta / 1024:.0f} KiB")
    words = [p for p in (out / "search" / "words").iterdir() if p.is_file()]
    keys = [p.stat().st_size for p in words if p.name.startswith("k")]
    blocks = [p.stat().st_size for p in words if p.name.startswith("b")]
    print(f"word index: {sum(p.stat().st_size for p in words) / 2**20:.0f} MiB in {len(words)} files; "
          f"{len(keys)} key files of {sum(keys) / len(keys) / 1024:.1f} KiB on average, "
          f"{len(blocks)} blocks of {sum(blocks) / len(blocks) / 1024:.1f} KiB on average")
    timed("no-change rebuild (fingerprint)", build_search, model, settings, out, templates, None, print)
    return out, model


def browse(out: Path, model) -> None:
    import opencc
    from browser import chromium, serve

    results = model["results"]
    row = results.iloc[len(results) // 3]
    one = {"code": str(row["uscc"]), "title": str(row["entity_name"])}
    department = str(row["inspecting_department"])
    title = one["title"]
    bare = title.removesuffix("有限责任公司").removesuffix("股份有限公司").removesuffix("有限公司")
    queries = [("full code", one["code"], {}), ("8-char code prefix", one["code"][:8], {}),
               ("2-char name fragment", title[3:5], {}),
               ("4-char name fragment", title[3:7], {}),
               ("8-char name fragment", title[2:10], {}),
               ("full name", title, {}),
               ("full name without suffix", bare, {}),
               ("traditional characters", opencc.OpenCC("s2t").convert(bare), {}),
               ("fragment + department filter", title[3:7], {"department": department}),
               ("fragment, sorted by date", title[3:7], {"sort": "date"})]
    print("query: first result shown after Enter / status final; bytes (goal: <= 300 ms, <= 250 KiB)")
    with serve(out) as url, chromium() as browser:
        for label, query, extra in queries:
            runs = [cold_query(browser, url, query, extra) for _ in range(ROUNDS)]
            shown = sorted(r["shown"] for r in runs)
            final = sorted(r["final"] for r in runs)
            r = runs[-1]
            print(f"{label} [{query}{' ' + str(extra) if extra else ''}]: first result median "
                  f"{shown[len(shown) // 2]:.0f} ms (min {shown[0]:.0f}, max {shown[-1]:.0f}), final "
                  f"{final[len(final) // 2]:.0f} ms; search files {r['bytes'] / 1024:.0f} KiB "
                  f"({r['typed'] / 1024:.0f} KiB before Enter; {r['detail']}); page {r['page'] / 1024:.0f} KiB; "
                  f"{r['status']} first: {r['first']}", flush=True)


ROUNDS = 5  # cold runs per query; this VM's loopback times vary from run to run


def cold_query(browser, url: str, query: str, extra: dict[str, str]) -> dict:
    """One query in a new browser context (nothing cached): times from Enter, bytes."""
    from playwright.sync_api import expect

    context = browser.new_context(viewport={"width": 390, "height": 844})
    page = context.new_page()
    sizes: dict[str, int] = {}

    def finished(request, sizes=sizes):
        response = request.response()
        if response is not None:
            sizes[request.url] = len(response.body())

    page.on("requestfinished", finished)
    page.goto(url + "search/")
    if extra:  # the filters fold away behind 筛选
        page.locator("details.search-filters > summary").click()
    for name, value in extra.items():
        page.select_option(f"select[name={name}]", value)
    page_bytes = sum(sizes.values())
    # typed, then Enter at once: what the first keystroke starts loading is under way,
    # but the search itself (debounced while typing) runs only from Enter
    page.fill("#search-q", query)
    typed = sum(sizes.values())
    start = time.perf_counter()
    page.press("#search-q", "Enter")
    status = page.locator("#search-status")
    page.wait_for_function("() => document.querySelector('#search-results li') || "
                           "/^(没有|搜索索引)/.test(document.getElementById('search-status').textContent)",
                           polling="raf", timeout=60_000)
    shown = (time.perf_counter() - start) * 1000
    expect(status).to_have_text(re.compile("^(找到|没有|搜索索引)"), timeout=60_000)
    final = (time.perf_counter() - start) * 1000
    page.wait_for_load_state("networkidle")
    total = sum(sizes.values())
    first = page.locator("#search-results li").first.inner_text().split("\n")[0] \
        if page.locator("#search-results li").count() else "-"
    kinds: dict[str, int] = {}
    for u, size in sizes.items():
        if "/pagefind/" in u or "/search/" in u and not u.rstrip("/").endswith("/search"):
            key = ("code shards" if "/search/codes/" in u else "word index" if "/search/words/" in u
                   else "fold table" if "/search/fold" in u else "Pagefind " + u.split("?")[0].rsplit(".", 1)[-1])
            kinds[key] = kinds.get(key, 0) + size
    out = {"shown": shown, "final": final, "bytes": total - page_bytes, "typed": typed - page_bytes,
           "page": page_bytes, "status": status.inner_text(), "first": first,
           "detail": ", ".join(f"{k} {v / 1024:.0f}" for k, v in sorted(kinds.items()))}
    context.close()
    return out


def main() -> None:
    args = [a for a in sys.argv[1:] if not a.startswith("--")]
    rows = int(args[0]) if args else 1_000_000
    out = WORK / f"search-{rows}" / "output"
    if "--browse-only" in sys.argv and (out / "search" / "words" / "index.json").is_file():
        # the queries again over the site the last run built from the same data
        settings = load_settings(ROOT / "pelicanconf.py", CACHE_PATH=str(WORK / f"search-{rows}" / "cache"))
        model = load_model_cached(sample(rows), settings, WORK / f"search-{rows}" / "cache")
        shutil.copytree(ROOT / "themes/gongkai/static", out / "theme", dirs_exist_ok=True)
        write_fold(out, settings)  # cheap, and follows the script it is read by
    else:
        out, model = build(rows, "--no-server-index" not in sys.argv)
    browse(out, model)


if __name__ == "__main__":
    main()
