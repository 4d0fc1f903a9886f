"""Per department and year, per item, per result word and overall: sums of the row-level rules."""

from __future__ import annotations

import numpy as np
import pandas as pd

from . import joint
from .deadlines import LATE, ON_TIME, OVERDUE, REC_LATE, REC_ON_TIME, REC_OVERDUE
from .shares import share
from .teams import minimum, team_counts, with_team_share

CATEGORY_LABELS = {"problem": "发现问题", "no_problem": "未发现问题", "not_applicable": "不适用"}
KEYS = ["department", "year"]


# each share of the result rows: (numerator, denominator) among the counts of result_counts
RESULT_SHARES = {"publication_rate": ("published", "results"), "on_time_share": ("on_time", "due"),
                 "problem_rate": ("problems", "results")}


def result_counts(results: pd.DataFrame) -> pd.DataFrame:
    """Per result row, the 0/1 counts that the department, year and overall rows add up.

    Written once so that what "published", "due" or "a problem" means cannot differ between
    the home page's year figures, the dashboard's figures and the department tables.
    """
    status = results["status"].to_numpy()
    return pd.DataFrame({
        "results": np.ones(len(results), dtype=np.int64),
        "published": results["published_on"].notna().to_numpy(dtype=np.int64),
        "due": np.isin(status, (ON_TIME, LATE, OVERDUE)).astype(np.int64),
        "on_time": (status == ON_TIME).astype(np.int64),
        "overdue_results": (status == OVERDUE).astype(np.int64),
        "problems": (results["category"].to_numpy() == "problem").astype(np.int64),
        "repeated_results": results["repeated"].to_numpy(dtype=np.int64),
    }, index=results.index)


