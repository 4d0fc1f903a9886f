"""The agencies' documentation of the data contract, generated from the contract itself.

``docs/数据规范.md`` is this function's output; a test keeps the committed file equal
to it, so the documentation can never drift from what the validator checks.
"""

from __future__ import annotations

from ..settings import DEFAULT_RESULT_SYNONYMS, DEFAULT_RESULT_VOCABULARY
from ..validate.codes import CODES
from . import Contract, Field, load_contract

TYPE_NAMES = {
    "text": "文本",
    "code": "编码（全角字符自动转为半角）",
    "integer": "整数",
    "date": "日期",
    "ratio": "比例",
    "list": "列表（用 ；、, 分隔）",
    "enum": "固定取值",
    "uscc": "统一社会信用代码",
    "result": "检查结果用语（可多个）",
    "link": "页面 slug 或 http(s) 网址",
    "url": "http(s) 网址",
    "phone": "电话号码（可多个，用顿号分隔）",
}
CATEGORY_NAMES = {"problem": "发现问题", "no_problem": "未发现问题", "not_applicable": "不适用"}


def _rule(f: Field) -> str:
    parts = []
    if f.required:
        parts.append("必填")
    if f.unique:
        parts.append("不得重复")
    if f.values:
        parts.append("取值：" + "、".join(f.values))
    if f.minimum is not None:
        parts.append(f"不小于 {f.minimum}")
    if f.maximum is not None:
        parts.append(f"不大于 {f.maximum}")
    if f.references:
        parts.append(f"须在“{load_contract()[f.references].title}”中存在")
    parts.append(f"最多 {f.max_length} 个字")
    parts.append(f.description)
    return "；".join(p for p in parts if p)


def _size(size: int) -> str:
    from ..ingest.readers import byte_size

    return byte_size(size)


def _cell(text: str) -> str:
    return text.replace("|", "\\|").replace("\n", " ")


def contract_markdown(contract: Contract | None = None) -> str:
    contract = contract or load_contract()
    out = [
        "# 数据规范：各部门提交的数据表",
        "",
        "<!-- 本文件由 `gongkai contract-doc` 根据 generator/contract/contract.toml 生成，请勿手工修改。 -->",
        "",
        "各部门把“双随机、一公开”监管平台导出的表格放进 `data/` 目录，提交后由 `gongkai validate`"
        " 逐行校验，校验通过才会发布。本文说明每张表的文件名、列和规则，并给出示例。",
        "",
        "## 通用规则",
        "",
        "- **文件格式**：`.csv`（UTF-8、带 BOM 的 UTF-8 或 GB18030/GBK，自动识别）或 `.xlsx`"
        "（只读第一个工作表；表头上方可以有标题行）。",
        "- **行号**：问题报告中的行号与 Excel 中看到的一致，表头是第 1 行，第一行数据是第 2 行。",
        "- **表头**：用下表中的中文列名，也可以用英文别名；前后空格、全角字符会自动处理。"
        "缺少必填列是错误；规范之外的列会给出警告，并且**永远不会公开**（其中可能有个人信息）。",
        "- **取值**：自动去掉前后空格；编码、数字和日期中的全角字符转为半角；统一社会信用代码转为大写。",
        "- **日期**：可写作 `2026-03-01`、`2026/3/1`、`2026.3.1`、`2026年3月1日`、`20260301`，"
        "或 `.xlsx` 中的日期单元格。Excel 把日期存为数字（日期序列号，如 46000），只有 `.xlsx` 文件中的"
        "数字单元格才按日期读取；CSV 中的纯数字和带小数的序列号（含时刻）都是错误。",
        "- **比例**：可写作 `3%`、`不低于3%`、`≥20%`、`10%（20户）` 或 `0.03`；原文照登，同时解析出最低比例。",
        "- **列表**：多个值之间用 `；`、`;`、`、` 或 `,` 分隔。",
        "- **公式**：`.xlsx` 中的公式按文件中保存的计算结果读取；没有保存结果的公式（由其他程序生成、"
        "未在 Excel 中保存过）是错误，请在 Excel 或 WPS 中打开并保存一次，或粘贴为数值。",
        "- **看不见的字符**：空字符（NUL）等控制字符、零宽空格、字节顺序标记和文字方向控制字符"
        "会被删除后读取，并给出警告；单元格内的换行保留。",
        "- **一张表一个文件**：同一张表不能同时有 `.csv` 和 `.xlsx` 两个文件（如 `items.csv` 和 "
        "`items.xlsx`），否则是错误，只读取其中一个。",
        f"- **长度和大小上限**：每个单元格的字数不超过下表“规则”中写明的上限；每个文件不超过 "
        f"{_size(contract.limits.max_file_bytes)}（`.xlsx` 解压后不超过 "
        f"{_size(contract.limits.max_unpacked_bytes)}），单元格（行数 × 列数）不超过 "
        f"{contract.limits.max_cells:,} 个。超过的单元格是错误（该行不发布），超过的文件不读取。"
        "数据多时，抽查结果可以分成多个文件放在 `data/results/` 目录中。",
        "- **不会悄悄丢数据**：每一行要么通过校验并发布，要么在报告中列出原因（文件、行、列、原值）。",
        "",
    ]
    for table in contract:
        where = f"`data/{table.source}.csv` 或 `data/{table.source}.xlsx`"
        if table.multi_file:
            where += f"，可拆成多个文件放在 `data/{table.source}/` 目录"
        out += [f"## {table.title}（{table.name}）", "", table.description, "",
                f"- 文件：{where}" + ("（可选）" if table.optional else "（必需）"),
                f"- 唯一键：{'、'.join(table.field(k).title for k in table.primary_key)}", "",
                "| 列名 | 英文别名 | 类型 | 规则 |", "|---|---|---|---|"]
        for f in table.fields:
            out.append(f"| {f.title} | `{f.name}` | {TYPE_NAMES[f.type]} | {_cell(_rule(f))} |")
        out += ["", "示例：", "", "| " + " | ".join(f.title for f in table.fields) + " |",
                "|" + "---|" * len(table.fields),
                "| " + " | ".join(_cell(f.example) for f in table.fields) + " |", ""]
        synonyms = [(k, v) for f in table.fields for k, v in f.synonyms.items()]
        if synonyms:
            out += ["可识别的其他写法：" + "；".join(f"{k} → {v}" for k, v in synonyms), ""]
    out += ["## 检查结果用语", "",
            "检查结果必须使用下列标准用语之一（可填多个）。各平台、各年度的写法不同，"
            "常见的其他写法会自动统一为标准用语；用语和同义写法都可以在 `pelicanconf.py` 中扩充。", "",
            "| 标准用语 | 分类 |", "|---|---|"]
    out += [f"| {w} | {CATEGORY_NAMES[c]} |" for w, c in DEFAULT_RESULT_VOCABULARY.items()]
    out += ["", "| 其他写法 | 统一为 |", "|---|---|"]
    out += [f"| {k} | {v} |" for k, v in DEFAULT_RESULT_SYNONYMS.items()]
    out += ["", "## 问题代码", "", "校验报告中每个问题都有一个固定代码，E 开头是错误（该行不发布），"
            "W 开头是警告（照常发布）。", "", "| 代码 | 级别 | 说明 |", "|---|---|---|"]
    for code, (severity, message) in CODES.items():
        out.append(f"| {code} | {'错误' if severity == 'error' else '警告'} | {_cell(message)} |")
    return "\n".join(out) + "\n"
