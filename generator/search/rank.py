"""The ranking rule every search applies, and the query clean-up it starts from.

A citizen who types a credit code wants that enterprise; one who types a name wants the
enterprise of that name, not the tasks it was inspected in. So hits come in tiers
(:data:`TIERS`), best first:

0. ``code``: the exact credit code;
1. ``code_prefix``: a credit code starting with the query (8 characters or more);
2. ``name``: an enterprise whose folded name or former name holds the whole query
   (:mod:`.fold`: traditional characters, full-width forms, punctuation, the
   legal-form suffix and a leading region do not matter);
3. ``enterprise``: any other enterprise holding every word of the query in its names
   (or starting its code with it);
4. ``other``: tasks, items, plans and documents.

Within a tier the enterprises stay in credit-code order and the others in the order of
their index's relevance; sorted by date, the newest come first whatever their tier.
``themes/gongkai/static/js/search.js`` applies the same rule in the browser; the tier
names reach it in ``search/fold.json`` and both sides are tested on the same cases.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable

import numpy as np
import pandas as pd

from .fold import fold, variants

TIERS = ("code", "code_prefix", "name", "enterprise", "other")
OTHER = TIERS.index("other")
MAX_QUERY = 200  # characters; longer queries are cut, never an error
_CODE = re.compile(r"^[0-9A-Za-z]{8,18}$")


def _cut(text: str, units: int) -> str:
    """The start of ``text`` that fits in ``units`` UTF-16 code units, as JavaScript's
    ``slice`` cuts a string (a character outside the BMP counts two)."""
    if len(text) * 2 <= units:
        return text
    used = 0
    for n, char in enumerate(text):
        used += 2 if ord(char) > 0xFFFF else 1
        if used > units:
            return text[:n]
    return text


def clean_query(text: str | None) -> str:
    """Words only, exactly as search.js's ``cleanQuery`` makes them: the first
    :data:`MAX_QUERY` characters (UTF-16 code units, as a browser counts), NFKC (full-width
    letters and digits become plain ones, so a code typed on a Chinese input method is
    still a code), and every run of anything but letters, digits, ``_`` and ``-`` one
    space; so no input can be a syntax error."""
    text = unicodedata.normalize("NFKC", _cut(text or "", MAX_QUERY))
    kept = "".join(c if c in "_-" or unicodedata.category(c)[0] in "LN" else " " for c in text)
    return " ".join(kept.split())


def code_query(query: str) -> str:
    """The query as a credit code (upper case) when it looks like one, else ""."""
    compact = query.replace(" ", "")
    return compact.upper() if _CODE.match(compact) else ""


def code_rank(query: str, code: str) -> int:
    """0: the exact code; 1: a code starting with the query; 2: anything else."""
    wanted = code_query(query)
    code = (code or "").upper()
    if not wanted or not code:
        return 2
    if code == wanted:
        return 0
    return 1 if code.startswith(wanted) else 2


def _holds(names: pd.Series, forms: list[str]) -> np.ndarray:
    found = np.zeros(len(names), dtype=bool)
    for form in forms:
        found |= names.str.contains(form, regex=False).to_numpy(dtype=bool)
    return found


def tier_rule(query: str, count: int, regions: list[str],
              holding: Callable[[list[str]], np.ndarray],
              starting: Callable[[str], np.ndarray],
              equal: Callable[[str], np.ndarray]) -> np.ndarray:
    """The ranking rule over any index of ``count`` enterprises: each one's tier for
    ``query`` (a :func:`clean_query`), -1 where it does not match.

    The index answers three questions as boolean masks: which names hold any of these
    folded forms (``holding``), which codes start with this (upper-case) prefix
    (``starting``), which code is this one (``equal``). :func:`enterprise_tiers` asks
    them of plain columns; the server's loaded index of arrays of its own.
    """
    words = query.split()
    tiers = np.full(count, -1, dtype=np.int64)
    if not words:
        return tiers
    every = np.ones(count, dtype=bool)
    for word in words:
        head = fold(word).upper()
        match = holding(variants(word, regions))
        every &= (match | starting(head)) if head else match
    tiers[every] = TIERS.index("enterprise")
    tiers[holding(variants("".join(words), regions))] = TIERS.index("name")
    code = code_query(query)
    if code:
        tiers[starting(code)] = TIERS.index("code_prefix")
        tiers[equal(code)] = TIERS.index("code")
    return tiers


def enterprise_tiers(query: str, codes: pd.Series, names: pd.Series, regions: list[str]
                     ) -> np.ndarray:
    """:func:`tier_rule` over columns: ``codes``, and ``names`` each enterprise's folded
    names joined by spaces (folded names hold no space, so a query never matches across
    two of them)."""
    names = names.fillna("").astype(str).reset_index(drop=True)
    upper = codes.fillna("").astype(str).str.upper().reset_index(drop=True)
    return tier_rule(query, len(codes), regions, lambda forms: _holds(names, forms),
                     lambda prefix: upper.str.startswith(prefix).to_numpy(dtype=bool),
                     lambda code: (upper == code).to_numpy(dtype=bool))
