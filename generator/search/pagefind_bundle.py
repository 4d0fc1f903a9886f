"""The browser index: a Pagefind bundle written from the search records.

Records are sent straight to Pagefind's indexing service (no HTML is parsed). The
Python API waits 0.1 s between reading two replies, which would take hours for half a
million records, so :class:`_Service` reads replies as they come; requests are sent
in concurrent batches.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import shutil
from pathlib import Path

import numpy as np
import pandas as pd
from pagefind.service import PagefindService

from .records import FILTERS, KIND_LABELS

BUNDLE = "pagefind"
BATCH = 2000
GROUP_FROM = 20_000  # enterprises; above this, records are grouped
GROUPED = 32
# files of Pagefind's own UIs: the site uses its own small script
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class _Service(PagefindService):
    async def _wait_for_responses(self) -> None:
        assert self._backend.stdout is not None
        while True:
            output = await self._backend.stdout.readuntil(b",")
            resp = json.loads(base64.b64decode(output[:-1]))
            if not resp:
                continue
            future = self._responses.pop(resp.get("message_id"), None)
            if future is None or future.done():
                continue
            payload = resp["payload"]
            if payload.get("type") == "Error":
                future.set_exception(RuntimeError(payload.get("message", "Pagefind error")))
            else:
                future.set_result(payload)


def _base36(number: int) -> str:
    digits = "0123456789abcdefghijklmnopqrstuvwxyz"
    out = ""
    for _ in range(4):
        number, rest = divmod(number, 36)
        out = digits[rest] + out
    return out


def gram_words(grams: str) -> str:
    """Two-character pieces as single ASCII words ("k" + two 4-digit base-36 code points).

    Pagefind splits a Chinese query into characters, and would then match any record
    holding both characters anywhere; search.js (gramWords) turns a query into these
    words, so a name fragment matches only records that hold it. All such words have one
    length, so Pagefind's completion of the last word cannot match a longer one.
    """
    return " ".join("k" + _base36(ord(g[0])) + _base36(ord(g[1])) for g in grams.split()
                    if len(g) == 2)


def group_size(records: pd.DataFrame, setting: int | None = None) -> int:
    """Enterprises per Pagefind record: 1 on small sites, GROUPED above GROUP_FROM.

    Pagefind's start-up file lists every record (about 8 bytes each, compressed), so
    half a million enterprise records would cost a browser megabytes before the first
    result; grouped, the same enterprises cost a few hundred kilobytes.
    """
    if setting:
        return max(1, int(setting))
    enterprises = int((records["kind"] == "enterprise").sum())
    return GROUPED if enterprises > GROUP_FROM else 1


def _members(records: pd.DataFrame) -> list[str]:
    """One compact JSON object per enterprise: what the browser shows and matches against."""
    columns = {c: records[c].tolist() for c in records.columns}
    out = []
    for i in range(len(records)):
        member = {"u": columns["url"][i], "c": columns["code"][i], "t": columns["title"][i],
                  "s": columns["summary"][i], "d": columns["date"][i],
                  "x": columns["text"][i], "f": {f: columns[f][i] for f in FILTERS if columns[f][i]}}
        out.append(json.dumps(member, ensure_ascii=False, separators=(",", ":")))
    return out


def grouped(records: pd.DataFrame, size: int) -> pd.DataFrame:
    """Enterprise records in runs of ``size`` consecutive credit codes, one record per run.

    Codes sharing a prefix stay together, so a code prefix loads few groups. The group's
    content is its members' words, its filters the union of theirs, its date the latest;
    ``members`` lets the browser pick the enterprises that match the query and filters.
    """
    ents = records[records["kind"] == "enterprise"].sort_values("code", kind="stable")
    ents = ents.reset_index(drop=True)
    if size <= 1 or not len(ents):
        return records
    group = np.arange(len(ents)) // size
    members = pd.Series(_members(ents)).groupby(group).agg(lambda m: "[" + ",".join(m) + "]")
    # each distinct word once per group: members share task names, results and departments
    words = (ents["text"] + " " + ents["grams"].map(gram_words)).groupby(group).agg(
        lambda texts: " ".join(dict.fromkeys(" ".join(texts).split())))
    frame = pd.DataFrame({
        "url": [f"enterprises/#{g}" for g in members.index],
        "kind": "enterprise", "title": ents.groupby(group)["title"].first().to_numpy(),
        "code": "", "summary": "", "date": ents.groupby(group)["date"].max().to_numpy(),
        "text": words.to_numpy(), "grams": "", "prefixes": "", "members": members.to_numpy()})
    for f in FILTERS:
        pairs = ents[f].explode().dropna()
        union = pairs.groupby(group[pairs.index.to_numpy()]).agg(lambda v: sorted(set(v)))
        frame[f] = [union.get(g, []) for g in members.index]
    others = records[records["kind"] != "enterprise"].assign(members="")
    return pd.concat([frame, others], ignore_index=True)


def _requests(records: pd.DataFrame):
    if "members" not in records.columns:
        records = records.assign(members="")
    columns = {c: records[c].tolist() for c in records.columns}
    for i in range(len(records)):
        filters = {f: columns[f][i] for f in FILTERS if columns[f][i]}
        meta = {"title": columns["title"][i], "kind": KIND_LABELS[columns["kind"][i]]}
        if columns["members"][i]:
            meta["members"] = columns["members"][i]
        for key in ("code", "summary", "date"):
            if columns[key][i]:
                meta[key] = columns[key][i]
        request = {"url": columns["url"][i], "language": "zh", "meta": meta, "filters": filters,
                   "content": f"{columns['text'][i]} {gram_words(columns['grams'][i])}".strip()}
        if columns["date"][i]:
            request["sort"] = {"date": columns["date"][i]}
        yield request


async def _write(records: pd.DataFrame, target: Path) -> None:
    service = await _Service().launch()
    try:
        index = await service.create_index({"force_language": "zh"})
        batch = []
        for request in _requests(records):
            batch.append(index.add_custom_record(**request))
            if len(batch) >= BATCH:
                await asyncio.gather(*batch)
                batch = []
        await asyncio.gather(*batch)
        await index.write_files(output_path=str(target))
    finally:
        await service.close()


def _run(coroutine) -> None:
    """asyncio.run, also from code that already runs an event loop (then in a thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        asyncio.run(coroutine)
        return
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        pool.submit(asyncio.run, coroutine).result()


def write_bundle(records: pd.DataFrame, output: Path, group: int | None = None) -> Path:
    """Replace ``output/pagefind/`` with a bundle of ``records``; return its folder."""
    records = grouped(records, group_size(records, group))
    target = Path(output) / BUNDLE
    staging = Path(output) / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    _run(_write(records, staging.resolve()))
    for name in UNUSED:
        (staging / name).unlink(missing_ok=True)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
