"""What changed between two versions of the data: ``gongkai diff``.

Rows are matched on each table's natural key from the contract (a result is the task,
the credit code and the item), never on line numbers, so re-sorting or splitting a file
is no change. Every value is compared as the text the site publishes (dates as
YYYY-MM-DD, lists joined, the canonical result words), so a date written 2026/3/1 in
one version and 2026-03-01 in the other is no change either. All of it is column-wise:
the two tables are merged once on their keys and each field compared as a whole column.

The comparison reads two validated models; a revision of a git repository is first
materialized into a temporary folder with ``git archive`` (see :func:`materialize`).
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from ..contract import Table
from ..model import Model
from ..model.plans import plan_versions
from ..validate.problems import Problems

RESULT_KEY = ("task_id", "uscc", "item_id")
SHOWN_CHANGES = 50  # per table in text and Markdown; JSON has all


class DiffError(Exception):
    """A revision or folder cannot be read (exit code 2, message in Chinese)."""


# --- published text ---------------------------------------------------------------------


def text_column(frame: pd.DataFrame, f) -> pa.Array:
    """One field as the text the site publishes ("" when empty), as an Arrow string array.

    Arrow's compute kernels do the formatting (dates, numbers), so a million rows never
    pass through Python one by one; only list columns are joined per row.
    """
    if f.type == "result" and "result_text" in frame:
        values = frame["result_text"]
    else:
        values = frame[f.name]
    if len(values) == 0:
        return pa.array([], type=pa.string())
    if pd.api.types.is_datetime64_any_dtype(values):
        # a few thousand distinct dates: format each once, then index
        codes, uniques = pd.factorize(values)
        text = pa.array([d.strftime("%Y-%m-%d") for d in uniques], type=pa.string())
        array = pa.DictionaryArray.from_arrays(
            pa.array(codes, mask=codes < 0, type=pa.int32()), text).cast(pa.string())
    elif f.type == "list" or (f.type == "result" and values.dtype == object
                              and isinstance(values.iloc[0], list | tuple | np.ndarray)):
        lists = pa.array(values.where(values.notna(), None), type=pa.list_(pa.string()),
                         from_pandas=True)
        array = pc.binary_join(lists, "；")
    else:
        array = pa.array(values, from_pandas=True)
        if not pa.types.is_string(array.type) and not pa.types.is_large_string(array.type):
            array = pc.cast(array, pa.string())
    return pc.fill_null(array, "").cast(pa.string())


def _file_text(files: pd.Series) -> pa.Array:
    if isinstance(files.dtype, pd.CategoricalDtype):  # the model's provenance column
        categories = pa.array(files.cat.categories.astype(str).to_numpy(dtype=object),
                              type=pa.string())
        codes = files.cat.codes.to_numpy()
        return pa.DictionaryArray.from_arrays(pa.array(codes, mask=codes < 0, type=pa.int32()),
                                              categories).cast(pa.string())
    return pa.array(files.astype(str).to_numpy(dtype=object), type=pa.string())


def text_table(table: Table, frame: pd.DataFrame) -> pa.Table:
    """Every contract field as published text, plus ``_file`` and ``_row`` (provenance)."""
    columns = [text_column(frame, f) for f in table.fields]
    files = _file_text(frame["_file"])
    rows = pa.array(frame["_row"].to_numpy(dtype=np.int64) if len(frame) else [],
                    type=pa.int64())
    return pa.Table.from_arrays([*columns, files, rows],
                                names=[f.name for f in table.fields] + ["_file", "_row"])


def natural_key(table: Table) -> list[str]:
    return list(table.primary_key) or [table.fields[0].name]


# --- the comparison ---------------------------------------------------------------------


@dataclass
class TableDiff:
    table: Table
    added: pd.DataFrame  # new rows (published text), with _file/_row of the new version
    removed: pd.DataFrame  # old rows, with _file/_row of the old version
    changed: pd.DataFrame  # one row per changed field: key..., field, old, new, _file, _row, _old
    changed_rows: int = 0

    @property
    def empty(self) -> bool:
        return not (len(self.added) or len(self.removed) or len(self.changed))


def _joined(text: pa.Table, names: list[str]) -> pa.Array:
    """Several text columns as one string per row (a separator no cell contains)."""
    if not names:
        return pa.array([""] * text.num_rows, type=pa.string())
    columns = [text.column(n).combine_chunks() for n in names]
    return pc.binary_join_element_wise(*columns, "\x1f") if len(columns) > 1 else columns[0]


def _occurrence(codes: np.ndarray) -> np.ndarray:
    """0 for the first row with a key, 1 for the second … (rows sharing a key pair up in order)."""
    if not len(codes) or np.bincount(codes).max() <= 1:  # every key once: the usual case
        return np.zeros(len(codes), dtype=np.int64)
    order = np.argsort(codes, kind="stable")
    ordered = codes[order]
    starts = np.r_[0, np.flatnonzero(ordered[1:] != ordered[:-1]) + 1]
    run_start = np.repeat(starts, np.diff(np.r_[starts, len(ordered)]))
    out = np.empty(len(codes), dtype=np.int64)
    out[order] = np.arange(len(codes)) - run_start
    return out


def _frame(text: pa.Table, index: np.ndarray) -> pd.DataFrame:
    return text.take(pa.array(index, type=pa.int64())).to_pandas()


def compare_table(table: Table, old: pd.DataFrame, new: pd.DataFrame) -> TableDiff:
    """Rows added, removed and changed, matched on the natural key (duplicates by order)."""
    return compare_text(table, text_table(table, old), text_table(table, new))


def compare_text(table: Table, a: pa.Table, b: pa.Table) -> TableDiff:
    """:func:`compare_table` on tables already turned into text by :func:`text_table`.

    Keys of both versions are dictionary-encoded together into integers and matched with
    a hash index; each row's non-key fields are joined into one string and compared as
    one column. Only rows that differ are ever turned into Python objects.
    """
    keys = natural_key(table)
    fields = [f.name for f in table.fields if f.name not in keys]
    both_keys = pa.chunked_array([_joined(a, keys), _joined(b, keys)], type=pa.string())
    codes = both_keys.combine_chunks().dictionary_encode().indices.to_numpy(
        zero_copy_only=False).astype(np.int64)
    old_codes, new_codes = codes[:a.num_rows], codes[a.num_rows:]
    old_occurrence, new_occurrence = _occurrence(old_codes), _occurrence(new_codes)
    width = int(max(old_occurrence.max(initial=0), new_occurrence.max(initial=0))) + 1
    old_id = old_codes * width + old_occurrence
    new_id = new_codes * width + new_occurrence
    size = (int(codes.max(initial=-1)) + 1) * width
    if size <= 4 * (len(codes) + 1):  # ids are small integers: a lookup array, no hashing
        slot = np.full(size, -1, dtype=np.int64)
        slot[new_id] = np.arange(len(new_id))
        position = slot[old_id]  # old row → new row, -1 if gone
    else:
        position = pd.Index(new_id).get_indexer(old_id)
    matched = position >= 0
    old_idx, new_idx = np.flatnonzero(matched), position[matched]
    old_values = _joined(a, fields).take(pa.array(old_idx, type=pa.int64()))
    new_values = _joined(b, fields).take(pa.array(new_idx, type=pa.int64()))
    differs = pc.not_equal(old_values, new_values).to_numpy(zero_copy_only=False) \
        if len(old_idx) else np.zeros(0, dtype=bool)
    seen = np.zeros(b.num_rows, dtype=bool)
    seen[new_idx] = True
    removed = _frame(a, np.flatnonzero(~matched))
    added = _frame(b, np.flatnonzero(~seen))
    c_old, c_new = old_idx[differs], new_idx[differs]
    pieces = []
    if len(c_old):
        before_rows, after_rows = _frame(a, c_old), _frame(b, c_new)
        for name in fields:
            before, after = before_rows[name].to_numpy(), after_rows[name].to_numpy()
            mask = before != after
            if mask.any():
                piece = after_rows.loc[mask, keys].copy()
                piece["field"] = name
                piece["old"] = before[mask]
                piece["new"] = after[mask]
                piece["_file"] = after_rows.loc[mask, "_file"].to_numpy()
                piece["_row"] = after_rows.loc[mask, "_row"].to_numpy()
                piece["_old"] = c_old[mask]
                pieces.append(piece)
    columns = keys + ["field", "old", "new", "_file", "_row", "_old"]
    changed = pd.concat(pieces, ignore_index=True) if pieces else pd.DataFrame(columns=columns)
    order = {name: i for i, name in enumerate(fields)}
    changed = changed.assign(_f=changed["field"].map(order)).sort_values(
        keys + ["_f"], kind="stable").drop(columns="_f").reset_index(drop=True)
    return TableDiff(table, added.sort_values(keys, kind="stable").reset_index(drop=True),
                     removed.sort_values(keys, kind="stable").reset_index(drop=True),
                     changed, int(len(c_old)))


def published_changes(diff: TableDiff, old: pa.Table) -> pd.DataFrame:
    """Results public in the old version that are gone (retracted) or changed (corrected).

    ``old`` is the old results table as text. Columns: kind (retracted / corrected),
    task_id, uscc, item_id, entity_name, field, old, new, old_published_on, _file, _row
    (the old place of a retracted record, the new place of a corrected one).
    """
    columns = ["kind", *RESULT_KEY, "entity_name", "field", "old", "new", "old_published_on",
               "_file", "_row"]
    removed = diff.removed[diff.removed["published_on"] != ""]
    retracted = pd.DataFrame({
        "kind": "retracted",
        **{k: removed[k].to_numpy() for k in RESULT_KEY},
        "entity_name": removed["entity_name"].to_numpy(),
        "field": None,
        "old": removed["result"].to_numpy(),
        "new": None,
        "old_published_on": removed["published_on"].to_numpy(),
        "_file": removed["_file"].to_numpy(),
        "_row": removed["_row"].to_numpy(),
    }, columns=columns)
    changed = diff.changed
    index = changed["_old"].to_numpy(dtype=np.int64)
    old_rows = _frame(old, index) if len(index) else pd.DataFrame(
        {"published_on": [], "entity_name": []})
    public = (old_rows["published_on"] != "").to_numpy()
    rows, info = changed[public], old_rows[public]
    corrected = pd.DataFrame({
        "kind": "corrected",
        **{k: rows[k].to_numpy() for k in RESULT_KEY},
        "entity_name": info["entity_name"].to_numpy(),
        "field": rows["field"].to_numpy(),
        "old": rows["old"].to_numpy(),
        "new": rows["new"].to_numpy(),
        "old_published_on": info["published_on"].to_numpy(),
        "_file": rows["_file"].to_numpy(),
        "_row": rows["_row"].to_numpy(),
    }, columns=columns)
    out = pd.concat([frame for frame in (retracted, corrected) if len(frame)] or [retracted],
                    ignore_index=True)
    out["_row"] = out["_row"].astype("Int64")
    return out.sort_values(list(RESULT_KEY), kind="stable").reset_index(drop=True)


@dataclass
class DataDiff:
    """Everything ``gongkai diff`` reports, as tables."""

    source: str
    target: str
    tables: dict[str, TableDiff]
    published: pd.DataFrame  # retractions and corrections of public results
    newly_published: pd.DataFrame
    plan_versions: pd.DataFrame
    compliance: pd.DataFrame | None
    files_removed: pd.DataFrame
    files_added: pd.DataFrame
    old_errors: int
    new_problems: pd.DataFrame
    notes: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return any(not d.empty for d in self.tables.values()) or bool(len(self.files_removed))


def _files(model: Model) -> pd.Series:
    """Valid rows per data file (files that exist but hold no valid row count 0)."""
    counts: dict[str, int] = {}
    for frame in model.tables.values():
        if len(frame):
            for name, n in frame["_file"].value_counts(sort=False).items():
                counts[str(name)] = counts.get(str(name), 0) + int(n)
    for path in sorted(Path(model.data_dir).rglob("*")):
        if path.is_file() and path.suffix.lower() in (".csv", ".xlsx") and \
                not path.name.startswith((".", "~$")):
            counts.setdefault(path.relative_to(model.data_dir).as_posix(), 0)
    return pd.Series(counts, dtype=np.int64).sort_index()


@dataclass
class Side:
    """What the comparison needs of one version: every table as published text, and a few
    small summaries. Made where the version was loaded, so two versions can be loaded in
    two processes and only this (Arrow tables, cheap to hand over) crosses between them."""

    text: dict[str, pa.Table]
    plan_versions: pd.DataFrame
    files: pd.Series
    errors: int
    problems: pd.DataFrame | None  # the located problems (only the new version's are shown)
    as_of: Any = None
    process: int = 0  # the process that loaded it


def side_of(model: Model, problems: bool = True) -> Side:
    return Side({t.name: text_table(t, model[t.name]) for t in model.contract},
                plan_versions(model["plans"]), _files(model), model.problems.errors,
                model.problems.frame() if problems else None, model.as_of, os.getpid())


# tables whose rows decide a task's 公示状态, and the column naming the task
TASK_TABLES = {"tasks": "task_id", "results": "task_id", "dispositions": "task_id",
               "strata": "task_id"}


def _affected_tasks(tables: dict[str, TableDiff]) -> set[str]:
    affected: set[str] = set()
    for name, column in TASK_TABLES.items():
        d = tables[name]
        for frame in (d.added, d.removed, d.changed):
            if len(frame):
                affected.update(frame[column].astype(str))
    return affected


def _only_tasks(model: Model, tasks: set[str]) -> Model:
    """The model restricted to some tasks, its 'as of' date pinned to the whole model's."""
    tables = dict(model.tables)
    for name, column in TASK_TABLES.items():
        frame = tables[name]
        values = frame[column]
        if not isinstance(values.dtype, pd.StringDtype):  # Arrow strings are matched as they are
            values = values.astype(str)
        tables[name] = frame[values.isin(tasks).to_numpy(dtype=bool)].reset_index(drop=True)
    as_of = model.as_of
    settings = dict(model.settings, GONGKAI_AS_OF=as_of.isoformat() if as_of else None)
    return Model(model.contract, settings, model.data_dir, tables, Problems(), model.summary)


