"""One test per rule of the data contract: each fails if its rule is removed.

Every test starts from the minimal valid folder (tests/helpers.py), breaks one thing,
and pins the exact problems: code, file, spreadsheet row and column as written.
``DataFolder.load`` also checks rows read = valid + rejected for every table.
"""

from __future__ import annotations

import pandas as pd
import pytest
from helpers import (
    CONTRACT,
    FILES,
    ITEM_JR,
    ITEM_SJ,
    PLAN,
    TASK_BM,
    TASK_LH,
    USCC_A,
    USCC_B,
    USCC_C,
    DataFolder,
    assert_clean,
    bad_check,
    expect,
    located,
    only,
    problems,
    uscc,
)

# --- the minimal folder --------------------------------------------------------------


def test_minimal_folder_is_valid(folder: DataFolder) -> None:
    model = folder.with_departments().with_inspectors().with_population().load()
    assert_clean(model)
    assert model.problems.errors == 0 and model.problems.warnings == 0
    for name, rows in folder.rows.items():
        s = model.summary[name]
        assert (s.rows_read, s.rows_valid, s.rows_rejected) == (len(rows), len(rows), 0)
    tasks = model.tables["tasks"].set_index("task_id")
    assert str(tasks["start"].dtype).startswith("datetime64")
    assert str(tasks["population"].dtype) == "Int64"
    assert tasks.loc[TASK_LH, "population"] == 64
    assert list(tasks.loc[TASK_LH, "item_ids"]) == [ITEM_JR, ITEM_SJ]
    assert list(tasks["_row"]) == [2, 3]
    results = model.tables["results"]
    assert [list(r) for r in results["result"]] == [["未发现问题"], ["发现问题已责令改正"],
                                                    ["未发现问题"]]
    assert list(results["category"]) == ["no_problem", "problem", "no_problem"]
    assert list(results["_file"].astype(str)) == ["results/a.csv"] * 3
    # the same planned task in two versions of one plan is not a duplicate
    plans = model.tables["plans"]
    assert list(plans["task_id"]).count(TASK_LH) == 2
    assert list(plans["version"]) == [1, 2, 2]
    items = model.tables["items"].set_index("item_id")
    assert items.loc[ITEM_JR, "ratio"] == "不低于5%"
    assert items.loc[ITEM_JR, "ratio_min"] == pytest.approx(0.05)


SPARE_TABLES = ["items", "plans", "tasks", "strata", "results", "dispositions", "calendar",
                "departments"]


@pytest.mark.parametrize("table", SPARE_TABLES)
def test_spare_rows_are_valid(folder: DataFolder, table: str) -> None:
    """The helper rows the other tests break are valid on their own."""
    row = folder.spare(table, 1)
    folder.spare(table, 2)
    model = folder.load()
    assert_clean(model)
    assert row in set(model.tables[table]["_row"])


# --- required columns and values -------------------------------------------------------

REQUIRED = {t.name: [f.name for f in t.fields if f.required] for t in CONTRACT}
ROUNDS = max(len(names) for names in REQUIRED.values())


@pytest.mark.parametrize("k", range(ROUNDS))
def test_required_column_missing_rejects_file(folder: DataFolder, k: int) -> None:
    """Round k drops the k-th required column of every table at once (one load per round)."""
    dropped = {table: names[k] for table, names in REQUIRED.items() if k < len(names)}
    for table, name in dropped.items():
        folder.drop_column(table, name)
    model = folder.load()
    frame = problems(model)
    for table, name in dropped.items():
        title = CONTRACT[table].field(name).title
        mine = frame[frame["file"] == FILES[table]]
        found = [tuple(r) for r in mine[["code", "row", "column"]].itertuples(index=False)]
        assert found == [("E105", 1, title)], (table, name)
        assert mine.iloc[0]["message"] == (
            f"缺少必填列“{title}”（也可写作 {name}），整个文件未读取。")
        s = model.summary[table]
        n = len(folder.rows[table])
        assert (s.rows_read, s.rows_valid, s.rows_rejected) == (n, 0, n), table


