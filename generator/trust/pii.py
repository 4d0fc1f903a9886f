"""Personal data in published columns: resident ID numbers, mobile numbers, e-mail addresses.

Inspection records are about enterprises, but free-text columns (notes, scopes, names of
sole traders) sometimes carry a person's ID number or phone. A public portal must not
publish them, so every published text column is scanned before the table rules run.
By default such a cell is an error (the build stops, naming file, row and column); with
``GONGKAI_PII = "mask"`` the value is published with the middle digits hidden and a
warning says where. Each distinct cell value is scanned once, so a million rows with a
few thousand distinct notes cost a few thousand regex searches.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import ric

from ..ingest.normalize import fold_width
from ..validate.stage import Stage

# field types whose values are published as text (uscc is a business code, by law public;
# enum, result, integer, date and ratio values cannot hold free text)
SCANNED_TYPES = {"text", "code", "list"}
MODES = ("error", "mask")

_ID = re.compile(r"(?<![0-9A-Za-z])([1-9]\d{5}(?:18|19|20)\d{2}(?:0[1-9]|1[0-2])"
                 r"(?:0[1-9]|[12]\d|3[01])\d{3}[0-9Xx])(?![0-9A-Za-z])")
_MOBILE = re.compile(r"(?<![0-9A-Za-z])((?:(?:\+|00)?86[- ]?)?)(1[3-9]\d)[- ]?(\d{4})[- ]?(\d{4})"
                     r"(?![0-9A-Za-z])")
_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,})")
_QUICK = re.compile(r"\d{11}|@|\d{3}[- ]\d{4}")  # cheap pre-filter: most cells have none

KINDS = {"resident_id": "居民身份证号码", "mobile": "手机号码", "email": "电子邮箱"}


def _mask_id(m: re.Match) -> str | None:
    number = m.group(1).upper()
    if not ric.is_valid(number):  # a long number that only looks like an ID (wrong check digit)
        return None
    return number[:4] + "*" * 10 + number[-4:]


def _mask_mobile(m: re.Match) -> str:
    return f"{m.group(1)}{m.group(2)}****{m.group(4)}"


def _mask_email(m: re.Match) -> str:
    local = m.group(1)
    return f"{local[:1]}***@{m.group(2)}"


_PATTERNS: list[tuple[str, re.Pattern, Callable[[re.Match], str | None]]] = [
    ("resident_id", _ID, _mask_id),
    ("mobile", _MOBILE, _mask_mobile),
    ("email", _EMAIL, _mask_email),
]


def find(text: str) -> tuple[str, list[str]]:
    """``(masked text, kinds found)`` for one cell; kinds empty when it holds no personal data.

    Full-width digits and letters are folded first (the folding keeps every position),
    so ``１３８…`` is found as readily as ``138…``.
    """
    folded = fold_width(text)
    if not _QUICK.search(folded):
        return text, []
    kinds: list[str] = []
    out = text
    for kind, pattern, masker in _PATTERNS:
        pieces, folded_pieces, last = [], [], 0
        for m in pattern.finditer(folded):
            masked = masker(m)
            if masked is None:
                continue
            if kind not in kinds:
                kinds.append(kind)
            pieces += [out[last:m.start()], masked]
            folded_pieces += [folded[last:m.start()], masked]
            last = m.end()
        if last:  # splice into the text as written; the folded copy keeps positions aligned
            out = "".join([*pieces, out[last:]])
            folded = "".join([*folded_pieces, folded[last:]])
    return out, kinds


def candidates(values: np.ndarray) -> list[str]:
    """The distinct cell texts that may hold personal data, found over the whole column at once.

    Every pattern needs an "@" (or its full-width form) or at least seven digits, counted
    as Unicode decimal digits, which is what both ``\\d`` here and full-width folding allow;
    only the few texts that pass are scanned one by one with :func:`find`.
    """
    texts = [v for v in values if isinstance(v, str) and v]
    if not texts:
        return []
    arr = pa.array(texts, type=pa.large_string())
    maybe = pc.or_(pc.greater_equal(pc.count_substring_regex(arr, r"\p{Nd}"), 7),
                   pc.match_substring_regex(arr, "[@＠]"))
    return [texts[i] for i in np.flatnonzero(maybe.to_numpy(zero_copy_only=False))]


def pii_mode(settings: dict[str, Any]) -> str:
    mode = str(settings.get("GONGKAI_PII") or "error").lower()
    if mode not in MODES:
        raise ValueError(f"GONGKAI_PII 只能是 {' 或 '.join(MODES)}，而不是“{mode}”")
    return mode


# invisible direction controls (LRE..RLO, LRI..PDI, LRM, RLM, ALM): in a name they can make
# text display reversed ("‮exe.txt"), so they are removed from published text
_BIDI = re.compile("[\u202a-\u202e\u2066-\u2069\u200e\u200f\u061c]")


def strip_bidi_controls(stage: Stage) -> None:
    """Remove direction controls from published text columns, with a W402 per cell."""
    for f in stage.table.fields:
        if f.type not in SCANNED_TYPES or not len(stage):
            continue
        raw = stage.raw[f.name].astype(object)
        uniques = pd.Series(pd.unique(raw), dtype=object)
        dirty = uniques[uniques.astype(str).str.contains(_BIDI)]
        if dirty.empty:
            continue
        hit = raw.isin(set(dirty)).to_numpy()
        cleaned = raw.where(~hit, raw[hit].str.replace(_BIDI, "", regex=True))
        stage.report("W402", hit, f.name, value=cleaned.to_numpy(), title=f.title)
        typed = stage.typed[f.name].astype(object).copy()
        for i in np.flatnonzero(hit).tolist():  # only the affected rows
            current = typed.iat[i]
            if isinstance(current, list):
                typed.iat[i] = [_BIDI.sub("", x) for x in current]
            elif isinstance(current, str):
                typed.iat[i] = _BIDI.sub("", current)
        stage.typed[f.name] = typed
        stage.raw[f.name] = cleaned.astype(stage.raw[f.name].dtype)


def scan_stage(stage: Stage, settings: dict[str, Any]) -> None:
    """Report (E401) or mask (W401) personal data in every published text column of ``stage``."""
    strip_bidi_controls(stage)
    mode = pii_mode(settings)
    for f in stage.table.fields:
        if f.type not in SCANNED_TYPES or not len(stage):
            continue
        raw = stage.raw[f.name].astype(object)
        found = {}
        for value in candidates(pd.unique(raw)):
            masked, kinds = find(value)
            if kinds:
                found[value] = (masked, "、".join(KINDS[k] for k in kinds))
        if not found:
            continue
        hit = raw.isin(list(found)).to_numpy()
        masked = raw[hit].map({v: m for v, (m, _) in found.items()})
        kinds = raw[hit].map({v: k for v, (_, k) in found.items()})
        full_masked = pd.Series(None, index=raw.index, dtype=object)
        full_masked[hit] = masked
        full_kinds = pd.Series("", index=raw.index, dtype=object)
        full_kinds[hit] = kinds
        if mode == "error":
            stage.report("E401", hit, f.name, value=full_masked.to_numpy(), title=f.title,
                         kinds=full_kinds.to_numpy())
            continue
        stage.report("W401", hit, f.name, value=full_masked.to_numpy(), title=f.title,
                     kinds=full_kinds.to_numpy())
        typed = stage.typed[f.name].astype(object).copy()
        rows = np.flatnonzero(hit)
        for i in rows.tolist():  # only the rows that hold personal data, never the whole column
            current = typed.iat[i]
            if isinstance(current, list):
                typed.iat[i] = [find(x)[0] for x in current]
            elif isinstance(current, str):
                typed.iat[i] = find(current)[0]
        stage.typed[f.name] = typed
