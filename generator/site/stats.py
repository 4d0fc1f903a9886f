"""The statistics dashboard (/stats/), its charts and the overdue list (/stats/overdue/).

Charts are SVG files referenced by ``<img>``, drawn by the theme's ``charts/bars.svg``
from geometry worked out in :mod:`.charts`: text stays text so the reader's own Chinese
fonts render it, and the same figures give the same bytes. Each chart has a one-line
summary (its ``alt`` and caption) and the table of the numbers it draws, so the page
says everything without images or JavaScript.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment

from .. import urls
from ..build.writer import put_file
from ..rules import Figures, figures
from ..rules.deadlines import LATE, ON_TIME, OVERDUE, PENDING, UNKNOWN
from ..rules.teams import SHORT
from . import charts as plots
from .formats import ratio_text
from .page import Page

STATS = "stats/"
OVERDUE_PAGE = "stats/overdue/"
TEAMS_PAGE = "stats/inspectors/"  # the inspections made by fewer valid certificates than required
TEAMS_SHOWN = 50  # a task page lists this many of its short inspections (all: TEAMS_PAGE)
JOINT_ANCHOR = "stats/#joint-visits"  # the dashboard's table of multi-department visits
STATUS_COLOURS = {ON_TIME: "#2e7d32", LATE: "#ef8f00", OVERDUE: "#c62828", PENDING: "#90a4ae",
                  UNKNOWN: "#d7ccc8"}
CATEGORY_COLOURS = {"发现问题": "#c62828", "未发现问题": "#2e7d32", "不适用": "#90a4ae"}
BAR, GOAL = "#1f5fa8", "#c62828"
MAX_TASKS = 40  # the sampling chart shows the tasks furthest below their target first


def pct(value: Any) -> str:
    return ratio_text(value) or "—"


def day(value: Any) -> str:
    return "待定" if value is None or pd.isna(value) else pd.Timestamp(value).strftime("%Y-%m-%d")


@dataclass(frozen=True)
class Card:
    """One figure card. ``name`` is its ``data-figure`` hook: cards with the same name on
    different pages hold the same figure, so a test can hold them to the same text."""

    name: str
    label: str
    value: str
    note: str = ""
    href: str | None = None  # below the site root


def year_cards(f: Figures, year: int | None) -> list[Card]:
    """The figures of ``year`` as the home page and the dashboard both show them.

    Built here once, from the one year row of the rules, so that the two pages cannot give
    the same figure a different scope, label, rounding or target.
    """
    y, o = f.year(year), f.overall.iloc[0]
    return [
        Card("year.tasks", "抽查任务", str(int(y["tasks"])), "个"),
        Card("year.enterprises", "检查市场主体", str(int(y["enterprises"])), "户"),
        Card("year.problem_rate", "问题发现率", pct(y["problem_rate"]), f"共 {int(y['results'])} 条结果"),
        Card("year.publication_rate", "结果公示率", pct(y["publication_rate"]),
             f"目标 {pct(o['publication_rate_goal'])}"),
        Card("year.random_share", "随机抽查占比", pct(y["random_share"]),
             f"目标不低于 {pct(o['random_share_goal'])}"),
        Card("year.on_time_share", "按时公示率", pct(y["on_time_share"]), "期限内公示 ÷ 应已公示"),
    ]


def overall_cards(f: Figures, followup_days: int) -> list[Card]:
    """The figures of all years together, for the dashboard."""
    o = f.overall.iloc[0]
    return [
        Card("all.random_share", "随机抽查占比", pct(o["random_share"]),
             f"目标不低于 {pct(o['random_share_goal'])}"),
        Card("all.publication_rate", "结果公示率", pct(o["publication_rate"]),
             f"目标 {pct(o['publication_rate_goal'])}"),
        Card("all.on_time_share", "按时公示率", pct(o["on_time_share"]), "期限内公示 ÷ 应已公示"),
        Card("all.overdue_tasks", "逾期未公示任务", str(int(o["overdue_tasks"])), "个", OVERDUE_PAGE),
        Card("all.problem_rate", "问题发现率", pct(o["problem_rate"]), f"共 {int(o['results'])} 条结果"),
        Card("all.joint_share", "联合抽查任务占比", pct(o["joint_share"]),
             f"一次查多项户次占 {pct(o['multi_item_visit_share'])}"),
        Card("all.followup_on_time_share", "后续处置按时录入率", pct(o["followup_on_time_share"]),
             f"处置后 {followup_days} 个工作日内录入"),
        Card("all.repeated_results", "重复检查", str(int(o["repeated_results"])), "同一年度同一事项同一主体，条"),
        *joint_cards(f),
        *team_cards(f),
    ]


def joint(f: Figures) -> bool:
    """Whether there are joint tasks or multi-department visits: only then do pages speak of
    进一次门、查多项事 (a department without joint tasks is not shown a 0 that means nothing)."""
    return bool(f.tasks["joint"].any()) or bool(int(f.overall.iloc[0]["multi_department_visits"]))


def joint_cards(f: Figures) -> list[Card]:
    """The multi-department visits over all years (none without joint tasks)."""
    if not joint(f):
        return []
    o = f.overall.iloc[0]
    return [Card("all.multi_department_visits", "多部门联合检查", str(int(o["multi_department_visits"])),
                 f"户次，{int(o['multi_department_enterprises'])} 户市场主体进一次门、查多项事；"
                 f"占检查户次 {pct(o['multi_department_visit_share'])}", JOINT_ANCHOR)]


def joint_text(visits: Any, multi: Any, enterprises: Any) -> dict[str, Any]:
    """One task's multi-department visits as its page says them."""
    return {"visits": int(visits), "multi": int(multi), "enterprises": int(enterprises),
            "share": pct(int(multi) / int(visits)) if int(visits) else "—"}