def task_statuses(model: Model, tasks: set[str] | None) -> pd.DataFrame:
    """公示状态 per task (task_id, status) from the rules module, of some tasks or all."""
    from ..rules import figures

    if tasks is not None:
        model = _only_tasks(model, tasks)
    return figures(model).tasks[["task_id", "status"]]


def status_failure(exc: Exception) -> str:
    return f"任务公示状态的变化未计算：{type(exc).__name__}: {exc}"


# given the affected tasks (None: all), each version's statuses, or a note why there are none
Statuses = Callable[[set[str] | None], tuple[pd.DataFrame, pd.DataFrame] | str]


def model_statuses(old: Model, new: Model) -> Statuses:
    def statuses(tasks: set[str] | None) -> tuple[pd.DataFrame, pd.DataFrame] | str:
        try:
            return task_statuses(old, tasks), task_statuses(new, tasks)
        except Exception as exc:  # noqa: BLE001 - a rule failing on old data must not hide the diff
            return status_failure(exc)
    return statuses


def _rules_available() -> bool:
    try:
        from ..rules import figures  # noqa: F401
    except ImportError:
        return False
    return True


def compliance_changes(old: Side, new: Side, statuses: Statuses,
                       tables: dict[str, TableDiff] | None = None
                       ) -> tuple[pd.DataFrame | None, str]:
    """Tasks whose 公示状态 (on time, late, overdue, pending) differs between the versions.

    The status comes from the rules module (computed there, never here). A task's status
    depends on its own rows, the working-day calendar and the "as of" date; when the last
    two are the same in both versions only the tasks whose rows changed are computed.
    """
    if not _rules_available():
        return None, "任务公示状态的变化未计算：本版本没有合规规则模块。"
    affected = None
    if tables is not None and old.as_of == new.as_of and tables["calendar"].empty:
        affected = _affected_tasks(tables)
    found = statuses(affected)
    if isinstance(found, str):
        return None, found
    before, after = found
    merged = before.merge(after, on="task_id", how="outer", suffixes=("_old", "_new"))
    old_s = merged["status_old"].astype(object).where(merged["status_old"].notna(), "")
    new_s = merged["status_new"].astype(object).where(merged["status_new"].notna(), "")
    differs = (old_s != new_s).to_numpy()
    out = pd.DataFrame({"task_id": merged["task_id"].astype(str).to_numpy()[differs],
                        "old": old_s.to_numpy()[differs].astype(str),
                        "new": new_s.to_numpy()[differs].astype(str)})
    return out.sort_values("task_id", kind="stable").reset_index(drop=True), ""


