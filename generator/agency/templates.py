"""Blank spreadsheets for every table of the contract, made so that hand-filled data validates.

Everything a template says about a column (Chinese header, whether it is required, the
allowed words, the format, the example) is read from the contract and the settings, so a
template can never disagree with the validator. The XLSX template guards against the
mistakes the validator would otherwise report: a drop-down list on every vocabulary
column (the list lives on a hidden sheet, because Excel limits an inline list to 255
characters and the result vocabulary is longer), date cells formatted as dates, codes
formatted as text (Excel would otherwise turn an 18-digit credit code into 9.1E+17), whole
numbers checked, and a frozen header. The CSV template is UTF-8 with a byte order mark,
which Excel and WPS both open without garbling the Chinese headers.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from ..contract import Field, Table, load_contract
from ..ingest.readers import GUIDE_SHEETS
from ..settings import load_settings

INSTRUCTIONS_SHEET = GUIDE_SHEETS[0]
LISTS_SHEET = "取值"
TYPE_LABELS = {
    "text": "文本", "code": "编码（文本）", "integer": "整数", "date": "日期（如 2026-03-01）",
    "ratio": "比例（如 3%、不低于3%）", "list": "多个值，用顿号或分号分隔", "enum": "从下拉列表中选择",
    "uscc": "18 位统一社会信用代码", "result": "从下拉列表中选择（多个结果用分号分隔）",
    "link": "content/ 中页面的 slug，或 http(s) 网址",
    "url": "以 http:// 或 https:// 开头的网址", "phone": "电话号码，如 0311-81234567（多个用顿号分隔）",
}
FIRST_DATA_ROW = 1  # 0-based row index of the first data row (row 2 in the spreadsheet)
LAST_ROW = 1_048_575  # the last row Excel has (0-based)


def vocabulary(f: Field, settings: dict[str, Any]) -> list[str]:
    """The words a drop-down offers: the enum's values, or the configured result vocabulary."""
    if f.type == "enum":
        return list(f.values)
    if f.type == "result":
        return list(settings["GONGKAI_RESULT_VOCABULARY"])
    return []


def template_name(table: Table, suffix: str) -> str:
    """Where a table's template goes, relative to a data folder (multi-file tables in their folder)."""
    return f"{table.source}/{table.source}{suffix}" if table.multi_file else f"{table.source}{suffix}"


def write_csv_template(table: Table, path: Path) -> Path:
    """A header-only CSV in UTF-8 with BOM (Excel's "CSV UTF-8")."""
    path.parent.mkdir(parents=True, exist_ok=True)
    header = ",".join(_csv_cell(f.title) for f in table.fields)
    path.write_bytes(("\ufeff" + header + "\r\n").encode("utf-8"))
    return path


def _csv_cell(text: str) -> str:
    return f'"{text}"' if any(c in text for c in ',"\r\n') else text


