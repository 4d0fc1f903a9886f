"""Hostile and careless input, as a new agency commits it: every defect in the first run.

Each test breaks the minimal valid folder (tests/helpers.py) in the ways issue 26 lists:
defects hidden behind other defects, runaway cells and files, invisible characters,
numbers in date columns, formulas without results and a table given twice. Files are
real CSV and XLSX files written here; nothing is mocked.
"""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
import xlsxwriter
from helpers import (
    CONTRACT,
    ITEM_JR,
    USCC_A,
    USCC_B,
    DataFolder,
    expect,
    load,
    only,
    problems,
    uscc,
)

from generator.contract import Limits
from generator.ingest.clean import BIDI, FORMAT, ZERO_WIDTH
from generator.ingest.readers import read_csv, read_xlsx
from generator.validate.problems import Problems

RESULT_FIELDS = CONTRACT["results"].fields


def results_as_xlsx(folder: DataFolder, rows: list[list], formulas: bool = False) -> Path:
    """The folder with results/a.csv replaced by results/a.xlsx holding ``rows`` (typed cells).

    XlsxWriter writes control characters as Excel does (_x0000_); openpyxl refuses them,
    but writes "=…" cells as formulas without a stored result (``formulas``).
    """
    root = folder.write()
    (root / "results" / "a.csv").unlink()
    path = root / "results" / "a.xlsx"
    header = [f.title for f in RESULT_FIELDS]
    if formulas:
        book = openpyxl.Workbook()
        for row in [header, *rows]:
            book.active.append(row)
        book.save(path)
        return root
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False})
    sheet = book.add_worksheet()
    for r, row in enumerate([header, *rows]):
        sheet.write_row(r, 0, row)
    book.close()
    return root


def result_row(folder: DataFolder, index: int, **changes) -> list:
    row = dict(folder.rows["results"][index], **changes)
    return [row[f.name] for f in RESULT_FIELDS]


# --- 1. every independent defect in one run; dependent ones once per cause --------------------


def test_planted_independent_defects_are_all_reported_in_the_first_run(folder):
    """Seven defects, one of them in a task row: seven located reports in the first run.

    Before, the task row's error hid the defects of its results and dispositions behind
    one E311 per row; they surfaced only once the task row was fixed.
    """
    extra_item = folder.spare("items", 1)  # QH-XX-001: in the item list, in no task's list
    folder.edit("tasks", 0, selection="随便")  # 1: the task row itself (task LH)
    folder.edit("results", 0, item_id="QH-XX-001", result="良好")  # 2, 3: a result of LH
    folder.edit("results", 1, inspected_on="2026-13-01")  # 4: another result of LH
    folder.edit("results", 2, item_id=ITEM_JR)  # 5: outside task BM's list (BM is sound)
    folder.edit("dispositions", 0, uscc=uscc("91130123MA0PP0009"),  # 6: no such result in LH
                recorded_on="2026-05-01")  # 7: recorded before it was decided
    model = folder.load()
    found = problems(model)
    independent = found[found["code"] != "E311"]
    assert sorted(zip(independent["code"], independent["file"], independent["row"],
                      independent["column"], strict=True)) == [
        ("E202", "tasks.csv", 2, "抽取方式"),
        ("E203", "results/a.csv", 3, "检查日期"),
        ("E209", "results/a.csv", 2, "检查结果"),
        ("E303", "results/a.csv", 2, "检查事项"),
        ("E303", "results/a.csv", 4, "检查事项"),
        ("E304", "dispositions.csv", 2, "统一社会信用代码"),
        ("E307", "dispositions.csv", 2, "录入日期"),
    ]
    # the rows under the task are held back with one E311 per file, not one per row
    held = found[found["code"] == "E311"]
    assert sorted(zip(held["file"], held["row"], strict=True)) == [
        ("dispositions.csv", 2), ("results/a.csv", 2), ("strata.csv", 2)]
    message = held.set_index("file").loc["results/a.csv", "message"]
    assert "（tasks.csv 第 2 行）" in message and "引用它的 2 行暂不发布（第 2、3 行）" in message
    assert extra_item == 4


def test_a_disposition_without_its_result_is_reported_while_the_task_is_wrong(folder):
    folder.edit("tasks", 0, end="2026-01-01")  # E305 on the task
    folder.edit("dispositions", 0, uscc=USCC_A)  # A was inspected in LH, yes: no E304
    row = folder.spare("dispositions", 1, uscc=uscc("91130123MA0PP0002"))
    model = folder.load()
    found = problems(model)
    e304 = found[found["code"] == "E304"]
    assert list(zip(e304["file"], e304["row"], strict=True)) == [("dispositions.csv", row)]