def with_result_shares(frame: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (sums of :func:`result_counts`) with the shares of ``RESULT_SHARES`` added."""
    for column, (part, whole) in RESULT_SHARES.items():
        frame[column] = share(frame[part], frame[whole])
    return frame


def _sum(frame: pd.DataFrame, department: pd.Series, year: pd.Series) -> pd.DataFrame:
    frame = frame.assign(department=department.astype(object).to_numpy(),
                         year=year.astype("Int64").to_numpy())
    frame = frame.dropna(subset=KEYS)
    return frame.groupby(KEYS, sort=True).sum()


def department_years(tasks: pd.DataFrame, results: pd.DataFrame, visit_rows: pd.DataFrame,
                     follow: pd.DataFrame, goal: float, team_rows: pd.DataFrame,
                     joint_pairs: pd.DataFrame) -> pd.DataFrame:
    """One row per department and year; tasks by lead department, inspections by inspector
    (the rule of two inspectors by the visit's department, as the visits are counted; the
    multi-department visits by each department that took part, :mod:`.joint`)."""
    parts = [
        _sum(pd.DataFrame({"tasks": 1, "joint_tasks": tasks["joint"].astype(int),
                           "overdue_tasks": tasks["overdue"].astype(int)}, index=tasks.index),
             tasks["lead_department"], tasks["year"]),
        _sum(pd.DataFrame({"visits": 1, "random_visits": visit_rows["random"].astype(int)}),
             visit_rows["inspecting_department"], visit_rows["year"]),
        _sum(result_counts(results), results["inspecting_department"],
             results["inspected_on"].dt.year),
        _sum(pd.DataFrame({
            "followups": 1,
            "followups_on_time": (follow["status"] == REC_ON_TIME).to_numpy(dtype=int),
            "followups_due": follow["status"].isin((REC_ON_TIME, REC_LATE, REC_OVERDUE))
            .to_numpy(dtype=int),
        }, index=follow.index), follow["department"], follow["decided_on"].dt.year),
        _sum(team_counts(team_rows), team_rows["inspecting_department"], team_rows["year"]),
        _sum(joint.department_counts(joint_pairs), joint_pairs["department"],
             joint_pairs["year"]),
    ]
    out = pd.concat(parts, axis=1).fillna(0).astype(np.int64).reset_index()
    out["joint_share"] = share(out["joint_tasks"], out["tasks"])
    out["random_share"] = share(out["random_visits"], out["visits"])
    out["random_share_met"] = (out["random_share"] >= goal).astype("boolean")
    out = with_result_shares(out)
    out["followup_on_time_share"] = share(out["followups_on_time"], out["followups_due"])
    return with_team_share(out, team_rows)


def years(tasks: pd.DataFrame, results: pd.DataFrame, visit_rows: pd.DataFrame) -> pd.DataFrame:
    """One row per year, all departments together: tasks by start year, inspections by date.

    Enterprises are counted once per year however many departments inspected them, so
    this is not a sum of the department rows.
    """
    year = results["inspected_on"].dt.year.astype("Int64")
    counts = result_counts(results).assign(year=year.to_numpy(),
                                           uscc=results["uscc"].astype(object).to_numpy())
    counts = counts.dropna(subset=["year"])
    per = counts.drop(columns="uscc").groupby("year").sum()
    per["enterprises"] = counts.groupby("year")["uscc"].nunique()
    task_years = tasks["year"].astype("Int64").dropna()
    visits = pd.DataFrame({"year": visit_rows["year"].astype("Int64").to_numpy(), "visits": 1,
                           "random_visits": visit_rows["random"].astype(int).to_numpy()}
                          ).dropna(subset=["year"]).groupby("year").sum()
    out = pd.concat([task_years.value_counts().rename("tasks"), per, visits], axis=1)
    out = out.fillna(0).astype(np.int64).rename_axis("year").reset_index().sort_values("year")
    out["random_share"] = share(out["random_visits"], out["visits"])
    return with_result_shares(out)


def items(item_table: pd.DataFrame, results: pd.DataFrame) -> pd.DataFrame:
    per = result_counts(results)[["results", "problems"]].groupby(
        results["item_id"].astype(object).to_numpy()).sum()
    out = item_table[["item_id", "name", "department"]].copy()
    for col in ("results", "problems"):
        out[col] = out["item_id"].astype(object).map(per[col]).fillna(0).astype(np.int64)
    out["problem_rate"] = share(out["problems"], out["results"])
    return out.sort_values("item_id")


def categories(results: pd.DataFrame, vocabulary: dict[str, str]) -> pd.DataFrame:
    """Rows mentioning each canonical result word (a row with two words counts for both)."""
    combos = results["result_text"].value_counts()
    counts: dict[str, int] = {}
    for text, n in combos.items():
        for word in str(text).split("；"):
            if word:
                counts[word] = counts.get(word, 0) + int(n)
    words = [w for w in vocabulary if w in counts] + sorted(w for w in counts if w not in vocabulary)
    out = pd.DataFrame({"result": words,
                        "category": [CATEGORY_LABELS.get(vocabulary.get(w, ""), "") for w in words],
                        "count": [counts[w] for w in words]})
    out["share"] = share(out["count"], pd.Series(len(results), index=out.index))
    return out.sort_values(["count", "result"], ascending=[False, True], kind="stable")


def overall(tasks: pd.DataFrame, results: pd.DataFrame, visit_rows: pd.DataFrame,
            follow: pd.DataFrame, as_of, settings: dict, unknown_years: list[int],
            team_rows: pd.DataFrame, multi_visits: pd.DataFrame) -> pd.DataFrame:
    n_visits = len(visit_rows)
    team = with_team_share(team_counts(team_rows).sum().to_frame().T, team_rows).iloc[0]
    counts = with_result_shares(result_counts(results).sum().to_frame().T).iloc[0]
    followups_due = int(follow["status"].isin((REC_ON_TIME, REC_LATE, REC_OVERDUE)).sum())
    row = {
        "as_of": pd.Timestamp(as_of) if as_of else pd.NaT,
        "tasks": len(tasks),
        "joint_share": share(int(tasks["joint"].sum()), len(tasks)),
        "joint_visit_share": share(int(visit_rows["joint"].sum()), n_visits),
        "multi_item_visit_share": share(int(visit_rows["multi_item"].sum()), n_visits),
        **joint.overall(multi_visits, n_visits),
        "visits": n_visits,
        "random_share": share(int(visit_rows["random"].sum()), n_visits),
        "random_share_goal": float(settings.get("GONGKAI_RANDOM_SHARE_GOAL", 0.5)),
        "results": int(counts["results"]),
        "publication_rate": counts["publication_rate"],
        "publication_rate_goal": float(settings.get("GONGKAI_PUBLICATION_RATE_GOAL", 1.0)),
        "on_time_share": counts["on_time_share"],
        "overdue_tasks": int(tasks["overdue"].sum()),
        "undetermined_tasks": int(tasks["deadline"].isna().sum()),
        "problem_rate": counts["problem_rate"],
        "repeated_results": int(counts["repeated_results"]),
        "followup_on_time_share": share(int((follow["status"] == REC_ON_TIME).sum()), followups_due),
        "unknown_years": "、".join(str(y) for y in unknown_years),
        "min_inspectors": minimum(settings),
        "team_recorded_visits": int(team["team_recorded_visits"]),
        "team_met_visits": team["team_met_visits"],
        "team_share": team["team_share"],
    }
    return pd.DataFrame([row])
