"""gongkai serve under load, on loopback: search latency, then many clients at once.

    python benchmarks/bench_serve.py [ROWS] [--clients 200] [--requests 5] [--workers 1]
    (default: the 1,000,000-row site bench_search.py built under GONGKAI_BENCH_DIR,
    with about half a million enterprises; --site OUT --index DIR for another)

Goals: server search median < 10 ms and p99 < 100 ms for name fragments (2 and 4
characters), full credit codes and 8-character prefixes at 500k enterprises; 200
concurrent clients mixing pages and searches: p95 < 500 ms, no error, no traceback in
the server's log.

Printed: the time to read the index; per kind of query, the search time in the process
(LoadedIndex.search) and the time of the same query over HTTP, one client (median, p99,
max); then for the load, requests answered, errors, latency (median, p95, p99, max) and
requests per second, and what the server logged. Every request goes to 127.0.0.1; the
load is bounded in count (clients x requests) and in time (--deadline seconds).
"""

from __future__ import annotations

import argparse
import asyncio
import random
import re
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import urlencode

from common import ROOT, WORK

sys.path.insert(0, str(ROOT))

import httpx  # noqa: E402
import numpy as np  # noqa: E402

from generator.search import engine  # noqa: E402


def figures(ms: list[float]) -> str:
    a = np.array(ms)
    return (f"median {np.median(a):.1f} ms, p95 {np.percentile(a, 95):.1f} ms, "
            f"p99 {np.percentile(a, 99):.1f} ms, max {a.max():.1f} ms (n={len(a)})")


def queries(index: engine.LoadedIndex, count: int, seed: int = 25) -> dict[str, list[str]]:
    """Queries a citizen types, drawn from the index: pieces of names, codes, prefixes."""
    rng = random.Random(seed)
    labels = index.table["label"].to_pylist()
    codes = index.table["code"].to_pylist()
    out: dict[str, list[str]] = {"2-character fragment": [], "4-character fragment": [],
                                 "full name": [], "full code": [], "8-character prefix": []}
    for _ in range(count):
        n = rng.randrange(len(labels))
        label, code = labels[n], codes[n]
        start = rng.randrange(max(1, len(label) - 4))
        out["2-character fragment"].append(label[start:start + 2])
        out["4-character fragment"].append(label[start:start + 4])
        out["full name"].append(label)
        out["full code"].append(code)
        out["8-character prefix"].append(code[:8])
    return out


def start_server(site: Path, index: Path, workers: int, log: Path) -> tuple[subprocess.Popen, str]:
    conf = WORK / "bench-serve-conf.py"
    conf.write_text("import runpy\n"
                    f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
                    ".items() if k.isupper()})\n"
                    f"THEME = {str(ROOT / 'themes/gongkai')!r}\n"
                    f"GONGKAI_SEARCH_INDEX_DIR = {str(index)!r}\n", encoding="utf-8")
    args = [sys.executable, "-m", "generator.cli", "serve", "--port", "0", "--output", str(site),
            "--settings", str(conf)]
    if workers > 1:
        args += ["--production", "--workers", str(workers)]
    out = log.with_suffix(".out")  # the access log goes to stdout: to a file, never a pipe left unread
    with log.open("w", encoding="utf-8") as err, out.open("w", encoding="utf-8") as said:
        process = subprocess.Popen(args, cwd=ROOT, stdout=said, stderr=err, text=True)
    deadline = time.monotonic() + 300
    while not (match := re.search(r"http://[^/]+/", out.read_text(encoding="utf-8"))):
        if time.monotonic() > deadline or process.poll() is not None:
            raise SystemExit(f"gongkai serve did not start:\n{log.read_text(encoding='utf-8')}")
        time.sleep(0.2)
    url = match.group(0)
    while True:  # every worker reads the index before it answers
        try:
            httpx.get(url + "api/search?q=x", timeout=60).raise_for_status()
            break
        except httpx.HTTPError:
            if time.monotonic() > deadline or process.poll() is not None:
                raise SystemExit(log.read_text(encoding="utf-8")) from None
            time.sleep(0.5)
    for _ in range(4 * workers):
        httpx.get(url + "api/search?q=x", timeout=60)
    return process, url


def one_client_latency(url: str, kinds: dict[str, list[str]], per_kind: int) -> None:
    with httpx.Client(base_url=url, timeout=60) as client:
        for kind, qs in kinds.items():
            times = []
            for q in list(dict.fromkeys(qs))[:per_kind]:  # each asked once: the server keeps answers
                t = time.perf_counter()
                client.get("api/search", params={"q": q}).raise_for_status()
                times.append((time.perf_counter() - t) * 1000)
            print(f"  HTTP /api/search, {kind}: {figures(times)}", flush=True)


async def _get(reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str, path: str) -> int:
    """One GET on a kept-alive connection; the status. (A bare HTTP/1.1 exchange: httpx
    spends more CPU per request than the server does answering it, and the load client
    shares the server's two cores.)"""
    writer.write(f"GET /{path} HTTP/1.1\r\nHost: {host}\r\nAccept-Encoding: identity\r\n\r\n".encode())
    head = await reader.readuntil(b"\r\n\r\n")
    lines = head.decode("latin-1").split("\r\n")
    status = int(lines[0].split()[1])
    length = next(int(v) for k, _, v in (line.partition(":") for line in lines[1:]) if k.lower() == "content-length")
    await reader.readexactly(length)
    return status


