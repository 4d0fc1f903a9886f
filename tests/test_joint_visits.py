"""进一次门、查多项事: visits that covered several departments' items, as one record and as figures.

Base folder (tests/helpers.py): task LH is a joint task of the county office (青禾县人民政府办公室,
item QH-JR-004) with 市场监管局 taking part (item QH-SJ-001); its results are the county
office's item on enterprise A (2026-05-12) and on enterprise B (2026-05-13). Task BM is
市场监管局's alone, one result on enterprise C. So the base has three visits and none of them
covered two departments' items; each test adds 市场监管局's item to a visit.
"""

from __future__ import annotations

import pytest
from helpers import GOV, ITEM_JR, ITEM_SJ, SCJG, TASK_BM, TASK_LH, USCC_A, DataFolder

from generator.rules import figures
from generator.site.views import Row, paginate_blocks, visit_blocks


def _figures(folder: DataFolder):
    model = folder.load()
    assert model.ok, model.problems.frame().to_string()
    return figures(model)


def _sj_item(folder: DataFolder, on: str = "2026-05-12", like: int = 0) -> None:
    """市场监管局 checks its item on the enterprise of base result ``like`` on day ``on``."""
    folder.add("results", like, item_id=ITEM_SJ, inspecting_department=SCJG, inspected_on=on)


def test_without_a_second_department_on_the_day_nothing_is_counted(folder: DataFolder) -> None:
    f = _figures(folder)
    assert f.multi_department_visits.empty
    assert f.tasks.set_index("task_id").loc[TASK_LH, "multi_department_visits"] == 0
    o = f.overall.iloc[0]
    assert (o["visits"], o["multi_department_visits"], o["multi_department_enterprises"]) == (3, 0, 0)
    assert o["multi_department_visit_share"] == 0


def test_two_departments_on_one_visit_are_one_multi_department_visit(folder: DataFolder) -> None:
    _sj_item(folder)
    f = _figures(folder)
    visit = f.multi_department_visits.iloc[0]
    assert len(f.multi_department_visits) == 1
    assert (visit["task_id"], visit["uscc"], str(visit["inspected_on"].date())) == \
        (TASK_LH, USCC_A, "2026-05-12")
    assert (visit["items"], visit["departments"]) == (2, 2)
    assert visit["department_names"] == "、".join(sorted([GOV, SCJG]))
    tasks = f.tasks.set_index("task_id")
    assert tasks.loc[TASK_LH, ["visits", "multi_department_visits",
                               "multi_department_enterprises"]].tolist() == [2, 1, 1]
    assert tasks.loc[TASK_BM, "multi_department_visits"] == 0
    # each department that took part counts the visit (the visit counts give it to one)
    dept = f.department_years.set_index("department")
    assert dept.loc[GOV, "multi_department_visits"] == dept.loc[SCJG, "multi_department_visits"] == 1
    o = f.overall.iloc[0]
    assert (o["multi_department_visits"], o["multi_department_enterprises"]) == (1, 1)
    assert o["multi_department_visit_share"] == pytest.approx(1 / 3)


def test_a_department_coming_on_another_day_is_a_visit_of_its_own(folder: DataFolder) -> None:
    """Not 进一次门: 市场监管局 checked enterprise A a week after the county office."""
    _sj_item(folder, on="2026-05-19")
    f = _figures(folder)
    assert f.multi_department_visits.empty
    assert f.tasks.set_index("task_id").loc[TASK_LH, "visits"] == 3


def test_an_enterprise_visited_jointly_twice_counts_once_among_enterprises(
        folder: DataFolder) -> None:
    """Enterprise A: jointly in task LH, and again in task BM made a joint task too."""
    _sj_item(folder)
    folder.edit("tasks", 1, task_type="部门联合抽查", joint_departments=GOV,
                item_ids=f"{ITEM_SJ}；{ITEM_JR}")
    folder.edit("plans", 2, task_type="部门联合抽查", joint_departments=GOV,
                item_ids=f"{ITEM_SJ}；{ITEM_JR}")
    for item, department in ((ITEM_SJ, SCJG), (ITEM_JR, GOV)):
        folder.add("results", 0, task_id=TASK_BM, item_id=item, inspecting_department=department,
                   inspected_on="2026-04-21")
    f = _figures(folder)
    # by task, then day: the dataset's order
    assert f.multi_department_visits["task_id"].tolist() == sorted([TASK_BM, TASK_LH])
    o = f.overall.iloc[0]
    assert (o["multi_department_visits"], o["multi_department_enterprises"]) == (2, 1)
    gov = f.department_years.set_index("department").loc[GOV]
    assert (gov["multi_department_visits"], gov["multi_department_enterprises"]) == (2, 1)
    tasks = f.tasks.set_index("task_id")
    assert tasks.loc[TASK_BM, ["multi_department_visits", "multi_department_enterprises"]] \
        .tolist() == [1, 1]


# --- one record on the pages ----------------------------------------------------------


def _rows(*spec: tuple[str, str]) -> list[Row]:
    """Table rows of (visit key, department)."""
    return [Row(key=k, department=d) for k, d in spec]


def _blocks(rows: list[Row]) -> list[Row]:
    return visit_blocks(rows, [r.key for r in rows], [r.department for r in rows])


def test_rows_of_a_visit_of_several_departments_are_one_block() -> None:
    rows = _rows(("A", GOV), ("B", GOV), ("B", SCJG), ("B", SCJG), ("C", SCJG), ("D", GOV))
    blocks = _blocks(rows)
    assert [(b.visit is not None, len(b.rows)) for b in blocks] == [(False, 1), (True, 3),
                                                                     (False, 2)]
    visit = blocks[1].visit
    assert visit.items == 3 and visit.departments == sorted([GOV, SCJG])


def test_a_table_of_one_department_is_one_plain_block() -> None:
    rows = _rows(("A", GOV), ("A", GOV), ("B", GOV))
    assert [(b.visit, len(b.rows)) for b in _blocks(rows)] == [(None, 3)]


def test_pages_never_split_a_visit_and_page_plain_rows_as_before() -> None:
    rows = _rows(("A", GOV), ("B", GOV), ("B", SCJG), ("B", GOV), ("C", GOV), ("D", SCJG))
    pages = paginate_blocks(_blocks(rows), 2)
    # A alone (B's three rows do not fit beside it), B whole on a page larger than the size
    assert [[len(b.rows) for b in page] for page in pages] == [[1], [3], [2]]
    plain = _rows(*[(str(k), GOV) for k in range(5)])
    assert [sum(len(b.rows) for b in page) for page in paginate_blocks(_blocks(plain), 2)] \
        == [2, 2, 1]
    assert paginate_blocks(_blocks([]), 2) == [[]]  # a task without results: one empty page
