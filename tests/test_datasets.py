"""Every dataset read back with pyarrow, DuckDB and as text, and compared with the model."""

from __future__ import annotations

import csv
import hashlib
import io
import os
from datetime import date
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq
import pytest
from helpers import GOV, TASK_LH, DataFolder
from publishing import TEMPLATES, published

from generator.publish import archive, datasets
from generator.publish.build import STATE, publish
from generator.publish.schema import LIST_DELIMITER, from_contract
from generator.rules import figures, figures_schema

CONTRACT_TABLES = datasets.CONTRACT_TABLES
RISKY = ("=", "+", "-", "@", "\t", "\r")


@pytest.fixture(scope="module")
def site():
    return published()


def rows_of(table: pa.Table) -> list[tuple]:
    """Rows as sorted tuples (order-free comparison; lists as tuples)."""
    out = []
    for row in table.to_pylist():
        out.append(tuple((k, tuple(v) if isinstance(v, list) else v) for k, v in row.items()))
    return sorted(out, key=repr)


def cell(value) -> str:
    """How a model value is written in CSV (before formula neutralizing)."""
    if value is None:
        return ""
    if isinstance(value, list):
        return LIST_DELIMITER.join(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, float):
        return repr(value)
    return str(value)


def csv_rows(path: Path) -> tuple[list[str], list[list[str]]]:
    text = path.read_bytes().decode("utf-8")
    assert text.startswith("\ufeff"), "CSV must start with a UTF-8 byte-order mark"
    reader = csv.reader(io.StringIO(text[1:], newline=""))
    header = next(reader)
    return header, list(reader)


@pytest.mark.parametrize("name", CONTRACT_TABLES)
def test_parquet_equals_model(site, name):
    out, model, _ = site
    table = pq.read_table(out / datasets.dataset_path(name, "parquet"))
    expected = model.arrow(name)
    assert table.column_names == expected.column_names
    assert table.num_rows == len(model[name])
    for f in model.contract[name].fields:
        want = {"date": pa.date32(), "integer": pa.int64(), "list": pa.list_(pa.string()),
                "result": pa.list_(pa.string())}.get(f.type, pa.string())
        assert table.schema.field(f.name).type == want, f.name
    assert rows_of(table) == rows_of(expected)


@pytest.mark.parametrize("name", CONTRACT_TABLES)
def test_duckdb_reads_the_same_rows(site, name):
    out, model, _ = site
    path = out / datasets.dataset_path(name, "parquet")
    con = duckdb.connect()
    got = con.execute(f"SELECT * FROM read_parquet('{path}')").to_arrow_table()
    assert got.num_rows == len(model[name])
    expected = model.arrow(name)
    assert rows_of(got.cast(expected.schema)) == rows_of(expected)


def test_results_partitioned_by_year_for_duckdb(site):
    out, model, _ = site
    results = model["results"]
    pattern = out / "data" / "results" / "*" / "*.parquet"
    con = duckdb.connect()
    counts = dict(con.execute(
        f"SELECT year, count(*) FROM read_parquet('{pattern}', hive_partitioning = true) "
        "GROUP BY year").fetchall())
    expected = results["inspected_on"].dt.year.value_counts().to_dict()
    assert {int(k): v for k, v in counts.items()} == {int(k): v for k, v in expected.items()}
    got = con.execute(f"SELECT * EXCLUDE (year) FROM read_parquet('{pattern}', "
                      "hive_partitioning = true)").to_arrow_table()
    assert rows_of(got.cast(model.arrow("results").schema)) == rows_of(model.arrow("results"))
    assert len(list((out / "data" / "results").glob("year=*/part-0.parquet"))) == len(expected)


@pytest.mark.parametrize("name", CONTRACT_TABLES)
def test_csv_is_utf8_bom_with_chinese_headers_and_model_values(site, name):
    out, model, _ = site
    header, rows = csv_rows(out / datasets.dataset_path(name, "csv"))
    schema = from_contract(model.contract[name])
    assert header == schema.titles
    assert header[0] == model.contract[name].fields[0].title  # Chinese, intact
    expected = []
    for row in model.arrow(name).to_pylist():
        cells = []
        for value in row.values():
            text = cell(value)
            cells.append("'" + text if text.startswith(RISKY) else text)
        expected.append(cells)
    assert sorted(rows) == sorted(expected)