def load(url: str, paths: list[str], clients: int, per_client: int, deadline: float) -> None:
    host, port = url.split("//")[1].rstrip("/").rsplit(":", 1)

    async def run() -> tuple[list[float], list[str], float]:
        times: list[float] = []
        errors: list[str] = []
        stop = time.monotonic() + deadline

        async def one(n: int) -> None:
            rng = random.Random(n)
            reader, writer = await asyncio.open_connection(host, int(port))
            try:
                for _ in range(per_client):
                    if time.monotonic() > stop:
                        errors.append("deadline")
                        return
                    path = rng.choice(paths)
                    t = time.perf_counter()
                    try:
                        status = await asyncio.wait_for(_get(reader, writer, host, path), 60)
                        if status != 200:
                            errors.append(f"{status} {path}")
                    except (TimeoutError, OSError, asyncio.IncompleteReadError, ValueError) as exc:
                        errors.append(f"{type(exc).__name__} {path}")
                        return
                    finally:
                        times.append((time.perf_counter() - t) * 1000)
            finally:
                writer.close()

        start = time.perf_counter()
        await asyncio.gather(*(one(n) for n in range(clients)))
        return times, errors, time.perf_counter() - start

    times, errors, took = asyncio.run(run())
    print(f"  {clients} clients x {per_client} requests: {len(times)} answered in {took:.1f} s "
          f"({len(times) / took:.0f}/s), errors {len(errors)}{' ' + repr(errors[:5]) if errors else ''}")
    print(f"  latency: {figures(times)}", flush=True)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("rows", nargs="?", type=int, default=1_000_000)
    parser.add_argument("--site", type=Path)
    parser.add_argument("--index", type=Path)
    parser.add_argument("--clients", type=int, default=200)
    parser.add_argument("--requests", type=int, default=5, help="per client")
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--queries", type=int, default=300, help="per kind, in the process")
    parser.add_argument("--deadline", type=float, default=180.0, help="seconds for the load, at most")
    args = parser.parse_args()
    site = args.site or WORK / f"search-{args.rows}" / "output"
    index = args.index
    if index is None:
        found = sorted((site.parent / "cache").glob("search-*[0-9a-f]")) + [site / ".gongkai-search"]
        index = next((f for f in found if (f / "filters.json").is_file()), None)
    if index is None or not site.is_dir():
        raise SystemExit(f"no site with a server index at {site}: run benchmarks/bench_search.py {args.rows}")

    start = time.perf_counter()
    loaded = engine.loaded(index)
    print(f"index {index}: {loaded.size} enterprises, {len(loaded.others)} other records, "
          f"read in {time.perf_counter() - start:.1f} s", flush=True)
    kinds = queries(loaded, args.queries)
    print("search in the process (LoadedIndex.search, first page of 20):")
    for kind, qs in kinds.items():
        times = []
        for q in qs:
            loaded.forget_answers()  # prefixes repeat: time the search, not the kept answer
            t = time.perf_counter()
            loaded.search(q)
            times.append((time.perf_counter() - t) * 1000)
        print(f"  {kind}: {figures(times)}", flush=True)

    log = WORK / "bench-serve.log"
    process, url = start_server(site, index, args.workers, log)
    try:
        print(f"gongkai serve ({args.workers} process{'es' if args.workers > 1 else ''}) at {url}:")
        one_client_latency(url, kinds, 100)
        pages = [p.relative_to(site).as_posix() for p in sorted(site.rglob("*"))
                 if p.is_file() and not any(part.startswith(".") for part in p.relative_to(site).parts)]
        rng = random.Random(3)
        pages = rng.sample(pages, min(200, len(pages))) + ["search/"] * 5 \
            + ([""] * 5 if (site / "index.html").is_file() else [])
        # other queries than those timed above: the server keeps recent answers
        searches = [q for qs in queries(loaded, args.queries, seed=26).values() for q in qs]
        # half pages and files, a third API searches, a sixth server-rendered search pages;
        # each search drawn from all the queries above, so few are asked twice
        api = [f"api/search?{urlencode({'q': q})}" for q in searches]
        rendered = [f"search/?{urlencode({'q': q})}" for q in searches[::2]]
        files = pages * -(-(len(api) + len(rendered)) // len(pages))
        print(f"load: half of {len(pages)} pages and files, a third of {len(api)} API searches, "
              f"a sixth of {len(rendered)} server-rendered search pages, drawn at random:")
        load(url, files + api + rendered, args.clients, args.requests, args.deadline)
    finally:
        process.terminate()
        process.wait(timeout=30)
    text = log.read_text(encoding="utf-8", errors="replace")
    print(f"server log: {len(text.splitlines())} lines, {text.count('Traceback')} tracebacks"
          + (f"\n{text[-2000:]}" if "Traceback" in text else ""))


if __name__ == "__main__":
    main()
