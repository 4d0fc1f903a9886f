"""Every rule of generator.rules on the minimal data folder, with hand-computed expectations.

Base data (tests/helpers.py): task LH (部门联合抽查, 双随机抽查, ends Thu 2026-07-30, 3 of 64
sampled, plan ratio 不低于3%) with two results published 2026-06-01 (one a problem); task BM
(本部门抽查, 定向抽查, ends Sun 2026-05-31, 2 of 10) with one unpublished result; one
disposition decided 2026-05-20 and recorded 2026-06-10. The data date is 2026-06-15 (the
plan's second version).
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import GOV, ITEM_SJ, SCJG, TASK_BM, TASK_LH, USCC_A, DataFolder, year_without_calendar

from generator.rules import figures, figures_schema
from generator.settings import load_settings


def build(tmp_path, change=None, **settings):
    folder = DataFolder(tmp_path)
    if change:
        change(folder)
    model = folder.load(load_settings(None, **settings))
    assert model.ok, model.problems.frame()
    return model, figures(model)


def flag(value):
    """True / False / None (NA) from a nullable boolean cell."""
    return None if pd.isna(value) else bool(value)


def task(f, tid):
    return f.tasks.set_index("task_id").loc[tid]


def test_publication_deadlines_and_status(tmp_path):
    model, f = build(tmp_path)
    assert model.as_of.isoformat() == "2026-06-15"
    lh, bm = task(f, TASK_LH), task(f, TASK_BM)
    # 7/31 (1), 8/3–7 (6), 8/10–14 (11), 8/17–21 (16), 8/24–27 (20)
    assert lh["deadline"] == pd.Timestamp("2026-08-27")
    assert lh["status"] == "按时公示" and flag(lh["on_time"]) is True and lh["days_late"] == 0
    assert lh["published"] == pd.Timestamp("2026-06-01")
    # 6/1–5 (5), 6/8–12 (10), 6/15–18 (14), 6/19 端午, 6/22–26 (19), 6/29 (20)
    assert bm["deadline"] == pd.Timestamp("2026-06-29")
    assert bm["status"] == "未到期" and pd.isna(bm["on_time"]) and not bm["overdue"]
    assert pd.isna(bm["published"])


def test_overdue_as_of_a_later_date(tmp_path):
    _, f = build(tmp_path, GONGKAI_AS_OF="2026-07-01")
    bm = task(f, TASK_BM)
    assert bm["status"] == "逾期未公示" and bm["overdue"] and flag(bm["on_time"]) is False
    assert bm["days_late"] == 2  # 6/30 and 7/1
    assert bm["overdue_results"] == 1
    row = f.results[f.results["task_id"] == TASK_BM].iloc[0]
    assert row["status"] == "逾期未公示" and row["days_late"] == 2
    assert f.overall.iloc[0]["overdue_tasks"] == 1
    gov = f.department_years.set_index(["department", "year"]).loc[(SCJG, 2026)]
    assert gov["overdue_tasks"] == 1 and gov["overdue_results"] == 1


@pytest.mark.parametrize("published, status, late", [
    ("2025-11-04", "按时公示", 0),   # publishing on the deadline is on time
    ("2025-11-05", "逾期公示", 1),
    ("2025-10-28", "按时公示", 0),   # the weekday-only deadline, well within the real one
])
def test_task_ending_just_before_national_day(tmp_path, published, status, late):
    def change(folder):
        folder.edit("tasks", 1, start="2025-09-01", end="2025-09-30")
        folder.edit("results", 2, inspected_on="2025-09-15", published_on=published)

    _, f = build(tmp_path, change)
    bm = task(f, TASK_BM)
    assert bm["deadline"] == pd.Timestamp("2025-11-04")
    assert bm["status"] == status and bm["days_late"] == late


def test_inspection_after_the_task_end_moves_the_deadline(tmp_path):
    def change(folder):
        folder.edit("results", 2, inspected_on="2026-06-03")  # after the end 5/31 (a warning)

    _, f = build(tmp_path, change)
    # 6/4–5 (2), 6/8–12 (7), 6/15–18 (11), 6/22–26 (16), 6/29–7/2 (20)
    assert task(f, TASK_BM)["deadline"] == pd.Timestamp("2026-07-02")


def test_unknown_year_is_pending_and_warned(tmp_path):
    model, f = build(tmp_path, year_without_calendar)
    bm = task(f, TASK_BM)
    assert pd.isna(bm["deadline"]) and bm["status"] == "待定" and pd.isna(bm["days_late"])
    assert f.unknown_years == {2027: 2}  # the task's deadline and its result's
    assert f.overall.iloc[0]["unknown_years"] == "2027"
    assert f.overall.iloc[0]["undetermined_tasks"] == 1
    # everything else is computed as usual
    assert task(f, TASK_LH)["status"] == "按时公示"
    problems = model.problems.frame()
    w = problems[problems["code"] == "W501"]
    assert len(w) == 1 and "2027" in w.iloc[0]["message"] and "data/calendar.csv" in w.iloc[0]["message"]


def test_calendar_file_supplies_the_year(tmp_path):
    def change(folder):  # the base calendar has a row in 2027, so 2027 is known
        folder.edit("tasks", 1, start="2026-12-01", end="2026-12-20")
        folder.edit("results", 2, inspected_on="2026-12-10")

    model, f = build(tmp_path, change)
    # 12/21–25 (5), 12/28–31 (9), 1/1 (10, a weekday: no row says otherwise), 1/4–8 (15), 1/11–15 (20)
    assert task(f, TASK_BM)["deadline"] == pd.Timestamp("2027-01-15")
    assert f.unknown_years == {}
    assert "W501" not in model.problems.codes()


def test_followup_deadline(tmp_path):
    _, f = build(tmp_path)
    row = f.followups.iloc[0]
    # 5/21–22 (2), 5/25–29 (7), 6/1–5 (12), 6/8–12 (17), 6/15–17 (20)
    assert row["deadline"] == pd.Timestamp("2026-06-17") and row["status"] == "按时录入"
    late = build(tmp_path / "b", lambda d: d.edit("dispositions", 0, recorded_on="2026-06-18"))[1]
    assert late.followups.iloc[0]["status"] == "逾期录入"
    res = late.results.set_index("uscc")
    assert res.loc[late.followups.iloc[0]["uscc"], "followup_status"] == "逾期录入"


def test_ratios_against_plan_and_items(tmp_path):
    _, f = build(tmp_path)
    lh = task(f, TASK_LH)
    assert lh["ratio"] == pytest.approx(3 / 64)
    assert lh["target_ratio_text"] == "不低于3%" and lh["target_ratio"] == pytest.approx(0.03)
    assert lh["target_source"] == "抽查计划" and flag(lh["meets_ratio"]) is True

    def no_plan_ratio(folder):
        for i in range(3):
            folder.edit("plans", i, ratio="")

    _, g = build(tmp_path / "b", no_plan_ratio)
    lh = task(g, TASK_LH)  # items 不低于5% and 3%: the strictest applies
    assert lh["target_ratio_text"] == "不低于5%" and lh["target_source"] == "抽查事项清单"
    assert flag(lh["meets_ratio"]) is False
    bm = task(g, TASK_BM)
    assert bm["ratio"] == pytest.approx(0.2) and bm["target_ratio"] == pytest.approx(0.03)


def test_strata_and_differentiated_sampling(tmp_path):
    _, f = build(tmp_path)
    strata = f.strata.set_index("risk_tier")
    assert strata.loc["A", "ratio"] == pytest.approx(1 / 40)
    assert strata.loc["C", "ratio"] == pytest.approx(2 / 24)
    # each tier against the task's minimum (plan: 不低于3%): A at 2.5% falls short, C at 8.3% meets it
    assert (strata["target_ratio"] == 0.03).all()
    assert flag(strata.loc["A", "meets_ratio"]) is False and flag(strata.loc["C", "meets_ratio"]) is True
    assert flag(task(f, TASK_LH)["differentiated"]) is True
    assert pd.isna(task(f, TASK_BM)["differentiated"])  # not stratified

    def flat(folder):
        folder.edit("strata", 0, sampled="2")
        folder.edit("strata", 1, sampled="1")

    _, g = build(tmp_path / "b", flat)
    assert flag(task(g, TASK_LH)["differentiated"]) is False  # 5% of A but 4.2% of C


def test_shares_rates_and_joint_visits(tmp_path):
    def change(folder):
        # A checked for a second item on the same visit; then again by BM for that item
        folder.add("results", like=0, item_id=ITEM_SJ)
        folder.add("results", like=2, uscc=USCC_A, entity_name="青禾县汇通小额贷款有限公司",
                   inspected_on="2026-05-20")

    model, f = build(tmp_path, change)
    lh, bm = task(f, TASK_LH), task(f, TASK_BM)
    assert lh["visits"] == 2 and lh["multi_item_visits"] == 1 and lh["enterprises"] == 2
    assert bm["repeated_results"] == 1 and lh["repeated_results"] == 0
    assert (lh["problem"], lh["no_problem"], lh["not_applicable"]) == (1, 2, 0)
    assert lh["problem_rate"] == pytest.approx(1 / 3)
    dy = f.department_years.set_index(["department", "year"])
    assert dy.loc[(GOV, 2026), "random_share"] == 1.0 and dy.loc[(GOV, 2026), "random_share_met"]
    assert dy.loc[(SCJG, 2026), "random_share"] == 0.0 and not dy.loc[(SCJG, 2026), "random_share_met"]
    assert dy.loc[(GOV, 2026), "joint_share"] == 1.0 and dy.loc[(GOV, 2026), "tasks"] == 1
    assert dy.loc[(SCJG, 2026), "publication_rate"] == 0.0
    o = f.overall.iloc[0]
    assert o["visits"] == 4 and o["random_share"] == pytest.approx(2 / 4)
    assert o["joint_share"] == 0.5 and o["joint_visit_share"] == pytest.approx(2 / 4)
    assert o["multi_item_visit_share"] == pytest.approx(1 / 4)
    assert o["publication_rate"] == pytest.approx(3 / 5)
    assert o["problem_rate"] == pytest.approx(1 / 5) and o["repeated_results"] == 1
    cats = f.categories.set_index("result")
    assert cats.loc["未发现问题", "count"] == 4 and cats.loc["发现问题已责令改正", "category"] == "发现问题"
    items = f.items.set_index("item_id")
    assert items.loc[ITEM_SJ, "results"] == 3 and items.loc[ITEM_SJ, "problems"] == 0
    # the year row: all departments together; A counted once though two departments visited it
    y = f.years.set_index("year").loc[2026]
    assert (y["tasks"], y["results"], y["enterprises"], y["visits"]) == (2, 5, 3, 4)
    assert y["random_share"] == pytest.approx(2 / 4) and y["publication_rate"] == pytest.approx(3 / 5)
    assert y["problem_rate"] == pytest.approx(1 / 5)


def test_tables_follow_the_schema(tmp_path):
    _, f = build(tmp_path)
    schema = figures_schema()
    tables = f.tables()
    assert list(tables) == list(schema)
    types = {"string": "string", "integer": "Int64", "number": "Float64", "boolean": "boolean",
             "date": "datetime64[ns]"}
    for name, frame in tables.items():
        cols = schema[name]["columns"]
        assert list(frame.columns) == [c["name"] for c in cols], name
        for c in cols:
            assert str(frame[c["name"]].dtype) == types[c["type"]], (name, c["name"])
            assert c["title"] and c["description"]


def test_computed_once_per_model(tmp_path):
    model, f = build(tmp_path)
    assert figures(model) is f
    model.settings = dict(model.settings, GONGKAI_AS_OF="2026-07-01")
    assert figures(model) is not f  # a changed setting recomputes


def test_status_vocabularies_match_the_schema(tmp_path):
    from generator.rules import deadlines

    schema = figures_schema()
    values = {t: next(c["values"] for c in schema[t]["columns"] if c["name"] == "status")
              for t in ("tasks", "results", "followups")}
    assert values["tasks"] == values["results"] == list(deadlines.PUBLICATION_STATUSES)
    assert set(values["followups"]) == set(deadlines.FOLLOWUP_ORDER)
    _, f = build(tmp_path, GONGKAI_AS_OF="2026-07-01")
    for t in values:
        assert set(getattr(f, t)["status"]) <= set(values[t])


def test_counts_per_pair_are_those_of_pandas_crosstab():
    """The figures count rows per task and status by integer codes; pandas' crosstab is
    the reference, missing values on either side included."""
    import numpy as np
    import pandas as pd

    from generator.rules import _crosstab

    rng = np.random.default_rng(7)
    tasks = pd.Series(rng.choice(["T1", "T2", "T3", None], 500), dtype=object)
    status = pd.Series(rng.choice(["按期", "逾期", None], 500), dtype="string[pyarrow]")
    ours = _crosstab(tasks, status)
    theirs = pd.crosstab(tasks, status.astype(object))
    ours = ours.loc[sorted(ours.index), sorted(ours.columns)]
    assert ours.to_numpy().tolist() == theirs.to_numpy().tolist()
    assert list(ours.index) == list(theirs.index) and list(ours.columns) == list(theirs.columns)
    assert int(ours.to_numpy().sum()) == int((tasks.notna() & status.notna()).sum())
