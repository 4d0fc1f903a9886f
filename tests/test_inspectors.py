"""The second 随机: the inspectors table, the 检查人员 of each result, and the rule of two.

Base folder with ``with_inspectors()`` (tests/helpers.py): four inspectors, two of 青禾县人民
政府办公室 (QHJR-0001/0002) and two of 青禾县市场监督管理局 (QHSJ-0011/0012), all valid
through 2028; every base result names the two of its inspecting department. Task LH has two
visits (two enterprises, one day each), task BM one.
"""

from __future__ import annotations

import pytest
from helpers import (
    CERT_GOV_1,
    CERT_GOV_2,
    CERT_SJ_1,
    CERT_SJ_2,
    GOV,
    SCJG,
    TASK_BM,
    TASK_LH,
    DataFolder,
    expect,
    only,
)

from generator.rules import figures
from generator.settings import load_settings

# --- validation ------------------------------------------------------------------------


def test_a_full_folder_with_inspectors_is_clean(folder: DataFolder) -> None:
    model = folder.with_departments().with_inspectors().load()
    expect(model)
    assert list(model["results"]["inspectors"].iloc[0]) == [CERT_GOV_1, CERT_GOV_2]
    assert list(model["inspectors"]["categories"].iloc[2]) == ["市场监管综合执法", "食品安全"]


def test_an_unknown_certificate_is_a_located_error(folder: DataFolder) -> None:
    folder.with_inspectors().edit("results", 0, inspectors=f"{CERT_GOV_1}；QHJR-9999")
    model = folder.load()
    # the result row is held back (the disposition is of another enterprise)
    expect(model, ("E315", "results/a.csv", 2, "检查人员"))
    problem = only(model, "E315")
    assert problem["value"] == "QHJR-9999"
    assert "执法检查人员名录库" in problem["message"]
    assert 2 not in set(model["results"]["_row"])


def test_two_unknown_certificates_of_a_row_are_one_error_naming_both_in_order(
        folder: DataFolder) -> None:
    folder.with_inspectors().edit("results", 1, inspectors=f"QHJR-9999；{CERT_GOV_1}；QHJR-0001X")
    model = folder.load()
    # the row is held back, and with it the follow-up that names its enterprise
    expect(model, ("E315", "results/a.csv", 3, "检查人员"),
           ("E311", "dispositions.csv", 2, "统一社会信用代码"))
    assert only(model, "E315")["value"] == "QHJR-9999、QHJR-0001X"


def test_a_certificate_out_of_date_is_a_warning_and_the_result_is_published(
        folder: DataFolder) -> None:
    folder.with_inspectors().edit("inspectors", 1, valid_to="2026-05-01")  # QHJR-0002
    model = folder.load()
    expect(model, ("W305", "results/a.csv", 2, "检查人员"), ("W305", "results/a.csv", 3, "检查人员"))
    frame = model.problems.frame()
    first = frame.iloc[0]
    assert first["value"] == CERT_GOV_2
    assert "2026-05-12" in first["message"] and "2024-01-01 至 2026-05-01" in first["message"]
    assert len(model["results"]) == 3  # warnings publish


def test_a_certificate_not_yet_valid_is_a_warning(folder: DataFolder) -> None:
    folder.with_inspectors().edit("inspectors", 2, valid_from="2026-05-01")  # QHSJ-0011
    model = folder.load()
    expect(model, ("W305", "results/a.csv", 4, "检查人员"))


def test_an_inspector_of_a_department_outside_the_task_is_a_warning(
        folder: DataFolder) -> None:
    # task BM is 市场监管局's alone; an inspector of the county office helps
    folder.with_inspectors().edit("results", 2, inspectors=f"{CERT_SJ_1}；{CERT_GOV_1}")
    model = folder.load()
    expect(model, ("W306", "results/a.csv", 4, "检查人员"))
    message = only(model, "W306")["message"]
    assert CERT_GOV_1 in message and GOV in message and TASK_BM in message and SCJG in message


def test_joint_task_departments_may_all_send_inspectors(folder: DataFolder) -> None:
    # task LH is led by the county office with 市场监管局 taking part: no warning
    folder.with_inspectors().edit("results", 0, inspectors=f"{CERT_GOV_1}；{CERT_SJ_1}")
    expect(folder.load())


def test_certificates_without_an_inspectors_table_are_one_warning_per_file(
        folder: DataFolder) -> None:
    folder.with_inspectors().without("inspectors")
    model = folder.load()
    expect(model, ("W307", "results/a.csv", 2, "检查人员"))
    assert "3 行" in only(model, "W307")["message"]
    assert len(model["results"]) == 3


