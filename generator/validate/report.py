"""Validation reports: grouped text for people, JSON for machines, Markdown for CI summaries."""

from __future__ import annotations

import json
from typing import Any

import pandas as pd

from ..model import Model

SEVERITY_LABEL = {"error": "错误", "warning": "警告"}


def summary_dict(model: Model) -> dict[str, Any]:
    return {"tables": {name: s.as_dict() for name, s in model.summary.items()}}


def as_json(model: Model) -> str:
    frame = model.problems.frame()
    problems = [
        {k: (None if pd.isna(v) else (int(v) if k == "row" else v)) for k, v in rec.items()}
        for rec in frame.to_dict("records")
    ]
    return json.dumps({"problems": problems, "summary": summary_dict(model)},
                      ensure_ascii=False, indent=2)


def _where(row: pd.Series) -> str:
    parts = []
    if pd.notna(row["row"]):
        parts.append(f"第 {int(row['row'])} 行")
    if row["column"]:
        parts.append(f"“{row['column']}”列")
    if parts:
        return "，".join(parts)
    return "整个文件" if pd.notna(row["file"]) and row["file"] else "数据目录"


def _location(row: pd.Series) -> str:
    place = _where(row)
    file = row["file"] if pd.notna(row["file"]) and row["file"] else ""
    return f"{file} {place}" if file and place != "整个文件" else (file or place)


def grouped(frame: pd.DataFrame, severity: str, shown: int = 3) -> list[str]:
    """One entry per problem code: how many, the first message, the first few locations.

    A long report is read from the top; this says at a glance what kinds of problems
    there are and where each starts, in the order of the code catalogue.
    """
    picked = frame[frame["severity"] == severity]
    lines: list[str] = []
    label = SEVERITY_LABEL[severity]
    for code, group in sorted(picked.groupby("code", sort=False), key=lambda g: g[0]):
        first = group.iloc[0]
        lines.append(f"  [{label} {code}] {len(group)} 处：{first['message']}")
        places = "；".join(_location(r) for _, r in group.head(shown).iterrows())
        more = f"……等 {len(group)} 处" if len(group) > shown else ""
        lines.append(f"      {places}{more}")
    return lines


def warning_summary(model: Model, pointer: str) -> list[str]:
    """The grouped warnings as ``gongkai build`` prints them; empty when there are none.

    ``pointer`` says where the full report is (the command that prints it).
    """
    frame = model.problems.frame()
    lines = grouped(frame, "warning")
    if not lines:
        return []
    kinds = frame.loc[frame["severity"] == "warning", "code"].nunique()
    return [f"警告汇总：共 {model.problems.warnings} 个警告（{kinds} 种）：", *lines,
            f"完整报告：{pointer}"]


def as_text(model: Model, limit_per_file: int = 200) -> str:
    """Problems grouped by file, then a per-table count; long groups are cut with a count."""
    frame = model.problems.frame()
    lines: list[str] = []
    for file, group in frame.groupby(frame["file"].fillna("（数据目录）"), sort=True):
        errors = int((group["severity"] == "error").sum())
        warnings = len(group) - errors
        lines.append(f"{file}：{errors} 个错误，{warnings} 个警告")
        for _, row in group.head(limit_per_file).iterrows():
            label = SEVERITY_LABEL[row["severity"]]
            lines.append(f"  [{label} {row['code']}] {_where(row)}：{row['message']}")
        if len(group) > limit_per_file:
            lines.append(f"  ……另有 {len(group) - limit_per_file} 个问题未列出"
                         "（用 --format json 查看全部）")
        lines.append("")
    if len(frame):
        lines.append("按代码汇总（每种问题的数量和最先出现的位置）：")
        lines += grouped(frame, "error") + grouped(frame, "warning")
        lines.append("")
    lines.append("各表行数（读取 = 有效 + 未通过）：")
    for name, s in model.summary.items():
        title = model.contract[name].title
        lines.append(f"  {title}（{name}）：读取 {s.rows_read}，有效 {s.rows_valid}，"
                     f"未通过 {s.rows_rejected}")
    errors, warnings = model.problems.errors, model.problems.warnings
    verdict = "校验通过，可以发布。" if errors == 0 else "有错误，改正之前不能发布。"
    lines.append(f"合计：{errors} 个错误，{warnings} 个警告。{verdict}")
    return "\n".join(lines)


def _md_cell(text: object) -> str:
    return str(text if text is not None else "").replace("|", "\\|").replace("\n", " ")


def as_markdown(model: Model, limit: int = 200) -> str:
    """The text report as Markdown: a CI job summary or a merge-request comment."""
    frame = model.problems.frame()
    errors, warnings = model.problems.errors, model.problems.warnings
    verdict = "✅ 校验通过，可以发布。" if errors == 0 else "❌ 有错误，改正之前不能发布。"
    lines = ["## 数据校验报告", "", f"**{verdict}** 合计 {errors} 个错误，{warnings} 个警告。", ""]
    if len(frame):
        lines += ["| 级别 | 代码 | 文件 | 位置 | 说明 |", "|---|---|---|---|---|"]
        for _, row in frame.head(limit).iterrows():
            lines.append(f"| {SEVERITY_LABEL[row['severity']]} | {row['code']} | "
                         f"{_md_cell(row['file'] or '（数据目录）')} | {_md_cell(_where(row))} | "
                         f"{_md_cell(row['message'])} |")
        if len(frame) > limit:
            lines.append(f"\n……另有 {len(frame) - limit} 个问题未列出（用 --format json 查看全部）。")
        lines.append("")
    lines += ["| 表 | 读取 | 有效 | 未通过 |", "|---|---:|---:|---:|"]
    for name, s in model.summary.items():
        lines.append(f"| {model.contract[name].title}（{name}） | {s.rows_read} | {s.rows_valid} | "
                     f"{s.rows_rejected} |")
    return "\n".join(lines) + "\n"
