"""Per-column checks: each contract field type parsed and checked over a whole column.

Every parser runs once per distinct value (``map_unique``), so a million result
rows with a few thousand distinct dates cost a few thousand parses.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from stdnum.cn import uscc as stdnum_uscc

from ..contract import Field
from ..ingest.headers import FORMULA_PREFIX, KIND_PREFIX
from ..ingest.normalize import (
    LIST_SEPARATORS,
    Distinct,
    fold_width,
    is_number,
    map_unique,
    parse_date,
    parse_integer,
    parse_link,
    parse_phone,
    parse_ratio,
    parse_url,
    split_list,
    vocabulary_key,
)
from ..ingest.readers import CELL_FRACTION
from ..sample.uscc import check_characters
from .stage import Stage

MISSING = object()


def check_fields(stage: Stage, settings: dict[str, Any]) -> None:
    """Parse every field of the stage's table into ``stage.typed``, reporting bad cells.

    Every check of a cell runs whatever else is wrong with its row, so one run reports
    every defect an agency has to fix.
    """
    for f in stage.table.fields:
        raw = stage.raw[f.name]
        empty = (raw == "").to_numpy()
        too_long(stage, f, raw)
        formula = stage.raw.get(FORMULA_PREFIX + f.name)
        if formula is not None:
            # a formula without its result reads as an empty cell, but it is not one
            unread = formula.notna().to_numpy()
            stage.report("E217", unread, f.name, value=formula.to_numpy(dtype=object))
            empty_required = empty & ~unread
        else:
            empty_required = empty
        if f.required:
            stage.report("E201", empty_required, f.name, title=f.title)
        checker = _CHECKERS[f.type]
        checker(stage, f, raw, empty, settings)


def too_long(stage: Stage, f: Field, raw: pd.Series) -> None:
    """E214 for a cell over the field's maximum length.

    The readers measured each column's longest cell already, so a column within its limit
    (nearly all) costs nothing here; only a column over it is measured row by row.
    """
    longest = stage.longest.get(f.name) if stage.longest is not None else None
    if longest is not None and longest <= f.max_length:
        return
    values = raw.to_numpy(dtype=object)
    lengths = np.fromiter(map(len, values), dtype=np.int64, count=len(values))
    stage.report("E214", lengths > f.max_length, f.name, title=f.title, limit=f.max_length,
                 length=lengths)


def cell_kinds(stage: Stage, f: Field) -> np.ndarray:
    """The .xlsx cell kind of each row (readers.CELL_*; 0 for text and for CSV rows)."""
    kind = stage.raw.get(KIND_PREFIX + f.name)
    if kind is None:
        return np.zeros(len(stage), dtype=np.int8)
    return kind.fillna(0).to_numpy(dtype=np.int8)


def _text(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    stage.typed[f.name] = raw.where(~empty, None)


def _code(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    values = map_unique(raw, lambda v: fold_width(v).strip() or None)
    stage.typed[f.name] = values


def _integer(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    parsed = pd.array(map_unique(raw, parse_integer), dtype="Int64")
    bad = np.asarray(pd.isna(parsed), dtype=bool) & ~empty
    stage.report("E204", bad, f.name)
    low = f.minimum if f.minimum is not None else -np.inf
    high = f.maximum if f.maximum is not None else np.inf
    values = pd.Series(parsed, index=raw.index)
    out = ((values < low) | (values > high)).fillna(False).to_numpy(dtype=bool)
    bounds = (f"≥ {f.minimum}" if f.maximum is None else
              f"{f.minimum} 到 {f.maximum}" if f.minimum is not None else f"≤ {f.maximum}")
    stage.report("E205", out, f.name, title=f.title, bounds=bounds)
    stage.typed[f.name] = values


def _date(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    parsed = map_unique(raw, parse_date)
    values = pd.to_datetime(pd.Series(parsed, index=raw.index), errors="coerce")
    bad = values.isna().to_numpy() & ~empty
    if bad.any():
        # a fraction of a day from an .xlsx number cell; a bare number anywhere else
        fraction = bad & (cell_kinds(stage, f) == CELL_FRACTION)
        number = np.zeros(len(bad), dtype=bool)
        number[bad] = np.asarray(map_unique(raw[bad], is_number), dtype=bool)
        number &= ~fraction
        stage.report("E216", fraction, f.name, title=f.title)
        stage.report("E215", number, f.name, title=f.title)
        bad &= ~fraction & ~number
    stage.report("E203", bad, f.name)
    stage.typed[f.name] = values


def _ratio(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    parsed = pd.array(map_unique(raw, parse_ratio), dtype="Float64")
    bad = np.asarray(pd.isna(parsed), dtype=bool) & ~empty
    stage.report("E206", bad, f.name)
    stage.typed[f.name] = raw.where(~empty, None)
    stage.typed[f.name + "_min"] = pd.Series(parsed, index=raw.index)


def _list(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    def split(v: str) -> list[str]:
        return [fold_width(x) for x in split_list(v)] if f.references else split_list(v)

    values = map_unique(raw, split)
    if f.required:
        # a cell of separators only ("；") names nothing: as good as empty
        nothing = np.fromiter((not v for v in values), dtype=bool, count=len(values))
        stage.report("E201", nothing & ~empty, f.name, title=f.title)
    stage.typed[f.name] = values


def _vocabulary(f: Field) -> dict[str, str]:
    lookup = {vocabulary_key(k): v for k, v in f.synonyms.items()}
    lookup.update({vocabulary_key(v): v for v in f.values})
    return lookup


def _enum(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    lookup = _vocabulary(f)
    values = map_unique(raw, lambda v: lookup.get(vocabulary_key(v)))
    bad = pd.isna(pd.Series(values)).to_numpy() & ~empty
    stage.report("E202", bad, f.name, title=f.title, allowed="、".join(f.values))
    stage.typed[f.name] = values


_USCC_ALPHABET = set("0123456789ABCDEFGHJKLMNPQRTUWXY")
# GB 32100-2015: registration authority (1st), organization type (2nd), then six digits
# of the administrative division; authorities include the letters A, N and Y, which
# stdnum's format check does not allow, so the format is checked here and stdnum
# computes the check character.
_USCC_AUTHORITY = set("123456789ANY")


def uscc_problem(value: str) -> tuple[str, str] | None:
    """Check one credit code; return (problem code, detail) or ``None`` when valid."""
    if len(value) != 18:
        return "E207", f"现为 {len(value)} 位"
    if (value[0] not in _USCC_AUTHORITY or not value[2:8].isdigit()
            or any(c not in _USCC_ALPHABET for c in value)):
        return "E207", "第 1 位为登记管理部门代码，第 3–8 位为数字，其余为数字或除 I、O、S、V、Z 外的大写字母"
    if value[-1] != stdnum_uscc.calc_check_digit(value[:17]):
        return "E208", ""
    return None


def _fold_uscc(value: str) -> str:
    return fold_width(value).replace(" ", "").replace("-", "").strip().upper()


# a code already in canonical form needs no folding: ASCII letters and digits only
_PLAIN = r"^[0-9A-Za-z]*$"
_USCC_CHAR = "[0-9A-HJ-NP-RTUW-Y]"  # the alphabet: no I, O, S, V or Z
_USCC_FORMAT = rf"^[1-9ANY]{_USCC_CHAR}[0-9]{{6}}{_USCC_CHAR}{{10}}$"


def uscc_valid(codes: pa.Array) -> np.ndarray:
    """Which folded codes are valid, over a whole column at once.

    The same verdict as :func:`uscc_problem` returning ``None``: the format by one regular
    expression, the check character by the byte-matrix arithmetic the sample generator uses.
    """
    if isinstance(codes, pa.ChunkedArray):
        codes = codes.combine_chunks()
    codes = codes.cast(pa.string())
    valid = pc.fill_null(pc.match_substring_regex(codes, _USCC_FORMAT), False).to_numpy(
        zero_copy_only=False)
    if not valid.any():
        return valid
    formatted = pa.concat_arrays([codes.filter(pa.array(valid))])  # fresh buffers, offset 0
    data = np.frombuffer(formatted.buffers()[2], dtype=np.uint8)[:18 * len(formatted)]
    matrix = data.reshape(len(formatted), 18)
    valid[valid] = check_characters(matrix[:, :17], validate=False) == matrix[:, 17]
    return valid


def _uscc(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    try:
        text = pa.array(raw.to_numpy(dtype=object), type=pa.string(), from_pandas=True)
    except (pa.ArrowException, UnicodeError):  # text Arrow cannot hold (a lone surrogate)
        text = pa.array([""] * len(raw), type=pa.string())
        plain = np.zeros(len(raw), dtype=bool)
    else:
        plain = pc.fill_null(pc.match_substring_regex(text, _PLAIN), True).to_numpy(
            zero_copy_only=False)
    if plain.all():
        codes = pc.ascii_upper(text)
        folded = codes.to_numpy(zero_copy_only=False)
    else:
        folded = pc.ascii_upper(text).to_numpy(zero_copy_only=False)
        folded[~plain] = map_unique(raw[~plain], _fold_uscc)
        try:
            codes = pa.array(folded, type=pa.string(), from_pandas=True)
        except (pa.ArrowException, UnicodeError):
            codes = pa.array([""] * len(raw), type=pa.string())  # all checked one by one below
    folded = pd.Series(folded, index=raw.index, dtype=object)
    invalid = ~uscc_valid(codes)
    if invalid.any():
        # only the invalid codes go through the scalar check, for its detail
        verdicts = Distinct(folded[invalid], uscc_problem)
        codes_bad = verdicts.take(lambda v: v[0] if v else "")
        details_bad = verdicts.take(lambda v: v[1] if v else "")
        problem = np.full(len(raw), "", dtype=object)
        details = np.full(len(raw), "", dtype=object)
        problem[invalid], details[invalid] = codes_bad, details_bad
        stage.report("E207", (problem == "E207") & ~empty, f.name, detail=details)
        stage.report("E208", (problem == "E208") & ~empty, f.name)
    stage.typed[f.name] = folded.where(~empty, None)


def result_lookup(settings: dict[str, Any]) -> dict[str, str]:
    """Vocabulary key → canonical result word, for the vocabulary and its synonyms."""
    lookup = {vocabulary_key(k): v for k, v in settings["GONGKAI_RESULT_SYNONYMS"].items()}
    lookup.update({vocabulary_key(v): v for v in settings["GONGKAI_RESULT_VOCABULARY"]})
    return lookup


def parse_result(value: str, settings: dict[str, Any]) -> tuple[list[str], list[str]]:
    """Split a result cell into canonical words; also return the words not understood."""
    lookup = result_lookup(settings)
    whole = lookup.get(vocabulary_key(value))
    if whole:
        return [whole], []
    protected = [w for w in (*settings["GONGKAI_RESULT_VOCABULARY"],
                             *settings["GONGKAI_RESULT_SYNONYMS"])
                 if any(sep in w for sep in LIST_SEPARATORS)]
    words, unknown = [], []
    for part in split_list(value, protected):
        canonical = lookup.get(vocabulary_key(part))
        if canonical is None:
            unknown.append(part)
        elif canonical not in words:
            words.append(canonical)
    return words, unknown


def _result(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    parsed = Distinct(raw, lambda v: parse_result(v, settings))
    unknown = parsed.take(lambda p: "、".join(p[1]))
    bad = (unknown != "") & ~empty
    allowed = "、".join(settings["GONGKAI_RESULT_VOCABULARY"])
    stage.report("E209", bad, f.name, value=unknown, allowed=allowed)
    stage.typed[f.name] = parsed.take(lambda p: p[0] or None)
    # the canonical words as one string: cheap to hash and compare for every output
    stage.typed[f.name + "_text"] = parsed.take(lambda p: "；".join(p[0]))
    vocabulary = settings["GONGKAI_RESULT_VOCABULARY"]
    stage.typed["category"] = parsed.take(lambda p: result_category(p[0], vocabulary))


CATEGORY_ORDER = ("problem", "no_problem", "not_applicable")


def result_category(words: list[str], vocabulary: dict[str, str]) -> str | None:
    """One category per result row: a problem anywhere makes the row a problem."""
    found = {vocabulary.get(w) for w in words}
    for category in CATEGORY_ORDER:
        if category in found:
            return category
    return None


def _link(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    values = map_unique(raw, parse_link)
    bad = pd.isna(pd.Series(values)).to_numpy() & ~empty
    stage.report("E210", bad, f.name)
    stage.typed[f.name] = values


def _url(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    values = map_unique(raw, parse_url)
    stage.report("E211", pd.isna(pd.Series(values)).to_numpy() & ~empty, f.name)
    stage.typed[f.name] = values


def _phone(stage: Stage, f: Field, raw: pd.Series, empty: np.ndarray, settings) -> None:
    values = map_unique(raw, parse_phone)
    stage.report("E212", pd.isna(pd.Series(values)).to_numpy() & ~empty, f.name)
    stage.typed[f.name] = values


_CHECKERS = {
    "text": _text,
    "code": _code,
    "integer": _integer,
    "date": _date,
    "ratio": _ratio,
    "list": _list,
    "enum": _enum,
    "uscc": _uscc,
    "result": _result,
    "link": _link,
    "url": _url,
    "phone": _phone,
}
