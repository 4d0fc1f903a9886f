"""Excel downloads of the results: one workbook per task and one per inspection year.

For people on Excel or WPS who would rather not import a CSV: the same rows as the CSV
(Chinese headers, lists joined by "；", formula-like text neutralized), with a frozen
header row and real date cells. Workbooks are written by XlsxWriter in constant-memory
mode, dated by the data's as-of date (never the clock), so the same rows give the same
bytes; a workbook is rewritten only when the CSV or Parquet file it mirrors changed in
this build, or when it is missing.
"""

from __future__ import annotations

import io
from datetime import date, datetime
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import xlsxwriter

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


# Stamped into a workbook when the data has no as-of date: any fixed date keeps bytes stable.
FIXED_DATE = datetime(2000, 1, 1)


def workbook_bytes(table: pa.Table, when: date | None) -> bytes:
    """One sheet: bold frozen header, then every row; dates are date cells."""
    sink = io.BytesIO()
    wb = xlsxwriter.Workbook(sink, {"constant_memory": True, "in_memory": True,
                                    "strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False})
    stamp = datetime.combine(when, datetime.min.time()) if when else FIXED_DATE
    wb.set_properties({"created": stamp})
    ws = wb.add_worksheet(SHEET_TITLE)
    ws.freeze_panes(1, 0)
    ws.write_row(0, 0, table.column_names, wb.add_format({"bold": True}))
    date_cell = wb.add_format({"num_format": DATE_FORMAT})
    columns = [c.to_pylist() for c in table.columns]
    for j, (field, values) in enumerate(zip(table.schema, columns, strict=True)):
        if pa.types.is_date(field.type):
            ws.set_column(j, j, 11)
            columns[j] = [datetime.combine(v, datetime.min.time()) if v is not None else None for v in values]
    dates = [pa.types.is_date(f.type) for f in table.schema]
    for i, row in enumerate(zip(*columns, strict=True), start=1):
        for j, value in enumerate(row):
            if value is None:
                continue
            if dates[j]:
                ws.write_datetime(i, j, value, date_cell)
            elif isinstance(value, str):
                ws.write_string(i, j, value)
            else:
                ws.write(i, j, value)
    wb.close()
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
