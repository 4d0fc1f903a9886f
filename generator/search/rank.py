"""The ranking rule both indexes apply, and the query clean-up they share.

A citizen who types a credit code wants that enterprise, not the ones whose text
mentions similar words: an exact code comes first, then code prefixes, then the
index's own relevance order. ``themes/gongkai/static/js/search.js`` applies the same
rule in the browser (``codeRank``).
"""

from __future__ import annotations

import re

MAX_QUERY = 200  # characters; longer queries are cut, never an error
_CODE = re.compile(r"^[0-9A-Za-z]{8,18}$")
_JUNK = re.compile(r"[^\w\u3400-\u9fff\uf900-\ufaff-]+")


def clean_query(text: str | None) -> str:
    """Words only: query-syntax characters become spaces, so no input can be a syntax error."""
    text = (text or "")[:MAX_QUERY]
    return " ".join(_JUNK.sub(" ", text).split())


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


def rerank(query: str, hits: list[dict]) -> list[dict]:
    """Stable: within a rank the index's relevance order stays."""
    return sorted(hits, key=lambda h: code_rank(query, h.get("code", "")))
