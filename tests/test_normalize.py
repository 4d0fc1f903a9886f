"""Property tests for the value parsers every table relies on."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import example, given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from generator.ingest.normalize import (
    LIST_SEPARATORS,
    fold_width,
    is_number,
    parse_date,
    parse_integer,
    parse_link,
    parse_ratio,
    serial_date,
    split_list,
)
from generator.validate.fields import uscc_problem

FAST = settings(max_examples=150, deadline=None)
EXCEL_EPOCH = dt.date(1899, 12, 30)


def full_width(text: str) -> str:
    """The inverse of fold_width for ASCII: how some platforms export digits and signs."""
    return "".join(chr(ord(c) + 0xFEE0) if "!" <= c <= "~" else c for c in text)


# --- dates -------------------------------------------------------------------------------

DATE_FORMS = {
    "iso": lambda d: d.isoformat(),
    "slash": lambda d: f"{d.year}/{d.month}/{d.day}",
    "slash padded": lambda d: d.strftime("%Y/%m/%d"),
    "dot": lambda d: f"{d.year}.{d.month}.{d.day}",
    "chinese": lambda d: f"{d.year}年{d.month}月{d.day}日",
    "chinese padded": lambda d: d.strftime("%Y年%m月%d日"),
    "compact": lambda d: d.strftime("%Y%m%d"),
    "with time": lambda d: f"{d.isoformat()} 00:00:00",
}

dates = st.dates(min_value=dt.date(1950, 1, 1), max_value=dt.date(2099, 12, 31))


@FAST
@given(day=dates, form=st.sampled_from(sorted(DATE_FORMS)), wide=st.booleans(),
       pad=st.sampled_from(["", " ", "\u3000"]))
@example(day=dt.date(2024, 2, 29), form="chinese", wide=True, pad="")
def test_parse_date_round_trips(day: dt.date, form: str, wide: bool, pad: str) -> None:
    text = DATE_FORMS[form](day)
    if wide:
        text = full_width(text)
    assert parse_date(pad + text + pad) == day


@FAST
@given(st.text(max_size=30))
@example("2026-02-30")
@example("0000-01-01")
@example("9999-99-99")
@example("٢٠٢٦-٠٣-٠١")
@example("1" * 400)
def test_parse_date_never_raises(text: str) -> None:
    result = parse_date(text)
    assert result is None or isinstance(result, dt.date)


@pytest.mark.parametrize("text", ["2026", "18263", "73051", "2026-13-01", "2026-02-29",
                                  "26-3-1", "3/1/2026", "明天", "",
                                  "46000", "46234.5"])  # serials: only from .xlsx number cells
def test_parse_date_refuses(text: str) -> None:
    assert parse_date(text) is None


@given(day=dates)
@example(day=dt.date(1950, 1, 1))
@example(day=dt.date(2099, 12, 31))
def test_serial_date_reads_excel_serials(day: dt.date) -> None:
    assert serial_date(str((day - EXCEL_EPOCH).days)) == day.isoformat()


@pytest.mark.parametrize("text", ["18263", "73051", "2026", "46234.5", "-46000", "", "4６000"])
def test_serial_date_refuses_what_is_no_day_of_1950_to_2099(text: str) -> None:
    assert serial_date(text) is None


@pytest.mark.parametrize(("text", "number"), [("46000", True), ("46234.5", True), ("４６０００", True),
                                               (" 12 ", True), ("2026-03-01", False),
                                               ("20260301", True), ("一", False), ("", False)])
def test_is_number(text: str, number: bool) -> None:
    assert is_number(text) is number


# --- ratios -------------------------------------------------------------------------------

percent = st.decimals(min_value=0, max_value=100, places=2).map(str)
RATIO_FORMS = ["{x}%", "不低于{x}%", "≥{x}%", "≥ {x} %", "{x}%（20户）", "{x}%(20户)",
               "不低于{x}%，且不少于5户"]


@FAST
@given(x=percent, form=st.sampled_from(RATIO_FORMS), wide=st.booleans())
@example(x="3", form="不低于{x}%", wide=False)
@example(x="100", form="{x}%", wide=True)
def test_parse_ratio_percent(x: str, form: str, wide: bool) -> None:
    text = form.format(x=x)
    if wide:
        text = full_width(text)
    assert parse_ratio(text) == pytest.approx(float(x) / 100, abs=1e-9)


@FAST
@given(st.decimals(min_value=0, max_value=1, places=4).map(str))
def test_parse_ratio_fraction(text: str) -> None:
    assert parse_ratio(text) == pytest.approx(float(text), abs=1e-9)


@FAST
@given(st.decimals(min_value="100.01", max_value=100000, places=2))
def test_parse_ratio_out_of_range(x) -> None:
    assert parse_ratio(f"{x}%") is None
    assert parse_ratio(str(x)) is None  # a bare number above 1 is not guessed


@FAST
@given(st.text(max_size=30))
@example("1" * 500 + "%")
@example("1e400")
def test_parse_ratio_never_raises(text: str) -> None:
    result = parse_ratio(text)
    assert result is None or 0 <= result <= 1


def test_parse_ratio_examples() -> None:
    assert parse_ratio("10%（20户）") == pytest.approx(0.1)
    assert parse_ratio("3‰") == pytest.approx(0.003)
    assert parse_ratio("3%-5%") == pytest.approx(0.03)  # a range: its minimum
    assert parse_ratio("全部") is None
    assert parse_ratio("") is None


# --- integers -----------------------------------------------------------------------------


@FAST
@given(n=st.integers(min_value=0, max_value=10**12),
       form=st.sampled_from(["{n}", "{n:,}", "{n}.0", "{n}户", " {n} "]), wide=st.booleans())
def test_parse_integer_forms(n: int, form: str, wide: bool) -> None:
    text = form.format(n=n)
    assert parse_integer(full_width(text) if wide else text) == n


@FAST
@given(st.text(max_size=30))
@example("9" * 40)
def test_parse_integer_never_raises(text: str) -> None:
    result = parse_integer(text)
    assert result is None or (isinstance(result, int) and abs(result) < 2**63)


def test_parse_integer_keeps_sign_and_refuses_fractions() -> None:
    assert parse_integer("-1") == -1  # out of range (E205), not "not an integer"
    assert parse_integer("3.5") is None
    assert parse_integer("1,20") is None
    assert parse_integer("三") is None


# --- lists -------------------------------------------------------------------------------

word = st.text(
    alphabet=st.characters(blacklist_characters=LIST_SEPARATORS + "\x00",
                           blacklist_categories=("Cs", "Zs", "Cc", "Zl", "Zp")),
    min_size=1, max_size=8,
)
separator = st.sampled_from(list(LIST_SEPARATORS)).flatmap(
    lambda s: st.sampled_from([s, f" {s}", f"{s} ", f" {s} "]))


@FAST
@given(words=st.lists(word, min_size=1, max_size=6), data=st.data())
def test_split_list_round_trips(words: list[str], data) -> None:
    text = words[0]
    for w in words[1:]:
        text += data.draw(separator) + w
    assert split_list(text) == words


@FAST
@given(before=st.lists(word, max_size=3), after=st.lists(word, max_size=3))
def test_split_list_keeps_protected_words(before: list[str], after: list[str]) -> None:
    protected = "公示信息隐瞒真实情况、弄虚作假"
    text = "；".join([*before, protected, *after])
    assert split_list(text, [protected]) == [*before, protected, *after]


def test_split_list_drops_empty_parts() -> None:
    assert split_list("") == []
    assert split_list("  ") == []
    assert split_list("a；；b;") == ["a", "b"]
    assert split_list("QH-JR-004、QH-SJ-001") == ["QH-JR-004", "QH-SJ-001"]


@FAST
@given(st.text(max_size=40))
def test_split_list_never_raises(text: str) -> None:
    parts = split_list(text, ["公示信息隐瞒真实情况、弄虚作假"])
    assert all(p and p == p.strip() for p in parts)


# --- credit codes -------------------------------------------------------------------------

ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
# GB 32100-2015: registration authority, organization type, six-digit division, then the
# nine-character organization code
body = st.tuples(
    st.sampled_from("123456789ANY"),
    st.sampled_from(ALPHABET),
    st.text(alphabet="0123456789", min_size=6, max_size=6),
    st.text(alphabet=ALPHABET, min_size=9, max_size=9),
).map("".join)


def test_registration_authority_zero_is_not_a_code() -> None:
    code17 = "01130100MA07L8QX3"
    assert uscc_problem(code17 + stdnum_uscc.calc_check_digit(code17))[0] == "E207"


@FAST
@given(body)
@example("91130100MA07L8QX3")
def test_valid_codes_accepted(code17: str) -> None:
    code = code17 + stdnum_uscc.calc_check_digit(code17)
    assert uscc_problem(code) is None


@FAST
@given(code17=body, position=st.integers(min_value=0, max_value=17), data=st.data())
def test_one_changed_character_rejected(code17: str, position: int, data) -> None:
    code = code17 + stdnum_uscc.calc_check_digit(code17)
    allowed = ("123456789ANY" if position == 0 else "0123456789" if 2 <= position < 8
               else ALPHABET)
    new = data.draw(st.sampled_from([c for c in allowed if c != code[position]]))
    changed = code[:position] + new + code[position + 1:]
    assert uscc_problem(changed) == ("E208", "")


@FAST
@given(code17=body, position=st.integers(min_value=0, max_value=17),
       new=st.sampled_from("IOSVZ"))
def test_letters_never_used_are_a_format_error(code17: str, position: int, new: str) -> None:
    code = code17 + stdnum_uscc.calc_check_digit(code17)
    changed = code[:position] + new + code[position + 1:]
    problem = uscc_problem(changed)
    assert problem is not None and problem[0] == "E207"


@FAST
@given(st.text(max_size=25))
def test_uscc_problem_never_raises(text: str) -> None:
    problem = uscc_problem(text)
    assert problem is None or problem[0] in {"E207", "E208"}


# --- width folding and links --------------------------------------------------------------


@FAST
@given(st.text(alphabet=st.characters(min_codepoint=0x21, max_codepoint=0x7E), max_size=20))
def test_fold_width_inverts_full_width(text: str) -> None:
    assert fold_width(full_width(text)) == text


@pytest.mark.parametrize(("text", "ok"), [
    ("qh-2026-lh-10", True), ("https://www.example.gov.cn/a.html", True),
    ("http://example.gov.cn", True), ("javascript:alert(1)", False),
    ("JavaScript:alert(1)", False), ("data:text/html,x", False), ("//evil.example", False),
    ("../secret", False), ("..", False), ("a b", False), ("https://a b", False),
])
def test_parse_link(text: str, ok: bool) -> None:
    assert (parse_link(text) is not None) == ok


@pytest.mark.parametrize("code17", ["N2130123MA0ABCDE1", "Y1130123MA0ABCDE1"])
def test_letter_registration_authority_accepted(code17: str) -> None:
    assert uscc_problem(code17 + stdnum_uscc.calc_check_digit(code17)) is None