def write_xlsx_template(table: Table, path: Path, settings: dict[str, Any] | None = None) -> Path:
    """A workbook whose first sheet is the blank table and later sheets explain it."""
    import xlsxwriter

    settings = settings or load_settings()
    path.parent.mkdir(parents=True, exist_ok=True)
    # a fixed creation date keeps the file byte-identical between runs
    book = xlsxwriter.Workbook(str(path), {"strings_to_numbers": False,
                                           "strings_to_formulas": False})
    from datetime import datetime

    book.set_properties({"title": table.title, "created": datetime(2000, 1, 1)})
    head = book.add_format({"bold": True, "bg_color": "#DDEBF7", "border": 1,
                            "text_wrap": True, "valign": "vcenter"})
    head_required = book.add_format({"bold": True, "bg_color": "#FCE4D6", "border": 1,
                                     "text_wrap": True, "valign": "vcenter"})
    text = book.add_format({"num_format": "@"})
    date = book.add_format({"num_format": "yyyy-mm-dd"})
    integer = book.add_format({"num_format": "0"})
    wrap = book.add_format({"text_wrap": True, "valign": "top"})
    bold = book.add_format({"bold": True})

    sheet = book.add_worksheet(table.title[:31])
    lists = book.add_worksheet(LISTS_SHEET)
    guide = book.add_worksheet(INSTRUCTIONS_SHEET)
    list_column = 0
    for col, f in enumerate(table.fields):
        sheet.write_string(0, col, f.title, head_required if f.required else head)
        width = max(12, min(40, 2 * len(f.title) + 4, 2 * len(f.example) + 2))
        cell_format = {"date": date, "integer": integer}.get(f.type, text)
        sheet.set_column(col, col, width, cell_format)
        note = ("必填。" if f.required else "选填。") + f.description
        sheet.write_comment(0, col, note, {"x_scale": 2, "y_scale": 1.5})
        words = vocabulary(f, settings)
        rows = (FIRST_DATA_ROW, col, LAST_ROW, col)
        if words:
            lists.write_string(0, list_column, f.title)
            for i, word in enumerate(words, start=1):
                lists.write_string(i, list_column, word)
            letter = _column_letter(list_column)
            source = f"='{LISTS_SHEET}'!${letter}$2:${letter}${len(words) + 1}"
            # a result may list several words, so a typed combination must stay possible
            several = f.type == "result"
            sheet.data_validation(*rows, {
                "validate": "list", "source": source,
                "input_title": f.title[:32], "input_message": "请从下拉列表中选择"[:255],
                "error_type": "warning" if several else "stop",
                "error_title": "不是规定的取值",
                "error_message": ("请从下拉列表中选择；多个结果用分号分隔。" if several
                                  else "请从下拉列表中选择，不要手工输入其他写法。"),
            })
            list_column += 1
        elif f.type == "date":
            sheet.data_validation(*rows, {
                "validate": "date", "criteria": "between",
                "minimum": datetime(2000, 1, 1), "maximum": datetime(2100, 12, 31),
                "error_title": "日期格式不对", "error_message": "请输入日期，如 2026-03-01。",
            })
        elif f.type == "integer":
            sheet.data_validation(*rows, {
                "validate": "integer", "criteria": ">=",
                "value": f.minimum if f.minimum is not None else -2_147_483_648,
                "error_title": "应为整数", "error_message": "请输入整数。",
            })
        elif f.type == "uscc":
            sheet.data_validation(*rows, {
                "validate": "length", "criteria": "==", "value": 18,
                "error_title": "统一社会信用代码应为 18 位",
                "error_message": "请核对统一社会信用代码（18 位，含校验位）。",
            })
        else:  # the contract's maximum length, so Excel refuses what validation would
            sheet.data_validation(*rows, {
                "validate": "length", "criteria": "<=", "value": f.max_length,
                "error_title": "内容太长",
                "error_message": f"“{f.title}”最多 {f.max_length} 个字。"[:255],
            })
    sheet.freeze_panes(1, 0)
    sheet.set_row(0, 32)
    sheet.activate()
    lists.hide()

    guide.set_column(0, 0, 18)
    guide.set_column(1, 1, 8)
    guide.set_column(2, 2, 26)
    guide.set_column(3, 3, 40)
    guide.set_column(4, 4, 60)
    guide.set_column(5, 5, 10)
    guide.write_string(0, 0, f"{table.title}（{table.name}）填写说明", bold)
    guide.write_string(1, 0, table.description)
    guide.write_string(2, 0, "在第一个工作表中从第 2 行起每行填写一条记录；不要修改、增加或删除表头。"
                             "橙色表头为必填列。本工作表和隐藏的“取值”工作表不会被读取。")
    guide.write_row(4, 0, ["列名", "必填", "格式", "可选值", "说明", "最多字数"], bold)
    for i, f in enumerate(table.fields, start=5):
        guide.write_row(i, 0, [f.title, "是" if f.required else "", TYPE_LABELS[f.type],
                               "、".join(vocabulary(f, settings)), f.description,
                               f.max_length], wrap)
    example_row = len(table.fields) + 7
    guide.write_string(example_row - 1, 0, "示例（一行，仅供参考，请勿复制到数据中）：", bold)
    for col, f in enumerate(table.fields):
        guide.write_string(example_row, col, f.title, head_required if f.required else head)
        if f.example:
            guide.write_string(example_row + 1, col, f.example)
    book.close()
    return path


def _column_letter(index: int) -> str:
    letters = ""
    index += 1
    while index:
        index, rest = divmod(index - 1, 26)
        letters = chr(65 + rest) + letters
    return letters


def write_templates(out: Path, formats: tuple[str, ...] = ("xlsx", "csv"),
                    settings: dict[str, Any] | None = None, layout: str = "flat") -> list[Path]:
    """Write every table's template into ``out``.

    ``layout="flat"`` puts all files side by side (a folder to hand out);
    ``layout="data"`` puts each where the data folder expects it (``results/results.xlsx``).
    """
    settings = settings or load_settings()
    written = []
    for table in load_contract():
        for fmt in formats:
            suffix = f".{fmt}"
            name = template_name(table, suffix) if layout == "data" else f"{table.source}{suffix}"
            target = Path(out) / name
            if fmt == "xlsx":
                written.append(write_xlsx_template(table, target, settings))
            elif fmt == "csv":
                written.append(write_csv_template(table, target))
            else:
                raise ValueError(f"unknown template format {fmt!r}")
    return written