def recorded(f: Figures) -> bool:
    """Whether any result names its inspectors: only then do pages speak of the rule."""
    return bool(int(f.overall.iloc[0]["team_recorded_visits"]))


def team_cards(f: Figures) -> list[Card]:
    """The rule of two inspectors over all years (none when no result names inspectors)."""
    if not recorded(f):
        return []
    o = f.overall.iloc[0]
    return [Card("all.team_share", "检查人员达标占比", pct(o["team_share"]),
                 f"每次检查至少 {int(o['min_inspectors'])} 名持有效执法证的人员；"
                 f"{int(o['team_recorded_visits'])} 户次填写了检查人员", TEAMS_PAGE)]


def team_text(met: Any, recorded_visits: Any, visits: Any) -> dict[str, Any]:
    """One task's or department's rule of two as its page shows it."""
    unchecked = met is None or pd.isna(met)
    return {"visits": int(visits), "recorded": int(recorded_visits),
            "met": "" if unchecked else int(met),
            "short": "" if unchecked else int(recorded_visits) - int(met),
            "share": "—" if unchecked or not recorded_visits else pct(int(met) / int(recorded_visits)),
            "unchecked": unchecked}


def short_visits(f: Figures) -> dict[str, list[dict[str, Any]]]:
    """Per task, its inspections with fewer valid certificates than required (by date)."""
    short = f.teams[f.teams["team_status"] == SHORT].sort_values(
        ["task_id", "inspected_on", "uscc"], kind="stable")
    out: dict[str, list[dict[str, Any]]] = {}
    for r in short.itertuples():
        certificates = str(r.inspectors).split("；") if isinstance(r.inspectors, str) else []
        invalid = set(str(r.invalid).split("；")) if isinstance(r.invalid, str) else set()
        out.setdefault(r.task_id, []).append({
            "task_id": r.task_id, "entity_name": r.entity_name, "uscc": r.uscc,
            "url": urls.enterprise(r.uscc), "inspected_on": day(r.inspected_on),
            "department": r.inspecting_department,
            "inspectors": [{"certificate": c, "url": urls.inspector(c), "counted": c not in invalid}
                           for c in certificates],
            "valid": int(r.valid), "listed": int(r.listed)})
    return out


