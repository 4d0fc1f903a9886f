"""Excel downloads of the results: one workbook per task and one per inspection year.

For people on Excel or WPS who would rather not import a CSV: the same rows as the CSV
(Chinese headers, lists joined by "；", formula-like text neutralized), with a frozen
header row and real date cells. Workbooks are written in openpyxl's write-only mode.
openpyxl stamps the time into every workbook, so a workbook is rewritten only when the
CSV or Parquet file it mirrors changed in this build, or when it is missing.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.styles import Font

from .. import urls
from ..build.writer import FileInfo, write_file
from .datasets import Dataset, Published, csv_table
from .files import remove_stale

FOLDER = f"{urls.DATA_FOLDER}/xlsx"
DATE_FORMAT = "yyyy-mm-dd"
SHEET_TITLE = "抽查结果"


def task_xlsx(task_id: str) -> str:
    return f"{FOLDER}/tasks/{urls.segment(task_id)}.xlsx"


def year_xlsx(year: int) -> str:
    return f"{FOLDER}/results-{int(year)}.xlsx"


def workbook_bytes(table: pa.Table, when: date | None) -> bytes:
    """One sheet: bold frozen header, then every row; dates are date cells."""
    wb = Workbook(write_only=True)
    if when:
        stamp = datetime.combine(when, datetime.min.time())
        wb.properties.created = wb.properties.modified = stamp
    ws = wb.create_sheet(SHEET_TITLE)
    ws.freeze_panes = "A2"
    bold = Font(bold=True)
    header = []
    for name in table.column_names:
        cell = WriteOnlyCell(ws, value=name)
        cell.font = bold
        header.append(cell)
    ws.append(header)
    dates = [pa.types.is_date(f.type) for f in table.schema]
    for row in zip(*(c.to_pylist() for c in table.columns), strict=True):
        out = []
        for value, is_date in zip(row, dates, strict=True):
            if is_date and value is not None:
                cell = WriteOnlyCell(ws, value=value)
                cell.number_format = DATE_FORMAT
                out.append(cell)
            else:
                out.append(value)
        ws.append(out)
    sink = io.BytesIO()
    wb.save(sink)
    return sink.getvalue()


def _groups(table: pa.Table, key: pa.ChunkedArray) -> dict[object, pa.Table]:
    """Rows per key value in table order (the same order as the CSV slices)."""
    order = pc.sort_indices(key)  # stable: rows of one key keep their table order
    table, key = table.take(order), key.take(order)
    values = pd.Series(key.to_numpy(zero_copy_only=False))
    starts = (values != values.shift()).to_numpy().nonzero()[0].tolist() + [len(values)]
    out: dict[object, pa.Table] = {}
    for a, b in zip(starts, starts[1:], strict=False):
        out[values.iat[a]] = table.slice(a, b - a)
    return out


def write_xlsx(tables: list[Dataset], published: Published, output: Path,
               when: date | None) -> list[FileInfo]:
    """Write the task and year workbooks of the results; remove workbooks no longer made."""
    output = Path(output)
    results = next((ds for ds in tables if ds.name == "results"), None)
    if results is None:
        return []
    rows = csv_table(results.schema, results.table)
    files: list[FileInfo] = []
    keep: set[str] = set()

    def put(path: str, changed: bool, part: pa.Table) -> None:
        keep.add(path)
        target = output / path
        if changed or not target.is_file():
            files.append(write_file(output, path, workbook_bytes(part, when)))

    for task_id, part in _groups(rows, results.table["task_id"]).items():
        csv = published.task_files.get(str(task_id))
        put(task_xlsx(str(task_id)), csv is None or csv.written, part)
    changed_years = {year for year, info in results.partitions if info.written}
    years = pc.year(results.table["inspected_on"])
    for year, part in _groups(rows, years).items():
        if year is not None:
            put(year_xlsx(int(year)), int(year) in changed_years, part)
    remove_stale(output, FOLDER, keep)
    return files
