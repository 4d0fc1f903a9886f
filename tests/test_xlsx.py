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