def test_every_required_field_is_covered() -> None:
    assert sum(len(names) for names in REQUIRED.values()) == 45
    assert REQUIRED["departments"] == ["name"]
    assert REQUIRED["inspectors"] == ["certificate", "name", "department", "valid_to"]
    assert REQUIRED["results"] == ["task_id", "uscc", "entity_name", "inspecting_department",
                                   "item_id", "inspected_on", "result"]


@pytest.mark.parametrize("table", list(REQUIRED))
def test_required_value_empty(folder: DataFolder, table: str) -> None:
    """Each required field left empty in a spare row of its own (white space is empty)."""
    rows = {name: folder.spare(table, n, **{name: "  "})
            for n, name in enumerate(REQUIRED[table], start=1)}
    model = folder.load()
    found = located(model)
    published = set(model.tables[table]["_row"])
    for name, row in rows.items():
        title = CONTRACT[table].field(name).title
        assert ("E201", FILES[table], row, title) in found, name
        assert row not in published, name
    e201 = problems(model).query("code == 'E201'")
    assert len(e201) == len(rows)
    assert set(e201["message"]) == {f"“{CONTRACT[table].field(n).title}”必须填写。"
                                    for n in rows}


def test_required_value_empty_exact(folder: DataFolder) -> None:
    row = folder.spare("results", 1, entity_name="")
    model = folder.load()
    expect(model, ("E201", "results/a.csv", row, "市场主体名称"))


def test_adjustment_note_not_required_in_first_version(folder: DataFolder) -> None:
    assert folder.rows["plans"][0]["adjustment_note"] == ""
    assert_clean(folder.load())


# --- vocabularies ----------------------------------------------------------------------

ENUMS = [(t.name, f.name) for t in CONTRACT for f in t.fields if f.type == "enum"]


def test_every_enum_is_covered() -> None:
    assert sorted(ENUMS) == sorted([
        ("items", "category"), ("plans", "task_type"), ("tasks", "task_type"),
        ("tasks", "selection"), ("strata", "risk_tier"), ("dispositions", "action"),
        ("calendar", "kind"), ("inspectors", "status"), ("population", "risk_tier"),
    ])


def test_enum_rejects_unknown_word(folder: DataFolder) -> None:
    """Every vocabulary at once, each in a spare row of its own table."""
    rows = {(table, name): folder.spare(table, n, **{name: "随便写的"})
            for n, (table, name) in enumerate(ENUMS, start=1)}
    model = folder.load()
    expect(model, *[("E202", FILES[t], row, CONTRACT[t].field(n).title)
                    for (t, n), row in rows.items()])
    frame = problems(model)
    assert set(frame["value"]) == {"随便写的"}
    for (t, n), row in rows.items():
        f = CONTRACT[t].field(n)
        message = frame[(frame["file"] == FILES[t]) & (frame["row"] == row)]["message"]
        allowed = "、".join(f.values)
        assert list(message) == [f"“随便写的”不是“{f.title}”允许的取值，应为：{allowed}。"]


@pytest.mark.parametrize(("table", "name"), ENUMS)
def test_enum_accepts_values_and_synonyms(folder: DataFolder, table: str, name: str) -> None:
    f = CONTRACT[table].field(name)
    forms = [(v, v) for v in f.values] + list(f.synonyms.items())
    forms.append((f" {f.values[0]} ", f.values[0]))  # trimmed
    rows = {folder.spare(table, n, **{name: written}): canonical
            for n, (written, canonical) in enumerate(forms, start=1)}
    model = folder.load()
    assert_clean(model)
    table_frame = model.tables[table].set_index("_row")
    assert {r: table_frame.loc[r, name] for r in rows} == rows


def test_risk_tier_chinese_words(folder: DataFolder) -> None:
    folder.edit("strata", 0, risk_tier="低")
    folder.edit("strata", 1, risk_tier="较高")
    rows = {folder.spare("strata", 1, risk_tier="一般"): "B",
            folder.spare("strata", 2, risk_tier="高"): "D"}
    model = folder.load()
    assert_clean(model)
    tiers = dict(zip(model.tables["strata"]["_row"], model.tables["strata"]["risk_tier"],
                     strict=True))
    assert tiers == {2: "A", 3: "C", **rows}


# --- field types -------------------------------------------------------------------------


