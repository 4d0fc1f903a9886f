"""Personal data in published columns: resident ID numbers, telephone numbers, e-mail addresses.

Inspection records are about enterprises, but free-text columns (notes, scopes, names of
sole traders) sometimes carry a person's ID number or phone. A public portal must not
publish them, so every published text column is scanned before the table rules run.
By default such a cell is an error (the build stops, naming file, row and column); with
``GONGKAI_PII = "mask"`` the value is published with the middle digits hidden and a
warning says where. Each distinct cell value is scanned once, so a million rows with a
few thousand distinct notes cost a few thousand regex searches.

Numbers are found as people write them: 18-digit and old 15-digit ID numbers, mobile and
landline numbers, with spaces, dashes, brackets or full-width digits. Landlines in the
departments table, and any number that table lists as an office telephone, are public.
"""

from __future__ import annotations

import re
from datetime import date
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

_EMAIL = re.compile(r"(?<![A-Za-z0-9._%+-])([A-Za-z0-9._%+-]+)@([A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*"
                    r"\.[A-Za-z]{2,})")
# cheap pre-filter: an "@" or seven digits anywhere (every number below has more)
_QUICK = re.compile(r"@|(?:\d\D*){7}")
# a run of digits standing alone (an ID number's check character X ends its last run)
_GROUP = re.compile(r"(?<![0-9A-Za-z])[0-9]+[Xx]?(?![0-9A-Za-z])")
# what may stand between the runs of one written number: 110105 19491231 002X,
# 138-1234-5678, (0311)8601 2315, +86 138…
_GAP = re.compile(r"[ \-\u2010-\u2015()]{1,3}")
_PHONE_WORD = re.compile(r"(?:电话|座机|固话|手机|tel|TEL|Tel|联系方式)[：:\s]*$")
_REGISTRATION_WORD = re.compile(r"注册号(?:码)?[：:\s]*$")
# GB 11643 province codes: the first two digits of every resident ID number
_PROVINCES = {11, 12, 13, 14, 15, 21, 22, 23, 31, 32, 33, 34, 35, 36, 37, 41, 42, 43, 44, 45,
              46, 50, 51, 52, 53, 54, 61, 62, 63, 64, 65, 71, 81, 82, 83, 91}
_MOBILE = re.compile(r"1[3-9][0-9]{9}")
# area code 010, 02X or 0 + three digits; the local number 7 or 8 digits, not starting 0 or 1
_AREA = re.compile(r"0(?:10|2[0-9]|[3-9][0-9]{2})")
_LOCAL = re.compile(r"[2-9][0-9]{6,7}")

KINDS = {"resident_id": "居民身份证号码", "mobile": "手机号码", "landline": "固定电话号码",
         "email": "电子邮箱"}


def _old_id(digits: str) -> bool:
    """A 15-digit resident ID (issued until 1999): province, then a 19YY birth date."""
    if int(digits[:2]) not in _PROVINCES:
        return False
    try:
        date(1900 + int(digits[6:8]), int(digits[8:10]), int(digits[10:12]))
    except ValueError:
        return False
    return True


def _landline(digits: str, separated: bool) -> int:
    """The length of the area code of a landline number (area code, local number), or 0.

    Written without a break after the area code it is taken for one only after a word
    such as 电话: a bare run of 11 or 12 digits starting with 0 is as often a file number.
    """
    area = _AREA.match(digits)
    if not area or not _LOCAL.fullmatch(digits[area.end():]) or not separated:
        return 0
    return area.end()


def _mask_landline(written: str, area: int) -> str:
    """The number as written, its local digits hidden but for the last four."""
    total = sum(c.isdigit() for c in written)
    out, seen = [], 0
    for c in written:
        if c.isdigit():
            seen += 1
            out.append(c if seen <= area or seen > total - 4 else "*")
        else:
            out.append(c)
    return "".join(out)


def _number(digits: str, groups: int, before: str) -> tuple[str, int] | None:
    """(kind, length of a landline's area code) for the digits of one written number."""
    if len(digits) == 18 and ric.is_valid(digits):
        return "resident_id", 0
    if len(digits) == 15 and digits.isdigit() and _old_id(digits) \
            and not _REGISTRATION_WORD.search(before):
        return "resident_id", 0
    if not digits.isdigit():
        return None
    if _MOBILE.fullmatch(digits):
        return "mobile", 0
    area = _landline(digits, groups > 1 or bool(_PHONE_WORD.search(before)))
    return ("landline", area) if area else None


def _masked(kind: str, digits: str, written: str, area: int) -> str:
    if kind == "resident_id":
        return digits[:4] + "*" * (len(digits) - 8) + digits[-4:]
    if kind == "mobile":
        return f"{digits[:3]}****{digits[-4:]}"
    return _mask_landline(written, area)