def test_csv_opens_as_text_in_any_utf8_reader(site):
    out, model, _ = site
    with open(out / datasets.dataset_path("results", "csv"), encoding="utf-8-sig") as fh:
        first = fh.readline()
    assert "统一社会信用代码" in first and "检查结果" in first
    raw = (out / datasets.dataset_path("results", "csv")).read_bytes()
    assert raw[:3] == b"\xef\xbb\xbf"
    raw.decode("utf-8")  # strictly UTF-8, never GBK


def test_formula_cells_neutralized_in_csv_only(tmp_path):
    folder = DataFolder(tmp_path / "src")
    notes = ["=HYPERLINK(\"http://x\",\"y\")", "+86 123", "-1", "@SUM(A1)", "正常"]
    for i, note in enumerate(notes):
        folder.spare("results", i + 1, note=note)
    model = folder.load()
    assert model.ok
    out = tmp_path / "out"
    publish(model, {"SITENAME": "t"}, out)
    header, rows = csv_rows(out / datasets.dataset_path("results", "csv"))
    column = header.index(model.contract["results"].field("note").title)
    written = {r[column] for r in rows}
    for note in notes[:-1]:
        assert "'" + note in written, note
    assert "正常" in written
    parquet = set(pq.read_table(out / datasets.dataset_path("results", "parquet"))["note"]
                  .to_pylist())
    assert set(notes[:4]) <= parquet
    assert not {n for n in written if n and n[0] in "=+-@\t\r"}


def test_neutralize_covers_tab_and_carriage_return():
    # ingest trims values, so tabs and carriage returns only lead a cell in computed text
    column = pa.array(["\tx", "\rx", "a=b", None, "-", "正常"])
    assert datasets.neutralize(column).to_pylist() == ["'\tx", "'\rx", "a=b", None, "'-", "正常"]


def test_task_and_department_slices_hold_exactly_their_rows(site):
    out, model, result = site
    results = model["results"]
    header, all_rows = csv_rows(out / datasets.dataset_path("results", "csv"))
    task_col = header.index(model.contract["results"].field("task_id").title)
    dept_col = header.index(model.contract["results"].field("inspecting_department").title)
    assert set(result.datasets[0].schema.names)  # schemas are there
    union = []
    for task_id in results["task_id"].astype(str).unique():
        h, rows = csv_rows(out / datasets.task_csv(task_id))
        assert h == header
        assert {r[task_col] for r in rows} == {task_id}
        assert len(rows) == int((results["task_id"] == task_id).sum())
        union += rows
    assert sorted(union) == sorted(all_rows)
    for dept in results["inspecting_department"].astype(str).unique():
        _, rows = csv_rows(out / datasets.department_csv(dept))
        assert {r[dept_col] for r in rows} == {dept}
        assert len(rows) == int((results["inspecting_department"] == dept).sum())


def test_computed_figures_published_with_their_schema(site):
    out, model, result = site
    computed = [d for d in result.datasets if d.kind != "contract"]
    assert computed
    for ds in computed:
        header, rows = csv_rows(out / ds.files["csv"].path)
        assert header == ds.schema.titles
        table = pq.read_table(out / ds.files["parquet"].path)
        assert table.column_names == ds.schema.names and len(rows) == table.num_rows
    tables = figures(model).tables()
    assert [d.name for d in computed] == [datasets.FIGURES_PREFIX + n for n in tables]
    for (name, frame), ds in zip(tables.items(), computed, strict=True):
        assert ds.rows == len(frame)
        assert [c for c in ds.schema.names] == [c["name"] for c in figures_schema()[name]["columns"]]


def test_checksums_and_sizes_match_the_files(site):
    out, _, result = site
    sums = (out / "data" / "SHA256SUMS").read_text(encoding="utf-8").splitlines()
    assert len(sums) >= len(result.datasets) * 2
    for line in sums:
        digest, rel = line.split("  ", 1)
        assert hashlib.sha256((out / "data" / rel).read_bytes()).hexdigest() == digest, rel


