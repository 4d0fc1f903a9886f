"""The rules of 双随机、一公开 computed once per model: deadlines, ratios, shares, rates.

Interface (pages, datasets, feeds and ``gongkai diff`` all read it)::

    from generator.rules import figures, figures_schema
    f = figures(model)          # computed once, cached on the model object
    f.tasks                     # one row per task: deadline (NaT = 待定), published, status,
                                #   on_time, overdue, days_late, population, sampled, ratio,
                                #   target ratio, result counts per category ...
    f.department_years          # one row per department and year: random share, publication
                                #   rate, on-time share, problem rate ...
    f.years                     # one row per year, all departments together
    f.year(2026)                # that year's row (zeros and NA when the year has no data)
    f.results                   # one row per result row (same order as model["results"]):
                                #   deadline, status, on_time, days_late, repeated, follow-up status
    f.overall                   # one row of overall figures and the goals
    f.teams                     # one row per visit (inspection): inspectors named, how many
                                #   held a valid certificate that day, whether enough
    f.multi_department_visits   # one row per visit whose items were several departments'
                                #   (进一次门、查多项事): items, departments, their names
    f.strata, f.followups, f.items, f.categories
    f.tables()                  # {name: DataFrame} of the tables published as datasets
    figures_schema()            # {name: {"title", "description", "columns": [...]}} from figures.toml

Every column of every table is described in ``figures.toml`` (name, Chinese title, type,
description) and the frames are conformed to it, so the two cannot drift apart.

Thresholds are settings: GONGKAI_PUBLICATION_WORKING_DAYS, GONGKAI_FOLLOWUP_WORKING_DAYS,
GONGKAI_RANDOM_SHARE_GOAL, GONGKAI_PUBLICATION_RATE_GOAL, GONGKAI_MIN_INSPECTORS (valid
certificates per inspection, default 2) and GONGKAI_AS_OF (default: the
data date, so a rebuild of the same data says the same thing). Deadlines that need a year
neither the packaged holiday schedule nor ``data/calendar.*`` covers are NaT (shown as
待定) and recorded as warning W501 on ``model.problems``, one per missing year.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from . import aggregate, deadlines, inspections, joint, population, ratios, teams
from .schema import columns, conform, figures_schema
from .workdays import WorkCalendar, calendar_for

__all__ = ["Figures", "WorkCalendar", "calendar_for", "calendar_warnings", "figures",
           "figures_schema"]

SETTING_KEYS = ("GONGKAI_PUBLICATION_WORKING_DAYS", "GONGKAI_FOLLOWUP_WORKING_DAYS",
                "GONGKAI_RANDOM_SHARE_GOAL", "GONGKAI_PUBLICATION_RATE_GOAL", "GONGKAI_AS_OF",
                "GONGKAI_RESULT_VOCABULARY", "GONGKAI_MIN_INSPECTORS")
PUBLISHED = ("tasks", "strata", "department_years", "years", "results", "followups", "items",
             "categories", "overall", "teams", "multi_department_visits")


@dataclass
class Figures:
    tasks: pd.DataFrame
    strata: pd.DataFrame
    department_years: pd.DataFrame
    years: pd.DataFrame
    results: pd.DataFrame
    followups: pd.DataFrame
    items: pd.DataFrame
    categories: pd.DataFrame
    overall: pd.DataFrame
    teams: pd.DataFrame  # one row per visit: its inspectors and the rule of two (.teams)
    # one row per visit that covered several departments' items (进一次门、查多项事: .joint)
    multi_department_visits: pd.DataFrame
    as_of: Any = None
    # year → number of deadlines that need it and cannot be computed
    unknown_years: dict[int, int] = field(default_factory=dict)

    def year(self, year: int | None) -> pd.Series:
        """The ``years`` row of ``year``; zero counts and missing shares if it has none.

        Every page that shows one year's figures (the home page, the dashboard) reads them
        here, so they cannot differ in definition, and a year without data reads as 0 and
        "—" on all of them instead of failing on one.
        """
        rows = self.years[self.years["year"] == year] if year is not None else self.years.iloc[:0]
        if len(rows):
            return rows.iloc[0]
        empty = {c["name"]: 0 if c["type"] == "integer" else pd.NA for c in columns("years")}
        return pd.Series({**empty, "year": year}, dtype=object)

    def tables(self) -> dict[str, pd.DataFrame]:
        """The tables meant for publication, in the order of ``figures.toml``."""
        return {name: getattr(self, name) for name in figures_schema() if name in PUBLISHED}


def _key(model) -> tuple:
    return tuple(repr(model.settings.get(k)) for k in SETTING_KEYS)


def figures(model) -> Figures:
    """All figures of ``model``; computed on first use and kept on the model."""
    key = _key(model)
    cached = getattr(model, "_gongkai_figures", None)
    if cached is not None and cached[0] == key:
        return cached[1]
    result = compute(model)
    for year, count in sorted(result.unknown_years.items()):
        model.problems.add("W501", "calendar.csv", None, None, str(year), year=year, count=count)
    model._gongkai_figures = (key, result)
    return result


def _missing(cal: WorkCalendar, dates: pd.Series, n: int, counts: dict[int, int]) -> None:
    years = cal.missing_year(dates, n).dropna()
    for year, count in years.value_counts().items():
        counts[int(year)] = counts.get(int(year), 0) + int(count)


def _crosstab(rows: pd.Series, columns: pd.Series) -> pd.DataFrame:
    """Rows counted per pair of values, as ``pd.crosstab`` counts them (pairs with a missing
    value left out), by integer codes: crosstab's pivot machinery costs more than counting."""
    row_code, row_values = pd.factorize(rows.astype(object))
    col_code, col_values = pd.factorize(columns.astype(object))
    keep = (row_code >= 0) & (col_code >= 0)
    counts = np.bincount(row_code[keep] * len(col_values) + col_code[keep],
                         minlength=len(row_values) * len(col_values))
    return pd.DataFrame(counts.reshape(len(row_values), len(col_values)),
                        index=pd.Index(row_values, dtype=object),
                        columns=pd.Index(col_values, dtype=object))


