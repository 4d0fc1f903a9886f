"""The browser's enterprise index: which blocks of enterprises hold a word, in small files.

Half a million enterprises are too many for Pagefind: its indexer needs gigabytes of
memory, minutes of time, and cannot add to a bundle, so every data change rebuilt it.
Enterprises are therefore indexed here; Pagefind keeps the few thousand tasks, items,
plans and documents.

An enterprise is found by its names and its credit code, as the ranking rule
(:mod:`.rank`) compares them: every name folded (:mod:`.fold`), so traditional
characters, full-width forms and punctuation do not matter. Its departments, years,
results and items are filters, not words (the server index does the same): the task
names and results of a task's enterprises are found through the task's own record.

Enterprises, in credit-code order, are cut into blocks of ``size`` (32 by default).
Each folded name gives keys (:func:`keys`): each character and each pair of
neighbouring characters, whatever the script, so any piece of two or more characters
of a name leads to its block; a credit code gives its first 1 to 8 characters. A
filter value is a key too (``#<filter>:<position>``). ``search/words/`` holds:

- ``index.json``: block size, block count, enterprise count, key-file count, and the
  address of an enterprise's page with ``{code}`` for its code;
- ``k<h>.json``: ``{key: blocks}`` for the keys whose hash (:func:`key_hash`) is ``h``
  modulo the file count; ``blocks`` is a list of block numbers, or (for keys in many
  blocks) a base64 bitmap, bit ``n`` of byte ``n // 8`` (least significant first);
- ``b<n>.json``: block ``n``'s members, ``[[code, title, summary, date, url, names,
  *filters], ...]``: ``url`` empty when it is the manifest's address, ``names`` the
  folded names joined by spaces, empty when they are the title folded without the
  character table (:func:`.fold.plain`); the
  filters as positions in the search form's lists (as in the code shards);
- ``dates.json``: each block's latest date, as base64 little-endian uint16 days since
  :data:`EPOCH` (0: none), so results sorted by date load the newest blocks first.

search.js folds a query the same way, turns it into keys, intersects their blocks, loads
blocks in order and ranks the members that match. A query of two characters costs one
key file and a block or two, tens of kilobytes.
"""

from __future__ import annotations

import base64
import datetime as dt
import json
import shutil
from array import array
from itertools import chain
from pathlib import Path

import numpy as np
import pandas as pd

from .. import urls
from ..build.writer import replace_file
from .code_index import ByCode
from .fold import plain
from .records import FILTERS

FOLDER = "search/words"
MANIFEST = "index.json"
DATES = "dates.json"
BLOCK = 32  # enterprises per block
KEY_FILE_BYTES = 8 * 1024  # about this much per key file
MAX_KEY_FILES = 4096
EPOCH = dt.date(1990, 1, 1)
CHUNK = 32768  # enterprises worked on at once (rounded down to whole blocks)
MAX_PREFIX = 8  # a credit code is found by its first 1 to 8 characters


def keys(folded: str) -> set[str]:
    """The keys a folded name is found by; search.js (queryKeys) asks for a subset.

    Characters and pairs, because a name fragment is a substring of the name and
    Chinese has no spaces to split on.
    """
    out: set[str] = set(folded)
    out.update(folded[k:k + 2] for k in range(len(folded) - 1))
    return out


def code_keys(code: str) -> set[str]:
    """The keys a credit code is found by: its first 1 to :data:`MAX_PREFIX` characters."""
    code = code.lower()
    return {code[:k] for k in range(1, min(len(code), MAX_PREFIX) + 1)}


def key_hash(key: str) -> int:
    """FNV-1a (32 bits) over the key's UTF-16 code units: what JavaScript strings hold."""
    h = 0x811C9DC5
    for unit in array("H", key.encode("utf-16-le")):
        h = ((h ^ unit) * 0x01000193) & 0xFFFFFFFF
    return h


