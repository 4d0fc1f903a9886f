"""Name folding: the one definition of how a name and a query are compared.

A citizen types a name the way she remembers it: in traditional characters, with
full-width brackets, without 有限公司, with the county in front. Both sides of every
comparison are folded the same way (:func:`fold`): Unicode compatibility forms
(full-width letters, digits and brackets) become plain ones, letters lower case,
traditional characters simplified (OpenCC's character table, which the ``opencc``
package ships), and everything that is neither a letter nor a digit (spaces,
brackets, punctuation) is dropped. A query word may also leave out the legal-form
suffix and may put a region in front that the name lacks (:func:`variants`).

The browser applies the same rule (``themes/gongkai/static/js/search.js``), reading
the suffixes and regions from ``search/fold.json`` and the table from small shards
``search/fold/<n>.json`` (a query loads those of its own characters), which
:func:`browser_files` writes from this module at build time, so the two can never
disagree about data.
"""

from __future__ import annotations

import base64
import functools
import re
import tomllib
import unicodedata
from collections.abc import Iterable
from pathlib import Path

import numpy as np

FILE = "search/fold.json"
SHARDS = "search/fold"
SHARD_COUNT = 64  # a character's shard is its code point modulo this
BITMAP_START, BITMAP_END = 0x3400, 0xA000  # characters outside always ask their shard
_DROP = re.compile(r"[\W_]+")
_CJK = ((0x3400, 0x9FFF), (0xF900, 0xFAFF), (0x20000, 0x2FA1F))
# "（示例数据）" and the like after a region's name are remarks, not part of it
_REMARK = re.compile(r"[（(][^）)]*[）)]")
_LEVEL = re.compile(r"(?:省|市|自治区|自治州|地区|盟|县|区|旗)$")


@functools.cache
def _rules() -> dict[str, list[str]]:
    with (Path(__file__).with_name("fold.toml")).open("rb") as handle:
        return tomllib.load(handle)


@functools.cache
def table() -> dict[int, str]:
    """Traditional → simplified, one character to one character, from OpenCC's t2s.

    Phrase conversions are left out: a name is matched character by character, and a
    phrase rule could change a name's length and so break substring matching.
    """
    import opencc

    converter = opencc.OpenCC("t2s")
    out: dict[int, str] = {}
    for low, high in _CJK:
        for point in range(low, high + 1):
            char = chr(point)
            simple = converter.convert(char)
            if simple != char and len(simple) == 1:
                out[point] = simple
    return out


def fold(text: str | None) -> str:
    """The comparable form of a name or a query word (see the module docstring)."""
    text = unicodedata.normalize("NFKC", text or "").lower().translate(table())
    return _DROP.sub("", text)


def plain(text: str | None) -> str:
    """:func:`fold` without the character table: what a reader works out without
    loading it (equal to the fold of a name written in simplified characters)."""
    return _DROP.sub("", unicodedata.normalize("NFKC", text or "").lower())


def suffixes() -> list[str]:
    """Legal-form suffixes, longest first (folded), as the query may leave them out."""
    return list(_suffixes())


@functools.cache
def _suffixes() -> tuple[str, ...]:
    # folded once: every query word asks for them (variants), a server many times a second
    return tuple(sorted({fold(s) for s in _rules()["suffixes"]}, key=lambda s: (-len(s), s)))


def regions(settings: dict) -> list[str]:
    """Region names a query may put in front of a name, longest first (folded): the
    setting ``GONGKAI_SEARCH_REGIONS`` and the site's own region (``GONGKAI_REGION``,
    without remarks in brackets), each also without its level word (青禾县 → 青禾)."""
    names = list(settings.get("GONGKAI_SEARCH_REGIONS") or [])
    region = _REMARK.sub("", str(settings.get("GONGKAI_REGION") or "")).strip()
    if region:
        names.append(region)
    out: set[str] = set()
    for name in names:
        name = fold(name)
        if len(name) >= 2:
            out.add(name)
        short = _LEVEL.sub("", name)
        if len(short) >= 2:
            out.add(short)
    return sorted(out, key=lambda s: (-len(s), s))


def _strip(word: str, pieces: Iterable[str], at_start: bool) -> str:
    """``word`` without any of ``pieces`` at its start (or end), again and again, as long
    as two characters are left."""
    changed = True
    while changed:
        changed = False
        for piece in pieces:
            if (word.startswith(piece) if at_start else word.endswith(piece)) \
                    and len(word) - len(piece) >= 2:
                word, changed = (word[len(piece):] if at_start else word[:-len(piece)]), True
                break
    return word


def variants(word: str, regions_: list[str], suffixes_: list[str] | None = None) -> list[str]:
    """The folded forms of one query word that may stand in a name, longest first: as
    typed, without its legal-form suffix, and also without a leading region. Each later
    form is a piece of the earlier ones, so the last is in every name any of them is in
    (what an index is asked for). A form is never cut below two characters."""
    folded = fold(word)
    if not folded:
        return []
    bare = _strip(folded, suffixes() if suffixes_ is None else suffixes_, at_start=False)
    core = _strip(bare, regions_, at_start=True)
    out: list[str] = []
    for form in (folded, bare, core):
        if form not in out:
            out.append(form)
    return out


def browser_files(settings: dict) -> dict[str, dict]:
    """What search.js needs to fold as this module does, by file name: the suffixes,
    regions and shard count in :data:`FILE`; the character table in shards, each as
    two strings of equal length (``from``, ``to``)."""
    shards: list[list[tuple[int, str]]] = [[] for _ in range(SHARD_COUNT)]
    for point, simple in sorted(table().items()):
        shards[point % SHARD_COUNT].append((point, simple))
    # which characters of the main CJK block the table changes, as a bitmap (bit n of
    # byte n // 8, least significant first, from BITMAP_START): a query of simplified
    # characters then loads no shard at all
    bits = np.zeros(BITMAP_END - BITMAP_START, dtype=bool)
    points = np.array([p for p in table() if BITMAP_START <= p < BITMAP_END], dtype=np.int64)
    bits[points - BITMAP_START] = True
    bitmap = base64.b64encode(np.packbits(bits, bitorder="little").tobytes()).decode()
    out: dict[str, dict] = {FILE: {"suffixes": suffixes(), "regions": regions(settings),
                                   "shards": SHARD_COUNT, "changes": bitmap,
                                   "changesFrom": BITMAP_START, "changesTo": BITMAP_END}}
    for n, pairs in enumerate(shards):
        out[f"{SHARDS}/{n}.json"] = {"from": "".join(chr(p) for p, _ in pairs),
                                     "to": "".join(t for _, t in pairs)}
    return out