def test_rebuild_rewrites_nothing_and_is_byte_identical(site, tmp_path):
    out, model, _ = site
    settings = {"SITENAME": "双随机、一公开信息公示", "GONGKAI_FEED_ENTRIES": 10_000}
    first = tmp_path / "a"
    publish(model, settings, first, [TEMPLATES])
    stamps = {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()}
    again = publish(model, settings, first, [TEMPLATES])
    assert again.skipped and again.written == 0  # nothing it depends on changed
    (first / STATE).unlink()  # compare every file's bytes instead
    again = publish(model, settings, first, [TEMPLATES])
    assert not again.skipped and again.written == 0 and again.files
    del stamps[first / STATE]
    assert stamps == {p: p.stat().st_mtime_ns for p in first.rglob("*") if p.is_file()
                      and p.name != STATE}
    changed = publish(model, dict(settings, GONGKAI_FEED_ENTRIES=5), first, [TEMPLATES])
    assert not changed.skipped and changed.written > 0
    publish(model, settings, first, [TEMPLATES])
    second = tmp_path / "b"
    publish(model, settings, second, [TEMPLATES])

    def tree(root: Path) -> dict[str, str]:
        return {p.relative_to(root).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
                for p in root.rglob("*") if p.is_file()}
    assert tree(first) == tree(second)


def test_removed_task_loses_its_slice(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    publish(folder.load(), {}, out)
    target = out / datasets.task_csv(TASK_LH)
    assert target.is_file() and (out / datasets.department_csv(GOV)).is_file()
    folder.rows["results"] = [r for r in folder.rows["results"] if r["task_id"] != TASK_LH]
    folder.rows["dispositions"] = [r for r in folder.rows["dispositions"]
                                   if r["task_id"] != TASK_LH]
    model = folder.load()
    assert model.ok
    publish(model, {}, out)
    assert not target.exists()


def test_archive_keeps_dated_snapshots_with_their_old_bytes(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    first = publish(folder.load(), {"GONGKAI_ARCHIVE_KEEP": 2}, out)
    day = first.archive_days[0]
    old = (out / "data" / "archive" / day / "results.csv").read_bytes()
    assert old == (out / "data" / "results.csv").read_bytes()
    # a later event moves the data date: a second snapshot, the first keeps its bytes
    folder.edit("dispositions", 0, recorded_on="2026-12-30")
    second = publish(folder.load(), {"GONGKAI_ARCHIVE_KEEP": 2}, out)
    assert second.archive_days == ["2026-12-30", day]
    assert (out / "data" / "archive" / day / "results.csv").read_bytes() == old
    snap = out / "data" / "archive" / "2026-12-30"
    assert os.path.samefile(snap / "results.csv", out / "data" / "results.csv")
    assert (snap / "datapackage.json").is_file()
    # retention: only the newest two dates stay
    folder.edit("dispositions", 0, recorded_on="2026-12-31")
    third = publish(folder.load(), {"GONGKAI_ARCHIVE_KEEP": 2}, out)
    assert third.archive_days == ["2026-12-31", "2026-12-30"]
    assert not (out / "data" / "archive" / day).exists()


def test_archive_carried_over_from_previous_output(tmp_path):
    folder = DataFolder(tmp_path / "src")
    old, new = tmp_path / "old", tmp_path / "new"
    first = publish(folder.load(), {"GONGKAI_ARCHIVE_KEEP": 5}, old)
    (old / archive.ARCHIVE / "2020-01-01").mkdir(parents=True)
    (old / archive.ARCHIVE / "2020-01-01" / "results.csv").write_bytes(b"old")
    result = publish(folder.load(), {"GONGKAI_ARCHIVE_KEEP": 5}, new, previous=old)
    assert result.archive_days == [first.archive_days[0], "2020-01-01"]
    assert (new / archive.ARCHIVE / "2020-01-01" / "results.csv").read_bytes() == b"old"
