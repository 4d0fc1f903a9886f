"""The column-wise checks give exactly the verdicts of the one-value-at-a-time checks."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from generator.contract import load_contract
from generator.ingest.normalize import fold_width
from generator.sample.uscc import ALPHABET
from generator.validate.fields import _fold_uscc, check_fields, uscc_problem, uscc_valid
from generator.validate.problems import Problems
from generator.validate.stage import Stage

FAST = settings(max_examples=200, deadline=None)

body = st.tuples(
    st.sampled_from("123456789ANY0IZ"),
    st.sampled_from(ALPHABET + "IOSVZa"),
    st.text(alphabet="0123456789A", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET + "IOSVZ", min_size=9, max_size=9),
).map("".join)


def _checked(code17: str) -> str:
    return code17 + (stdnum_uscc.calc_check_digit(code17) if set(code17) <= set(ALPHABET) else "0")


codes = st.one_of(
    body.map(_checked),  # valid unless a letter is outside the alphabet
    body.map(lambda b: b + "0"),  # the check character often wrong
    st.text(alphabet=ALPHABET + "IOSVZ -ａ１\u3000", max_size=20),
    st.text(max_size=20).filter(lambda t: all(not 0xD800 <= ord(c) <= 0xDFFF for c in t)),
)


@FAST
@given(st.lists(codes, max_size=30))
@example(["91130100MA07L8QX3" + stdnum_uscc.calc_check_digit("91130100MA07L8QX3"), "", "Y" * 18])
def test_uscc_valid_agrees_with_scalar_check(values: list[str]) -> None:
    folded = [_fold_uscc(v) for v in values]
    vector = uscc_valid(pa.array(folded, type=pa.string()))
    assert vector.tolist() == [uscc_problem(v) is None for v in folded]


def _stage(values: list[str]) -> Stage:
    table = load_contract()["dispositions"]
    raw = pd.DataFrame({f.name: [""] * len(values) for f in table.fields})
    raw["uscc"] = values
    raw["_file"] = "dispositions.csv"
    raw["_row"] = np.arange(2, len(values) + 2)
    return Stage(table, raw, {}, Problems())


@FAST
@given(st.lists(codes, min_size=1, max_size=30))
def test_uscc_column_check_matches_scalar_check(values: list[str]) -> None:
    values = [v.strip() for v in values]  # as header mapping hands them over
    stage = _stage(values)
    check_fields(stage, {"GONGKAI_RESULT_VOCABULARY": {}, "GONGKAI_RESULT_SYNONYMS": {}})
    frame = stage.problems.frame()
    found = frame[frame["column"] == "统一社会信用代码"]
    found = found[found["code"].isin(["E207", "E208"])]
    expected = []
    for row, value in enumerate(values, start=2):
        problem = uscc_problem(_fold_uscc(value)) if value else None
        if problem:
            expected.append((problem[0], row, value))
    got = sorted(zip(found["code"], found["row"].astype(int), found["value"], strict=True))
    assert got == sorted(expected)
    typed = stage.typed["uscc"].tolist()
    assert typed == [_fold_uscc(v) if v else None for v in values]


def test_uscc_folding_of_written_variants() -> None:
    code = "91130100MA07L8QX3" + stdnum_uscc.calc_check_digit("91130100MA07L8QX3")
    variants = [code, code.lower(), fold_width(code), "".join(chr(ord(c) + 0xFEE0) for c in code),
                f"{code[:8]} {code[8:]}", f"{code[:8]}-{code[8:]}"]
    stage = _stage(variants)
    check_fields(stage, {"GONGKAI_RESULT_VOCABULARY": {}, "GONGKAI_RESULT_SYNONYMS": {}})
    assert stage.typed["uscc"].tolist() == [code] * len(variants)
    assert not {"E207", "E208"} & stage.problems.codes()