def test_credit_code_length_and_format(folder: DataFolder) -> None:
    cases = {
        USCC_A[:17]: "现为 17 位",
        USCC_A + "1": "现为 19 位",
        USCC_A[:3] + "A" + USCC_A[4:]: "第 3–8 位为数字",  # the division code is digits
        USCC_A[:10] + "I" + USCC_A[11:]: "除 I、O、S、V、Z",  # I is never used
    }
    rows = {folder.spare("results", n, uscc=code): (code, detail)
            for n, (code, detail) in enumerate(cases.items(), start=1)}
    model = folder.load()
    expect(model, *[("E207", "results/a.csv", row, "统一社会信用代码") for row in rows])
    frame = problems(model)
    for (code, detail), value, message in zip(rows.values(), frame["value"], frame["message"],
                                              strict=True):
        assert value == code
        assert message.startswith(f"“{code}”不是 18 位统一社会信用代码（")
        assert detail in message


def test_credit_code_check_character(folder: DataFolder) -> None:
    wrong = bad_check(uscc("91130123MA0PP0001"))
    row = folder.spare("results", 1, uscc=wrong)
    model = folder.load()
    expect(model, ("E208", "results/a.csv", row, "统一社会信用代码"))
    assert only(model, "E208")["message"] == (
        f"统一社会信用代码“{wrong}”校验位错误，请核对是否抄错。")


def test_credit_code_check_in_dispositions(folder: DataFolder) -> None:
    folder.edit("dispositions", 0, uscc=bad_check(USCC_B))
    model = folder.load()
    expect(model, ("E208", "dispositions.csv", 2, "统一社会信用代码"))


def test_credit_code_folded_and_upper_cased(folder: DataFolder) -> None:
    full_width = USCC_C.lower().translate({c: c + 0xFEE0 for c in range(0x21, 0x7F)})
    folder.edit("results", 2, uscc=full_width)
    folder.edit("results", 1, uscc=f" {USCC_B[:8]} {USCC_B[8:].lower()} ")
    model = folder.load()
    assert_clean(model)
    assert list(model.tables["results"]["uscc"]) == [USCC_A, USCC_B, USCC_C]


def test_bad_date(folder: DataFolder) -> None:
    row = folder.spare("results", 1, inspected_on="2026-02-30")
    model = folder.load()
    expect(model, ("E203", "results/a.csv", row, "检查日期"))


def test_bad_integer_and_range(folder: DataFolder) -> None:
    bad = folder.spare("tasks", 1, population="十个")
    negative = folder.spare("tasks", 2, sampled="-1")
    model = folder.load()
    expect(model, ("E204", "tasks.csv", bad, "对象总数"),
           ("E205", "tasks.csv", negative, "抽取数量"))


def test_year_range(folder: DataFolder) -> None:
    folder.edit("plans", 0, year="1999")
    model = folder.load()
    expect(model, ("E205", "plans.csv", 2, "年度"))
    assert only(model, "E205")["message"] == "1999 超出“年度”的范围（2000 到 2100）。"


def test_version_at_least_one(folder: DataFolder) -> None:
    folder.edit("plans", 0, version="0")
    model = folder.load()
    expect(model, ("E205", "plans.csv", 2, "版本"))


def test_bad_ratio(folder: DataFolder) -> None:
    row = folder.spare("items", 1, ratio="150%")
    model = folder.load()
    expect(model, ("E206", "items.csv", row, "抽查比例"))


def test_bad_link(folder: DataFolder) -> None:
    links = ["javascript:alert(1)", "ftp://example.gov.cn/a.doc", "//evil.example/x", "a b"]
    rows = {folder.spare("tasks", n, plan_document=link): link
            for n, link in enumerate(links, start=1)}
    model = folder.load()
    expect(model, *[("E210", "tasks.csv", row, "实施方案") for row in rows])
    assert list(problems(model)["value"]) == links