def test_a_flood_of_held_back_rows_is_one_problem_with_a_count(folder):
    for n in range(1, 28):
        folder.add("results", 0, uscc=uscc(f"91130123MA0PP{n:04d}"))
    folder.edit("tasks", 0, start="2026-03-01", end="2026-02-01")
    model = folder.load()
    frame = problems(model)
    results = frame[frame["file"] == "results/a.csv"]
    assert list(results["code"]) == ["E311"]  # one line for 29 rows
    hit = results.iloc[0]
    assert hit["row"] == 2
    assert "引用它的 29 行暂不发布（第 2、3、5、6、7 行等）" in hit["message"]
    assert model.summary["results"].rows_rejected == 29
    assert model.summary["results"].rows_read == 30


def test_a_missing_table_is_one_problem_per_file_not_one_per_row(folder):
    for n in range(1, 20):
        folder.add("results", 0, uscc=uscc(f"91130123MA0PP{n:04d}"))
    model = load(folder.without("items").write())
    frame = problems(model)
    results = frame[(frame["file"] == "results/a.csv") & (frame["column"] == "检查事项")]
    assert list(results["code"]) == ["E314"]
    assert "引用它的 22 行暂不发布" in results["message"].iloc[0]


# --- 2. limits ------------------------------------------------------------------------------


def test_a_megabyte_name_is_a_located_error_and_the_report_stays_short(folder):
    huge = "青禾县" + "很" * (1 << 20) + "有限公司"
    folder.edit("results", 1, entity_name=huge)
    model = folder.load()
    hit = only(model, "E214")
    assert (hit["file"], hit["row"], hit["column"]) == ("results/a.csv", 3, "市场主体名称")
    assert hit["message"].startswith("“市场主体名称”最多 200 个字，这里有 1048583 个字")
    assert len(hit["message"]) < 400 and len(hit["value"]) < 200
    assert "共 1048583 个字" in hit["value"]
    assert 3 not in set(model["results"]["_row"])
    assert all(len(n) < 1000 for n in model["results"]["entity_name"])


def test_a_cell_at_its_limit_is_accepted(folder):
    folder.edit("results", 1, entity_name="青" * 200)
    folder.edit("results", 2, note="注" * 2000)
    model = folder.load()
    assert model.ok, problems(model).to_string()


def test_a_file_over_the_size_limit_is_not_read(folder):
    root = folder.write()
    big = root / "results" / "b.csv"
    with open(big, "wb") as fh:  # sparse: the size is real, the disk holds almost nothing
        fh.write("任务编号\n".encode())
        fh.truncate(CONTRACT.limits.max_file_bytes + 1)
    model = load(root)
    hit = only(model, "E111")
    assert hit["file"] == "results/b.csv"
    assert "超过上限 512 MB，未读取" in hit["message"]


def test_too_many_cells_in_a_csv_is_one_error():
    body = ("a,b,c\n" + "1,2,3\n" * 10).encode()
    found = Problems()
    assert read_csv(body, "results/a.csv", found, max_cells=29) is None
    frame = found.frame()
    assert list(frame["code"]) == ["E112"]
    assert "30 个单元格（10 行 × 3 列），超过上限 29 个" in frame["message"].iloc[0]
    assert read_csv(body, "results/a.csv", Problems(), max_cells=30) is not None


def test_a_sheet_declaring_a_huge_extent_is_refused_before_it_is_unpacked(folder):
    """Two cells, A1 and XFD1048576: a dense grid of 17 billion cells, never allocated."""
    root = folder.without("calendar").write()
    book = openpyxl.Workbook()
    book.active["A1"] = "日期"
    book.active["XFD1048576"] = "x"
    book.save(root / "calendar.xlsx")
    model = load(root)
    hit = only(model, "E112")
    assert hit["file"] == "calendar.xlsx"
    assert "1,048,576 行 × 16,384 列" in hit["message"]


def test_an_xlsx_that_unpacks_too_large_is_refused(tmp_path):
    path = tmp_path / "calendar.xlsx"
    book = xlsxwriter.Workbook(str(path))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["日期", "类型", "说明"])
    for r in range(1, 200):
        sheet.write_row(r, 0, ["2027-02-06", "休息日", "春节" * 50])
    book.close()
    unpacked = sum(i.file_size for i in zipfile.ZipFile(path).infolist())
    found = Problems()
    small = Limits(max_file_bytes=1 << 30, max_unpacked_bytes=unpacked - 1, max_cells=10**9)
    assert read_xlsx(path, "calendar.xlsx", found, small) is None
    assert list(found.frame()["code"]) == ["E111"]
    assert "文件解压后有" in found.frame()["message"].iloc[0]
    roomy = Limits(max_file_bytes=1 << 30, max_unpacked_bytes=unpacked, max_cells=10**9)
    assert read_xlsx(path, "calendar.xlsx", Problems(), roomy) is not None


