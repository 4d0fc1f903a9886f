"""The enterprise table every view shares: one row per credit code, from the results."""

from __future__ import annotations

import numpy as np
import pandas as pd

from generator.model.enterprises import enterprise_index, enterprises

A, B, C = "91330100MA00000001", "91330100MA00000002", "91330100MA00000003"


def results() -> pd.DataFrame:
    rows = [  # (code, name, date, task, category), in input order, not sorted
        (B, "乙商店", "2025-03-01", "T1", "no_problem"),
        (A, "甲公司（旧名）", "2024-05-10", "T1", "problem"),
        (A, "甲公司", "2025-06-01", "T2", "no_problem"),
        (C, "丙厂", "2025-01-02", "T3", "problem"),
        (A, "甲公司", "2025-06-01", "T2", "problem"),  # a second item of the same task
        (A, "甲公司（旧名）", "2023-01-01", "T3", "not_applicable"),
        (C, "丙厂", "2025-01-02", "T3", "problem"),
    ]
    frame = pd.DataFrame(rows, columns=["uscc", "entity_name", "inspected_on", "task_id",
                                        "category"])
    for column in ("uscc", "entity_name", "task_id"):
        frame[column] = frame[column].astype("string[pyarrow]")
    frame["inspected_on"] = pd.to_datetime(frame["inspected_on"])
    return frame


def test_each_enterprise_has_its_latest_name_counts_and_dates():
    table = enterprises(results()).set_index("uscc")
    assert list(table.index) == [A, B, C]  # sorted by credit code
    assert table.loc[A, "name"] == "甲公司"
    assert table.loc[A, "names"] == ["甲公司", "甲公司（旧名）"]  # latest first
    assert table.loc[B, "names"] is None and table.loc[C, "names"] is None
    assert table["inspections"].tolist() == [4, 1, 2]
    assert table["tasks"].tolist() == [3, 1, 1]
    assert table["problems"].tolist() == [2, 0, 2]
    assert table.loc[A, "first_inspected"] == pd.Timestamp("2023-01-01")
    assert table.loc[A, "last_inspected"] == pd.Timestamp("2025-06-01")


def test_the_shared_index_gives_the_same_table_for_any_row_order():
    frame = results()
    index = enterprise_index(frame)
    assert index.codes.tolist() == [A, B, C]
    assert index.row.tolist() == [1, 0, 0, 2, 0, 0, 2]
    shuffled = frame.sample(frac=1, random_state=3).reset_index(drop=True)
    # tied rows (one enterprise, one date) share a name here, so their order cannot matter
    pd.testing.assert_frame_equal(enterprises(frame, index), enterprises(shuffled))
    order = np.argsort(index.row, kind="stable")
    assert index.bounds(order).tolist() == [0, 4, 5, 7]


def test_no_results_give_an_empty_table():
    assert enterprises(results().iloc[:0]).empty


def test_a_code_is_found_by_its_number_and_an_unknown_one_is_not():
    index = enterprise_index(results())
    outside = "91330100MA00000009"
    assert index.position([C, outside, A, "", B]).tolist() == [2, -1, 0, -1, 1]
    assert index.position([]).tolist() == []
    assert enterprise_index(results().iloc[:0]).position([A]).tolist() == [-1]