def test_good_links(folder: DataFolder) -> None:
    rows = {folder.spare("tasks", 1, plan_document="qh-2026-zx"): "qh-2026-zx",
            folder.spare("tasks", 2, plan_document="HTTPS://www.example.gov.cn/a?b=1"):
                "HTTPS://www.example.gov.cn/a?b=1"}
    model = folder.load()
    assert_clean(model)
    tasks = model.tables["tasks"].set_index("_row")
    assert {r: tasks.loc[r, "plan_document"] for r in rows} == rows


# --- unique keys -------------------------------------------------------------------------


def test_unique_item_id(folder: DataFolder) -> None:
    first = folder.spare("items", 1)
    second = folder.add("items", first - 2, name="另一个事项")
    model = folder.load()
    expect(model, ("E301", "items.csv", first, "事项编码"),
           ("E301", "items.csv", second, "事项编码"))
    assert f"items.csv 第 {first} 行" in problems(model)["message"].iloc[0]


def test_unique_task_id(folder: DataFolder) -> None:
    first = folder.spare("tasks", 1)
    second = folder.add("tasks", first - 2, name="重复的任务")
    model = folder.load()
    expect(model, ("E301", "tasks.csv", first, "任务编号"),
           ("E301", "tasks.csv", second, "任务编号"))


def test_unique_result_key(folder: DataFolder) -> None:
    first = folder.spare("results", 1)
    second = folder.add("results", first - 2, result="未发现问题")
    model = folder.load()
    expect(model, ("E301", "results/a.csv", first, "检查事项"),
           ("E301", "results/a.csv", second, "检查事项"))
    assert problems(model)["message"].iloc[0].startswith("任务编号、统一社会信用代码、检查事项重复")


def test_result_key_across_files(folder: DataFolder) -> None:
    """Results split over several files are one table: a key repeated across them is found."""
    root = folder.write()
    header = (root / "results/a.csv").read_text(encoding="utf-8").splitlines()[0]
    line = (root / "results/a.csv").read_text(encoding="utf-8").splitlines()[3]
    (root / "results/b.csv").write_text(f"{header}\n{line}\n", encoding="utf-8")
    from helpers import load

    model = load(root)
    expect(model, ("E301", "results/a.csv", 4, "检查事项"),
           ("E301", "results/b.csv", 2, "检查事项"))


def test_plan_task_unique_within_version(folder: DataFolder) -> None:
    row = folder.add("plans", 2, task_name="重复")
    model = folder.load()
    expect(model, ("E301", "plans.csv", 4, "任务编号"), ("E301", "plans.csv", row, "任务编号"))


def test_plan_task_repeated_across_versions_is_fine(folder: DataFolder) -> None:
    rows = folder.rows["plans"]
    assert (rows[0]["task_id"], rows[0]["version"]) == (TASK_LH, "1")
    assert (rows[1]["task_id"], rows[1]["version"]) == (TASK_LH, "2")
    assert_clean(folder.load())


def test_unique_calendar_date(folder: DataFolder) -> None:
    row = folder.add("calendar", 0, kind="工作日")
    model = folder.load()
    expect(model, ("E301", "calendar.csv", 2, "日期"), ("E301", "calendar.csv", row, "日期"))


def test_unique_stratum(folder: DataFolder) -> None:
    first = folder.spare("strata", 1)
    second = folder.add("strata", first - 2)
    model = folder.load()
    expect(model, ("E301", "strata.csv", first, "信用风险等级"),
           ("E301", "strata.csv", second, "信用风险等级"))


# --- references ----------------------------------------------------------------------------


def test_result_task_must_exist(folder: DataFolder) -> None:
    row = folder.spare("results", 1, task_id="QH-2026-XX-99")
    model = folder.load()
    expect(model, ("E302", "results/a.csv", row, "任务编号"))
    assert only(model, "E302")["message"] == "任务编号“QH-2026-XX-99”在抽查任务中不存在。"


def test_result_item_must_be_in_item_list(folder: DataFolder) -> None:
    row = folder.spare("results", 1, item_id="QH-XX-999")
    model = folder.load()
    # not in the item list at all: one problem, not a second one for the task's items
    expect(model, ("E302", "results/a.csv", row, "检查事项"))


def test_task_items_must_exist(folder: DataFolder) -> None:
    row = folder.spare("tasks", 1, item_ids=f"{ITEM_SJ}、QH-XX-999")
    model = folder.load()
    expect(model, ("E302", "tasks.csv", row, "抽查事项"))
    assert only(model, "E302")["value"] == "QH-XX-999"


