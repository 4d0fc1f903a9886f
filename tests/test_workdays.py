"""The working-day calendar against hand-counted dates of the official 2025 and 2026 schedules.

2025: 春节 1/28–2/4 (上班 1/26 周日, 2/8 周六); 清明 4/4–4/6; 劳动节 5/1–5/5 (上班 4/27 周日);
端午 5/31–6/2; 国庆中秋 10/1–10/8 (上班 9/28 周日, 10/11 周六).
2026: 元旦 1/1–1/3 (上班 1/4 周日); 春节 2/15–2/23 (上班 2/14 周六, 2/28 周六); 清明 4/4–4/6;
劳动节 5/1–5/5 (上班 5/9 周六); 端午 6/19–6/21; 国庆 10/1–10/7 (上班 9/20 周日, 10/10 周六).
"""

from __future__ import annotations

import pandas as pd
import pytest

from generator.rules.workdays import WorkCalendar


def dates(*values: str) -> pd.Series:
    return pd.Series(pd.to_datetime(list(values)))


def add(cal: WorkCalendar, day: str, n: int) -> str:
    value = cal.add(dates(day), n).iloc[0]
    return "NaT" if pd.isna(value) else value.strftime("%Y-%m-%d")


@pytest.fixture(scope="module")
def cal() -> WorkCalendar:
    return WorkCalendar()


@pytest.mark.parametrize("day, n, expected", [
    # 春节 2025: the Sunday before is a working day, the week of the festival is not
    ("2025-01-24", 1, "2025-01-26"),
    ("2025-01-27", 1, "2025-02-05"),
    ("2025-01-27", 5, "2025-02-10"),  # 2/5, 2/6, 2/7, 2/8 (Saturday, worked), 2/10
    ("2025-04-03", 1, "2025-04-07"),  # 清明 2025
    ("2025-04-25", 1, "2025-04-27"),  # 劳动节 2025 make-up Sunday
    ("2025-04-30", 1, "2025-05-06"),
    ("2025-05-30", 1, "2025-06-03"),  # 端午 2025
    ("2025-09-26", 1, "2025-09-28"),  # 国庆 2025 make-up Sunday
    ("2025-09-30", 1, "2025-10-09"),
    ("2025-09-30", 3, "2025-10-11"),  # 10/9, 10/10, 10/11 (Saturday, worked)
    ("2026-01-03", 1, "2026-01-04"),  # 元旦 2026 make-up Sunday
    ("2026-02-13", 1, "2026-02-14"),  # 春节 2026 make-up Saturday
    ("2026-02-14", 1, "2026-02-24"),
    ("2026-02-27", 1, "2026-02-28"),  # the second make-up Saturday
    ("2026-04-03", 1, "2026-04-07"),  # 清明 2026
    ("2026-04-30", 1, "2026-05-06"),  # 劳动节 2026
    ("2026-05-08", 1, "2026-05-09"),
    ("2026-06-18", 1, "2026-06-22"),  # 端午 2026
    ("2026-09-18", 1, "2026-09-20"),  # 国庆 2026 make-up Sunday
    ("2026-09-30", 1, "2026-10-08"),
    ("2026-10-09", 1, "2026-10-10"),
])
def test_next_working_days_around_holidays(cal, day, n, expected):
    assert add(cal, day, n) == expected


@pytest.mark.parametrize("end, expected, weekdays_only", [
    # a task ending just before 国庆 2025: weekday counting would say 2025-10-28
    ("2025-09-30", "2025-11-04", "2025-10-28"),
    # just before 春节 2025 (1/26 worked, 1/28–2/4 off, 2/8 worked)
    ("2025-01-24", "2025-02-27", "2025-02-21"),
    # just before 春节 2026 (2/14 worked, 2/15–2/23 off, 2/28 worked)
    ("2026-02-13", "2026-03-19", "2026-03-13"),
])
def test_twenty_working_days_after_a_task_ending_before_a_holiday(cal, end, expected, weekdays_only):
    assert add(cal, end, 20) == expected
    assert expected != weekdays_only
    assert pd.Timestamp(weekdays_only) == pd.Timestamp(end) + pd.offsets.BDay(20)


def test_vectorized_with_missing_dates(cal):
    out = cal.add(dates("2025-09-30", None, "2026-02-13"), 20)
    assert out.iloc[0] == pd.Timestamp("2025-11-04")
    assert pd.isna(out.iloc[1])
    assert out.iloc[2] == pd.Timestamp("2026-03-19")


def test_working_days_between(cal):
    got = cal.between(dates("2025-09-30", "2025-11-04", "2026-02-13"),
                      dates("2025-10-11", "2025-11-04", "2026-02-24"))
    assert got.tolist() == [3, 0, 2]  # 10/9, 10/10, 10/11 · nothing · 2/14 and 2/24


def test_a_year_known_to_neither_is_never_guessed(cal):
    # 2026-12-20 + 20 working days runs into 2027, which the packaged schedule lacks
    assert add(cal, "2026-12-20", 20) == "NaT"
    assert cal.missing_year(dates("2026-12-20", "2026-06-01", "2031-03-02"), 20).tolist() == \
        [2027, pd.NA, 2031]
    assert cal.between(dates("2026-12-30"), dates("2027-01-05")).isna().all()
    assert cal.is_workday(dates("2027-01-04")).isna().all()


def test_override_file_makes_a_year_known():
    overrides = pd.DataFrame({"date": pd.to_datetime(["2027-01-01"]), "kind": ["休息日"]})
    cal = WorkCalendar(overrides)
    # 12/21–25 (5), 12/28–31 (9), 1/1 off, 1/4–8 (14), 1/11–15 (19), 1/18 (20)
    assert add(cal, "2026-12-20", 20) == "2027-01-18"
    assert cal.is_workday(dates("2027-01-01", "2027-01-02", "2027-01-04")).tolist() == [False, False, True]


def test_override_corrects_a_packaged_year():
    plain = WorkCalendar()
    assert add(plain, "2026-02-28", 1) == "2026-03-02"
    extra_rest = WorkCalendar(pd.DataFrame({"date": pd.to_datetime(["2026-03-02"]), "kind": ["休息日"]}))
    assert add(extra_rest, "2026-02-28", 1) == "2026-03-03"
    extra_work = WorkCalendar(pd.DataFrame({"date": pd.to_datetime(["2026-03-07"]), "kind": ["工作日"]}))
    assert add(extra_work, "2026-03-06", 1) == "2026-03-07"