def compare_models(old: Model, new: Model, source: str = "", target: str = "") -> DataDiff:
    """Compare two validated models table by table."""
    return compare_sides(side_of(old, problems=False), side_of(new), model_statuses(old, new),
                         source, target)


def compare_sides(old: Side, new: Side, statuses: Statuses, source: str = "",
                  target: str = "") -> DataDiff:
    """Compare two versions, each already turned into published text by :func:`side_of`."""
    from ..contract import load_contract

    tables = {}
    for table in load_contract():
        tables[table.name] = compare_text(table, old.text[table.name], new.text[table.name])
    results = tables["results"]
    published = published_changes(results, old.text["results"])

    added = results.added[results.added["published_on"] != ""]
    first_publication = results.changed[(results.changed["field"] == "published_on")
                                        & (results.changed["old"] == "")]
    newly = pd.concat([added[list(RESULT_KEY) + ["published_on"]],
                       first_publication[list(RESULT_KEY)].assign(
                           published_on=first_publication["new"].to_numpy())],
                      ignore_index=True).sort_values(list(RESULT_KEY), kind="stable")

    before, after = old.plan_versions, new.plan_versions
    if len(after):
        seen = before[["plan_id", "version"]].astype(str).agg("\0".join, axis=1) \
            if len(before) else pd.Series([], dtype=object)
        key = after[["plan_id", "version"]].astype(str).agg("\0".join, axis=1)
        versions = after[~key.isin(set(seen))]
    else:
        versions = after
    versions = versions[["plan_id", "version", "plan_name", "published_on",
                         "adjustment_note", "tasks"]].reset_index(drop=True)

    old_files, new_files = old.files, new.files
    gone = old_files.index.difference(new_files.index)
    came = new_files.index.difference(old_files.index)
    files_removed = pd.DataFrame({"file": gone, "rows": old_files[gone].to_numpy()})
    files_added = pd.DataFrame({"file": came, "rows": new_files[came].to_numpy()})
    problems = new.problems if new.problems is not None else pd.DataFrame(
        columns=["severity", "code", "file", "row", "column", "value", "message"])
    compliance, note = compliance_changes(old, new, statuses, tables)
    notes = [note] if note else []
    return DataDiff(source, target, tables, published, newly.reset_index(drop=True), versions,
                    compliance, files_removed, files_added, old.errors, problems, notes)


