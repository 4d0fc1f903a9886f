"""The browser index: a Pagefind bundle written from the search records.

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

import numpy as np
import pandas as pd
from pagefind.service import PagefindService

from . import pagefind_stable
from .code_index import positions
from .records import FILTERS, KIND_LABELS, filter_options

BUNDLE = "pagefind"
BATCH = 2000
GROUP_FROM = 20_000  # enterprises; above this, records are grouped
GROUPED = 64
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


def _members(ents: pd.DataFrame, size: int, options: dict[str, list[str]]) -> list[str]:
    """Per run of ``size`` enterprises, one JSON object: what the browser shows and matches.

    ``w`` lists the run's distinct words (names, departments, task names, results: members
    share most of them), once; ``m`` lists the members as ``[code, title, summary, date,
    url, [positions in w], *filters]``, each filter a list of positions in the search
    form's list of that filter's values (as in the credit-code shards). The member's own
    code and title are left out of its words: they are fields of their own.
    """
    count = len(ents)
    group = np.arange(count) // size
    flat = ents["text"].str.split().explode().dropna()
    member = flat.index.to_numpy()
    words = flat.to_numpy(dtype=object)
    own = (words == ents["code"].to_numpy(dtype=object)[member]) | \
        (words == ents["title"].to_numpy(dtype=object)[member])
    pairs = pd.DataFrame({"g": group[member[~own]], "w": words[~own], "m": member[~own]})
    vocab = pairs[~pairs.duplicated(["g", "w"])][["g", "w"]]
    vocab = vocab.assign(p=vocab.groupby("g").cumcount().to_numpy())
    pairs = pairs.merge(vocab, on=["g", "w"], how="left", sort=False)
    owners = pairs["m"].to_numpy()
    places = pairs["p"].to_numpy()
    starts = np.searchsorted(owners, np.arange(count))
    frame = ents[["code", "title", "summary", "date", "url"]].astype(str)
    frame["words"] = [p.tolist() for p in np.split(places, starts[1:])]
    for f in FILTERS:
        frame[f] = positions(ents[f], options[f])
    lists = vocab.groupby("g")["w"].agg(list).reindex(range(group[-1] + 1 if count else 0))
    out = []
    for g, vocabulary in enumerate(lists):
        run = frame.iloc[g * size:(g + 1) * size].to_json(orient="values", force_ascii=False)
        known = vocabulary if isinstance(vocabulary, list) else []
        out.append('{"w":' + json.dumps(known, ensure_ascii=False, separators=(",", ":"))
                   + ',"m":' + run + "}")
    return out


def grouped(records: pd.DataFrame, size: int) -> pd.DataFrame:
    """Enterprise records in runs of ``size`` consecutive credit codes, one record per run.

    Codes sharing a prefix stay together, so a code prefix loads few groups. The group's
    content is its members' words, its filters the union of theirs, its date the latest;
    ``members`` (see :func:`_members`) lets the browser pick the enterprises that match
    the query and filters.
    """
    ents = records[records["kind"] == "enterprise"].sort_values("code", kind="stable")
    ents = ents.reset_index(drop=True)
    if size <= 1 or not len(ents):
        return records
    group = np.arange(len(ents)) // size
    # positions in the lists of every record's values, as the search form shows them
    members = pd.Series(_members(ents, size, filter_options(records)))
    # each distinct word once per group: members share task names, results and departments
    words = (ents["text"] + " " + ents["grams"].map(gram_words)).groupby(group).agg(
        lambda texts: " ".join(dict.fromkeys(" ".join(texts).split())))
    frame = pd.DataFrame({
        "url": [f"enterprises/#{g}" for g in members.index],
        "kind": "enterprise", "title": ents.groupby(group)["title"].first().to_numpy(),
        "code": "", "summary": "", "date": ents.groupby(group)["date"].max().to_numpy(),
        "text": words.to_numpy(), "grams": "", "members": members.to_numpy()})
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


def write_bundle(records: pd.DataFrame, output: Path, group: int | None = None) -> Path:
    """Replace ``output/pagefind/`` with a bundle of ``records``; return its folder."""
    records = grouped(records, group_size(records, group))
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
