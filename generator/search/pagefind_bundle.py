"""The browser index of tasks, items, plans and documents: a Pagefind bundle.

Enterprises are in :mod:`.word_index` (Pagefind's indexer needs gigabytes and minutes
for half a million of them, and cannot add to a bundle).

Records are sent straight to Pagefind's indexing service (no HTML is parsed). The
Python API waits 0.1 s between reading two replies, which would take hours for half a
million records, so :class:`_Service` reads replies as they come; requests are sent
in concurrent batches. Pagefind hands the finished bundle over through the same pipe
(its own file writes may still be in flight when it answers, and are lost when it is
stopped); the bundle is put in canonical form (:mod:`.pagefind_stable`) and written here.
"""

from __future__ import annotations

import asyncio
import base64
import concurrent.futures
import json
import shutil
from pathlib import Path

import pandas as pd
from pagefind.service import PagefindService

from . import pagefind_stable
from .records import FILTERS, KIND_LABELS

BUNDLE = "pagefind"
BATCH = 2000
# files of Pagefind's own UIs: the site uses its own small script
UNUSED = ("pagefind-ui.js", "pagefind-ui.css", "pagefind-modular-ui.js", "pagefind-modular-ui.css",
          "pagefind-component-ui.js", "pagefind-component-ui.css", "pagefind-highlight.js")


class _Service(PagefindService):
    async def _wait_for_responses(self) -> None:
        """Replies are base64 ended by ","; the one carrying the bundle is far longer than
        the stream's line limit, so the stream is read in blocks."""
        assert self._backend.stdout is not None
        buffer = bytearray()
        while chunk := await self._backend.stdout.read(1 << 20):
            scanned = len(buffer)
            buffer += chunk
            start = 0
            while (end := buffer.find(b",", max(start, scanned))) >= 0:
                self._answer(buffer[start:end])
                start = end + 1
            del buffer[:start]

    def _answer(self, message: bytes | bytearray) -> None:
        resp = json.loads(base64.b64decode(message))
        if not resp:
            return
        future = self._responses.pop(resp.get("message_id"), None)
        if future is None or future.done():
            return
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


def _requests(records: pd.DataFrame):
    columns = {c: records[c].tolist() for c in records.columns}
    for i in range(len(records)):
        filters = {f: columns[f][i] for f in FILTERS if columns[f][i]}
        meta = {"title": columns["title"][i], "kind": KIND_LABELS[columns["kind"][i]]}
        for key in ("code", "summary", "date"):
            if columns[key][i]:
                meta[key] = columns[key][i]
        request = {"url": columns["url"][i], "language": "zh", "meta": meta, "filters": filters,
                   "content": f"{columns['text'][i]} {gram_words(columns['grams'][i])}".strip()}
        if columns["date"][i]:
            request["sort"] = {"date": columns["date"][i]}
        yield request


async def _files(records: pd.DataFrame) -> dict[str, bytes]:
    """The bundle of ``records``: relative path → bytes."""
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
        files = await index.get_files()
    finally:
        await service.close()
    return {file["path"].replace("\\", "/"): file["content"] for file in files}


def _run(coroutine):
    """asyncio.run, also from code that already runs an event loop (then in a thread)."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return asyncio.run(coroutine)
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def write_bundle(records: pd.DataFrame, output: Path) -> Path:
    """Replace ``output/pagefind/`` with a bundle of every record but the enterprises
    (which :mod:`.word_index` holds); return its folder."""
    records = records[records["kind"] != "enterprise"]
    target = Path(output) / BUNDLE
    staging = Path(output) / f".{BUNDLE}-new"
    shutil.rmtree(staging, ignore_errors=True)
    files = pagefind_stable.canonical(_run(_files(records)))
    for name, content in files.items():
        if name in UNUSED:
            continue
        if Path(name).is_absolute() or ".." in Path(name).parts:
            raise ValueError(f"Pagefind file outside its folder: {name}")
        path = staging / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(content)
    shutil.rmtree(target, ignore_errors=True)
    staging.rename(target)
    return target
