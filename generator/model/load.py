"""Building the model: discover → read → map headers → check fields → apply rules."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..contract import Table, load_contract
from ..ingest.discover import discover, relative
from ..ingest.headers import map_columns
from ..ingest.readers import read_file
from ..settings import load_settings
from ..trust.paths import check_paths
from ..trust.pii import public_numbers, scan_stage
from ..validate.fields import check_fields
from ..validate.problems import Problems
from ..validate.rules import TABLE_RULES
from ..validate.stage import Stage
from .model import Model, TableSummary


class DataFolderError(Exception):
    """The data folder itself cannot be read (missing, not a folder, no permission)."""


def _empty_raw(table: Table) -> pd.DataFrame:
    frame = pd.DataFrame({f.name: pd.Series(dtype=object) for f in table.fields})
    frame["_file"] = pd.Series(dtype=object)
    frame["_row"] = pd.Series(dtype=np.int64)
    return frame


def _stage_table(table: Table, paths: list[Path], data_dir: Path, problems: Problems
                 ) -> tuple[Stage, TableSummary]:
    summary = TableSummary()
    frames, written = [], {}
    longest: dict[str, int] = {}  # characters of each field's longest cell, over all files
    whole_file_rejects = 0
    for path in paths:
        rel = relative(path, data_dir)
        raw = read_file(path, rel, problems)
        if raw is None:
            continue
        broken = raw.extra.get("broken_rows", 0)
        summary.rows_read += broken
        summary.rows_rejected += broken
        mapped = map_columns(raw, table, problems)
        if mapped is None:
            whole_file_rejects += len(raw.cells)
            continue
        frame, written[rel] = mapped
        for name, length in frame.attrs.get("longest", {}).items():
            longest[name] = max(longest.get(name, 0), length)
        frame["_file"] = rel
        frame["_row"] = raw.rows
        frames.append(frame)
    raw_frame = (pd.concat(frames, ignore_index=True) if frames else _empty_raw(table))
    raw_frame.attrs = {}
    summary.rows_read += len(raw_frame) + whole_file_rejects
    summary.rows_rejected += whole_file_rejects
    return Stage(table, raw_frame, written, problems, longest=longest), summary


def _final(stage: Stage) -> pd.DataFrame:
    valid = stage.valid
    if valid.all() and stage.typed.index.equals(pd.RangeIndex(len(valid))):
        frame = stage.typed.copy(deep=False)  # columns are replaced below, never changed in place
    else:
        frame = stage.typed.loc[valid].reset_index(drop=True)
    for f in stage.table.fields:
        if f.type in {"text", "code", "enum", "uscc", "link", "ratio", "url", "phone"}:
            frame[f.name] = frame[f.name].astype("string[pyarrow]")
    frame["_file"] = frame["_file"].astype("category")
    frame["_row"] = frame["_row"].astype(np.int64)
    return frame


def load_model(data_dir: str | Path, settings: dict[str, Any] | None = None) -> Model:
    """Read and validate every table under ``data_dir``; the model holds only valid rows.

    Problems never raise: they are collected on ``model.problems``. Only a data folder
    that cannot be read at all raises :class:`DataFolderError`.
    """
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        raise DataFolderError(f"数据目录不存在或不是目录：{data_dir}")
    settings = settings if settings is not None else load_settings()
    contract = load_contract()
    problems = Problems()
    try:
        files = discover(data_dir, contract, problems)
    except OSError as exc:
        raise DataFolderError(f"无法读取数据目录 {data_dir}：{exc.strerror or exc}") from exc
    stages: dict[str, Stage] = {}
    summaries: dict[str, TableSummary] = {}
    for table in contract:
        if not files[table.name]:
            pattern = (f"{table.source}.csv 或 {table.source}.xlsx"
                       + (f"，或 {table.source}/ 目录中的文件" if table.multi_file else ""))
            if table.optional:
                if table.name == "plans":
                    problems.add("W106", None, None, None, "", title=table.title,
                                 pattern=pattern)
            else:
                problems.add("E109", None, None, None, "", title=table.title, pattern=pattern)
        stage, summary = _stage_table(table, files[table.name], data_dir, problems)
        check_fields(stage, settings)
        stages[table.name] = stage
        summaries[table.name] = summary
    # personal data never reaches the model unmasked; the departments' office telephones
    # (known once every table is read) are public
    public = public_numbers(stages.get("departments"))
    for stage in stages.values():
        scan_stage(stage, settings, public)
    for rule in TABLE_RULES.values():
        rule(stages)
    check_paths(stages)  # two identifiers never share one page
    tables = {}
    for name, stage in stages.items():
        summary = summaries[name]
        summary.rows_rejected += int(stage.rejected.sum())
        summary.rows_valid = int(stage.valid.sum())
        tables[name] = _final(stage)
    return Model(contract, settings, data_dir, tables, problems, summaries)
