"""Excel downloads of the results: one workbook per task and one per inspection year.

For people on Excel or WPS who would rather not import a CSV: the same rows as the CSV
(Chinese headers, lists joined by "；", formula-like text neutralized), with a frozen
header row and real date cells. The workbook around the rows is XlsxWriter's, dated by
the data's as-of date (never the clock), so the same rows give the same bytes; a
workbook is rewritten only when the CSV or Parquet file it mirrors changed in this
build, or when it is missing.
"""

from __future__ import annotations

import io
import re
import zipfile
from dataclasses import dataclass
from datetime import date, datetime
from pathlib import Path

import numpy as np
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


task_xlsx = urls.task_xlsx  # pages link to these files by the same names
year_xlsx = urls.year_xlsx


# Stamped into a workbook when the data has no as-of date: any fixed date keeps bytes stable.
FIXED_DATE = datetime(2000, 1, 1)
SHEET_ROWS = 1_048_576  # rows of one Excel sheet, the header included
CELL_CHARS = 32_767  # characters Excel keeps in one cell
EXCEL_EPOCH = 25_569  # the serial number of 1970-01-01 in Excel's 1900 date system
# characters XML 1.0 cannot hold: written as Excel's _xHHHH_ escapes, as Excel does
_CONTROL = [chr(c) for c in (*range(0x00, 0x09), 0x0B, 0x0C, *range(0x0E, 0x20))]
_CONTROL_PATTERN = "[" + "".join(f"\\x{ord(c):02x}" for c in _CONTROL) + "]"


def _letters(j: int) -> str:
    """Excel's column name of the 0-based column ``j``: A … Z, AA …"""
    name = ""
    j += 1
    while j:
        j, rest = divmod(j - 1, 26)
        name = chr(65 + rest) + name
    return name


def _xml_text(text: pa.Array) -> pa.Array:
    """Cell text as the shared-strings table holds it: cut to what a cell keeps, a
    literal _xHHHH_ escaped, control characters as _xHHHH_, & < > as entities."""
    text = pc.utf8_slice_codeunits(text, 0, CELL_CHARS)
    text = pc.replace_substring_regex(text, r"_(x[0-9A-Fa-f]{4}_)", r"_x005F_\1")
    if pc.any(pc.match_substring_regex(text, _CONTROL_PATTERN)).as_py():  # rarely: one scan
        for char in _CONTROL:
            text = pc.replace_substring(text, char, f"_x{ord(char):04X}_")
    for char, entity in (("&", "&amp;"), ("<", "&lt;"), (">", "&gt;")):
        text = pc.replace_substring(text, char, entity)
    return text


@dataclass
class _Column:
    """How one column's cells are written: <c r="{ref}{head}{body}{tail}; no cell where
    ``body`` is null."""

    head: str
    body: pa.Array
    tail: str


def _columns(table: pa.Table, date_style: str, first_string: int
             ) -> tuple[list[_Column], bytes, int, int]:
    """Each column's cell parts, and the shared strings they use (numbered from
    ``first_string``): every distinct text once, as Excel itself writes them; with how
    many texts were added and how many cells refer to them."""
    columns: list[_Column | None] = []
    texts = []
    for column in table.columns:
        values = column.combine_chunks()
        kind = values.type
        if pa.types.is_date(kind):
            serial = pc.add(pc.cast(pc.cast(values, pa.date32()), pa.int32()), EXCEL_EPOCH)
            columns.append(_Column(f'" s="{date_style}"><v>', pc.cast(serial, pa.string()),
                                   "</v></c>"))
        elif pa.types.is_integer(kind) or pa.types.is_floating(kind):
            if pa.types.is_floating(kind):
                values = pc.if_else(pc.is_finite(values), values, pa.scalar(None, kind))
            columns.append(_Column('"><v>', pc.cast(values, pa.string()), "</v></c>"))
        elif pa.types.is_boolean(kind):
            columns.append(_Column('" t="b"><v>', pc.cast(pc.cast(values, pa.int8()), pa.string()),
                                   "</v></c>"))
        else:
            text = pc.cast(values, pa.string())
            texts.append(pc.if_else(pc.equal(text, ""), pa.scalar(None, pa.string()), text))
            columns.append(None)
    if not texts:
        return [c for c in columns if c is not None], b"", 0, 0
    encoded = pc.dictionary_encode(pa.concat_arrays(texts))
    numbers = pc.cast(pc.add(pc.cast(encoded.indices, pa.int64()), first_string), pa.string())
    items = pc.binary_join_element_wise('<si><t xml:space="preserve">',
                                        _xml_text(encoded.dictionary), "</t></si>", "")
    at = 0
    for j, column in enumerate(columns):
        if column is None:
            columns[j] = _Column('" t="s"><v>', numbers.slice(at, table.num_rows), "</v></c>")
            at += table.num_rows
    return columns, _joined(items), len(encoded.dictionary), pc.count(encoded.indices).as_py()


