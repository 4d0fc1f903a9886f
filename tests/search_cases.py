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


def _distinct(ents: pd.DataFrame, name: str, piece: str) -> bool:
    """True when only the enterprise named ``name`` holds ``piece`` in its name."""
    return int(ents["title"].str.contains(piece, regex=False).sum()) == 1 and piece in name


def ranking_cases(model: Model) -> list[tuple[str, str, str]]:
    """(what the case shows, query, credit code that must come first), drawn from the
    sample: the ways a citizen types a name she half remembers."""
    import opencc

    ents = enterprises(model)
    titles = ents["title"].tolist()
    codes = ents["code"].tolist()
    simple_to_trad = opencc.OpenCC("s2t")
    cases: list[tuple[str, str, str]] = []

    def first(test) -> tuple[str, str]:
        for title, code in zip(titles, codes, strict=True):
            if test(title):
                return title, code
        raise AssertionError("the sample lacks a name for this case")

    title, code = first(lambda t: t.endswith("有限公司") and not t.endswith("股份有限公司")
                        and _distinct(ents, t, t[:-4]))
    cases.append(("full name without 有限公司", title[:-4], code))
    cases.append(("有限责任公司 typed for 有限公司", title[:-4] + "有限责任公司", code))
    cases.append(("four characters of the name", title[3:7], code) if _distinct(ents, title, title[3:7])
                 else ("the name as typed", title, code))
    title, code = first(lambda t: simple_to_trad.convert(t) != t and _distinct(ents, t, t[:-4]))
    cases.append(("traditional characters", simple_to_trad.convert(title[:-4]), code))
    title, code = first(lambda t: "（" in t and _distinct(ents, t, t[:-4]))
    cases.append(("half-width brackets and spaces", title.replace("（", " (").replace("）", ") "), code))
    title, code = first(lambda t: t.startswith("青禾县") and _distinct(ents, t, t[3:-4]))
    cases.append(("county left out", title[3:-4], code))
    title, code = first(lambda t: t.startswith("河北") and _distinct(ents, t, t[2:6]))
    cases.append(("a region the name lacks put in front", "青禾县" + title[2:6], code))
    return cases