# --- reports ----------------------------------------------------------------------------


def _key_text(row: dict, keys: list[str], table: Table) -> str:
    return "，".join(f"{table.field(k).title} {row[k]}" for k in keys)


def _problem_lines(diff: DataDiff, limit: int = 20) -> list[str]:
    from ..validate.report import SEVERITY_LABEL, _where

    lines = []
    errors = diff.new_problems[diff.new_problems["severity"] == "error"]
    for _, row in errors.head(limit).iterrows():
        lines.append(f"[{SEVERITY_LABEL[row['severity']]} {row['code']}] {row['file'] or '数据目录'} "
                     f"{_where(row)}：{row['message']}")
    if len(errors) > limit:
        lines.append(f"……另有 {len(errors) - limit} 个错误（运行 gongkai validate 查看全部）")
    return lines


KIND_LABELS = {"retracted": "撤回", "corrected": "更正"}


def published_lines(diff: DataDiff, contract_results: Table, limit: int = SHOWN_CHANGES) -> list[str]:
    """Located lines for every retraction or correction of a public result, and deleted files."""
    lines = []
    for row in diff.files_removed.to_dict("records"):
        lines.append(f"文件被删除：{row['file']}（上一版本中有 {row['rows']} 行有效数据）。"
                     "如果是误删，请恢复该文件。")
    shown = diff.published.head(limit)
    for row in shown.to_dict("records"):
        where = f"{row['_file']} 第 {row['_row']} 行"
        who = f"任务 {row['task_id']}，{row['entity_name'] or ''}（{row['uscc']}），事项 {row['item_id']}"
        if row["kind"] == "retracted":
            lines.append(f"撤回：{who}：已于 {row['old_published_on']} 公示的结果“{row['old']}”"
                         f"在新数据中不存在（原位置 {where}）。")
        else:
            title = contract_results.field(row["field"]).title
            lines.append(f"更正：{who}：“{title}”由“{row['old']}”改为“{row['new']}”"
                         f"（已于 {row['old_published_on']} 公示；新位置 {where}）。")
    if len(diff.published) > limit:
        lines.append(f"……另有 {len(diff.published) - limit} 条（用 --format json 查看全部）")
    return lines


