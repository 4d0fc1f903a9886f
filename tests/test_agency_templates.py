"""Templates: what the contract says about each column is in the workbook, a template filled
in by hand validates cleanly, and the bad-input cases get located messages, not tracebacks."""

from __future__ import annotations

import csv
import io
import re
import subprocess
import sys
import zipfile
from pathlib import Path

import openpyxl
import pytest
from helpers import CONTRACT, base_rows

from generator.agency.init import AgencyAnswers, InitError, init_repository, prompt_answers
from generator.agency.templates import LISTS_SHEET, vocabulary, write_templates
from generator.model import load_model
from generator.settings import load_settings

SETTINGS = load_settings()
BIN = Path(sys.executable).parent


@pytest.fixture(scope="module")
def templates(tmp_path_factory) -> Path:
    out = tmp_path_factory.mktemp("templates")
    write_templates(out, layout="flat")
    return out


def fill_xlsx(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    titles = {f.title: f.name for f in CONTRACT[table].fields}
    headers = [c.value for c in sheet[1]]
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            value = row.get(titles.get(header, ""), "")
            if value != "":
                sheet.cell(row=r, column=c, value=value)
    book.save(path)


def filled_folder(templates: Path, root: Path, fmt: str = "xlsx",
                  rows: dict | None = None) -> Path:
    rows = rows or base_rows()
    data = root / "data"
    for table in CONTRACT:
        target = data / (f"{table.source}/a.{fmt}" if table.multi_file else f"{table.source}.{fmt}")
        target.parent.mkdir(parents=True, exist_ok=True)
        source = templates / f"{table.source}.{fmt}"
        if fmt == "xlsx":
            target.write_bytes(source.read_bytes())
            fill_xlsx(target, table.name, rows[table.name])
        else:
            text = source.read_bytes().decode("utf-8")  # keeps the BOM character
            out = io.StringIO()
            writer = csv.writer(out, lineterminator="\r\n")
            for row in rows[table.name]:
                writer.writerow([row.get(f.name, "") for f in table.fields])
            target.write_bytes((text + out.getvalue()).encode("utf-8"))
    return data


def test_every_table_has_both_templates_with_the_contract_headers(templates):
    for table in CONTRACT:
        book = openpyxl.load_workbook(templates / f"{table.source}.xlsx")
        assert book.sheetnames[0] == table.title
        assert [c.value for c in book.worksheets[0][1]] == [f.title for f in table.fields]
        raw = (templates / f"{table.source}.csv").read_bytes()
        assert raw.startswith(b"\xef\xbb\xbf")
        assert next(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == \
            [f.title for f in table.fields]


def column_format(sheet, index: int) -> str:
    """Number format of a column (adjacent columns with one format share one entry)."""
    for dim in sheet.column_dimensions.values():
        if dim.min <= index <= dim.max:
            return dim.number_format
    return "General"


def test_vocabulary_columns_have_drop_downs_from_the_contract_and_settings(templates):
    for table in CONTRACT:
        book = openpyxl.load_workbook(templates / f"{table.source}.xlsx")
        sheet, lists = book.worksheets[0], book[LISTS_SHEET]
        assert lists.sheet_state == "hidden"
        assert sheet.freeze_panes == "A2"
        by_column = {}
        for dv in sheet.data_validations.dataValidation:
            for cell_range in str(dv.sqref).split():
                by_column[re.match(r"[A-Z]+", cell_range).group()] = dv
        for i, f in enumerate(table.fields):
            letter = openpyxl.utils.get_column_letter(i + 1)
            words = vocabulary(f, SETTINGS)
            if words:
                dv = by_column[letter]
                assert dv.type == "list"
                ref = re.match(rf"^'?{LISTS_SHEET}'?!\$([A-Z]+)\$2:\$[A-Z]+\$(\d+)$", dv.formula1)
                assert ref, dv.formula1
                col = ref.group(1)
                listed = [lists[f"{col}{r}"].value for r in range(2, int(ref.group(2)) + 1)]
                assert listed == words
            elif f.type == "date":
                assert by_column[letter].type == "date"
                assert column_format(sheet, i + 1) == "yyyy-mm-dd"
            elif f.type in ("uscc", "code"):
                assert column_format(sheet, i + 1) == "@"  # 18 digits must not become 9.1E+17
    results = openpyxl.load_workbook(templates / "results.xlsx")[LISTS_SHEET]
    assert "未发现问题" in [c.value for c in results["A"]]


def test_instructions_sheet_has_every_column_and_one_example_row(templates):
    for table in CONTRACT:
        guide = openpyxl.load_workbook(templates / f"{table.source}.xlsx")["填写说明"]
        values = [[c.value for c in row] for row in guide.iter_rows()]
        header_rows = [i for i, r in enumerate(values) if r[:len(table.fields)] ==
                       [f.title for f in table.fields]]
        assert header_rows, table.name
        example = values[header_rows[-1] + 1][:len(table.fields)]
        assert example == [f.example or None for f in table.fields]
        described = {r[0] for r in values}
        assert all(f.title in described for f in table.fields)


@pytest.mark.parametrize("fmt", ["xlsx", "csv"])
def test_a_template_filled_by_hand_validates_without_any_problem(templates, tmp_path, fmt):
    data = filled_folder(templates, tmp_path, fmt)
    model = load_model(data, SETTINGS)
    assert len(model.problems) == 0, model.problems.frame().to_string()
    assert len(model["results"]) == len(base_rows()["results"])


def test_template_is_deterministic(tmp_path):
    a, b = tmp_path / "a", tmp_path / "b"
    write_templates(a)
    write_templates(b)
    for path in sorted(a.iterdir()):
        assert path.read_bytes() == (b / path.name).read_bytes(), path.name


# --- bad input --------------------------------------------------------------------------


def test_renamed_header_is_located(templates, tmp_path):
    data = filled_folder(templates, tmp_path)
    path = data / "results/a.xlsx"
    book = openpyxl.load_workbook(path)
    book.worksheets[0]["B1"] = "信用代码"  # was 统一社会信用代码
    book.save(path)
    frame = load_model(data, SETTINGS).problems.frame()
    row = frame[frame["code"] == "E105"].iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("results/a.xlsx", 1, "统一社会信用代码")
    assert "W101" in set(frame["code"])  # and the unknown header is named


def test_hand_typed_vocabulary_variant_is_located(templates, tmp_path):
    rows = base_rows()
    rows["items"][1]["category"] = "一般性检查事项"
    data = filled_folder(templates, tmp_path, rows=rows)
    frame = load_model(data, SETTINGS).problems.frame()
    row = frame[frame["code"] == "E202"].iloc[0]
    assert (row["file"], row["row"], row["column"]) == ("items.xlsx", 3, "事项类别")
    assert "一般性检查事项" in row["message"]


def _as_wps(path: Path) -> None:
    """Rewrite a workbook the way WPS 表格 saves one: its application name, inline strings
    instead of shared strings, and dates as bare serial numbers."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    for row in sheet.iter_rows(min_row=2):
        for cell in row:
            if isinstance(cell.value, str) and re.fullmatch(r"\d{4}-\d{2}-\d{2}", cell.value):
                y, m, d = map(int, cell.value.split("-"))
                from datetime import date

                cell.value = (date(y, m, d) - date(1899, 12, 30)).days
                cell.number_format = "General"
    book.save(path)
    with zipfile.ZipFile(path) as z:
        parts = {n: z.read(n) for n in z.namelist()}
    parts["docProps/app.xml"] = re.sub(rb"<Application>[^<]*</Application>",
                                       "<Application>WPS 表格</Application>".encode(),
                                       parts["docProps/app.xml"])
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as z:
        for name, data in parts.items():
            z.writestr(name, data)


def test_wps_saved_workbook_validates(templates, tmp_path):
    data = filled_folder(templates, tmp_path)
    _as_wps(data / "results/a.xlsx")
    model = load_model(data, SETTINGS)
    assert model.problems.errors == 0, model.problems.frame().to_string()
    assert model["results"]["inspected_on"].dt.strftime("%Y-%m-%d").tolist() == \
        [r["inspected_on"] for r in base_rows()["results"]]


def test_csv_resaved_by_excel_as_gb18030_validates(templates, tmp_path):
    data = filled_folder(templates, tmp_path, "csv")
    path = data / "results/a.csv"
    path.write_bytes(path.read_bytes().decode("utf-8-sig").encode("gb18030"))
    model = load_model(data, SETTINGS)
    assert len(model.problems) == 0, model.problems.frame().to_string()
    assert set(model["results"]["entity_name"]) == {r["entity_name"] for r in base_rows()["results"]}


def test_templates_command(tmp_path):
    done = subprocess.run([str(BIN / "gongkai"), "templates", "--out", str(tmp_path / "t"),
                           "--format", "csv"], capture_output=True, text=True, cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert sorted(p.name for p in (tmp_path / "t").iterdir()) == \
        sorted(f"{t.source}.csv" for t in CONTRACT)


# --- init ---------------------------------------------------------------------------------


def test_init_asks_when_no_flags_are_given(tmp_path):
    answers = iter(["青禾县", "青禾县财政局、青禾县公安局", "", ""])
    got = prompt_answers(reader=lambda prompt: next(answers))
    assert got.region == "青禾县" and got.departments == ["青禾县财政局", "青禾县公安局"]
    assert got.base_path == "/"
    written = init_repository(tmp_path / "r", got)
    assert (tmp_path / "r/data/results/results.xlsx") in written
    assert "青禾县财政局、青禾县公安局" in (tmp_path / "r/content/pages/about.md").read_text("utf-8")


@pytest.mark.parametrize("answers, message", [
    (AgencyAnswers(region="", departments=["x"]), "地区"),
    (AgencyAnswers(region="x", departments=[]), "发布部门"),
    (AgencyAnswers(region="x", departments=["y"], site_url="www.x.cn"), "http"),
])
def test_init_rejects_incomplete_answers(tmp_path, answers, message):
    with pytest.raises(InitError, match=message):
        init_repository(tmp_path / "r", answers)


def test_init_repository_validates_at_once(tmp_path):
    init_repository(tmp_path / "r", AgencyAnswers(region="青禾县", departments=["青禾县财政局"]))
    model = load_model(tmp_path / "r/data", SETTINGS)
    assert model.problems.errors == 0
    assert set(model.problems.codes()) == {"W102"}  # blank templates: header only, no W103