def test_inspectors_table_rules(folder: DataFolder) -> None:
    folder.with_inspectors().with_departments()
    folder.edit("inspectors", 3, valid_from="2029-01-01")  # after valid_to
    folder.add("inspectors", 2, certificate="QHGA-0001", department="青禾县公安局")
    folder.add("inspectors", 2, certificate=CERT_SJ_1.lower())  # another certificate
    folder.add("inspectors", 2)  # QHSJ-0011 twice
    model = folder.load()
    expect(model,
           ("E305", "inspectors.csv", 5, "证件有效期止"),
           ("E313", "inspectors.csv", 6, "所属部门"),
           ("E301", "inspectors.csv", 4, "执法证号"),
           ("E301", "inspectors.csv", 8, "执法证号"),
           # the result naming QHSJ-0011 and QHSJ-0012 waits for their rows to be fixed
           ("E311", "results/a.csv", 4, "检查人员"))


# --- the rule of two -----------------------------------------------------------------


def _figures(folder: DataFolder, **settings):
    model = folder.load(load_settings(None, **settings))
    assert model.ok, model.problems.frame().to_string()
    return figures(model)


def test_every_visit_with_two_valid_certificates_meets_the_rule(folder: DataFolder) -> None:
    f = _figures(folder.with_inspectors())
    assert list(f.teams["team_status"]) == ["达到要求"] * 3
    tasks = f.tasks.set_index("task_id")
    assert tasks.loc[TASK_LH, "team_recorded_visits"] == 2
    assert tasks.loc[TASK_LH, "team_met_visits"] == 2
    assert tasks.loc[TASK_LH, "team_share"] == 1
    assert f.overall.iloc[0]["min_inspectors"] == 2


def test_one_inspector_or_an_expired_certificate_falls_short(folder: DataFolder) -> None:
    folder.with_inspectors()
    folder.edit("results", 0, inspectors=CERT_GOV_1)  # alone
    folder.edit("inspectors", 3, valid_to="2026-01-31")  # QHSJ-0012 expired before BM
    f = _figures(folder)
    teams = f.teams.set_index("task_id")
    assert list(f.teams["team_status"]) == ["人数不足", "人数不足", "达到要求"]
    bm = teams.loc[TASK_BM]
    assert (bm["listed"], bm["valid"], bm["invalid"]) == (2, 1, CERT_SJ_2)
    tasks = f.tasks.set_index("task_id")
    assert tasks.loc[TASK_LH, "team_share"] == 0.5
    assert tasks.loc[TASK_BM, "team_share"] == 0
    dept = f.department_years.set_index("department")
    assert dept.loc[GOV, "team_met_visits"] == 1 and dept.loc[SCJG, "team_met_visits"] == 0
    assert f.overall.iloc[0]["team_share"] == pytest.approx(1 / 3)


def test_rows_of_one_visit_pool_their_inspectors(folder: DataFolder) -> None:
    """A joint visit: the county office's item and 市场监管局's item on one day, each row
    naming its own department's inspector; together they are two."""
    folder.with_inspectors()
    folder.edit("results", 0, inspectors=CERT_GOV_1)
    folder.add("results", 0, item_id="QH-SJ-001", inspecting_department=SCJG,
               inspectors=CERT_SJ_1)
    f = _figures(folder)
    visit = f.teams[f.teams["task_id"] == TASK_LH].iloc[0]
    assert visit["inspectors"] == f"{CERT_GOV_1}；{CERT_SJ_1}"
    assert (visit["valid"], visit["team_status"]) == (2, "达到要求")
    assert f.tasks.set_index("task_id").loc[TASK_LH, "visits"] == 2


def test_the_threshold_is_a_setting(folder: DataFolder) -> None:
    f = _figures(folder.with_inspectors(), GONGKAI_MIN_INSPECTORS=3)
    assert set(f.teams["team_status"]) == {"人数不足"}
    assert f.overall.iloc[0]["min_inspectors"] == 3


def test_unrecorded_visits_are_unknown_not_failures(folder: DataFolder) -> None:
    folder.with_inspectors().edit("results", 2, inspectors="")
    f = _figures(folder)
    tasks = f.tasks.set_index("task_id")
    assert tasks.loc[TASK_BM, "team_recorded_visits"] == 0
    assert tasks.loc[TASK_BM, "team_share"] is None or str(tasks.loc[TASK_BM, "team_share"]) \
        == "<NA>"
    assert f.teams.set_index("task_id").loc[TASK_BM, "team_status"] == "未填写"


def test_without_the_table_nothing_is_counted(folder: DataFolder) -> None:
    folder.with_inspectors().without("inspectors")
    model = folder.load()
    f = figures(model)
    assert set(f.teams["team_status"]) == {"无法核对"}
    assert f.overall.iloc[0]["team_met_visits"] is None \
        or str(f.overall.iloc[0]["team_met_visits"]) == "<NA>"
