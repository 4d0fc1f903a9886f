"""Value normalization shared by every table: full-width folding, dates, ratios, lists.

Agencies' platforms write the same value in many ways; these parsers accept all
forms the contract lists and return ``None`` for anything else, so the caller can
report the exact cell. They are scalar functions applied to distinct values only
(see :func:`map_unique`), which keeps million-row tables fast.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable, Iterable
from datetime import date, timedelta
from typing import Any

import numpy as np
import pandas as pd

# Full-width ASCII (U+FF01..U+FF5E) and the ideographic space fold to half-width.
_FULLWIDTH = {cp: cp - 0xFEE0 for cp in range(0xFF01, 0xFF5F)}
_FULLWIDTH[0x3000] = 0x20
LIST_SEPARATORS = "；;、,，"
_LIST_SPLIT = re.compile(r"\s*[；;、,，]\s*")


def fold_width(value: str) -> str:
    """Fold full-width ASCII to half-width; other characters are kept as written."""
    return value.translate(_FULLWIDTH)


def vocabulary_key(value: str) -> str:
    """Key under which vocabulary words are compared: NFKC, no spaces, lower case.

    NFKC makes （） and () the same, so a word typed with either form matches.
    """
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", value)).lower()


class Distinct:
    """A column's distinct values with ``fn`` applied once to each.

    Real tables repeat values heavily (dates, result words, department names), so
    this turns a per-row loop into a per-distinct-value loop; :meth:`take` spreads
    any projection of the answers back to every row with one indexing operation.
    """

    def __init__(self, series: pd.Series, fn: Callable[[str], Any]) -> None:
        self.codes, uniques = pd.factorize(series, sort=False)
        self.answers = [fn(u) for u in uniques]

    def take(self, project: Callable[[Any], Any] | None = None) -> np.ndarray:
        values = self.answers if project is None else [project(a) for a in self.answers]
        out = np.empty(len(values) + 1, dtype=object)
        out[:-1] = values
        out[-1] = None
        return out[self.codes]  # code -1 (missing) picks the trailing None


def map_unique(series: pd.Series, fn: Callable[[str], Any]) -> np.ndarray:
    """``fn`` applied to every row, computed once per distinct value."""
    return Distinct(series, fn).take()


# --- dates -------------------------------------------------------------------------

_DATE_SEP = re.compile(r"^(\d{4})\s*[-/.年]\s*(\d{1,2})\s*[-/.月]\s*(\d{1,2})\s*日?$")
_DATE_COMPACT = re.compile(r"^(\d{4})(\d{2})(\d{2})$")
_NUMBER = re.compile(r"^[+-]?\d+(?:\.\d*)?$")
_TIME_TAIL = re.compile(r"[ T]\d{1,2}:\d{2}(:\d{2}(\.\d+)?)?$")
_EXCEL_EPOCH = date(1899, 12, 30)
# Excel serials from 1950-01-01 to 2099-12-31: wide enough for any inspection record,
# narrow enough that a typo like 2026 is not silently read as a 1905 date.
_SERIAL_MIN, _SERIAL_MAX = 18264, 73050


def parse_date(value: str) -> date | None:
    """Parse one date in any form the contract accepts; ``None`` if it is not one.

    A bare number is never a date here: only a number cell of an .xlsx file is an Excel
    date serial (see :func:`serial_date`); in text, 46000 is as likely a count as a day.
    """
    text = fold_width(value).strip()
    text = _TIME_TAIL.sub("", text)  # "2026-03-01 00:00:00" from spreadsheet exports
    m = _DATE_SEP.match(text) or _DATE_COMPACT.match(text)
    if m:
        try:
            return date(int(m[1]), int(m[2]), int(m[3]))
        except ValueError:
            return None
    return None


def is_number(value: str) -> bool:
    """Whether a cell is a bare number (the text of an Excel date serial, among others)."""
    return bool(_NUMBER.match(fold_width(value).strip()))


def serial_date(value: str) -> str | None:
    """An Excel date serial (a whole number) as an ISO date; ``None`` outside 1950–2099."""
    text = value.strip()
    if not (text.isascii() and text.isdigit()) or len(text) > 5:
        return None
    serial = int(text)
    if _SERIAL_MIN <= serial <= _SERIAL_MAX:
        return (_EXCEL_EPOCH + timedelta(days=serial)).isoformat()
    return None


# --- ratios ------------------------------------------------------------------------

_RATIO_NUMBER = re.compile(r"(\d+(?:\.\d+)?)\s*([%‰])?")


def parse_ratio(value: str) -> float | None:
    """Parse a sampling ratio to its minimum as a fraction in [0, 1].

    Written forms include ``3%``, ``不低于3%``, ``≥20%``, ``0.03`` and ``10%（20户）``;
    the first number is the ratio (for a range ``3%-5%`` that is its minimum). A bare
    number above 1 is refused rather than guessed as a percentage.
    """
    text = fold_width(value).strip()
    m = _RATIO_NUMBER.search(text)
    if not m:
        return None
    number = float(m[1])
    if m[2] == "%":
        number /= 100
    elif m[2] == "‰":
        number /= 1000
    if not 0 <= number <= 1:
        return None
    return round(number, 10)


# --- integers ----------------------------------------------------------------------

_INT64_MAX = 2**63 - 1
_INTEGER = re.compile(r"^([+-]?)(\d{1,3}(?:,\d{3})+|\d+)(?:\.0+)?\s*[户家个]?$")


def parse_integer(value: str) -> int | None:
    """Parse a count such as ``64``, ``1,200``, ``64.0`` (from Excel) or ``64户``.

    A sign is kept, so ``-1`` is an integer out of range, not "not an integer".
    """
    m = _INTEGER.match(fold_width(value).strip())
    if not m:
        return None
    number = int(m[2].replace(",", ""))
    if number > _INT64_MAX:
        return None  # no count is this large; and it would not fit the Int64 column
    return -number if m[1] == "-" else number


# --- lists -------------------------------------------------------------------------


def split_list(value: str, protected: Iterable[str] = ()) -> list[str]:
    """Split a list cell on ``；;、,``, keeping ``protected`` words that contain a separator.

    Some vocabulary words contain 、 themselves (公示信息隐瞒真实情况、弄虚作假), so they
    are shielded before splitting rather than rejoined afterwards.
    """
    text = value.strip()
    if not text:
        return []
    shields: dict[str, str] = {}
    for i, word in enumerate(sorted(protected, key=len, reverse=True)):
        if word in text:
            token = f"\x00{i}\x00"
            shields[token] = word
            text = text.replace(word, token)
    parts = [p.strip() for p in _LIST_SPLIT.split(text)]
    out = []
    for part in parts:
        for token, word in shields.items():
            part = part.replace(token, word)
        if part:
            out.append(part)
    return out


# --- links -------------------------------------------------------------------------

_URL = re.compile(r"^https?://[^\s<>\"']+$", re.IGNORECASE)
_SLUG = re.compile(r"^[^\s/\\:?#<>\"'\x00-\x1f]+$")


# one telephone number once spaces are gone: a landline with or without its area code (and
# an extension), a mobile number, a 400/800 service line or a short government hotline
_PHONE = re.compile(r"^(?:(?:\(0\d{2,3}\)|0\d{2,3}-?)?[1-9]\d{6,7}(?:(?:-|转)\d{1,6})?"
                    r"|1[3-9]\d{9}|[48]00-?\d{3}-?\d{4}|1\d{2}|1\d{4}|9\d{4})$")
_PHONE_SPLIT = re.compile(r"\s*[；;、,，/]\s*")
_URL_TEXT = re.compile(r"^[^\s<>\"'\\`]+$")


def parse_phone(value: str) -> str | None:
    """Telephone numbers as written (full-width folded); ``None`` if any of them is not one.

    Numbers are published for people to dial, so each must look like a number a phone in
    China can call: a typo such as a missing digit is caught before it is printed.
    """
    text = fold_width(value).strip()
    parts = [p for p in _PHONE_SPLIT.split(text) if p]
    if not parts or not all(_PHONE.match(re.sub(r"[\s]", "", p)) for p in parts):
        return None
    return text


def parse_url(value: str) -> str | None:
    """An http(s) address with a host name, as written; ``None`` for anything else.

    Unlike a :func:`parse_link` value it is never a content slug: a department's web
    page is somewhere else, and a bare word there would become a broken relative link.
    """
    from urllib.parse import urlsplit

    text = fold_width(value).strip()
    if not _URL_TEXT.match(text):
        return None
    try:
        parts = urlsplit(text)
        parts.port  # noqa: B018 (raises on a port that is not a number)
    except ValueError:
        return None
    host = parts.hostname or ""
    if (parts.scheme.lower() not in ("http", "https") or "@" in parts.netloc or "." not in host
            or any(label == "" for label in host.split("."))):
        return None
    return text


def parse_link(value: str) -> str | None:
    """Accept an http(s) URL or a content slug; refuse any other scheme (javascript: …)."""
    text = value.strip()
    if _URL.match(text):
        return text
    if _SLUG.match(text) and text not in {".", ".."}:
        return text
    return None
