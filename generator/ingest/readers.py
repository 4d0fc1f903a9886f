"""Readers for CSV and XLSX: every file becomes a :class:`RawTable` of strings.

Rows keep their spreadsheet number (header = row 1) so that every later problem
can name the cell an agency has to fix.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..validate.problems import Problems
from .decode import DecodeFailure, decode

SUPPORTED_SUFFIXES = (".csv", ".xlsx")
# sheet names that explain a template (gongkai templates) rather than hold data
GUIDE_SHEETS = ("填写说明",)

_LEADING_BLANK_LINES = re.compile(r"(?:[ \t]*(?:\r\n|\n|\r))*")
_LINE_BREAK = re.compile(r"\r\n|\n|\r")


@dataclass
class RawTable:
    """One file's cells as text, before any header mapping or value checks."""

    file: str
    header: list[str]
    header_row: int
    # columns 0..n-1, str values, "" for empty; CSV cells stay in Arrow (string[pyarrow])
    # until the header mapping picks the columns it needs
    cells: pd.DataFrame
    rows: np.ndarray  # spreadsheet row number of each data row
    encoding: str = ""
    extra: dict = field(default_factory=dict)


def read_file(path: Path, rel: str, problems: Problems) -> RawTable | None:
    """Read one file; on a file-level failure report it and return ``None``."""
    suffix = path.suffix.lower()
    try:
        if suffix == ".csv":
            return read_csv(path.read_bytes(), rel, problems)
        if suffix == ".xlsx":
            return read_xlsx(path, rel, problems)
    except OSError as exc:
        problems.add("E101", rel, None, None, "", detail=str(exc.strerror or exc))
        return None
    problems.add("E107", rel, None, None, path.suffix)
    return None


def _empty_rows_mask(cells: pd.DataFrame) -> np.ndarray:
    if cells.shape[1] == 0:
        return np.ones(len(cells), dtype=bool)
    return (cells.to_numpy(dtype=object) == "").all(axis=1)


def read_csv(data: bytes, rel: str, problems: Problems) -> RawTable | None:
    """Decode and parse a CSV file, reporting rows whose field count is wrong."""
    try:
        text, encoding = decode(data)
    except DecodeFailure as failure:
        if failure.utf16:
            problems.add("E108", rel, None, None, "")
        else:
            # the message counts bytes the way people do: the first byte is byte 1
            bad = data[failure.offset:failure.offset + 1].hex().upper()
            problems.add("E102", rel, failure.row, None, f"0x{bad}",
                         offset=failure.offset + 1)
        return None
    if not text or text.isspace():  # nothing but white space (no copy of a large file)
        problems.add("E103", rel, None, None, "")
        return None
    # blank lines above the header: the header is then on a later spreadsheet row
    lead = _LEADING_BLANK_LINES.match(text)
    skipped = len(_LINE_BREAK.findall(lead.group()))
    if skipped:
        text = text[lead.end():]
    head = text[: 1 << 16]
    delimiter = "\t" if "\t" in head.split("\n", 1)[0] and "," not in head.split("\n", 1)[0] \
        else ","
    # newline="": a header ended by a lone \r (old Mac exports) must not make csv raise
    header = next(csv.reader(io.StringIO(head, newline=""), delimiter=delimiter), [])
    width = len(header)
    names = [f"c{i}" for i in range(width)]
    bad: list[tuple[int, int, str]] = []

    def on_invalid(row: pacsv.InvalidRow) -> str:
        bad.append((row.number, row.actual_columns, row.text))
        return "skip"

    if encoding == "utf-8" and not skipped and data.endswith((b"\n", b"\r")):
        body = data  # as read: no copy of large files
    else:
        # pyarrow cannot skip a header that is not ended by a line break
        body = (text if text.endswith(("\n", "\r")) else text + "\n").encode("utf-8")
    try:
        table = pacsv.read_csv(
            io.BytesIO(body),
            # skip the header as a CSV record (skip_rows would skip one physical line,
            # and a header with a line break inside a quoted cell spans several)
            read_options=pacsv.ReadOptions(
                column_names=names, skip_rows_after_names=1, use_threads=False,
                block_size=1 << 24
            ),
            parse_options=pacsv.ParseOptions(
                delimiter=delimiter,
                newlines_in_values=True,
                ignore_empty_lines=False,
                invalid_row_handler=on_invalid,
            ),
            convert_options=pacsv.ConvertOptions(
                column_types={n: pa.string() for n in names},
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowException) as exc:
        detail = str(exc).splitlines()[0][:200]
        if "straddl" in detail:
            detail = "有一处引号没有闭合（以 \" 开头的单元格没有结尾的 \"），无法分行"
        problems.add("E101", rel, None, None, "", detail=detail)
        return None
    total = table.num_rows + len(bad)
    rows = np.arange(2, total + 2, dtype=np.int64) + skipped
    bad = [(number + skipped, actual, row_text) for number, actual, row_text in bad]
    broken = 0
    if bad:
        bad_rows = np.array([b[0] for b in bad], dtype=np.int64)
        rows = np.setdiff1d(rows, bad_rows, assume_unique=True)
        for number, actual, row_text in bad:
            # a lone empty line is not data; anything else is a broken row
            if actual <= 1 and width > 1 and not (row_text or "").strip():
                continue
            problems.add("E106", rel, number, None, (row_text or "")[:200],
                         expected=width, actual=actual)
            broken += 1
    keep = np.zeros(table.num_rows, dtype=bool)
    for column in table.columns:
        keep |= pc.not_equal(column, "").to_numpy()
    table = table.filter(pa.array(keep))
    cells = pd.DataFrame({i: pd.Series(pd.arrays.ArrowExtensionArray(table.column(i)))
                          for i in range(width)}, index=pd.RangeIndex(table.num_rows))
    return RawTable(rel, header, 1 + skipped, cells, rows[keep], encoding,
                    {"broken_rows": broken})


# --- XLSX --------------------------------------------------------------------------


def _cell_text(value: object) -> str:
    """Render one typed spreadsheet cell the way the agency sees it."""
    if value is None or value == "":
        return ""
    if isinstance(value, bool):
        return "是" if value else "否"
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == time(0) else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, timedelta):
        return str(value)
    return str(value)