@dataclass
class Chart:
    name: str  # file name without .svg
    title: str
    summary: str
    headers: list[str]
    rows: list[list[Any]]
    plot: plots.Plot

    @property
    def file(self) -> str:
        return f"{self.name}.svg"


# --- charts -------------------------------------------------------------------------------


def timeliness_chart(f: Figures, year: int | None) -> Chart:
    res = f.results
    if year is not None:
        res = res[res["inspected_on"].dt.year == year]
    table = pd.crosstab(res["inspecting_department"].astype(object), res["status"].astype(object))
    statuses = [s for s in STATUS_COLOURS if s in table.columns]
    table = table.reindex(columns=statuses, fill_value=0).sort_index()
    totals = table.sum(axis=1)
    rows = [[d, *(int(table.loc[d, s]) for s in statuses), int(totals[d])] for d in table.index]
    # the year's own figures (those of its cards and of the home page), not a recount; a
    # result always has an inspection date, so without a year there are no results
    y = f.year(year)
    summary = (f"{len(table)} 个部门的 {int(y['results'])} 条检查结果中，应已公示 {int(y['due'])} 条，"
               f"按时公示 {int(y['on_time'])} 条（{pct(y['on_time_share'])}），"
               f"逾期未公示 {int(y['overdue_results'])} 条。")

    shares = table.div(totals.where(totals > 0), axis=0).fillna(0)
    plot = plots.bars(
        [str(d) for d in table.index],
        [[plots.Segment(float(shares.loc[d, s]), STATUS_COLOURS[s],
                        f"{d}：{s} {int(table.loc[d, s])} 条（{pct(shares.loc[d, s])}）")
          for s in statuses] for d in table.index],
        top=1.0, percent_axis=True,
        legend=[(STATUS_COLOURS[s], s, False, False) for s in statuses])
    return Chart("timeliness", "各部门检查结果公示时限", summary,
                 ["部门", *statuses, "合计"], rows, plot)


def random_share_chart(f: Figures, year: int | None, goal: float) -> Chart:
    dy = f.department_years
    dy = dy[(dy["year"] == year) & (dy["visits"] > 0)] if year is not None else dy[dy["visits"] > 0]
    dy = dy.sort_values("department")
    rows = [[r.department, int(r.random_visits), int(r.visits), pct(r.random_share),
             "达标" if r.random_share_met else "未达标"] for r in dy.itertuples()]
    below = [r[0] for r in rows if r[4] == "未达标"]
    summary = (f"{len(rows)} 个部门中 {len(rows) - len(below)} 个的双随机抽查占比达到 {pct(goal)} 的目标"
               + (f"，未达标：{'、'.join(below)}。" if below else "。"))

    plot = plots.bars(
        [str(d) for d in dy["department"]],
        [[plots.Segment(0.0 if pd.isna(v) else float(v), BAR, f"{d}：{pct(v)}")]
         for d, v in zip(dy["department"], dy["random_share"], strict=True)],
        top=1.0, percent_axis=True, goal=goal, goal_title=f"目标 {pct(goal)}",
        legend=[(BAR, "双随机抽查占比", False, False), (GOAL, f"目标 {pct(goal)}", True, True)])
    return Chart("random-share", "各部门双随机抽查占比", summary,
                 ["部门", "双随机抽查户次", "检查户次", "占比", "是否达标"], rows, plot)


def categories_chart(f: Figures) -> Chart:
    cats = f.categories
    rows = [[r.result, r.category, int(r.count), pct(r.share)] for r in cats.itertuples()]
    problem = f.overall["problem_rate"].iloc[0]
    top = rows[0] if rows else None
    summary = (f"检查结果共 {len(rows)} 类用语；最多的是“{top[0]}”，{top[2]} 条（{top[3]}）；"
               f"发现问题的结果占 {pct(problem)}。" if top else "暂无检查结果。")

    plot = plots.bars(
        [str(r) for r in cats["result"]],
        [[plots.Segment(float(n), CATEGORY_COLOURS.get(c, BAR), f"{r}：{int(n)} 条")]
         for r, c, n in zip(cats["result"], cats["category"], cats["count"], strict=True)],
        axis_title="条数")
    return Chart("categories", "检查结果分类", summary, ["检查结果", "类别", "条数", "占比"], rows, plot)