# --- 3. invisible characters, the same in every reader -------------------------------------


HIDDEN = {
    "nul": ("青禾县\x00汇通有限公司", "空字符（NUL）"),
    "zero width space": ("青禾县\u200b汇通有限公司", "零宽字符"),
    "byte order mark": ("\ufeff青禾县汇通有限公司", "零宽字符"),
    "control": ("青禾县\x07汇通\x1b有限公司", "控制字符"),
    "soft hyphen": ("青禾县汇\u00ad通有限公司", "格式控制字符"),
}


@pytest.mark.parametrize("reader", ["csv", "xlsx"])
@pytest.mark.parametrize("case", sorted(HIDDEN))
def test_invisible_characters_are_removed_with_a_located_warning(folder, reader, case):
    written, kind = HIDDEN[case]
    if reader == "csv":
        folder.edit("results", 0, entity_name=written)
        root = folder.write()
    else:
        root = results_as_xlsx(folder, [result_row(folder, 0, entity_name=written),
                                        result_row(folder, 1), result_row(folder, 2)])
    model = load(root)
    hit = only(model, "W403")
    assert (hit["file"], hit["row"], hit["column"]) == (f"results/a.{reader}", 2, "市场主体名称")
    assert hit["message"] == (f"“市场主体名称”中有看不见的{kind}，已删除后读取："
                              "“青禾县汇通有限公司”。")
    assert model.ok
    names = model["results"].set_index("_row")["entity_name"]
    assert names[2] == "青禾县汇通有限公司"


@pytest.mark.parametrize("reader", ["csv", "xlsx"])
def test_direction_controls_and_others_in_codes_are_removed_before_checking(folder, reader):
    """A credit code with a zero-width space is valid once it is removed; RLO gets W402."""
    code = "\u200b" + USCC_B + "\u200b"
    name = "青禾县\u202egnp.exe公司"
    if reader == "csv":
        folder.edit("results", 1, uscc=code, entity_name=name)
        root = folder.write()
    else:
        root = results_as_xlsx(folder, [result_row(folder, 0),
                                        result_row(folder, 1, uscc=code, entity_name=name),
                                        result_row(folder, 2)])
    model = load(root)
    expect(model, ("W402", f"results/a.{reader}", 3, "市场主体名称"),
           ("W403", f"results/a.{reader}", 3, "统一社会信用代码"))
    row = model["results"].set_index("_row").loc[3]
    assert row["uscc"] == USCC_B and row["entity_name"] == "青禾县gnp.exe公司"
    for frame in model.tables.values():
        text = frame.astype(str).to_string()
        assert "\u202e" not in text and "\u200b" not in text and "\x00" not in text


def test_line_breaks_and_tabs_in_a_note_are_kept(folder):
    folder.edit("results", 2, note="第一行\n第二行\t附注")
    model = folder.load()
    assert model.ok and len(problems(model)) == 0
    assert "第一行\n第二行\t附注" in set(model["results"]["note"].dropna())


def test_the_character_classes_are_unicode_format_characters():
    """FORMAT, BIDI and ZERO_WIDTH together are Unicode's category Cf (as of Unicode 15,
    a version newer than Python's: what Python does not know yet is unassigned to it)."""
    import unicodedata

    listed = {cp for ranges in (FORMAT, BIDI, ZERO_WIDTH) for a, b in ranges
              for cp in range(a, b + 1)}
    cf = {cp for cp in range(0x110000) if unicodedata.category(chr(cp)) == "Cf"}
    assert cf <= listed
    assert {unicodedata.category(chr(cp)) for cp in listed - cf} <= {"Cn"}


# --- 5. dates ------------------------------------------------------------------------------


def test_a_bare_number_in_a_csv_date_column_is_an_error_naming_the_column(folder):
    folder.edit("results", 0, inspected_on="46000")
    folder.edit("results", 2, published_on="46234.5")
    model = folder.load()
    expect(model, ("E215", "results/a.csv", 2, "检查日期"), ("E215", "results/a.csv", 4, "公示日期"))
    assert "请先把“检查日期”列设为日期格式" in problems(model)["message"].iloc[0]