def test_plan_items_must_exist(folder: DataFolder) -> None:
    row = folder.spare("plans", 1, item_ids="QH-XX-999；QH-XX-998")
    model = folder.load()
    expect(model, ("E302", "plans.csv", row, "抽查事项"))
    assert only(model, "E302")["value"] == "QH-XX-999、QH-XX-998"


def test_task_plan_must_exist(folder: DataFolder) -> None:
    row = folder.spare("tasks", 1, plan_id="QH-2025-JR")
    model = folder.load()
    expect(model, ("E302", "tasks.csv", row, "计划编号"))


def test_task_plan_is_optional(folder: DataFolder) -> None:
    assert folder.rows["tasks"][1]["plan_id"] == ""
    assert_clean(folder.load())


def test_stratum_task_must_exist(folder: DataFolder) -> None:
    row = folder.add("strata", 0, task_id="QH-2026-XX-99")
    model = folder.load()
    expect(model, ("E302", "strata.csv", row, "任务编号"))


def test_disposition_task_must_exist(folder: DataFolder) -> None:
    folder.edit("dispositions", 0, task_id="QH-2026-XX-99")
    model = folder.load()
    expect(model, ("E302", "dispositions.csv", 2, "任务编号"))


def test_result_item_among_task_items(folder: DataFolder) -> None:
    """清单之外无检查: the item exists, but the task did not include it."""
    row = folder.spare("results", 1, item_id=ITEM_JR)  # spare result is in task BM (SJ only)
    model = folder.load()
    expect(model, ("E303", "results/a.csv", row, "检查事项"))
    assert only(model, "E303")["message"] == (
        f"检查事项“{ITEM_JR}”不在任务“{TASK_BM}”的抽查事项中（清单之外无检查）。")


def test_disposition_must_match_result_of_that_task(folder: DataFolder) -> None:
    folder.edit("dispositions", 0, uscc=USCC_C)  # C was inspected, but in task BM
    model = folder.load()
    expect(model, ("E304", "dispositions.csv", 2, "统一社会信用代码"))
    assert only(model, "E304")["message"] == (
        f"任务“{TASK_LH}”中没有统一社会信用代码为“{USCC_C}”的抽查结果，无法登记后续处置。")


# --- dates and counts ----------------------------------------------------------------------


def test_task_end_before_start(folder: DataFolder) -> None:
    row = folder.spare("tasks", 1, start="2026-04-01", end="2026-03-31")
    model = folder.load()
    expect(model, ("E305", "tasks.csv", row, "结束日期"))
    assert only(model, "E305")["message"] == "结束日期“2026-03-31”早于开始日期“2026-04-01”。"


def test_task_one_day_window_is_fine(folder: DataFolder) -> None:
    folder.spare("tasks", 1, start="2026-04-01", end="2026-04-01")
    assert_clean(folder.load())


def test_plan_end_before_start(folder: DataFolder) -> None:
    row = folder.spare("plans", 1, planned_start="2026-03-01", planned_end="2026-02-28")
    model = folder.load()
    expect(model, ("E305", "plans.csv", row, "计划结束日期"))


def test_published_before_inspected(folder: DataFolder) -> None:
    row = folder.spare("results", 1, inspected_on="2026-04-10", published_on="2026-04-09")
    model = folder.load()
    expect(model, ("E307", "results/a.csv", row, "公示日期"))
    assert only(model, "E307")["message"] == "公示日期“2026-04-09”早于检查日期“2026-04-10”。"


def test_recorded_before_decided(folder: DataFolder) -> None:
    folder.edit("dispositions", 0, decided_on="2026-05-20", recorded_on="2026-05-19")
    model = folder.load()
    expect(model, ("E307", "dispositions.csv", 2, "录入日期"))


def test_task_sampled_more_than_population(folder: DataFolder) -> None:
    row = folder.spare("tasks", 1, population="10", sampled="11")
    model = folder.load()
    expect(model, ("E306", "tasks.csv", row, "抽取数量"))
    assert only(model, "E306")["message"] == "抽取数量 11 大于对象总数 10。"


