"""Readers for CSV and XLSX: every file becomes a :class:`RawTable` of strings.

Rows keep their spreadsheet number (header = row 1) so that every later problem
can name the cell an agency has to fix.
"""

from __future__ import annotations

import csv
import errno
import io
import re
import zipfile
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from pathlib import Path

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv

from ..validate.problems import Problems
from .cells import CELL_FORMULA, CELL_FRACTION, CELL_NUMBER
from .clean import MAYBE_INVISIBLE
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
    from ..contract import load_contract

    limits = load_contract().limits
    suffix = path.suffix.lower()
    try:
        size = path.stat().st_size
        if size > limits.max_file_bytes:
            problems.add("E111", rel, None, None, "", unpacked="", size=byte_size(size),
                         limit=byte_size(limits.max_file_bytes))
            return None
        if suffix == ".csv":
            return read_csv(path.read_bytes(), rel, problems, limits.max_cells)
        if suffix == ".xlsx":
            return read_xlsx(path, rel, problems, limits)
    except OSError as exc:
        problems.add("E101", rel, None, None, "", detail=os_error_text(exc),
                     original=str(exc))
        return None
    problems.add("E107", rel, None, None, path.suffix)
    return None


def byte_size(size: int) -> str:
    """A file size the way people say it: 512 MB, 3.2 GB."""
    if size < 1024:
        return f"{size} 字节"
    for unit, factor in (("GB", 1 << 30), ("MB", 1 << 20), ("KB", 1 << 10)):
        if size >= factor:
            number = size / factor
            return f"{number:.0f} {unit}" if number >= 10 or number.is_integer() \
                else f"{number:.1f} {unit}"
    return f"{size} 字节"


_OS_ERRORS = {
    errno.EACCES: "没有读取这个文件的权限",
    errno.EPERM: "没有读取这个文件的权限",
    errno.ENOENT: "文件在读取时已不存在（被移动或删除）",
    errno.EISDIR: "这是一个目录，不是文件",
    errno.EIO: "读取磁盘时出错，文件可能在损坏的磁盘或断开的网络位置上",
    errno.ENAMETOOLONG: "文件名或路径太长",
    errno.ELOOP: "文件是指向自身的符号链接",
}


def os_error_text(exc: OSError) -> str:
    """The operating system's reason, in Chinese (its own text stays in the JSON report)."""
    return _OS_ERRORS.get(exc.errno or 0, f"操作系统报告读取错误（错误号 {exc.errno}）")


def _empty_rows_mask(cells: pd.DataFrame) -> np.ndarray:
    if cells.shape[1] == 0:
        return np.ones(len(cells), dtype=bool)
    return (cells.to_numpy(dtype=object) == "").all(axis=1)


def read_csv(data: bytes, rel: str, problems: Problems, max_cells: int | None = None
             ) -> RawTable | None:
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
        original = str(exc).splitlines()[0][:500] if str(exc) else type(exc).__name__
        if "straddl" in original:
            detail = "有一处引号没有闭合（以 \" 开头的单元格没有结尾的 \"），无法分行"
        else:
            detail = "CSV 格式无法解析：请确认这是从表格软件另存的 CSV 文件，并检查其中的引号是否成对"
        problems.add("E101", rel, None, None, "", detail=detail, original=original)
        return None
    count = (table.num_rows + len(bad)) * width
    if max_cells is not None and count > max_cells:
        problems.add("E112", rel, None, None, "", cells=f"{count:,}",
                     rows=f"{table.num_rows + len(bad):,}", columns=width,
                     limit=f"{max_cells:,}")
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
    # one search of the whole text, so that clean files (nearly all) skip the per-column scan
    visible = MAYBE_INVISIBLE.search(text) is None
    return RawTable(rel, header, 1 + skipped, cells, rows[keep], encoding,
                    {"broken_rows": broken, "visible": visible})


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