def as_text(diff: DataDiff, contract) -> str:
    lines = [f"数据变化：{diff.source} → {diff.target}", ""]
    for name, d in diff.tables.items():
        t = d.table
        lines.append(f"{t.title}（{name}）：新增 {len(d.added)} 行，修改 {d.changed_rows} 行，"
                     f"删除 {len(d.removed)} 行")
        keys = natural_key(t)
        for row in d.added.head(SHOWN_CHANGES).to_dict("records"):
            lines.append(f"  + {_key_text(row, keys, t)}（{row['_file']} 第 {row['_row']} 行）")
        for row in d.removed.head(SHOWN_CHANGES).to_dict("records"):
            lines.append(f"  - {_key_text(row, keys, t)}（原 {row['_file']} 第 {row['_row']} 行）")
        for row in d.changed.head(SHOWN_CHANGES).to_dict("records"):
            lines.append(f"  ~ {_key_text(row, keys, t)}：{t.field(row['field']).title} "
                         f"“{row['old']}” → “{row['new']}”（{row['_file']} 第 {row['_row']} 行）")
        hidden = max(0, len(d.added) - SHOWN_CHANGES) + max(0, len(d.removed) - SHOWN_CHANGES) \
            + max(0, len(d.changed) - SHOWN_CHANGES)
        if hidden:
            lines.append(f"  ……另有 {hidden} 处变化未列出（用 --format json 查看全部）")
    lines.append("")
    pub = published_lines(diff, contract["results"])
    lines.append(f"已公示结果的撤回和更正：{len(diff.published)} 条"
                 + ("" if not pub else "（将在“更新记录”页面公开）"))
    lines += [f"  {line}" for line in pub]
    lines.append(f"新公示的结果：{len(diff.newly_published)} 条")
    for task, n in diff.newly_published.groupby("task_id", sort=True).size().items():
        lines.append(f"  任务 {task}：{n} 条")
    lines.append(f"新增的计划版本：{len(diff.plan_versions)} 个")
    for row in diff.plan_versions.to_dict("records"):
        note = row["adjustment_note"] if isinstance(row["adjustment_note"], str) else ""
        lines.append(f"  {row['plan_id']} 第 {row['version']} 版（{_date(row['published_on'])}）"
                     + (f"：{note}" if note else ""))
    if diff.compliance is not None:
        lines.append(f"公示时限状态变化的任务：{len(diff.compliance)} 个")
        for row in diff.compliance.to_dict("records"):
            lines.append(f"  任务 {row['task_id']}：{row['old'] or '—'} → {row['new'] or '—'}")
    for row in diff.files_added.to_dict("records"):
        lines.append(f"新文件：{row['file']}（{row['rows']} 行有效数据）")
    lines += diff.notes
    problems = _problem_lines(diff)
    if problems:
        lines.append("")
        lines.append(f"注意：新数据有 {int((diff.new_problems['severity'] == 'error').sum())} 个错误，"
                     "有错误的行未参与比较：")
        lines += [f"  {p}" for p in problems]
    return "\n".join(lines)


