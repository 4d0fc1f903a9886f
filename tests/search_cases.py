"""Queries for the search tests, chosen from the sample model (never typed in by hand)."""

from __future__ import annotations

import pandas as pd

from generator.model import Model
from generator.search.records import MIN_PREFIX, enterprise_records


def enterprises(model: Model) -> pd.DataFrame:
    return enterprise_records(model)


def shared_prefix(model: Model, size: int = MIN_PREFIX) -> tuple[str, set[str]]:
    """A code prefix that 2–20 enterprises share, and their codes."""
    codes = enterprises(model)["code"]
    counts = codes.str.slice(0, size).value_counts()
    prefix = counts[(counts >= 2) & (counts <= 20)].index[0]
    return prefix, set(codes[codes.str.startswith(prefix)])


def prefix_sibling(model: Model) -> tuple[str, str]:
    """(code, title) of an enterprise whose 8-character prefix other enterprises share."""
    prefix, codes = shared_prefix(model)
    ents = enterprises(model).set_index("code")
    code = sorted(codes)[-1]
    return code, ents.loc[code, "title"]


def fragments(model: Model, length: int, count: int = 3) -> list[tuple[str, str]]:
    """(fragment, code): a ``length``-character piece of a name that at most 10 names hold."""
    ents = enterprises(model)
    names = ents["title"]
    found: list[tuple[str, str]] = []
    for i in range(0, len(ents), max(1, len(ents) // 40)):
        name = names.iloc[i]
        for start in (2, 1, 3, 0):
            piece = name[start:start + length]
            if len(piece) == length and names.str.contains(piece, regex=False).sum() <= 10:
                found.append((piece, ents["code"].iloc[i]))
                break
        if len(found) >= count:
            break
    assert len(found) == count
    return found