def read_xlsx(path: Path, rel: str, problems: Problems, limits=None) -> RawTable | None:
    """Read the first sheet of a workbook; other non-empty sheets are reported, not read."""
    from python_calamine import CalamineWorkbook, SheetVisibleEnum

    from ..contract import load_contract

    limits = limits or load_contract().limits
    try:
        survey = survey_xlsx(path)
    except OSError:
        raise
    except Exception as exc:  # noqa: BLE001 - a broken archive, whatever zipfile calls it
        problems.add("E101", rel, None, None, "", detail=NOT_A_WORKBOOK,
                     original=f"{type(exc).__name__}: {exc}"[:500])
        return None
    if survey.unpacked > limits.max_unpacked_bytes:
        problems.add("E111", rel, None, None, "", unpacked="解压后",
                     size=byte_size(survey.unpacked), limit=byte_size(limits.max_unpacked_bytes))
        return None
    if survey.cells > limits.max_cells:
        rows, columns = survey.extent
        problems.add("E112", rel, None, None, "", cells=f"{survey.cells:,}", rows=f"{rows:,}",
                     columns=f"{columns:,}", limit=f"{limits.max_cells:,}")
        return None
    try:
        book = CalamineWorkbook.from_path(str(path))
        sheet = book.get_sheet_by_index(0)
        if sheet.height * sheet.width > limits.max_cells:
            problems.add("E112", rel, None, None, "", cells=f"{sheet.height * sheet.width:,}",
                         rows=f"{sheet.height:,}", columns=f"{sheet.width:,}",
                         limit=f"{limits.max_cells:,}")
            return None
        grid = sheet.to_python(skip_empty_area=False)
    except Exception as exc:  # calamine raises its own error types for broken archives
        problems.add("E101", rel, None, None, "", detail=_calamine_text(exc),
                     original=f"{type(exc).__name__}: {exc}"[:500])
        return None
    # hidden sheets (drop-down lists) and a template's instructions are not data
    hidden = {m.name for m in book.sheets_metadata if m.visible != SheetVisibleEnum.Visible}
    others = [n for n in book.sheet_names[1:]
              if n not in hidden and n not in GUIDE_SHEETS and _sheet_has_data(book, n)]
    if others:
        problems.add("W103", rel, None, None, "、".join(others), sheet=book.sheet_names[0])
    # formulas without a stored result are not in calamine's grid: make room for them
    for r, c in survey.formulas:
        while len(grid) <= r:
            grid.append([])
        if len(grid[r]) <= c:
            grid[r] = list(grid[r]) + [""] * (c + 1 - len(grid[r]))
    formula_rows = {r for r, _ in survey.formulas}
    while grid and all(_cell_text(v) == "" for v in grid[-1]) and \
            len(grid) - 1 not in formula_rows:
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
    kinds = {i: cell_kinds(frame[i]) for i in range(width)}
    formulas: dict[int, np.ndarray] = {}
    for (r, c), formula in survey.formulas.items():
        if r > header_index and c < width:
            kinds[c][r - header_index - 1] = CELL_FORMULA
            texts = formulas.setdefault(c, np.full(len(body), None, dtype=object))
            texts[r - header_index - 1] = _formula_shown(formula)
    rows = np.arange(header_index + 2, header_index + 2 + len(body), dtype=np.int64)
    keep = ~_empty_rows_mask(cells)
    for k in kinds.values():
        keep |= k == CELL_FORMULA
    cells = cells[keep].reset_index(drop=True)
    kinds = {i: k[keep] for i, k in kinds.items() if k.any()}
    formulas = {i: f[keep] for i, f in formulas.items()}
    return RawTable(rel, header, header_index + 1, cells, rows[keep], "xlsx",
                    {"kinds": kinds, "formulas": formulas})


NOT_A_WORKBOOK = ("不是有效的 Excel 工作簿（.xlsx）：文件可能已损坏、没有下载完整、设置了打开密码，"
                  "或者只是把扩展名改成了 .xlsx。请在 Excel 或 WPS 中打开后另存为“Excel 工作簿（.xlsx）”")


def _calamine_text(exc: Exception) -> str:
    name = type(exc).__name__
    if "Password" in name:
        return "工作簿设置了打开密码，无法读取：请取消密码后另存为 .xlsx"
    if "Zip" in name or "zip" in str(exc).lower():
        return NOT_A_WORKBOOK
    return "工作簿的内容无法解析：请在 Excel 或 WPS 中打开后重新另存为“Excel 工作簿（.xlsx）”"


def _formula_shown(formula: str) -> str:
    """A formula cell's text: what the user typed, so the report can show it."""
    return "=" + formula if formula else "公式"


def cell_kinds(column: pd.Series) -> np.ndarray:
    """Which cells of a typed column were numbers (whole or not): the text cannot tell."""
    values = column.to_numpy(dtype=object)
    kinds = np.zeros(len(values), dtype=np.int8)
    numbers = np.fromiter((type(v) in (int, float) for v in values), dtype=bool,
                          count=len(values))
    if numbers.any():
        whole = np.fromiter((float(v).is_integer() for v in values[numbers]), dtype=bool,
                            count=int(numbers.sum()))
        kinds[np.flatnonzero(numbers)] = np.where(whole, CELL_NUMBER, CELL_FRACTION)
    return kinds


@dataclass
class Survey:
    """What an .xlsx file holds before calamine unpacks it into memory."""

    unpacked: int = 0  # bytes of all its parts when unpacked
    extent: tuple[int, int] = (0, 0)  # rows, columns of the first sheet as it declares them
    formulas: dict[tuple[int, int], str] = field(default_factory=dict)  # (row, col) → text

    @property
    def cells(self) -> int:
        return self.extent[0] * self.extent[1]