def _encode(blocks: np.ndarray, count: int) -> str | list[int]:
    if len(blocks) * 5 < (count + 7) // 8 * 4 // 3:
        return blocks.tolist()
    bits = np.zeros((count + 7) // 8 * 8, dtype=bool)
    bits[blocks] = True
    return base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode()


def _split(texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
    """(member, word) for every word of every text, in order: one ``split`` per text,
    which is several times faster than pandas' string methods and ``explode``."""
    split = [t.split() for t in texts]
    member = np.repeat(np.arange(len(split)), np.fromiter(map(len, split), dtype=np.int64,
                                                          count=len(split)))
    words = np.empty(len(member), dtype=object)
    words[:] = list(chain.from_iterable(split))
    return member, words


def _pairs(ents: pd.DataFrame) -> pd.DataFrame:
    """(member, folded name) for every name of every member, without repeats."""
    member, words = _split(ents["names"].tolist())
    return pd.DataFrame({"m": member, "w": words}).drop_duplicates()


def _code_keys(ents: pd.DataFrame, size: int, others: dict[str, int]
               ) -> tuple[np.ndarray, np.ndarray]:
    """(key id, block) for the prefixes of every credit code, column by column: half a
    million codes would be millions of Python steps one at a time. Prefixes of one and
    two characters get the ids a name's character or pair would, since they are the
    same keys."""
    codes = [c.lower() for c in ents["code"].tolist()]
    lengths = np.fromiter(map(len, codes), dtype=np.int64, count=len(codes))
    # fixed-width strings: a prefix of every code at once is a cast to a narrower width
    heads = np.array(codes, dtype=f"U{MAX_PREFIX}") if codes else np.array([], dtype="U1")
    points = heads.view(np.uint32).reshape(len(codes), MAX_PREFIX).astype(np.int64) \
        if codes else np.zeros((0, MAX_PREFIX), dtype=np.int64)
    blocks = np.arange(len(ents), dtype=np.int64) // size
    key_col, block_col = [], []
    for k in range(1, MAX_PREFIX + 1):
        rows = np.flatnonzero(lengths >= k)
        if k == 1:
            key_col.append(points[rows, 0])
        elif k == 2:
            key_col.append((points[rows, 0] + 1) * _PAIR + points[rows, 1])
        else:
            ids, uniques = pd.factorize(heads[rows].astype(f"U{k}").astype(object))
            lookup = np.fromiter((others.setdefault(u, _OTHER + len(others)) for u in uniques),
                                 dtype=np.int64, count=len(uniques))
            key_col.append(lookup[ids])
        block_col.append(blocks[rows])
    return np.concatenate(key_col), np.concatenate(block_col)


_PAIR = 1 << 21  # code points are below this; a pair's id is (first + 1) * _PAIR + second
_OTHER = 1 << 42  # ids of the remaining keys (longer code prefixes, filters) start here


def _word_keys(words: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(word position, key id) for every key of every folded name, as :func:`keys` gives
    them, over one array of code points: over a million distinct names at scale."""
    lengths = np.fromiter(map(len, words), dtype=np.int64, count=len(words))
    points = np.frombuffer("".join(words).encode("utf-32-le"), dtype=np.uint32).astype(np.int64)
    owner = np.repeat(np.arange(len(words)), lengths)
    pair = owner[:-1] == owner[1:]
    return (np.concatenate([owner, owner[:-1][pair]]),
            np.concatenate([points, (points[:-1][pair] + 1) * _PAIR + points[1:][pair]]))


def _sorted_unique(values: np.ndarray) -> np.ndarray:
    values = np.sort(values, kind="stable")
    keep = np.ones(len(values), dtype=bool)
    keep[1:] = values[1:] != values[:-1]
    return values[keep]


def _key_name(key_id: int, others: dict[int, str]) -> str:
    if key_id < _PAIR:
        return chr(key_id)
    if key_id < _OTHER:
        return chr(key_id // _PAIR - 1) + chr(key_id % _PAIR)
    return others[key_id]


def _chunk_postings(ents: pd.DataFrame, size: int, places: dict[str, pd.Series],
                    others: dict[str, int], first_block: int, count: int) -> np.ndarray:
    """Distinct ``key id * count + block`` of the members in ``ents`` (a run of whole blocks
    starting at ``first_block``, positioned from 0); keys stay integer ids until the end:
    tens of millions of (key, block) pairs at scale."""
    pairs = _pairs(ents)
    blocks = (pairs["m"].to_numpy() // size).astype(np.int64)
    word_codes, words = pd.factorize(pairs["w"])
    distinct = max(len(words), 1)
    block_words = _sorted_unique(blocks * distinct + word_codes)
    blocks, word_codes = block_words // distinct, block_words % distinct
    key_words, key_ids = _word_keys(np.asarray(words, dtype=object))
    order = np.argsort(key_words, kind="stable")
    key_ids = key_ids[order]
    lengths = np.bincount(key_words, minlength=len(words))
    starts = np.cumsum(lengths) - lengths
    repeat = lengths[word_codes]
    offsets = np.arange(repeat.sum()) - np.repeat(np.cumsum(repeat) - repeat, repeat)
    key_col = [key_ids[np.repeat(starts[word_codes], repeat) + offsets]]
    block_col = [np.repeat(blocks, repeat)]
    code_ids, code_blocks = _code_keys(ents, size, others)
    key_col.append(code_ids)
    block_col.append(code_blocks)
    for k, f in enumerate(FILTERS):
        exploded = places[f].explode().dropna()
        codes, uniques = pd.factorize(exploded)
        lookup = np.array([others.setdefault(f"#{k}:{p}", _OTHER + len(others)) for p in uniques],
                          dtype=np.int64)
        key_col.append(lookup[codes] if len(codes) else np.array([], dtype=np.int64))
        block_col.append(exploded.index.to_numpy(dtype=np.int64) // size)
    return _sorted_unique(np.concatenate(key_col) * count
                          + np.concatenate(block_col) + first_block)


def _postings(parts: list[np.ndarray], count: int, others: dict[str, int]
              ) -> dict[str, np.ndarray]:
    """key → sorted block numbers, from the distinct pairs of every run of blocks."""
    combined = np.sort(np.concatenate(parts)) if parts else np.array([], dtype=np.int64)
    if not len(combined):
        return {}
    kid, blk = combined // count, combined % count
    cuts = np.flatnonzero(kid[1:] != kid[:-1]) + 1
    bounds = np.concatenate([[0], cuts, [len(kid)]])
    names = {v: k for k, v in others.items()}
    return {_key_name(int(kid[a]), names): blk[a:b]
            for a, b in zip(bounds[:-1], bounds[1:], strict=True)}


def url_template() -> str:
    """An enterprise page's address with ``{code}`` for its code (from the one URL builder)."""
    return urls.enterprise(_PROBE).replace(_PROBE, "{code}")


_PROBE = "91PROBE0000000000X"


def _members(ents: pd.DataFrame, size: int, filters: dict[str, pd.Series]) -> list[str]:
    """Per block, the JSON of its members (see the module docstring). What a reader can
    work out is left empty: the address when it follows :func:`url_template`, the names
    when the title folds to them without the character table. Blocks are most of what a
    query downloads."""
    frame = ents[["code", "title", "summary", "date", "url", "names"]].astype(str)
    template = url_template()
    frame.loc[frame["url"] == [template.format(code=c) for c in frame["code"]], "url"] = ""
    titles, distinct = pd.factorize(frame["title"])
    folded = np.array([plain(t) for t in distinct] + [""], dtype=object)[titles]
    frame.loc[frame["names"].to_numpy(dtype=object) == folded, "names"] = ""
    for f in FILTERS:
        frame[f] = filters[f]
    return [frame.iloc[start:start + size].to_json(orient="values", force_ascii=False)
            for start in range(0, len(frame), size)]


def _dates(ents: pd.DataFrame, size: int) -> str:
    days = pd.to_datetime(ents["date"], errors="coerce", format="%Y-%m-%d")
    offset = (days - pd.Timestamp(EPOCH)).dt.days
    latest = offset.groupby(np.arange(len(ents)) // size).max().fillna(-1) + 1
    values = np.clip(latest.to_numpy(), 0, 0xFFFF).astype("<u2")
    return json.dumps(base64.b64encode(values.tobytes()).decode())


def files(records: pd.DataFrame, options: dict[str, list[str]], size: int = BLOCK,
          chunk: int = CHUNK, prepared: ByCode | None = None) -> dict[str, str]:
    """File name (inside FOLDER) → JSON text of every file of the index; ``chunk``: about
    how many enterprises are worked on at once (the files do not depend on it);
    ``prepared``: :class:`ByCode` of ``records``, when already worked out."""
    size = max(1, int(size))
    prepared = prepared or ByCode.of(records, options)
    ents = prepared.ents
    count = (len(ents) + size - 1) // size
    # each enterprise's filter values as positions in the search form's lists, for both
    # the filter keys and the block files
    places = prepared.places
    # runs of whole blocks, one at a time: every word of half a million enterprises at
    # once, as Python strings and their (key, block) pairs, would take gigabytes
    per_chunk = max(1, chunk // size)
    parts: list[np.ndarray] = []
    others: dict[str, int] = {}
    members: list[str] = []
    for first in range(0, count, per_chunk):
        rows = slice(first * size, (first + per_chunk) * size)
        part = ents.iloc[rows].reset_index(drop=True)
        part_places = {f: v.iloc[rows].reset_index(drop=True) for f, v in places.items()}
        parts.append(_chunk_postings(part, size, part_places, others, first, max(count, 1)))
        members += _members(part, size, part_places)
    postings = {k: _encode(v, count) for k, v in _postings(parts, max(count, 1), others).items()}
    total = sum(len(k) + (len(v) if isinstance(v, str) else 6 * len(v)) for k, v in postings.items())
    key_files = 1
    while key_files < MAX_KEY_FILES and total / key_files > KEY_FILE_BYTES:
        key_files *= 2
    shelves: list[dict[str, str | list[int]]] = [{} for _ in range(key_files)]
    for key in sorted(postings):
        shelves[key_hash(key) % key_files][key] = postings[key]
    out = {f"k{h}.json": json.dumps(shelf, ensure_ascii=False, separators=(",", ":"))
           for h, shelf in enumerate(shelves)}
    for n, text in enumerate(members):
        out[f"b{n}.json"] = text
    out[DATES] = _dates(ents, size)
    out[MANIFEST] = json.dumps({"size": size, "blocks": count, "count": len(ents),
                                "files": key_files, "url": url_template()}, separators=(",", ":"))
    return out


def write_words(records: pd.DataFrame, output: Path, options: dict[str, list[str]],
                size: int = BLOCK, prepared: ByCode | None = None) -> Path:
    """Replace ``output/search/words/`` with the index of ``records``; return the folder.

    Files whose bytes did not change keep their inode, so the output's unchanged-file
    count stays honest after a small data change.
    """
    target = Path(output) / FOLDER
    wanted = files(records, options, size, prepared=prepared)
    target.mkdir(parents=True, exist_ok=True)
    for old in target.iterdir():
        if old.name not in wanted:
            if old.is_dir():
                shutil.rmtree(old)
            else:
                old.unlink()
    for name, text in wanted.items():
        replace_file(target / name, text.encode("utf-8"))
    return target
