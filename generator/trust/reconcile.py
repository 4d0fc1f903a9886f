"""The reconciliation line: every row read is either published or rejected, per table.

A row that silently vanishes between the files and the site is the failure a public
register can least afford, so the build counts independently at both ends and stops
when the counts disagree.
"""

from __future__ import annotations

from dataclasses import dataclass

from ..model import Model


class ReconciliationError(Exception):
    """Rows read ≠ rows published + rows rejected for some table: nothing is published."""


@dataclass(frozen=True)
class TableCount:
    table: str
    title: str
    read: int
    published: int
    rejected: int

    @property
    def balanced(self) -> bool:
        return self.read == self.published + self.rejected


def counts(model: Model) -> list[TableCount]:
    """Per contract table: rows read from files, rows in the published model, rows rejected."""
    out = []
    for table in model.contract:
        summary = model.summary.get(table.name)
        read = summary.rows_read if summary else 0
        rejected = summary.rows_rejected if summary else 0
        published = len(model.tables[table.name]) if table.name in model.tables else 0
        out.append(TableCount(table.name, table.title, read, published, rejected))
    return out


def reconciliation_line(model: Model) -> str:
    """``核对：…`` one line for the build log; :class:`ReconciliationError` when it does not add up."""
    rows = counts(model)
    parts = [f"{c.title} 读取 {c.read} = 发布 {c.published} + 未通过 {c.rejected}"
             + ("" if c.balanced else "（不符）") for c in rows]
    line = "核对：" + "；".join(parts)
    wrong = [c.title for c in rows if not c.balanced]
    if wrong:
        raise ReconciliationError(f"{line}\n行数核对不符：{'、'.join(wrong)}，读取的行数不等于发布与未通过之和，"
                                  "站点未更新。")
    return line