def monthly_chart(f: Figures) -> Chart:
    published = f.results["published_on"].dropna()
    months = published.dt.to_period("M").value_counts().sort_index()
    if len(months):
        full = pd.period_range(months.index.min(), months.index.max(), freq="M")
        months = months.reindex(full, fill_value=0)
    labels = [p.strftime("%Y-%m") for p in months.index]
    rows = [[m, int(n)] for m, n in zip(labels, months.to_numpy(), strict=True)]
    peak = max(rows, key=lambda r: r[1]) if rows else None
    summary = (f"{labels[0]} 至 {labels[-1]} 共公示 {int(months.sum())} 条检查结果，"
               f"最多的月份是 {peak[0]}（{peak[1]} 条）。" if peak else "暂无已公示的检查结果。")

    plot = plots.columns(labels, [float(n) for n in months.to_numpy()], BAR, axis_title="条数",
                         every=max(1, len(labels) // 12))
    return Chart("monthly", "每月公示的检查结果", summary, ["月份", "公示条数"], rows, plot)


def sampling_chart(f: Figures, year: int | None) -> Chart:
    t = f.tasks
    if year is not None:
        t = t[t["year"] == year]
    tasks = len(t)  # the year's task count, as its card and the home page give it
    t = t[t["ratio"].notna()].copy()
    total, judged = len(t), int(t["meets_ratio"].notna().sum())
    met = int(t["meets_ratio"].fillna(False).sum())
    t["gap"] = (t["ratio"] - t["target_ratio"]).astype(float)
    t = t.sort_values(["gap", "task_id"], na_position="last").head(MAX_TASKS)
    rows = [[r.task_id, r.name, pct(r.ratio), r.target_ratio_text or "—", pct(r.target_ratio),
             "—" if pd.isna(r.meets_ratio) else ("达到" if r.meets_ratio else "未达到")]
            for r in t.itertuples()]
    summary = (f"{tasks} 个任务中，{total} 个有抽取比例，{judged} 个有要求比例，其中 {met} 个达到要求"
               + (f"（图表只列出与要求差距最大的 {MAX_TASKS} 个）" if total > MAX_TASKS else "") + "。")

    targets = [None if pd.isna(v) else float(v) for v in t["target_ratio"]]
    plot = plots.bars(
        [str(i) for i in t["task_id"]],
        [[plots.Segment(float(r), BAR, f"{i}：抽取 {pct(r)}，要求 {pct(v)}")]
         for i, r, v in zip(t["task_id"], t["ratio"], t["target_ratio"], strict=True)],
        percent_axis=True, targets=targets,
        legend=[(BAR, "实际抽取比例", False, False), (GOAL, "要求比例", True, False)])
    return Chart("sampling", "抽取比例与要求比例", summary,
                 ["任务编号", "任务名称", "抽取比例", "要求比例（原文）", "要求比例", "是否达到"], rows, plot)


def charts(f: Figures, year: int | None, goal: float) -> list[Chart]:
    return [timeliness_chart(f, year), random_share_chart(f, year, goal), categories_chart(f),
            monthly_chart(f), sampling_chart(f, year)]


CHART_TEMPLATE = "charts/bars.svg"


def write_charts(chart_list: list[Chart], output: Path, env: Environment) -> int:
    """Write every chart's SVG under ``output/stats/``; return how many files changed."""
    template = env.get_template(CHART_TEMPLATE)
    written = 0
    for chart in chart_list:
        data = template.render(plot=chart.plot, title=chart.title).encode("utf-8")
        written += put_file(Path(output) / STATS / chart.file, data)
    return written


# --- pages --------------------------------------------------------------------------------


def overdue_rows(f: Figures) -> list[dict[str, Any]]:
    t = f.tasks[f.tasks["overdue"]].sort_values(["deadline", "task_id"])
    return [{"task_id": r.task_id, "name": r.name, "url": urls.task(r.task_id),
             "department": r.lead_department, "department_url": urls.department(r.lead_department),
             "deadline": day(r.deadline), "days_late": "" if pd.isna(r.days_late) else int(r.days_late),
             "unpublished": int(r.results - r.published_results), "results": int(r.results)}
            for r in t.itertuples()]


def undetermined_rows(f: Figures) -> list[dict[str, Any]]:
    t = f.tasks[f.tasks["deadline"].isna()].sort_values("task_id")
    return [{"task_id": r.task_id, "name": r.name, "url": urls.task(r.task_id),
             "end": day(r.end)} for r in t.itertuples()]


def stats_pages(data, output: Path, env: Environment) -> list:
    """The dashboard and the overdue list; writes the chart files as a side effect."""

    model = data.model
    f = figures(model)
    goal = float(f.overall.iloc[0]["random_share_goal"])  # the cards' target, read once
    as_of = model.as_of
    year = as_of.year if as_of else None
    chart_list = charts(f, year, goal)
    write_charts(chart_list, output, env)
    settings = model.settings
    followup_days = int(settings.get("GONGKAI_FOLLOWUP_WORKING_DAYS", 20))
    dy = f.department_years.sort_values(["year", "department"], ascending=[False, True])
    dept_rows = [{"department": r.department, "url": urls.department(r.department), "year": int(r.year),
                  "tasks": int(r.tasks), "random_share": pct(r.random_share),
                  "publication_rate": pct(r.publication_rate), "on_time_share": pct(r.on_time_share),
                  "overdue_tasks": int(r.overdue_tasks), "problem_rate": pct(r.problem_rate),
                  "repeated": int(r.repeated_results),
                  "team": team_text(r.team_met_visits, r.team_recorded_visits, r.visits),
                  "multi_department_visits": int(r.multi_department_visits),
                  "multi_department_enterprises": int(r.multi_department_enterprises)}
                 for r in dy.itertuples()]
    item_rows = [{"item_id": r.item_id, "name": r.name, "url": urls.item(r.item_id), "department": r.department,
                  "results": int(r.results), "problems": int(r.problems), "problem_rate": pct(r.problem_rate)}
                 for r in f.items.itertuples() if r.results]
    common = {"as_of": as_of.isoformat() if as_of else "", "data_updated": as_of.isoformat() if as_of else "",
              "unknown_years": sorted(f.unknown_years),
              "working_days": int(settings.get("GONGKAI_PUBLICATION_WORKING_DAYS", 20)),
              "followup_days": followup_days}
    overdue = overdue_rows(f)
    teams = recorded(f)
    short = [row for rows in short_visits(f).values() for row in rows] if teams else []
    team_context = {"teams": teams, "min_inspectors": int(f.overall.iloc[0]["min_inspectors"]),
                    "team_short_count": len(short), "teams_url": TEAMS_PAGE}
    pages = [
        Page(STATS, "stats.html", dict(common, year_cards=year_cards(f, year) if year else [],
                                       cards=overall_cards(f, followup_days), charts=chart_list, year=year,
                                       departments=dept_rows, items=item_rows, overdue_count=len(overdue),
                                       overdue_url=OVERDUE_PAGE, joint=joint(f),
                                       **team_context)),
        Page(OVERDUE_PAGE, "overdue.html", dict(common, tasks=overdue, undetermined=undetermined_rows(f))),
    ]
    if teams:
        task_names = dict(zip(f.tasks["task_id"], f.tasks["name"], strict=True))
        for row in short:
            row["task_name"], row["task_url"] = task_names.get(row["task_id"], ""), urls.task(row["task_id"])
        pages.append(Page(TEAMS_PAGE, "inspections_short.html", dict(common, rows=short, **team_context)))
    return pages


def task_compliance(f: Figures) -> dict[str, dict[str, Any]]:
    """Per task id, what its page shows: deadline, status, ratio against target, its
    multi-department visits (a joint task's, or any task's that had one) and the rule of
    two inspectors (when any result names inspectors)."""
    out = {}
    teams = recorded(f)
    short = short_visits(f) if teams else {}
    least = int(f.overall.iloc[0]["min_inspectors"])
    for r in f.tasks.itertuples():
        out[r.task_id] = {
            "deadline": day(r.deadline), "status": r.status,
            "badge": {ON_TIME: "ok", LATE: "late", OVERDUE: "late", PENDING: "pending"}.get(r.status, "neutral"),
            "days_late": "" if pd.isna(r.days_late) else int(r.days_late),
            "published": "" if pd.isna(r.published) else day(r.published),
            "ratio": pct(r.ratio) if pd.notna(r.ratio) else "",
            "target_text": r.target_ratio_text if isinstance(r.target_ratio_text, str) else "",
            "target_source": r.target_source if isinstance(r.target_source, str) else "",
            "meets": "" if pd.isna(r.meets_ratio) else ("达到要求" if r.meets_ratio else "低于要求"),
            "differentiated": "" if pd.isna(r.differentiated) else (
                "风险越高抽取比例越高" if r.differentiated else "高风险等级抽取比例低于低风险等级"),
        }
        if pd.notna(r.directory_population):
            out[r.task_id]["directory"] = {
                "object_type": r.object_type, "count": int(r.directory_population),
                "as_of": day(r.directory_as_of), "ratio": pct(r.directory_ratio),
                "differs": pd.notna(r.population) and int(r.population) != int(r.directory_population)}
        if r.joint or r.multi_department_visits:
            out[r.task_id]["joint"] = joint_text(r.visits, r.multi_department_visits,
                                                 r.multi_department_enterprises)
        if teams:
            rows = short.get(r.task_id, [])
            out[r.task_id]["team"] = dict(
                team_text(r.team_met_visits, r.team_recorded_visits, r.visits), minimum=least,
                short_rows=rows[:TEAMS_SHOWN], short_more=max(0, len(rows) - TEAMS_SHOWN),
                all_url=TEAMS_PAGE)
    return out


def department_figures(f: Figures) -> dict[str, list[dict[str, Any]]]:
    """Per department, its yearly figures (newest year first) for its page."""
    out: dict[str, list[dict[str, Any]]] = {}
    dy = f.department_years.sort_values(["department", "year"], ascending=[True, False])
    for r in dy.itertuples():
        out.setdefault(r.department, []).append({
            "year": int(r.year), "tasks": int(r.tasks), "joint_share": pct(r.joint_share),
            "visits": int(r.visits), "random_share": pct(r.random_share),
            "random_met": "" if pd.isna(r.random_share_met) else ("达标" if r.random_share_met else "未达标"),
            "publication_rate": pct(r.publication_rate), "on_time_share": pct(r.on_time_share),
            "overdue_tasks": int(r.overdue_tasks), "problem_rate": pct(r.problem_rate),
            "repeated": int(r.repeated_results), "followup_on_time_share": pct(r.followup_on_time_share),
            "team": team_text(r.team_met_visits, r.team_recorded_visits, r.visits),
            "multi_department_visits": int(r.multi_department_visits),
            "multi_department_enterprises": int(r.multi_department_enterprises)})
    return out


def compliance_for(data) -> dict[str, dict[str, Any]]:
    """:func:`task_compliance` of a build's site data, computed once per build."""
    cached = getattr(data, "_compliance", None)
    if cached is None:
        cached = task_compliance(figures(data.model))
        data._compliance = cached
    return cached


def department_figures_for(data) -> dict[str, list[dict[str, Any]]]:
    cached = getattr(data, "_department_figures", None)
    if cached is None:
        cached = department_figures(figures(data.model))
        data._department_figures = cached
    return cached