def _numbers(folded: str, public: frozenset[str]) -> list[tuple[int, int, str, str]]:
    """(start, end, kind, masked) of every ID or phone number in a folded text.

    A number may be written in runs of digits with spaces, dashes or brackets between
    them; the longest stretch of adjacent runs that is a number wins, so 110105 19491231
    002X is one ID number and "13812345678 13912345678" two mobile numbers. A country code
    (+86, 0086) in front of a mobile number is left as written.
    """
    runs = [(m.start(), m.end()) for m in _GROUP.finditer(folded)]
    found = []
    i = 0
    while i < len(runs):
        j = i  # the last run joined to run i (no number is written in more than 6 runs)
        while (j + 1 < len(runs) and j - i < 5
               and _GAP.fullmatch(folded, runs[j][1], runs[j + 1][0])):
            j += 1
        if j > i and folded[runs[i][0]:runs[i][1]] in ("86", "0086"):
            i += 1
            continue
        start = runs[i][0]
        before = folded[max(0, start - 12):start]
        for last in range(j, i - 1, -1):
            digits = "".join(folded[a:b] for a, b in runs[i:last + 1]).upper()
            answer = _number(digits, last - i + 1, before) if len(digits) <= 18 else None
            if answer is not None:
                if digits not in public:
                    end = runs[last][1]
                    kind, area = answer
                    found.append((start, end, kind,
                                  _masked(kind, digits, folded[start:end], area)))
                i = last
                break
        i += 1
    return found


def find(text: str, public: frozenset[str] = frozenset(),
         ignore: frozenset[str] = frozenset()) -> tuple[str, list[str]]:
    """``(masked text, kinds found)`` for one cell; kinds empty when it holds no personal data.

    Full-width digits and letters are folded first (the folding keeps every position),
    so ``１３８…`` is found as readily as ``138…``. ``public``: numbers (digits only) that
    are public, such as the departments' office telephones, which are never masked;
    ``ignore``: kinds not looked for.
    """
    folded = fold_width(text)
    if not _QUICK.search(folded):
        return text, []
    spans = [span for span in _numbers(folded, public) if span[2] not in ignore]
    spans += [(m.start(), m.end(), "email", f"{m.group(1)[:1]}***@{m.group(2)}")
              for m in _EMAIL.finditer(folded)]
    if not spans:
        return text, []
    kinds: list[str] = []
    pieces, last = [], 0
    for a, b, kind, masked in sorted(spans):
        if a < last:
            continue  # inside a number already masked
        pieces += [text[last:a], masked]
        last = b
        if kind not in kinds:
            kinds.append(kind)
    pieces.append(text[last:])
    order = list(KINDS)
    return "".join(pieces), sorted(kinds, key=order.index)


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


def public_numbers(departments: Stage | None) -> frozenset[str]:
    """The departments' published office telephones (digits only): public, never masked.

    An agency's own number in a note (咨询电话 0311-86012315) is how the public reaches it;
    once the departments table lists it, the scan leaves it alone everywhere.
    """
    if departments is None or "phone" not in departments.typed or not len(departments):
        return frozenset()
    numbers = set()
    for text in departments.typed["phone"].dropna().unique():
        for part in _PHONE_PARTS.split(fold_width(str(text))):
            digits = re.sub(r"[^0-9]", "", part)
            if digits:
                numbers.add(digits)
    return frozenset(numbers)


_PHONE_PARTS = re.compile(r"[；;、,，/]")
# the departments table describes public bodies: a landline there is an office's
_PUBLIC_TABLES = {"departments": frozenset({"landline"})}
_PHONE_HINT = "部门的办公电话登记在部门表（departments）的“联系电话”列中后，不再视为个人信息。"


def scan_stage(stage: Stage, settings: dict[str, Any], public: frozenset[str] = frozenset()
               ) -> None:
    """Report (E401) or mask (W401) personal data in every published text column of ``stage``.

    ``public``: numbers that are published on purpose (see :func:`public_numbers`).
    """
    mode = pii_mode(settings)
    ignore = _PUBLIC_TABLES.get(stage.table.name, frozenset())
    for f in stage.table.fields:
        if f.type not in SCANNED_TYPES or not len(stage):
            continue
        raw = stage.raw[f.name].astype(object)
        found = {}
        for value in candidates(pd.unique(raw)):
            masked, kinds = find(value, public, ignore)
            if kinds:
                hint = _PHONE_HINT if "landline" in kinds else ""
                found[value] = (masked, "、".join(KINDS[k] for k in kinds), hint)
        if not found:
            continue
        hit = raw.isin(list(found)).to_numpy()
        full_masked = np.full(len(raw), None, dtype=object)
        full_masked[hit] = raw[hit].map({v: m for v, (m, _, _) in found.items()}).to_numpy()
        full_kinds = np.full(len(raw), "", dtype=object)
        full_kinds[hit] = raw[hit].map({v: k for v, (_, k, _) in found.items()}).to_numpy()
        hints = np.full(len(raw), "", dtype=object)
        hints[hit] = raw[hit].map({v: h for v, (_, _, h) in found.items()}).to_numpy()
        if mode == "error":
            stage.report("E401", hit, f.name, value=full_masked, title=f.title,
                         kinds=full_kinds, hint=hints)
            continue
        stage.report("W401", hit, f.name, value=full_masked, title=f.title, kinds=full_kinds)
        typed = stage.typed[f.name].astype(object).copy()
        rows = np.flatnonzero(hit)
        for i in rows.tolist():  # only the rows that hold personal data, never the whole column
            current = typed.iat[i]
            if isinstance(current, list):
                typed.iat[i] = [find(x, public, ignore)[0] for x in current]
            elif isinstance(current, str):
                typed.iat[i] = find(current, public, ignore)[0]
        stage.typed[f.name] = typed
