"""Downloadable datasets: CSV for spreadsheets, Parquet for analysis, the same rows in both.

CSV is UTF-8 with a byte-order mark and Chinese headers, so Excel and WPS open it
with the Chinese intact; lists are joined with "；". Cells a spreadsheet would take
for a formula are prefixed with an apostrophe in the CSV only (the Parquet keeps the
value). Parquet uses the English names and Arrow types (dates, integers, lists).
Results are also a Hive-partitioned Parquet dataset by year of inspection, and CSV
slices per task and per inspecting department back the "download" links on those
pages. Writer settings are fixed and no timestamp is written, so the same model
gives the same bytes.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.csv as pacsv
import pyarrow.parquet as pq

from .. import urls
from ..build.writer import FileInfo, write_file
from ..model import Model
from .files import remove_stale
from .schema import LIST_DELIMITER, DatasetSchema, from_contract, from_mapping, to_arrow

FOLDER = urls.DATA_FOLDER
CONTRACT_TABLES = ("items", "plans", "tasks", "strata", "results", "dispositions", "departments",
                   "inspectors", "population")
FIGURES_PREFIX = "figures_"  # computed tables share names with contract tables
BOM = b"\xef\xbb\xbf"
# a cell starting with one of these is a formula (or becomes one) in Excel, WPS and LibreOffice
FORMULA_START = r"^[=+\-@\t\r]"
PARQUET_OPTIONS = {"compression": "zstd", "compression_level": 3, "version": "2.6",
                   "use_dictionary": True, "write_statistics": True,
                   "row_group_size": 256 * 1024, "data_page_version": "1.0"}


@dataclass
class Dataset:
    """A table to publish: its schema and its rows (Arrow, English names, schema order)."""

    schema: DatasetSchema
    table: pa.Table
    kind: str = "contract"  # contract or figures
    files: dict[str, FileInfo] = field(default_factory=dict)  # format → file
    partitions: list[tuple[int, FileInfo]] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.schema.name

    @property
    def rows(self) -> int:
        return self.table.num_rows


# --- paths ------------------------------------------------------------------------------


def dataset_path(name: str, fmt: str) -> str:
    return f"{FOLDER}/{name}.{fmt}"


def partition_path(name: str, year: int) -> str:
    return f"{FOLDER}/{name}/year={int(year)}/part-0.parquet"


task_csv = urls.task_csv
department_csv = urls.department_csv


# --- building the datasets from the model ----------------------------------------------


def _sorted(table: pa.Table, keys: tuple[str, ...]) -> pa.Table:
    """Rows in primary-key order, so a re-ordered input file gives the same files."""
    keys = tuple(k for k in keys if k in table.column_names)
    if not keys or table.num_rows == 0:
        return table
    return table.take(pc.sort_indices(table, sort_keys=[(k, "ascending") for k in keys]))


def inspector_names(settings: dict) -> bool:
    """Whether inspectors are published by name (行政执法公示) or by certificate number only.

    ``GONGKAI_INSPECTOR_NAMES = False`` leaves the 姓名 column empty in every published
    file and page, for a department that publishes certificate numbers only.
    """
    return bool(settings.get("GONGKAI_INSPECTOR_NAMES", True))


def contract_datasets(model: Model) -> list[Dataset]:
    out = []
    for name in CONTRACT_TABLES:
        schema = from_contract(model.contract[name])
        table = model.arrow(name)
        if name == "inspectors" and not inspector_names(model.settings):
            table = table.set_column(table.column_names.index("name"), "name",
                                     pa.nulls(table.num_rows, pa.string()))
        assert table.column_names == schema.names, (name, table.column_names)
        out.append(Dataset(schema, _sorted(table, schema.primary_key)))
    return out


def figure_datasets(model: Model) -> list[Dataset]:
    """The computed compliance figures, one dataset per table of ``rules/figures.toml``."""
    from ..rules import figures, figures_schema

    schemas = figures_schema()
    out = []
    for name, frame in figures(model).tables().items():
        schema = from_mapping(f"{FIGURES_PREFIX}{name}", schemas[name])
        out.append(Dataset(schema, _sorted(to_arrow(schema, frame), schema.primary_key),
                           kind="figures"))
    return out


def all_datasets(model: Model) -> list[Dataset]:
    """Every published table: the contract tables, then the computed figures."""
    return contract_datasets(model) + figure_datasets(model)


# --- serialising ------------------------------------------------------------------------


def neutralize(column: pa.ChunkedArray | pa.Array) -> pa.ChunkedArray | pa.Array:
    """Prefix an apostrophe to text a spreadsheet would evaluate as a formula."""
    risky = pc.fill_null(pc.match_substring_regex(column, FORMULA_START), False)
    if not pc.any(risky).as_py():
        return column
    return pc.if_else(risky, pc.binary_join_element_wise("'", column, ""), column)


def csv_table(schema: DatasetSchema, table: pa.Table) -> pa.Table:
    """The table as it goes into CSV: Chinese headers, lists joined, formulas neutralized."""
    columns = []
    for c, column in zip(schema.columns, table.columns, strict=True):
        if c.kind == "list":
            column = pc.binary_join(column, LIST_DELIMITER)
        if c.kind in ("string", "list"):
            column = neutralize(column)
        columns.append(column)
    return pa.Table.from_arrays(columns, names=schema.titles)


def csv_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pacsv.write_csv(table, sink, pacsv.WriteOptions(include_header=True, batch_size=65536,
                                                    quoting_style="needed"))
    return BOM + sink.getvalue().to_pybytes()


def parquet_table(schema: DatasetSchema, table: pa.Table) -> pa.Table:
    """English names and Arrow types; each field carries its Chinese title and description."""
    fields = [pa.field(c.name, c.arrow_type, nullable=not c.required,
                       metadata={"title": c.title, "description": c.description})
              for c in schema.columns]
    meta = {"name": schema.name, "title": schema.title, "description": schema.description}
    return table.cast(pa.schema(fields, metadata=meta))


def parquet_bytes(table: pa.Table) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(table, sink, **PARQUET_OPTIONS)
    return sink.getvalue().to_pybytes()


def _slices(table: pa.Table, key: pa.ChunkedArray) -> list[tuple[str, pa.Table]]:
    """Contiguous runs of equal ``key`` values after sorting by it (stable)."""
    if table.num_rows == 0:
        return []
    if not pc.all(pc.greater_equal(key[1:], key[:-1])).as_py():  # results come sorted by task
        order = pc.sort_indices(key)
        table, key = table.take(order), key.take(order)
    frame = pd.Series(key.to_numpy(zero_copy_only=False))
    starts = (frame != frame.shift()).to_numpy().nonzero()[0].tolist() + [len(frame)]
    return [(str(frame.iat[a]), table.slice(a, b - a)) for a, b in zip(starts, starts[1:],
                                                                     strict=False)]


@dataclass
class Published:
    datasets: list[Dataset]
    files: list[FileInfo]  # every file written or kept under data/ (not the archive)
    task_files: dict[str, FileInfo]
    department_files: dict[str, FileInfo]
    removed: int = 0

    @property
    def written(self) -> int:
        return sum(f.written for f in self.files)


def write_datasets(datasets: list[Dataset], output: Path) -> Published:
    """Write every dataset, the results partitions and the per-task/department slices."""
    files: list[FileInfo] = []
    task_files: dict[str, FileInfo] = {}
    department_files: dict[str, FileInfo] = {}
    for ds in datasets:
        for_csv = csv_table(ds.schema, ds.table)
        ds.files["csv"] = write_file(output, dataset_path(ds.name, "csv"), csv_bytes(for_csv))
        typed = parquet_table(ds.schema, ds.table)
        ds.files["parquet"] = write_file(output, dataset_path(ds.name, "parquet"),
                                         parquet_bytes(typed))
        files += ds.files.values()
        if ds.name != "results":
            continue
        years = pc.year(typed["inspected_on"])
        for year in sorted(pc.unique(years).to_pylist()):
            part = typed.filter(pc.equal(years, year))
            info = write_file(output, partition_path(ds.name, year), parquet_bytes(part))
            ds.partitions.append((int(year), info))
            files.append(info)
        for task_id, rows in _slices(for_csv, ds.table["task_id"]):
            task_files[task_id] = write_file(output, task_csv(task_id), csv_bytes(rows))
        for dept, rows in _slices(for_csv, ds.table["inspecting_department"]):
            department_files[dept] = write_file(output, department_csv(dept), csv_bytes(rows))
    files += task_files.values()
    files += department_files.values()
    keep = {f.path for f in files}
    removed = sum(remove_stale(output, f"{FOLDER}/{sub}", keep)
                  for sub in ("tasks", "departments", "results"))
    return Published(datasets, files, task_files, department_files, removed)
