"""Every kind of bad input an agency commits: read without raising, reported exactly.

Each case is the minimal valid folder with one file replaced: the text files live in
``tests/corpus/<case>/`` (laid over the folder), binary ones (other encodings, Excel)
are made here. ``CASES`` maps each case to a builder; the CLI tests reuse it.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from helpers import (
    CORPUS,
    GOV,
    ITEM_JR,
    ITEM_SJ,
    TASK_BM,
    TASK_LH,
    USCC_A,
    USCC_B,
    USCC_C,
    DataFolder,
    assert_clean,
    expect,
    load,
    only,
    problems,
)

Builder = Callable[[DataFolder], Path]
CASES: dict[str, Builder] = {}
EXPECTED: dict[str, list[tuple]] = {}


def case(*expected: tuple) -> Callable[[Builder], Builder]:
    def register(fn: Builder) -> Builder:
        CASES[fn.__name__] = fn
        EXPECTED[fn.__name__] = list(expected)
        return fn
    return register


def write_xlsx(path: Path, sheets: dict[str, list[list]]) -> Path:
    book = openpyxl.Workbook()
    book.remove(book.active)
    for title, rows in sheets.items():
        sheet = book.create_sheet(title)
        for row in rows:
            sheet.append(row)
    book.save(path)
    return path


def calendar_lines(*lines: str) -> str:
    return "日期,类型,说明\n" + "".join(line + "\n" for line in lines)


# --- committed text files: tests/corpus/<case>/ ----------------------------------------

COMMITTED = {
    "truncated_row": [("E106", "results/a.csv", 4, None)],
    "extra_field": [("E106", "results/a.csv", 4, None)],
    "multiline_cell": [("E208", "results/a.csv", 4, "统一社会信用代码"),
                       ("E209", "results/a.csv", 5, "检查结果")],
    "invalid_codes": [("E207", "results/a.csv", 4, "统一社会信用代码"),
                      ("E208", "results/a.csv", 5, "统一社会信用代码"),
                      ("E207", "results/a.csv", 6, "统一社会信用代码")],
    # row 6: a bare number in a CSV is not read as an Excel date serial
    "bad_dates": [("E203", "results/a.csv", 4, "检查日期"),
                  ("E203", "results/a.csv", 5, "公示日期"),
                  ("E215", "results/a.csv", 6, "检查日期")],
    "unknown_result_words": [("E209", "results/a.csv", 4, "检查结果"),
                             ("E209", "results/a.csv", 5, "检查结果")],
    "dangling_references": [("E302", "results/b.csv", 2, "任务编号"),
                            ("E302", "results/b.csv", 3, "检查事项"),
                            ("E302", "strata.csv", 4, "任务编号"),
                            ("E304", "dispositions.csv", 3, "统一社会信用代码")],
    "duplicate_headers": [("E104", "calendar.csv", 1, "date")],
    "missing_header": [("E105", "dispositions.csv", 1, "处置部门")],
    "empty_file": [("E103", "calendar.csv", None, None)],
    "header_only": [("W102", "calendar.csv", None, None)],
    "leading_blank_line": [("E202", "calendar.csv", 4, "类型")],
    "multiline_header": [("E202", "calendar.csv", 3, "类\n型")],
    "stray_file": [("W105", "foo.csv", None, None), ("W105", "old/items.csv", None, None)],
    "header_forms": [],
}

for _name, _expected in COMMITTED.items():
    CASES[_name] = lambda folder, _name=_name: folder.overlay(_name)
    EXPECTED[_name] = _expected


def test_every_corpus_folder_has_expectations() -> None:
    assert {p.name for p in CORPUS.iterdir() if p.is_dir()} == set(COMMITTED)


# --- encodings ----------------------------------------------------------------------------


def _reencode(path: Path, encoding: str, prefix: bytes = b"") -> None:
    path.write_bytes(prefix + path.read_text(encoding="utf-8").encode(encoding))


@case()
def gb18030(folder: DataFolder) -> Path:
    root = folder.write()
    for name in ("items.csv", "tasks.csv", "results/a.csv"):
        _reencode(root / name, "gb18030")
    return root


@case()
def utf8_bom(folder: DataFolder) -> Path:
    root = folder.write()
    for name in ("items.csv", "results/a.csv"):
        _reencode(root / name, "utf-8", prefix=b"\xef\xbb\xbf")
    return root


@case()
def invisible_header_characters(folder: DataFolder) -> Path:
    """A file saved twice with a BOM, and a zero-width space pasted into a header."""
    root = folder.write()
    path = root / "tasks.csv"
    text = path.read_text(encoding="utf-8").replace("抽查事项", "抽查\u200b事项", 1)
    path.write_bytes(b"\xef\xbb\xbf" + ("\ufeff" + text).encode("utf-8"))
    return root


@case(("E108", "calendar.csv", None, None))
def utf16_with_bom(folder: DataFolder) -> Path:
    root = folder.write()
    _reencode(root / "calendar.csv", "utf-16")
    return root


@case(("E108", "calendar.csv", None, None))
def utf16_without_bom(folder: DataFolder) -> Path:
    root = folder.write()
    _reencode(root / "calendar.csv", "utf-16-le")
    return root


# bytes that are neither UTF-8 nor GB18030 (0xFF never occurs in either)
BAD_UTF8 = calendar_lines("2027-02-06,休息日,春节").encode() + b"2027-02-07,\xff,\n"
BAD_GB = calendar_lines("2027-02-06,休息日,春节").encode("gb18030") + b"2027-02-07,\xff,\n"
BAD_BOM = b"\xef\xbb\xbf" + BAD_UTF8
BAD_AFTER_MULTILINE = (calendar_lines('2027-02-06,休息日,"春节\n（除夕）"').encode()
                       + b"2027-02-07,\x80\xff,\n")
BAD_BYTES = {"invalid_bytes_utf8": BAD_UTF8, "invalid_bytes_gb18030": BAD_GB,
             "invalid_bytes_bom": BAD_BOM, "invalid_bytes_after_multiline": BAD_AFTER_MULTILINE}

for _name, _data in BAD_BYTES.items():
    def _build(folder: DataFolder, _data: bytes = _data) -> Path:
        root = folder.write()
        (root / "calendar.csv").write_bytes(_data)
        return root
    CASES[_name] = _build
    EXPECTED[_name] = [("E102", "calendar.csv", 3, None)]


@case(("E202", "calendar.csv", 3, "类型"))
def cr_line_endings(folder: DataFolder) -> Path:
    """Old Mac exports end lines with a lone \\r."""
    root = folder.write()
    text = calendar_lines("2027-02-06,休息日,春节", "2027-02-07,周末,").replace("\n", "\r")
    (root / "calendar.csv").write_bytes(text.encode())
    return root


@case()
def crlf_line_endings(folder: DataFolder) -> Path:
    root = folder.write()
    for name in ("results/a.csv", "tasks.csv"):
        path = root / name
        path.write_bytes(path.read_bytes().replace(b"\n", b"\r\n"))
    return root


@case()
def tab_separated(folder: DataFolder) -> Path:
    root = folder.write()
    (root / "calendar.csv").write_text("日期\t类型\t说明\n2027-02-06\t休息日\t春节,元宵\n",
                                       encoding="utf-8")
    return root


@case(("E104", "calendar.csv", 1, "date"), ("E106", "calendar.csv", 2, None))
def broken_row_in_rejected_file(folder: DataFolder) -> Path:
    root = folder.write()
    (root / "calendar.csv").write_text(
        "日期,类型,说明,date\n2027-02-06,休息日\n2027-02-07,休息日,x,y\n", encoding="utf-8")
    return root


# --- Excel --------------------------------------------------------------------------------


@case(("W103", "calendar.xlsx", None, None))
def xlsx_several_sheets(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    write_xlsx(root / "calendar.xlsx", {
        "工作日调整": [["日期", "类型", "说明"], ["2027-02-06", "休息日", "春节"]],
        "说明": [["本表由系统导出"]],
        "空白": [],
        "旧版": [["日期", "类型", "说明"], ["2027-01-01", "休息日", "元旦"]],
    })
    return root


@case(("E202", "calendar.xlsx", 4, "类型"))
def xlsx_title_row(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    write_xlsx(root / "calendar.xlsx", {"Sheet1": [
        ["青禾县2027年工作日调整表"],
        ["日期", "类型", "说明"],
        [dt.date(2027, 2, 6), "休息日", "春节"],
        [dt.date(2027, 2, 7), "周末", ""],
    ]})
    return root


def _typed(field: str, value: str) -> object:
    if value == "":
        return None
    if field in {"population", "sampled"}:
        return float(value) if field == "sampled" else int(value)
    if field in {"start", "end"}:
        y, m, d = map(int, value.split("-"))
        return dt.datetime(y, m, d) if field == "start" else dt.date(y, m, d)
    return value


@case()
def xlsx_typed_cells(folder: DataFolder) -> Path:
    """Real date cells, integers and floats that are whole numbers (3.0 must read as 3)."""
    root = folder.without("tasks").without("items").write()
    from helpers import CONTRACT

    fields = CONTRACT["tasks"].fields
    write_xlsx(root / "tasks.xlsx", {"任务": [[f.title for f in fields]] + [
        [_typed(f.name, row[f.name]) for f in fields] for row in folder.rows["tasks"]]})
    items = CONTRACT["items"].fields
    rows = [[row[f.name] for f in items] for row in folder.rows["items"]]
    rows[0][items.index(CONTRACT["items"].field("ratio"))] = 0.05
    rows[0][items.index(CONTRACT["items"].field("frequency"))] = 1.0
    rows[1][items.index(CONTRACT["items"].field("frequency"))] = 2
    write_xlsx(root / "items.xlsx", {"事项": [[f.title for f in items]] + rows})
    return root


@case(("W104", "calendar.xlsx", 1, ""))
def xlsx_column_without_header(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    write_xlsx(root / "calendar.xlsx", {"Sheet1": [
        ["日期", "类型", "说明"],
        ["2027-02-06", "休息日", "春节", "13800000000"],
    ]})
    return root


@case(("E103", "calendar.xlsx", None, None))
def xlsx_empty(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    write_xlsx(root / "calendar.xlsx", {"Sheet1": []})
    return root


@case(("E101", "calendar.xlsx", None, None))
def xlsx_broken(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    (root / "calendar.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    return root


@case(("E107", "calendar.xls", None, None))
def xls_file(folder: DataFolder) -> Path:
    root = folder.without("calendar").write()
    (root / "calendar.xls").write_bytes(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 504)
    return root


@case()
def results_in_csv_and_xlsx(folder: DataFolder) -> Path:
    """A multi-file table may mix formats; each row keeps its own file and row."""
    root = folder.write()
    from helpers import CONTRACT, uscc

    fields = CONTRACT["results"].fields
    row = dict(folder.rows["results"][2], uscc=uscc("91130123MA0PP0009"),
               inspected_on="2026-04-21")
    write_xlsx(root / "results" / "b.xlsx",
               {"结果": [[f.title for f in fields], [row[f.name] for f in fields]]})
    return root


@case(("E109", None, None, None), ("E314", "results/a.csv", 2, "检查事项"),
      ("E314", "plans.csv", 2, "抽查事项"), ("E314", "tasks.csv", 2, "抽查事项"),
      ("E311", "tasks.csv", 2, "计划编号"), ("E311", "results/a.csv", 2, "任务编号"),
      ("E311", "results/a.csv", 4, "任务编号"), ("E311", "strata.csv", 2, "任务编号"),
      ("E311", "dispositions.csv", 2, "任务编号"))
def required_table_missing(folder: DataFolder) -> Path:
    return folder.without("items").write()


@case(("W106", None, None, None), ("E314", "tasks.csv", 2, "计划编号"),
      ("E311", "results/a.csv", 2, "任务编号"), ("E311", "strata.csv", 2, "任务编号"),
      ("E311", "dispositions.csv", 2, "任务编号"))
def plans_missing(folder: DataFolder) -> Path:
    return folder.without("plans").write()


@case()
def optional_tables_missing(folder: DataFolder) -> Path:
    for table in ("strata", "dispositions", "calendar"):
        folder.without(table)
    return folder.write()


# --- the cases, one test each ----------------------------------------------------------------


@pytest.mark.parametrize("name", sorted(CASES))
def test_corpus_case(folder: DataFolder, name: str) -> None:
    root = CASES[name](folder)
    model = load(root)  # never raises; checks rows read = valid + rejected
    expect(model, *EXPECTED[name])


# --- what each case must also get right --------------------------------------------------------


def _load(folder: DataFolder, name: str):
    return load(CASES[name](folder))


def test_truncated_row_keeps_the_others(folder: DataFolder) -> None:
    model = _load(folder, "truncated_row")
    hit = only(model, "E106")
    assert hit["message"] == "这一行有 6 列，表头有 9 列：行被截断或多了分隔符，整行未读取。"
    assert hit["value"].startswith(TASK_LH)
    s = model.summary["results"]
    assert (s.rows_read, s.rows_valid, s.rows_rejected) == (4, 3, 1)
    assert list(model.tables["results"]["_row"]) == [2, 3, 5]
    assert list(model.tables["results"]["uscc"]) == [USCC_A, USCC_B, USCC_C]


def test_extra_field(folder: DataFolder) -> None:
    model = _load(folder, "extra_field")
    assert only(model, "E106")["message"].startswith("这一行有 10 列，表头有 9 列")
    assert list(model.tables["results"]["_row"]) == [2, 3, 5]


def test_multiline_cell_keeps_row_numbers(folder: DataFolder) -> None:
    model = _load(folder, "multiline_cell")
    results = model.tables["results"].set_index("_row")
    assert results.loc[2, "note"] == "第一行\n第二行\n第三行"
    assert list(results.index) == [2, 3]


def test_invalid_codes_folded_before_checking(folder: DataFolder) -> None:
    model = _load(folder, "invalid_codes")
    results = model.tables["results"].set_index("_row")
    assert results.loc[2, "uscc"] == USCC_A  # full-width lower case
    assert results.loc[3, "uscc"] == USCC_B  # with a space
    assert problems(model)["value"].tolist()[0] == USCC_C[:17]


def test_date_forms(folder: DataFolder) -> None:
    model = _load(folder, "bad_dates")
    results = model.tables["results"].set_index("_row")
    day = pd.Timestamp
    assert results.loc[2, "inspected_on"] == day("2026-05-12")  # 2026年5月12日
    assert results.loc[3, "inspected_on"] == day("2026-05-13")  # 2026/5/13
    assert results.loc[3, "published_on"] == day("2026-06-01")  # 2026.6.1
    assert 6 not in results.index  # 46156: a number, not a date, in a CSV
    assert problems(model)["value"].tolist() == ["2026-02-30", "下周", "46156"]


def test_unknown_result_words_name_the_word(folder: DataFolder) -> None:
    model = _load(folder, "unknown_result_words")
    assert problems(model)["value"].tolist() == ["没问题", "良好"]
    results = model.tables["results"].set_index("_row")
    assert list(results.loc[2, "result"]) == ["未发现问题"]
    assert list(results.loc[3, "result"]) == ["发现问题已责令改正", "未按规定公示应当公示的信息"]
    assert list(results.loc[6, "result"]) == ["公示信息隐瞒真实情况、弄虚作假"]


def test_dangling_references_across_files(folder: DataFolder) -> None:
    model = _load(folder, "dangling_references")
    assert model.summary["results"].rows_read == 5
    assert set(model.tables["results"]["_file"].astype(str)) == {"results/a.csv"}


def test_duplicate_header_rejects_file(folder: DataFolder) -> None:
    model = _load(folder, "duplicate_headers")
    assert only(model, "E104")["message"] == (
        "表头“date”重复出现（与第 1 列是同一字段），无法确定取哪一列，整个文件未读取。")
    s = model.summary["calendar"]
    assert (s.rows_read, s.rows_valid, s.rows_rejected) == (1, 0, 1)


def test_header_forms_accepted(folder: DataFolder) -> None:
    model = _load(folder, "header_forms")
    assert_clean(model)
    items = model.tables["items"].set_index("item_id")
    assert items.loc[ITEM_JR, "category"] == "重点检查事项"
    assert items.loc[ITEM_JR, "target"] == "小额贷款公司"
    assert items.loc[ITEM_JR, "frequency"] == "每年一次"
    assert items.loc[ITEM_JR, "ratio_min"] == pytest.approx(0.05)
    assert items.loc[ITEM_SJ, "ratio_min"] == pytest.approx(0.03)
    tasks = model.tables["tasks"].set_index("task_id")
    assert tasks.loc[TASK_BM, "start"] == pd.Timestamp("2026-04-01")
    assert tasks.loc[TASK_BM, "end"] == pd.Timestamp("2026-05-31")
    assert tasks.loc[TASK_BM, "task_type"] == "本部门抽查"
    assert tasks.loc[TASK_LH, "selection"] == "双随机抽查"


def test_stray_files_are_not_read(folder: DataFolder) -> None:
    model = _load(folder, "stray_file")
    assert set(problems(model)["value"]) == {"foo.csv", "items.csv"}
    assert model.summary["items"].rows_read == 2  # old/items.csv is not the item list


def test_encodings_read_the_same_values(folder: DataFolder, tmp_path: Path) -> None:
    gb = load(CASES["gb18030"](folder))
    raw = (folder.root / "items.csv").read_bytes()
    with pytest.raises(UnicodeDecodeError):
        raw.decode("utf-8")
    reference = DataFolder(tmp_path / "utf8").load()
    for name in ("items", "tasks", "results"):
        mine = gb.tables[name].drop(columns=["_file"])
        theirs = reference.tables[name].drop(columns=["_file"])
        pd.testing.assert_frame_equal(mine, theirs)
    bom = load(CASES["utf8_bom"](DataFolder(tmp_path / "bom")))
    assert list(bom.tables["items"]["item_id"]) == [ITEM_JR, ITEM_SJ]


# the first byte neither encoding can take: 0xFF, or 0x80 (no character starts with it)
FIRST_BAD = {"invalid_bytes_utf8": BAD_UTF8.index(b"\xff"),
             "invalid_bytes_gb18030": BAD_GB.index(b"\xff"),
             "invalid_bytes_bom": BAD_BOM.index(b"\xff"),
             "invalid_bytes_after_multiline": BAD_AFTER_MULTILINE.index(b"\x80")}


@pytest.mark.parametrize("name", sorted(BAD_BYTES))
def test_invalid_bytes_name_offset_and_row(folder: DataFolder, name: str) -> None:
    data = BAD_BYTES[name]
    model = _load(folder, name)
    hit = only(model, "E102")
    first_bad = FIRST_BAD[name]
    # "第 N 字节" counts from 1, as rows do: byte N is data[N - 1]
    assert f"，第 {first_bad + 1} 字节处无法解码。" in hit["message"]
    assert hit["value"] == f"0x{data[first_bad]:02X}"
    # the row is the spreadsheet row: a line break inside a quoted cell is not a new row
    assert hit["row"] == 3
    assert model.summary["calendar"].rows_read == 0


def test_invalid_byte_offsets_are_where_decoding_stops() -> None:
    assert FIRST_BAD["invalid_bytes_bom"] == FIRST_BAD["invalid_bytes_utf8"] + 3
    with pytest.raises(UnicodeDecodeError) as gb:
        BAD_GB.decode("gb18030")
    assert gb.value.start == FIRST_BAD["invalid_bytes_gb18030"]
    with pytest.raises(UnicodeDecodeError) as utf8:
        BAD_GB.decode("utf-8")
    assert utf8.value.start < gb.value.start  # GB18030 got further: its offset is named


def test_broken_row_in_rejected_file_is_counted_once(folder: DataFolder) -> None:
    model = _load(folder, "broken_row_in_rejected_file")
    s = model.summary["calendar"]
    assert (s.rows_read, s.rows_valid, s.rows_rejected) == (2, 0, 2)


def test_results_in_csv_and_xlsx(folder: DataFolder) -> None:
    model = _load(folder, "results_in_csv_and_xlsx")
    results = model.tables["results"]
    assert list(zip(results["_file"].astype(str), results["_row"], strict=True)) == [
        ("results/a.csv", 2), ("results/a.csv", 3), ("results/a.csv", 4), ("results/b.xlsx", 2)]


def test_utf16_message(folder: DataFolder) -> None:
    model = _load(folder, "utf16_with_bom")
    assert only(model, "E108")["message"].startswith("文件是 UTF-16 编码")
    assert model.summary["calendar"].rows_read == 0


def test_cr_line_endings_read_every_row(folder: DataFolder) -> None:
    model = _load(folder, "cr_line_endings")
    assert list(model.tables["calendar"]["_row"]) == [2]


def test_tab_separated_keeps_commas_in_cells(folder: DataFolder) -> None:
    model = _load(folder, "tab_separated")
    assert list(model.tables["calendar"]["note"]) == ["春节,元宵"]


def test_xlsx_reads_only_first_sheet(folder: DataFolder) -> None:
    model = _load(folder, "xlsx_several_sheets")
    hit = only(model, "W103")
    assert hit["value"] == "说明、旧版"
    assert hit["message"] == ("只读取第一个工作表“工作日调整”；"
                              "其他有内容的工作表未读取：说明、旧版。")
    calendar = model.tables["calendar"]
    assert list(calendar["date"]) == [pd.Timestamp("2027-02-06")]
    assert list(calendar["_file"].astype(str)) == ["calendar.xlsx"]


def test_xlsx_title_row(folder: DataFolder) -> None:
    model = _load(folder, "xlsx_title_row")
    calendar = model.tables["calendar"]
    assert list(calendar["_row"]) == [3]
    assert list(calendar["date"]) == [pd.Timestamp("2027-02-06")]


def test_xlsx_typed_cells(folder: DataFolder) -> None:
    model = _load(folder, "xlsx_typed_cells")
    assert_clean(model)
    tasks = model.tables["tasks"].set_index("task_id")
    assert tasks.loc[TASK_LH, "population"] == 64
    assert tasks.loc[TASK_LH, "sampled"] == 3  # written as the float 3.0
    assert tasks.loc[TASK_LH, "start"] == pd.Timestamp("2026-03-01")
    assert tasks.loc[TASK_BM, "end"] == pd.Timestamp("2026-05-31")
    assert list(tasks.loc[TASK_LH, "item_ids"]) == [ITEM_JR, ITEM_SJ]
    items = model.tables["items"].set_index("item_id")
    assert items.loc[ITEM_JR, "frequency"] == "1"  # not "1.0"
    assert items.loc[ITEM_SJ, "frequency"] == "2"
    assert items.loc[ITEM_JR, "ratio"] == "0.05"
    assert items.loc[ITEM_JR, "ratio_min"] == pytest.approx(0.05)
    assert list(tasks["_row"]) == [2, 3]
    assert tasks.loc[TASK_LH, "lead_department"] == GOV


def test_xlsx_column_without_header_is_not_published(folder: DataFolder) -> None:
    model = _load(folder, "xlsx_column_without_header")
    assert only(model, "W104")["message"] == "第 4 列没有表头但有内容，已忽略，不会公开。"
    calendar = model.tables["calendar"]
    assert len(calendar) == 1
    cells = {str(v) for col in calendar.columns for v in calendar[col]}
    assert "13800000000" not in cells


def test_xls_names_the_suffix(folder: DataFolder) -> None:
    model = _load(folder, "xls_file")
    hit = only(model, "E107")
    assert hit["value"] == ".xls"
    assert "另存为 .xlsx" in hit["message"]


def test_required_table_missing(folder: DataFolder) -> None:
    model = _load(folder, "required_table_missing")
    assert only(model, "E109")["message"] == (
        "缺少“抽查事项清单”表：请在 data/ 中提供 items.csv 或 items.xlsx。")