def test_stratum_sampled_more_than_population(folder: DataFolder) -> None:
    folder.edit("strata", 0, population="1", sampled="2")
    folder.edit("strata", 1, population="63", sampled="1")  # the sums still match the task
    model = folder.load()
    # the other stratum then no longer adds up to the task's totals (a warning)
    expect(model, ("E306", "strata.csv", 2, "抽取数量"),
           ("W303", "strata.csv", 3, "对象总数"), ("W303", "strata.csv", 3, "抽取数量"))


# --- plan versions ---------------------------------------------------------------------------


@pytest.mark.parametrize("published_on", ["2026-01-15", "2026-02-01"])
def test_later_version_needs_later_date(folder: DataFolder, published_on: str) -> None:
    folder.edit("plans", 1, published_on=published_on)
    folder.edit("plans", 2, published_on=published_on)
    model = folder.load()
    expect(model, ("E309", "plans.csv", 3, "发布日期"), ("E309", "plans.csv", 4, "发布日期"))
    assert problems(model)["message"].iloc[0] == (
        f"计划“{PLAN}”第 2 版的发布日期 {published_on} 不晚于第 1 版的 2026-02-01。")


def test_adjustment_note_required_after_first_version(folder: DataFolder) -> None:
    folder.edit("plans", 1, adjustment_note="")
    folder.edit("plans", 2, adjustment_note="")
    model = folder.load()
    expect(model, ("E310", "plans.csv", 3, "调整说明"), ("E310", "plans.csv", 4, "调整说明"))
    assert problems(model)["message"].iloc[0] == "计划调整（第 2 版）必须写明调整说明。"


PLAN_LEVEL = {"plan_name": "另一个名字", "year": "2027", "publisher": "青禾县财政局",
              "published_on": "2026-06-16", "adjustment_note": "另一个说明"}


def test_plan_level_fields_agree_within_version(folder: DataFolder) -> None:
    folder.edit("plans", 2, **PLAN_LEVEL)
    model = folder.load()
    titles = [CONTRACT["plans"].field(name).title for name in PLAN_LEVEL]
    expect(model, *[("E312", "plans.csv", 4, title) for title in titles])
    frame = problems(model).set_index("column")
    assert frame.loc["计划名称", "message"] == (
        "同一计划版本中“计划名称”不一致：“另一个名字”与 plans.csv 第 3 行 的"
        "“青禾县2026年度双随机抽查工作计划”不同。")
    assert frame.loc["年度", "value"] == "2027"


def test_plan_level_fields_may_change_between_versions(folder: DataFolder) -> None:
    for i in (1, 2):
        folder.edit("plans", i, plan_name="青禾县2026年度双随机抽查工作计划（调整）",
                    publisher="青禾县财政局")
    assert_clean(folder.load())


# --- cascading rejection ----------------------------------------------------------------------


def test_result_of_a_task_with_an_error_is_held_back(folder: DataFolder) -> None:
    folder.edit("tasks", 1, selection="随便")
    model = folder.load()
    expect(model, ("E202", "tasks.csv", 3, "抽取方式"), ("E311", "results/a.csv", 4, "任务编号"))
    hit = only(model, "E311")
    assert hit["message"] == (
        f"任务编号“{TASK_BM}”所在的行（tasks.csv 第 3 行）本身有错误，本文件中引用它的 1 行"
        "暂不发布（第 4 行）；改正那一行后，这些行不用修改即可发布。")
    assert 4 not in set(model.tables["results"]["_row"])
    assert model.summary["results"].rows_rejected == 1


def test_everything_under_a_task_with_an_error_is_held_back(folder: DataFolder) -> None:
    folder.edit("tasks", 0, end="2026-02-01")
    model = folder.load()
    # once per file and cause, at its first row, with the number of rows held back
    expect(model,
           ("E305", "tasks.csv", 2, "结束日期"),
           ("E311", "results/a.csv", 2, "任务编号"), ("E311", "strata.csv", 2, "任务编号"),
           ("E311", "dispositions.csv", 2, "任务编号"))
    frame = problems(model).set_index("file")
    assert "引用它的 2 行暂不发布（第 2、3 行）" in frame.loc["results/a.csv", "message"]
    assert "引用它的 2 行暂不发布（第 2、3 行）" in frame.loc["strata.csv", "message"]
    assert len(model.tables["results"]) == 1 and len(model.tables["dispositions"]) == 0
    assert model.summary["results"].rows_rejected == 2