def _joined(strings: pa.Array) -> bytes:
    """All of ``strings`` one after another (nulls as nothing), without a Python loop."""
    if len(strings) == 0:
        return b""
    strings = pc.cast(strings, pa.large_string())  # one offset type to read
    offsets = np.frombuffer(strings.buffers()[1], dtype=np.int64)
    start, stop = int(offsets[strings.offset]), int(offsets[strings.offset + len(strings)])
    return strings.buffers()[2].slice(start, stop - start).to_pybytes()


def _sheet_rows(columns: list[_Column], start: int, count: int) -> bytes:
    """The <row> elements of table rows ``start`` … ``start + count``, from sheet row 2."""
    if count == 0:
        return b""
    rows = pc.cast(pa.array(range(2, count + 2), pa.int64()), pa.string())
    cells = [pc.binary_join_element_wise(f'<c r="{_letters(j)}', rows, c.head,
                                         c.body.slice(start, count), c.tail, "")
             for j, c in enumerate(columns)]
    return _joined(pc.binary_join_element_wise('<row r="', rows, '">', *cells, "</row>", "",
                                               null_handling="replace"))


def workbook_bytes(table: pa.Table, when: date | None) -> bytes:
    """One sheet per 1,048,575 rows (Excel's limit): bold frozen header, then the rows;
    dates are date cells.

    XlsxWriter makes the workbook (package, styles, header, column widths, properties)
    with one sample date row per sheet; the rows and their shared strings are made by
    Arrow's vectorized string kernels and put in place of that sample row, because
    writing a province's results cell by cell in Python would take most of the build.
    """
    sink = io.BytesIO()
    wb = xlsxwriter.Workbook(sink, {"constant_memory": True, "in_memory": True,
                                    "strings_to_numbers": False, "strings_to_formulas": False,
                                    "strings_to_urls": False})
    stamp = datetime.combine(when, datetime.min.time()) if when else FIXED_DATE
    wb.set_properties({"created": stamp})
    bold = wb.add_format({"bold": True})
    date_cell = wb.add_format({"num_format": DATE_FORMAT})
    per_sheet = SHEET_ROWS - 1
    starts = list(range(0, max(table.num_rows, 1), per_sheet))
    dates = [j for j, f in enumerate(table.schema) if pa.types.is_date(f.type)]
    for n, _ in enumerate(starts, start=1):
        ws = wb.add_worksheet(SHEET_TITLE if n == 1 else f"{SHEET_TITLE}（{n}）")
        ws.freeze_panes(1, 0)
        ws.write_row(0, 0, table.column_names, bold)
        for j in dates:
            ws.set_column(j, j, 11)
            ws.write_datetime(1, j, FIXED_DATE, date_cell)  # the sample row: its date style
    wb.close()
    return _fill(sink.getvalue(), table, starts, per_sheet)


def _fill(template: bytes, table: pa.Table, starts: list[int], per_sheet: int) -> bytes:
    """The workbook ``template`` with each sheet's sample row replaced by its rows and
    their texts added to the shared strings."""
    out = io.BytesIO()
    with zipfile.ZipFile(io.BytesIO(template)) as source:
        infos = source.infolist()
        parts = {info.filename: source.read(info) for info in infos}
    sheet = parts["xl/worksheets/sheet1.xml"]
    style = re.search(rb'<row r="2".*? s="(\d+)"', sheet)
    strings = parts.get("xl/sharedStrings.xml", b"")
    known = re.search(rb'count="(\d+)" uniqueCount="(\d+)"', strings)
    refs, first = (int(known.group(1)), int(known.group(2))) if known else (0, 0)
    columns, items, added, cells = _columns(table, style.group(1).decode() if style else "0",
                                            first)
    if added:
        parts["xl/sharedStrings.xml"] = _add_strings(strings, items, refs + cells, first + added)
    width = len(table.column_names)
    for n, start in enumerate(starts, start=1):
        name = f"xl/worksheets/sheet{n}.xml"
        count = min(per_sheet, table.num_rows - start)
        parts[name] = _put_rows(parts[name], _sheet_rows(columns, start, count), width, count)
    with zipfile.ZipFile(out, "w", zipfile.ZIP_DEFLATED) as target:
        for info in infos:
            target.writestr(info, parts[info.filename], compresslevel=1)
    return out.getvalue()


def _add_strings(sst: bytes, items: bytes, count: int, unique: int) -> bytes:
    """The shared-strings part with ``items`` appended and its counts set (``count``:
    cells referring to a shared string; ``unique``: the strings)."""
    head, _, tail = sst.partition(b"</sst>")
    head = re.sub(rb'count="\d+" uniqueCount="\d+"',
                  f'count="{count}" uniqueCount="{unique}"'.encode(), head, count=1)
    return head + items + b"</sst>" + tail


def _put_rows(sheet: bytes, rows: bytes, width: int, count: int) -> bytes:
    start = sheet.index(b"</row>") + len(b"</row>")  # after the header row
    stop = sheet.index(b"</sheetData>")
    head = re.sub(rb'<dimension ref="[^"]*"/>',
                  f'<dimension ref="A1:{_letters(width - 1)}{count + 1}"/>'.encode(),
                  sheet[:start], count=1)
    return head + rows + sheet[stop:]


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