def read_xlsx(path: Path, rel: str, problems: Problems) -> RawTable | None:
    """Read the first sheet of a workbook; other non-empty sheets are reported, not read."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        grid = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken archives
        problems.add("E101", rel, None, None, "", detail=str(exc).splitlines()[0][:200])
        return None
    # hidden sheets (drop-down lists) and a template's instructions are not data
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    others = [n for n in book.sheet_names[1:]
              if n not in hidden and n not in GUIDE_SHEETS and _sheet_has_data(book, n)]
    if others:
        problems.add("W103", rel, None, None, "、".join(others), sheet=book.sheet_names[0])
    while grid and all(_cell_text(v) == "" for v in grid[-1]):
        grid.pop()
    if not grid:
        problems.add("E103", rel, None, None, "")
        return None
    header_index = _find_header(grid)
    header = [_cell_text(v).strip() for v in grid[header_index]]
    while header and header[-1] == "":
        header.pop()
    body = grid[header_index + 1:]
    # cells right of the last header are kept (as columns without a header, reported
    # by the header mapping) rather than silently cut off
    width = len(header)
    for row in body:
        for position in range(len(row) - 1, width - 1, -1):
            if _cell_text(row[position]) != "":
                width = position + 1
                break
    header += [""] * (width - len(header))
    frame = pd.DataFrame([row[:width] + [None] * (width - len(row)) for row in body],
                         columns=range(width), dtype=object)
    cells = pd.DataFrame({i: map_cells(frame[i]) for i in range(width)})
    rows = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    keep = ~_empty_rows_mask(cells)
    cells = cells[keep].reset_index(drop=True)
    return RawTable(rel, header, header_index + 1, cells, rows[keep], "xlsx")


def map_cells(column: pd.Series) -> np.ndarray:
    """Convert typed cells to text once per distinct value."""
    from .normalize import map_unique

    return np.asarray(map_unique(column.where(column.notna(), ""), _cell_text), dtype=object)


def _sheet_has_data(book, name: str) -> bool:
    try:
        rows = book.get_sheet_by_name(name).to_python()
    except Exception:
        return False
    return any(_cell_text(v) != "" for row in rows for v in row)


def _find_header(grid: list[list[object]]) -> int:
    """Exports often put a title row above the header; take the first row that looks like one.

    A header row is the first of the first ten rows with at least two non-empty text cells
    that are known contract headers; failing that, the first non-empty row.
    """
    from ..contract import load_contract
    from .headers import known_headers, normalize_header

    known_names = known_headers(load_contract())
    for i, row in enumerate(grid[:10]):
        known = sum(1 for v in row if isinstance(v, str) and normalize_header(v) in known_names)
        if known >= 2:
            return i
    for i, row in enumerate(grid):
        if any(_cell_text(v) for v in row):
            return i
    return 0