def compute(model) -> Figures:
    """Compute every figure from the model (use :func:`figures`, which caches this)."""
    settings = model.settings
    n = int(settings.get("GONGKAI_PUBLICATION_WORKING_DAYS", 20))
    m = int(settings.get("GONGKAI_FOLLOWUP_WORKING_DAYS", 20))
    goal = float(settings.get("GONGKAI_RANDOM_SHARE_GOAL", 0.5))
    as_of = model.as_of
    cal = calendar_for(model)
    tasks, results = model["tasks"], model["results"]

    task_end = pd.Series(tasks["end"].to_numpy(), index=tasks["task_id"].astype(object))
    res = deadlines.result_deadlines(results, task_end, cal, n, as_of)
    res["repeated"] = inspections.repeated(results).to_numpy()
    follow = deadlines.followups(model["dispositions"], cal, m, as_of)
    index = model.enterprise_index
    res["followup_status"] = deadlines.worst_followup(results, follow, index).to_numpy()
    for col in ("task_id", "uscc", "item_id", "inspecting_department", "inspected_on",
                "published_on", "category", "result_text"):
        res[col] = results[col]

    selection = pd.Series(tasks["selection"].to_numpy(dtype=object), index=tasks["task_id"].astype(object))
    joint_task = pd.Series(
        (tasks["task_type"] == inspections.JOINT).fillna(False).to_numpy(dtype=bool),
        index=tasks["task_id"].astype(object))
    visit = inspections.visit_of_rows(results, index)
    visit_rows = inspections.visits(results, selection, joint_task, index, visit)
    team_rows = teams.teams(results, model["inspectors"], visit, teams.minimum(settings))
    multi_rows = joint.multi_department_visits(results, visit, visit_rows)

    t = tasks[["task_id", "name", "lead_department", "selection", "end", "population",
               "sampled", "object_type"]].copy()
    directory = population.directory_for_tasks(model["population"], tasks)
    t["directory_population"] = directory["count"].to_numpy()
    t["directory_as_of"] = directory["as_of"].to_numpy()
    t["directory_ratio"] = population.ratio(t["sampled"], t["directory_population"])
    t["year"] = tasks["start"].dt.year
    t["joint"] = joint_task.to_numpy()
    t = t.join(deadlines.task_deadlines(tasks, results, cal, n, as_of))
    t["as_of"] = pd.Timestamp(as_of) if as_of else pd.NaT
    per_task = res.groupby(res["task_id"].astype(object), sort=False)
    status_counts = _crosstab(res["task_id"], res["status"]) if len(res) else None
    for col, label in (("late_results", deadlines.LATE), ("overdue_results", deadlines.OVERDUE)):
        if status_counts is not None and label in status_counts:
            t[col] = t["task_id"].astype(object).map(status_counts[label]).fillna(0).astype(np.int64)
        else:
            t[col] = 0
    cats = _crosstab(res["task_id"], res["category"]) if len(res) else None
    for cat in aggregate.CATEGORY_LABELS:
        t[cat] = (t["task_id"].astype(object).map(cats[cat]).fillna(0).astype(np.int64)
                  if cats is not None and cat in cats else 0)
    t["problem_rate"] = aggregate.share(t["problem"], t["results"])
    t["enterprises"] = t["task_id"].astype(object).map(per_task["uscc"].nunique()).fillna(0).astype(np.int64)
    t["repeated_results"] = t["task_id"].astype(object).map(per_task["repeated"].sum()).fillna(0) \
        .astype(np.int64)
    t = t.join(inspections.visit_counts(visit_rows, tasks["task_id"]))
    t = t.join(teams.task_teams(team_rows, tasks["task_id"]))
    t = t.join(joint.task_counts(multi_rows, tasks["task_id"]))
    t = t.join(ratios.task_ratios(tasks, model["plans"], model["items"]))
    strata = ratios.strata_ratios(model["strata"])
    t["differentiated"] = ratios.differentiated(strata, tasks["task_id"])
    strata = ratios.strata_against_target(strata, t)
    found = population.directory_for_strata(model["population"], strata, tasks)
    strata["directory_population"] = found["count"].to_numpy()
    strata["directory_ratio"] = population.ratio(strata["sampled"], strata["directory_population"])

    unknown: dict[int, int] = {}
    _missing(cal, res["basis_date"], n, unknown)
    _missing(cal, t["basis_date"], n, unknown)
    _missing(cal, follow["decided_on"], m, unknown)

    dept = aggregate.department_years(t, res, visit_rows, follow, goal, team_rows,
                                      joint.department_pairs(results, visit, multi_rows))
    overall = aggregate.overall(t, res, visit_rows, follow, as_of, settings, sorted(unknown),
                                team_rows, multi_rows)
    return Figures(
        tasks=conform("tasks", t.sort_values("task_id", kind="stable")),
        strata=conform("strata", strata),
        department_years=conform("department_years", dept),
        years=conform("years", aggregate.years(t, res, visit_rows)),
        results=conform("results", res),
        followups=conform("followups", follow),
        items=conform("items", aggregate.items(model["items"], res)),
        categories=conform("categories", aggregate.categories(
            results, settings.get("GONGKAI_RESULT_VOCABULARY") or {})),
        overall=conform("overall", overall),
        teams=conform("teams", team_rows.sort_values(["task_id", "inspected_on", "uscc"],
                                                     kind="stable")),
        multi_department_visits=conform("multi_department_visits", multi_rows.sort_values(
            ["task_id", "inspected_on", "uscc"], kind="stable")),
        as_of=as_of,
        unknown_years=unknown,
    )


def calendar_warnings(result: Figures) -> list[str]:
    """The W501 messages, in Chinese, for the build log."""
    from ..validate.codes import CODES

    template = CODES["W501"][1]
    return [f"警告 W501：calendar.csv：{template.format(year=y, count=c)}"
            for y, c in sorted(result.unknown_years.items())]