def test_an_xlsx_number_cell_in_a_date_column_is_an_excel_serial(folder):
    root = results_as_xlsx(folder, [result_row(folder, 0, inspected_on=46154),  # 2026-05-12
                                    result_row(folder, 1),
                                    result_row(folder, 2, published_on=46234.5)])
    model = load(root)
    expect(model, ("E216", "results/a.xlsx", 4, "公示日期"))
    assert "“46234.5”是带小数的 Excel 日期序列号" in only(model, "E216")["message"]
    day = model["results"].set_index("_row").loc[2, "inspected_on"]
    assert day == pd.Timestamp("2026-05-12")


def test_a_number_typed_as_text_in_an_xlsx_is_not_a_date(folder):
    root = results_as_xlsx(folder, [result_row(folder, 0, inspected_on="46154"),
                                    result_row(folder, 1), result_row(folder, 2)])
    expect(load(root), ("E215", "results/a.xlsx", 2, "检查日期"))


def test_a_formula_without_a_stored_result_has_its_own_code(folder):
    """openpyxl writes formulas without results, as any program but Excel does."""
    root = results_as_xlsx(folder, [result_row(folder, 0, inspected_on="=DATE(2026,5,12)"),
                                    result_row(folder, 1),
                                    result_row(folder, 2, note="=A3&\"备注\"")], formulas=True)
    model = load(root)
    expect(model, ("E217", "results/a.xlsx", 2, "检查日期"), ("E217", "results/a.xlsx", 4, "备注"))
    hit = problems(model).set_index("row").loc[2]
    assert hit["message"].startswith("单元格是公式（=DATE(2026,5,12)），但文件中没有保存它的计算结果")
    assert "必须填写" not in " ".join(problems(model)["message"])
    assert model.summary["results"].rows_rejected == 2


def test_a_formula_with_its_stored_result_is_read_as_that_result(folder):
    root = folder.write()
    (root / "results" / "a.csv").unlink()
    book = xlsxwriter.Workbook(str(root / "results" / "a.xlsx"))
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, [f.title for f in RESULT_FIELDS])
    for r, index in enumerate(range(3), start=1):
        sheet.write_row(r, 0, result_row(folder, index))
    note = [f.name for f in RESULT_FIELDS].index("note")
    sheet.write_formula(1, note, '="复核"&"完成"', None, "复核完成")
    book.close()
    model = load(root)
    assert model.ok, problems(model).to_string()
    assert model["results"].set_index("_row").loc[2, "note"] == "复核完成"


# --- 6. two files for one table --------------------------------------------------------------


def test_two_files_for_one_table_are_an_error_naming_both(folder):
    root = folder.write()
    book = openpyxl.Workbook()
    book.active.append([f.title for f in CONTRACT["items"].fields])
    book.save(root / "items.xlsx")
    model = load(root)
    hit = only(model, "E110")
    assert hit["file"] == "items.xlsx"
    assert hit["message"].startswith("items.csv、items.xlsx 是同一张表“抽查事项清单”的几个文件")
    assert "只读取了 items.csv" in hit["message"]
    assert len(problems(model)) == 1  # the other tables are checked against items.csv as usual
    assert not model.ok


def test_two_files_of_one_name_in_the_results_folder_are_an_error(folder):
    root = folder.write()
    (root / "results" / "a.xlsx").write_bytes(b"")
    hit = only(load(root), "E110")
    assert (hit["file"], hit["value"]) == ("results/a.xlsx", "results/a.csv、results/a.xlsx")


def test_several_files_of_different_names_in_the_results_folder_are_fine(folder):
    root = folder.write()
    lines = (root / "results" / "a.csv").read_text(encoding="utf-8").splitlines()
    (root / "results" / "b.csv").write_text("\n".join([lines[0], lines[3]]) + "\n",
                                            encoding="utf-8")
    (root / "results" / "a.csv").write_text("\n".join(lines[:3]) + "\n", encoding="utf-8")
    model = load(root)
    assert model.ok, problems(model).to_string()
    assert len(model["results"]) == 3


# --- library text never reaches the report ---------------------------------------------------


def test_a_broken_workbook_is_reported_in_chinese_with_the_original_for_experts(folder):
    root = folder.without("calendar").write()
    (root / "calendar.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    model = load(root)
    hit = only(model, "E101")
    assert hit["message"].startswith("无法读取文件：不是有效的 Excel 工作簿（.xlsx）")
    assert "zip" not in hit["message"].lower() and "archive" not in hit["message"]
    assert hit["original"] and "zip" in hit["original"].lower()

