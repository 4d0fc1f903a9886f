"""Excel downloads: the same rows as the CSV, Chinese headers, frozen header, date cells."""

from __future__ import annotations

import csv
import io
from datetime import datetime

import pytest
from openpyxl import load_workbook
from publishing import published

from generator import urls
from generator.publish import xlsx


@pytest.fixture(scope="module")
def site():
    return published()


def _csv_rows(path) -> list[list[str]]:
    return list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))


def _xlsx_rows(path) -> tuple[list[list[str]], object]:
    wb = load_workbook(path)
    ws = wb[xlsx.SHEET_TITLE]
    rows = []
    for row in ws.iter_rows():
        rows.append(["" if c.value is None else
                     c.value.date().isoformat() if isinstance(c.value, datetime) else str(c.value)
                     for c in row])
        for c in row:
            if isinstance(c.value, datetime):
                assert c.number_format == xlsx.DATE_FORMAT
    return rows, ws


def test_every_task_workbook_has_the_rows_of_its_csv(site):
    out, model, _ = site
    tasks = sorted(set(model["results"]["task_id"]))
    assert tasks
    dated = 0
    for task_id in tasks:
        rows, ws = _xlsx_rows(out / xlsx.task_xlsx(task_id))
        assert ws.freeze_panes == "A2"
        assert rows == _csv_rows(out / urls.task_csv(task_id)), task_id
        dated += sum(isinstance(c.value, datetime) for row in ws.iter_rows(min_row=2)
                     for c in row)
    assert dated


def test_year_workbooks_together_hold_every_result(site):
    out, model, _ = site
    years = sorted(set(model["results"]["inspected_on"].dt.year))
    header, body = None, []
    for year in years:
        rows, _ = _xlsx_rows(out / xlsx.year_xlsx(year))
        header = header or rows[0]
        assert rows[0] == header and len(rows) > 1
        body += rows[1:]
    full = _csv_rows(out / "data/results.csv")
    assert header == full[0]
    assert sorted(body) == sorted(full[1:])
    assert sorted((out / xlsx.FOLDER).rglob("*.xlsx")) == sorted(
        [out / xlsx.year_xlsx(y) for y in years]
        + [out / xlsx.task_xlsx(t) for t in set(model["results"]["task_id"])])


def test_workbooks_are_rewritten_only_when_their_csv_changed(site):
    import tempfile
    from pathlib import Path

    from generator.publish import datasets

    _, model, _ = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-xlsx-"))

    def write() -> list:
        tables = datasets.all_datasets(model)
        return xlsx.write_xlsx(tables, datasets.write_datasets(tables, out), out,
                               model.data_date)

    first = write()
    assert first and all(f.written for f in first)
    again = write()
    assert again == []
    gone = out / first[0].path
    gone.unlink()
    third = write()
    assert [f.path for f in third] == [first[0].path] and gone.is_file()


def test_data_page_links_every_year_workbook_the_catalogue_and_the_api(site):
    from bs4 import BeautifulSoup

    out, model, _ = site
    soup = BeautifulSoup((out / "data/index.html").read_text(encoding="utf-8"), "html.parser")
    hrefs = [a["href"].lstrip("./") for a in soup.find_all("a", href=True)]
    for year in set(model["results"]["inspected_on"].dt.year):
        assert any(h.endswith(xlsx.year_xlsx(year)) for h in hrefs), year
    assert any(h.endswith("data/catalog.jsonld") for h in hrefs)
    assert any(h.endswith("api/") for h in hrefs)


def _read(data: bytes):
    return load_workbook(io.BytesIO(data))


def _cell_by_cell(texts: list) -> bytes:
    """The same texts written by XlsxWriter one cell at a time: what Excel users got before."""
    import xlsxwriter

    sink = io.BytesIO()
    wb = xlsxwriter.Workbook(sink, {"in_memory": True, "strings_to_numbers": False,
                                    "strings_to_formulas": False, "strings_to_urls": False})
    ws = wb.add_worksheet(xlsx.SHEET_TITLE)
    ws.write_string(0, 0, "文本")
    for i, value in enumerate(texts, start=1):
        if value:
            ws.write_string(i, 0, value[:xlsx.CELL_CHARS])
    wb.close()
    return sink.getvalue()


def test_awkward_text_numbers_and_gaps_come_back_as_written():
    import datetime as dt

    import pyarrow as pa

    text = ["a & b <c>", "_x0041_ stays", "tab\tand\x01control", "", None, "长" * 40_000,
            " 前后空格 ", "a & b <c>"]
    table = pa.table({"文本": text, "数量": pa.array([1, None, 3, 4, 5, 6, 7, 8], pa.int64()),
                      "比例": [0.5, float("nan"), None, 1e-5, 2.0, 3.25, 0.0, -1.5],
                      "日期": pa.array([dt.date(2026, 1, 2), None, dt.date(1999, 12, 31),
                                        dt.date(2026, 3, 1), dt.date(2026, 3, 2), None, None, None])})
    ws = _read(xlsx.workbook_bytes(table, None))[xlsx.SHEET_TITLE]
    rows = [[c.value for c in row] for row in ws.iter_rows()]
    assert rows[0] == ["文本", "数量", "比例", "日期"]
    reference = _read(_cell_by_cell(text))[xlsx.SHEET_TITLE]
    assert [r[0] for r in rows] == [c.value for c in reference["A"]]
    assert rows[1][0] == "a & b <c>" and rows[2][0] == "_x0041_ stays" and rows[4][0] is None
    assert [r[1] for r in rows[1:]] == [1, None, 3, 4, 5, 6, 7, 8]
    assert [r[2] for r in rows[1:]] == [0.5, None, None, 1e-5, 2, 3.25, 0, -1.5]
    assert rows[1][3] == dt.datetime(2026, 1, 2) and rows[3][3] == dt.datetime(1999, 12, 31)
    assert rows[2][3] is None and ws["D2"].number_format == xlsx.DATE_FORMAT
    assert ws.freeze_panes == "A2" and ws["A1"].font.b


def test_rows_beyond_one_sheet_go_on_to_the_next(monkeypatch):
    import pyarrow as pa

    monkeypatch.setattr(xlsx, "SHEET_ROWS", 4)  # 3 rows and the header per sheet
    table = pa.table({"编号": [f"R{i}" for i in range(8)]})
    wb = _read(xlsx.workbook_bytes(table, None))
    assert wb.sheetnames == [xlsx.SHEET_TITLE, f"{xlsx.SHEET_TITLE}（2）", f"{xlsx.SHEET_TITLE}（3）"]
    values = [[c.value for c in row][0] for ws in wb for row in ws.iter_rows()]
    assert values == ["编号", "R0", "R1", "R2", "编号", "R3", "R4", "R5", "编号", "R6", "R7"]


def test_the_same_rows_give_the_same_bytes():
    import datetime as dt

    import pyarrow as pa

    table = pa.table({"编号": ["a", "b"], "日期": pa.array([dt.date(2026, 1, 2), None])})
    assert xlsx.workbook_bytes(table, dt.date(2026, 5, 1)) == xlsx.workbook_bytes(table, dt.date(2026, 5, 1))
    assert xlsx.workbook_bytes(table, dt.date(2026, 5, 1)) != xlsx.workbook_bytes(table, dt.date(2026, 5, 2))