def _date(value: Any) -> str:
    return value.strftime("%Y-%m-%d") if isinstance(value, pd.Timestamp) else str(value or "")


def _md(text: Any) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def as_markdown(diff: DataDiff, contract) -> str:
    lines = [f"## 数据变化：{_md(diff.source)} → {_md(diff.target)}", "",
             "| 表 | 新增 | 修改 | 删除 |", "|---|---:|---:|---:|"]
    for name, d in diff.tables.items():
        lines.append(f"| {d.table.title}（{name}） | {len(d.added)} | {d.changed_rows} | "
                     f"{len(d.removed)} |")
    lines.append("")
    pub = published_lines(diff, contract["results"])
    lines.append(f"### 已公示结果的撤回和更正：{len(diff.published)} 条")
    lines += [f"- {_md(line)}" for line in pub] or ["无。"]
    lines.append("")
    for d in diff.tables.values():
        if not len(d.changed):
            continue
        keys = natural_key(d.table)
        lines += [f"### {d.table.title}：修改的字段", "",
                  "| 记录 | 字段 | 原值 | 新值 | 位置 |", "|---|---|---|---|---|"]
        for row in d.changed.head(SHOWN_CHANGES).to_dict("records"):
            lines.append(f"| {_md(_key_text(row, keys, d.table))} | {d.table.field(row['field']).title}"
                         f" | {_md(row['old'])} | {_md(row['new'])} | {_md(row['_file'])} 第 "
                         f"{row['_row']} 行 |")
        lines.append("")
    lines.append(f"### 新公示的结果：{len(diff.newly_published)} 条")
    for task, n in diff.newly_published.groupby("task_id", sort=True).size().items():
        lines.append(f"- 任务 {_md(task)}：{n} 条")
    lines += ["", f"### 新增的计划版本：{len(diff.plan_versions)} 个"]
    for row in diff.plan_versions.to_dict("records"):
        note = row["adjustment_note"] if isinstance(row["adjustment_note"], str) else ""
        lines.append(f"- {_md(row['plan_id'])} 第 {row['version']} 版（{_date(row['published_on'])}）"
                     + (f"：{_md(note)}" if note else ""))
    if diff.compliance is not None:
        lines += ["", f"### 公示时限状态变化的任务：{len(diff.compliance)} 个"]
        for row in diff.compliance.to_dict("records"):
            lines.append(f"- 任务 {_md(row['task_id'])}：{_md(row['old']) or '—'} → {_md(row['new']) or '—'}")
    if diff.notes:
        lines += [""] + [f"> {_md(n)}" for n in diff.notes]
    problems = _problem_lines(diff)
    if problems:
        lines += ["", "### 新数据的错误（有错误的行未参与比较）"] + [f"- {_md(p)}" for p in problems]
    return "\n".join(lines) + "\n"


def _records(frame: pd.DataFrame) -> list[dict]:
    out = frame.drop(columns=[c for c in ("_old",) if c in frame])
    out = out.astype(object).where(out.notna(), None)
    rows = out.to_dict("records")
    for row in rows:
        for k, v in row.items():
            if isinstance(v, pd.Timestamp):
                row[k] = v.strftime("%Y-%m-%d")
            elif isinstance(v, np.integer):
                row[k] = int(v)
    return rows


def as_json(diff: DataDiff) -> str:
    data = {
        "from": diff.source, "to": diff.target,
        "tables": {name: {"added": _records(d.added), "removed": _records(d.removed),
                          "changed": _records(d.changed)} for name, d in diff.tables.items()},
        "published_changes": _records(diff.published),
        "newly_published": _records(diff.newly_published),
        "plan_versions_added": _records(diff.plan_versions),
        "compliance_changes": None if diff.compliance is None else _records(diff.compliance),
        "files_removed": _records(diff.files_removed),
        "files_added": _records(diff.files_added),
        "new_errors": _records(diff.new_problems[diff.new_problems["severity"] == "error"]),
        "notes": diff.notes,
    }
    return json.dumps(data, ensure_ascii=False, indent=2)