def test_rows_under_an_item_with_an_error_are_held_back(folder: DataFolder) -> None:
    folder.edit("items", 1, category="普通")
    model = folder.load()
    frame = problems(model)
    assert ("E202", "items.csv", 3, "事项类别") in located(model)
    e311 = frame[frame["code"] == "E311"]
    # both tasks list the item: one problem for the two rows of tasks.csv
    tasks = e311[(e311["file"] == "tasks.csv") & (e311["column"] == "抽查事项")]
    assert list(tasks["row"]) == [2]
    assert "（items.csv 第 3 行）" in tasks["message"].iloc[0]
    assert "引用它的 2 行暂不发布（第 2、3 行）" in tasks["message"].iloc[0]
    assert set(frame["code"]) == {"E202", "E311"}
    assert len(model.tables["tasks"]) == 0


# --- warnings ----------------------------------------------------------------------------------


def test_repeated_inspection_in_two_tasks(folder: DataFolder) -> None:
    """Same enterprise, same item, same year, another task: a warning on the later one."""
    row = folder.add("results", 2, task_id=TASK_LH, item_id=ITEM_SJ,
                     inspected_on="2026-06-01", published_on="2026-06-05")
    model = folder.load()
    expect(model, ("W301", "results/a.csv", row, "检查事项"))
    assert "results/a.csv 第 4 行" in only(model, "W301")["message"]
    assert row in set(model.tables["results"]["_row"])  # a warning publishes the row


def test_same_item_next_year_is_not_repeated(folder: DataFolder) -> None:
    folder.edit("tasks", 0, end="2027-07-30")
    folder.add("results", 2, task_id=TASK_LH, item_id=ITEM_SJ, inspected_on="2027-03-01")
    assert_clean(folder.load())


def test_inspection_outside_task_window(folder: DataFolder) -> None:
    before = folder.spare("results", 1)
    after = folder.spare("results", 2)
    folder.edit("results", before - 2, inspected_on="2026-03-31", published_on="")
    folder.edit("results", after - 2, inspected_on="2026-06-01", published_on="")
    model = folder.load()
    expect(model, ("W302", "results/a.csv", before, "检查日期"),
           ("W302", "results/a.csv", after, "检查日期"))
    assert list(problems(model)["message"]) == [
        f"检查日期 {day} 不在任务起止日期 2026-04-01 至 2026-05-31 之内。"
        for day in ("2026-03-31", "2026-06-01")]
    assert {before, after} <= set(model.tables["results"]["_row"])  # warnings still publish


@pytest.mark.parametrize(("name", "title"), [("population", "对象总数"), ("sampled", "抽取数量")])
def test_strata_do_not_add_up(folder: DataFolder, name: str, title: str) -> None:
    old = int(folder.rows["strata"][1][name])
    folder.edit("strata", 1, **{name: str(old - 1)})
    model = folder.load()
    expect(model, ("W303", "strata.csv", 2, title), ("W303", "strata.csv", 3, title))


def test_unknown_column_is_reported_and_never_published(folder: DataFolder) -> None:
    phones = ["13800000001", "13800000002", "13800000003"]
    folder.add_column("results", "联系人电话", phones)
    model = folder.load()
    expect(model, ("W101", "results/a.csv", 1, "联系人电话"))
    assert only(model, "W101")["severity"] == "warning"
    for name, table in model.tables.items():
        assert "联系人电话" not in table.columns, name
        cells = {str(v) for col in table.columns for v in table[col].tolist()}
        assert not cells & set(phones), name
        arrow = model.arrow(name, provenance=True)
        assert "联系人电话" not in arrow.column_names
        assert not {str(v) for col in arrow.columns for v in col.to_pylist()} & set(phones)


