"""The words of tasks, items, plans and documents, as the server index holds and asks them.

jieba search-mode segmentation for the text fields, name bigrams for the title, and the
query built from a search: shared by the index's writer (:mod:`.server_index`) and its
reader (:mod:`.engine`), so neither imports the other for them.
"""

from __future__ import annotations

import functools
from typing import Any

import jieba
from whoosh import query as wq
from whoosh.analysis import LowercaseFilter, Token, Tokenizer

from .rank import clean_query, code_query

jieba.setLogLevel(60)


@functools.lru_cache(maxsize=200_000)
def _segment(piece: str) -> tuple[str, ...]:
    return tuple(w for w in jieba.cut_for_search(piece) if w.strip())


class JiebaTokenizer(Tokenizer):
    """jieba search-mode words; pieces repeat a lot (task names, results), so they are cached."""

    def __call__(self, value: str, positions: bool = False, chars: bool = False,
                 keeporiginal: bool = False, removestops: bool = True, start_pos: int = 0,
                 start_char: int = 0, mode: str = "", **kwargs: Any):
        token = Token(positions, chars, removestops=removestops, mode=mode, **kwargs)
        pos = start_pos
        for piece in value.split():
            for word in _segment(piece):
                token.text = word
                token.boost = 1.0
                token.stopped = False
                if positions:
                    token.pos = pos
                    pos += 1
                yield token


def analyzer():
    return JiebaTokenizer() | LowercaseFilter()


def _grams(word: str) -> list[str]:
    return [word[k:k + 2] for k in range(len(word) - 1)]


def other_query(text: str) -> wq.Query | None:
    """Tasks, items, plans and documents: every word as a name fragment (its bigrams), as
    jieba words, or as a code."""
    cleaned = clean_query(text)
    if not cleaned:
        return None
    parts = []
    code = code_query(cleaned)
    if code:
        parts.append(wq.Or([wq.Term("code", code, boost=20.0),
                            wq.Prefix("code", code, boost=10.0)]))
    per_word = []
    for word in cleaned.lower().split():
        options: list[wq.Query] = []
        segmented = _segment(word)
        if segmented:
            options.append(wq.And([wq.Or([wq.Term("text", w), wq.Term("title", w)])
                                   for w in segmented]))
        if len(word) >= 2:
            options.append(wq.And([wq.Term("grams", g) for g in _grams(word)]))
        else:
            options.append(wq.Prefix("grams", word))
        per_word.append(wq.Or(options))
    parts.append(wq.And(per_word))
    return wq.Or(parts) if len(parts) > 1 else parts[0]