_DIMENSION = re.compile(rb"<(?:\w+:)?dimension\s+ref=\"([A-Z]*)(\d*)(?::([A-Z]+)(\d+))?\"")
_FORMULA_TAG = re.compile(rb"<(?:\w+:)?f[\s>/]")
_CELL = re.compile(rb"<(?:\w+:)?c\b([^>]*?)(?:/>|>(.*?)</(?:\w+:)?c>)", re.DOTALL)
_REF = re.compile(rb'\br="([A-Z]{1,3})(\d+)"')
_TYPE = re.compile(rb'\bt="(\w+)"')
_VALUE = re.compile(rb"<(?:\w+:)?v(?:\s[^>]*)?>([^<]*)</(?:\w+:)?v>")
_FORMULA_TEXT = re.compile(rb"<(?:\w+:)?f\b[^>]*?(?:/>|>([^<]*)</(?:\w+:)?f>)")
_CHUNK = 1 << 22


def survey_xlsx(path: Path) -> Survey:
    """Sizes, declared extent and formulas without a stored result, streamed from the zip.

    calamine holds a sheet as a dense grid, so a sheet that declares a million rows by
    16,384 columns would fill the memory before any check ran; and it reads a formula
    whose result was never stored (a file written by a program, not saved by Excel) as
    an empty cell, which would be reported as "必须填写".
    """
    survey = Survey()
    with zipfile.ZipFile(path) as archive:
        survey.unpacked = sum(info.file_size for info in archive.infolist())
        sheet = _first_sheet(archive)
        if sheet is None:
            return survey
        with archive.open(sheet) as stream:
            head = stream.read(1 << 16)
            m = _DIMENSION.search(head)
            if m and m[3]:
                survey.extent = (int(m[4]), _column_number(m[3]))
            elif m and m[2]:
                survey.extent = (int(m[2]), _column_number(m[1]))
            rest = b""
            chunk = head
            while chunk:
                data = rest + chunk
                # scan up to the end of the last whole row or cell; the rest waits for more
                cut = max(_end_of(data, b"row>"), _end_of(data, b"</c>"))
                if cut and _FORMULA_TAG.search(data, 0, cut):
                    _formulas(data[:cut], survey.formulas)
                rest = data[cut:]
                chunk = stream.read(_CHUNK)
            if rest and _FORMULA_TAG.search(rest):
                _formulas(rest, survey.formulas)
    return survey


def _end_of(data: bytes, tag: bytes) -> int:
    at = data.rfind(tag)
    return at + len(tag) if at >= 0 else 0


def _formulas(xml: bytes, found: dict[tuple[int, int], str]) -> None:
    for cell in _CELL.finditer(xml):
        body = cell[2] or b""
        if not _FORMULA_TAG.search(body):
            continue
        value = _VALUE.search(body)
        kind = _TYPE.search(cell[1])
        if value and (value[1] or (kind and kind[1] in (b"str", b"s", b"inlineStr"))):
            continue  # the result is stored (an empty text result is a result too)
        ref = _REF.search(cell[1])
        if ref is None:
            continue
        text = _FORMULA_TEXT.search(body)
        formula = (text[1] or b"").decode("utf-8", "replace") if text else ""
        found[(int(ref[2]) - 1, _column_number(ref[1]) - 1)] = _unescape(formula)


def _unescape(text: str) -> str:
    from html import unescape

    return unescape(text)


def _column_number(letters: bytes) -> int:
    number = 0
    for c in letters:
        number = number * 26 + c - 64
    return number


def _first_sheet(archive: zipfile.ZipFile) -> str | None:
    """The part holding the first sheet, as the workbook lists its sheets (``None``: the
    parts are not where Excel puts them; calamine then reads the file as best it can)."""
    try:
        book = archive.read("xl/workbook.xml")
    except KeyError:
        return None
    first = re.search(rb"<(?:\w+:)?sheet\b[^>]*?\br:id=\"([^\"]+)\"", book) or \
        re.search(rb"<(?:\w+:)?sheet\b[^>]*?\bid=\"([^\"]+)\"", book)
    if first is None:
        return None
    try:
        rels = archive.read("xl/_rels/workbook.xml.rels")
    except KeyError:
        return None
    for rel in re.finditer(rb"<(?:\w+:)?Relationship\b([^>]*)>", rels):
        attrs = rel[1]
        rid = re.search(rb'\bId="([^"]+)"', attrs)
        target = re.search(rb'\bTarget="([^"]+)"', attrs)
        if rid and target and rid[1] == first[1]:
            name = target[1].decode("utf-8")
            name = name.lstrip("/") if name.startswith("/") else "xl/" + name
            return name if name in archive.namelist() else None
    return None


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
