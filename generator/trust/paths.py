"""Identifiers that become URL paths: each must get a folder of its own.

``urls.segment`` already turns anything unsafe (``..``, ``/``, NUL, reserved device names)
into a hashed slug, so no identifier can leave the output folder. What remains is two
different identifiers landing on one folder, one page silently overwriting the other:
``ABC`` and ``abc`` on a case-insensitive file system, or an identifier written exactly
like another one's slug. That is an error naming every row involved.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from .. import urls
from ..validate.stage import Stage

# URL function → the columns whose values it turns into a path
PATH_SOURCES: list[tuple[str, Callable[[str], str], list[tuple[str, str]]]] = [
    ("任务", urls.task, [("tasks", "task_id")]),
    ("检查事项", urls.item, [("items", "item_id")]),
    ("计划", urls.plan, [("plans", "plan_id")]),
    ("企业", urls.enterprise, [("results", "uscc")]),
    ("执法检查人员", urls.inspector, [("inspectors", "certificate")]),
    # departments are not checked: urls.department_slugs makes their slugs distinct (case
    # folded) as it makes them, so two departments never share a folder
    ("类别", urls.items_by_category, [("items", "category")]),
]


def _cells(stage: Stage, column: str) -> pd.Series:
    """Identifier per row (lists exploded, index = stage row), over rows still valid."""
    values = stage.typed[column].astype(object)[stage.valid]
    if stage.table.field(column).type.startswith("list"):
        values = values.explode()
    return values[values.notna() & (values.astype(str) != "")].astype(str)


def _paths(values: pd.Series, url: Callable[[str], str]) -> pd.Series:
    """``url`` of every value; identifiers that are their own segment are joined column-wise.

    A province has half a million credit codes, all of them safe as written: only the
    rest go through :func:`urls.segment` one by one; so do departments (a few dozen, with
    slugs of their own).
    """
    if url in (urls.department, urls.items_by_department):  # slugs of their own
        return values.map(url)
    safe = values.str.fullmatch(urls.SAFE.pattern) & ~values.str.endswith(".") & \
        ~values.str.split(".", n=1).str[0].str.lower().isin(urls.RESERVED)
    prefix, suffix = url("S").split("S", 1)
    out = prefix + values + suffix
    if not safe.all():
        out[~safe] = values[~safe].map(url)
    return out


def check_paths(stages: dict[str, Stage]) -> None:
    """Report E402 (rejecting the rows) for every identifier sharing a path with a different one."""
    for kind, url, sources in PATH_SOURCES:
        cells = {(t, c): _cells(stages[t], c) for t, c in sources
                 if t in stages and c in stages[t].typed and len(stages[t])}
        if not cells:
            continue
        distinct = pd.Series(pd.unique(pd.concat(list(cells.values()), ignore_index=True)),
                             dtype=object)
        # case-folded: two folders that differ only in case are one folder on many systems
        paths = _paths(distinct, url).str.casefold()
        clash = paths.duplicated(keep=False).to_numpy()
        if not clash.any():
            continue
        path_of = dict(zip(distinct[clash], paths[clash], strict=True))
        sharing: dict[str, list[str]] = {}
        for value, path in path_of.items():
            sharing.setdefault(path, []).append(value)
        for (table, column), values in cells.items():
            hit = values[values.isin(path_of)]
            if hit.empty:
                continue
            hit = hit[~hit.index.duplicated()]  # one problem per row, naming its first clash
            stage = stages[table]
            mask = np.zeros(len(stage), dtype=bool)
            positions = stage.raw.index.get_indexer(hit.index)
            mask[positions] = True

            def full(column_values: list[str], positions: np.ndarray = positions,
                     size: int = len(stage)) -> np.ndarray:
                out = np.empty(size, dtype=object)
                out[positions] = column_values
                return out

            others = ["”“".join(v for v in sharing[path_of[x]] if v != x) for x in hit]
            stage.report("E402", mask, column, value=full(hit.tolist()), kind=kind,
                         other=full(others), path=full([path_of[x] for x in hit]))