def test_problem_names_the_header_as_written(folder: DataFolder) -> None:
    folder.rename_header("results", "result", " Result ")
    row = folder.spare("results", 1, result="良好")
    model = folder.load()
    expect(model, ("E209", "results/a.csv", row, " Result "))


# --- result words ----------------------------------------------------------------------------


RESULT_CELLS = [
    ("正常", ["未发现问题"], "no_problem"),
    ("不予配合情节严重", ["不配合检查情节严重"], "problem"),
    ("发现问题已责令改正；未按规定公示应当公示的信息",
     ["发现问题已责令改正", "未按规定公示应当公示的信息"], "problem"),
    ("公示信息隐瞒真实情况、弄虚作假", ["公示信息隐瞒真实情况、弄虚作假"], "problem"),
    ("未发现问题、公示信息隐瞒真实情况、弄虚作假",
     ["未发现问题", "公示信息隐瞒真实情况、弄虚作假"], "problem"),
    ("正常（符合信息公示相关规定）", ["未发现问题"], "no_problem"),
    ("正常(符合信息公示相关规定)", ["未发现问题"], "no_problem"),
    ("已办理营业执照注销", ["已注销"], "not_applicable"),
    ("住所无法联系", ["通过登记的住所（经营场所）无法联系"], "problem"),
    ("正常；正常经营", ["未发现问题"], "no_problem"),
]


def test_result_words(folder: DataFolder) -> None:
    rows = {folder.spare("results", n, result=cell[0]): cell
            for n, cell in enumerate(RESULT_CELLS, start=1)}
    model = folder.load()
    assert_clean(model)
    results = model.tables["results"].set_index("_row")
    for row, (written, words, category) in rows.items():
        assert list(results.loc[row, "result"]) == words, written
        assert results.loc[row, "category"] == category, written


def test_unknown_result_word(folder: DataFolder) -> None:
    cells = {"良好": "良好", "发现问题已责令改正；查无此词": "查无此词",
             "公示信息隐瞒真实情况": "公示信息隐瞒真实情况"}
    rows = {folder.spare("results", n, result=written): unknown
            for n, (written, unknown) in enumerate(cells.items(), start=1)}
    model = folder.load()
    expect(model, *[("E209", "results/a.csv", row, "检查结果") for row in rows])
    frame = problems(model)
    assert list(frame["value"]) == list(rows.values())
    for unknown, message in zip(rows.values(), frame["message"], strict=True):
        assert message.startswith(f"“{unknown}”不是检查结果用语，应为：未发现问题、")


def test_result_vocabulary_is_a_setting(folder: DataFolder) -> None:
    from generator.settings import load_settings

    settings = load_settings(GONGKAI_RESULT_VOCABULARY={"责令停业整顿": "problem"},
                             GONGKAI_RESULT_SYNONYMS={"停业整顿": "责令停业整顿"})
    row = folder.spare("results", 1, result="停业整顿")
    model = folder.load(settings)
    assert_clean(model)
    results = model.tables["results"].set_index("_row")
    assert list(results.loc[row, "result"]) == ["责令停业整顿"]
    assert results.loc[row, "category"] == "problem"


# --- problems frame shape ----------------------------------------------------------------------


def test_problem_frame_is_sorted_by_file_and_row(folder: DataFolder) -> None:
    folder.spare("tasks", 1, population="x")
    folder.spare("results", 1, result="x")
    folder.spare("results", 2, result="y")
    model = folder.load()
    frame = problems(model)
    keys = list(zip(frame["file"], frame["row"].astype(int), strict=True))
    assert keys == sorted(keys)
    assert frame["row"].dtype == pd.Int64Dtype()


# --- known bugs in files this suite may not change (strict: they fail once fixed) ----------


def test_required_list_of_separators_only(folder: DataFolder) -> None:
    row = folder.spare("tasks", 1, item_ids="；")
    model = folder.load()
    expect(model, ("E201", "tasks.csv", row, "抽查事项"))


def test_disposition_of_a_result_with_an_error_is_held_back(folder: DataFolder) -> None:
    folder.edit("results", 1, result="良好")
    model = folder.load()
    expect(model, ("E209", "results/a.csv", 3, "检查结果"),
           ("E311", "dispositions.csv", 2, "统一社会信用代码"))
