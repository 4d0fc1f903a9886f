"""公示时限 and the follow-up time limit: deadlines in working days and each row's status.

A result must be public within N working days after the later of its task's end date and
its inspection date (the date itself not counted; publishing on the deadline is on time).
A follow-up decision must be recorded within M working days after it was taken. Whether
an unpublished row is overdue depends on the "as of" date, never on the wall clock.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import numpy as np
import pandas as pd

from .workdays import WorkCalendar

if TYPE_CHECKING:
    from ..model.enterprises import EnterpriseIndex

ON_TIME, LATE, OVERDUE, PENDING, UNKNOWN = "按时公示", "逾期公示", "逾期未公示", "未到期", "待定"
PUBLICATION_STATUSES = (ON_TIME, LATE, OVERDUE, PENDING, UNKNOWN)

REC_ON_TIME, REC_LATE, REC_OVERDUE, REC_NO_DATE = "按时录入", "逾期录入", "逾期未录入", "无处置日期"
# worst first: the status a result shows when its enterprise has several follow-ups
FOLLOWUP_ORDER = (REC_OVERDUE, REC_LATE, UNKNOWN, REC_NO_DATE, PENDING, REC_ON_TIME)


def _stamp(as_of) -> np.datetime64:
    return np.datetime64(pd.Timestamp(as_of), "ns") if as_of is not None else np.datetime64("NaT")


def status_of(deadline: pd.Series, done: pd.Series, as_of, labels: tuple[str, str, str]
              ) -> tuple[np.ndarray, pd.Series]:
    """Status per row (on time / late / overdue / pending / unknown) and on_time (boolean, NA open).

    ``done`` is when the duty was met (NaT: not yet). ``labels`` names on time, late, overdue.
    """
    dl = deadline.to_numpy(dtype="datetime64[ns]")
    dn = done.to_numpy(dtype="datetime64[ns]")
    now = _stamp(as_of)
    unknown = np.isnat(dl)
    finished = ~np.isnat(dn)
    with np.errstate(invalid="ignore"):
        on_time = finished & ~unknown & (dn <= dl)
        late = finished & ~unknown & (dn > dl)
        overdue = ~finished & ~unknown & (not np.isnat(now)) & (now > dl)
    status = np.select([unknown, on_time, late, overdue], [UNKNOWN, *labels], PENDING).astype(object)
    flag = pd.array(np.where(on_time, True, False), dtype="boolean")
    flag[~(on_time | late | overdue)] = pd.NA
    return status, pd.Series(flag, index=deadline.index)


def days_late(cal: WorkCalendar, deadline: pd.Series, done: pd.Series, status: np.ndarray,
              as_of, late_labels: tuple[str, str]) -> pd.Series:
    """Working days after the deadline until done (or until "as of" while still open)."""
    until = done.to_numpy(dtype="datetime64[ns]").copy()
    overdue = status == late_labels[1]
    until[overdue] = _stamp(as_of)
    counted = cal.between(deadline.to_numpy(), until)
    counted.index = deadline.index
    late = (status == late_labels[0]) | overdue
    out = pd.Series(pd.array(np.zeros(len(deadline), dtype=np.int64), dtype="Int64"),
                    index=deadline.index)
    out[late] = counted[late]
    out[status == UNKNOWN] = pd.NA
    return out


def result_deadlines(results: pd.DataFrame, task_end: pd.Series, cal: WorkCalendar, n: int,
                     as_of) -> pd.DataFrame:
    """Per result row: basis date, deadline, status, on_time, days_late (index as ``results``)."""
    end = results["task_id"].map(task_end).to_numpy(dtype="datetime64[ns]")
    basis = np.maximum(end, results["inspected_on"].to_numpy(dtype="datetime64[ns]"))
    deadline = cal.add(basis, n)
    deadline.index = results.index
    status, on_time = status_of(deadline, results["published_on"], as_of, (ON_TIME, LATE, OVERDUE))
    late = days_late(cal, deadline, results["published_on"], status, as_of, (LATE, OVERDUE))
    return pd.DataFrame({"basis_date": basis, "deadline": deadline, "status": status,
                         "on_time": on_time, "days_late": late}, index=results.index)


def task_deadlines(tasks: pd.DataFrame, results: pd.DataFrame, cal: WorkCalendar, n: int,
                   as_of) -> pd.DataFrame:
    """Per task: the deadline for all its results and whether all were public in time.

    A task without any result is overdue once its deadline has passed: nothing was published.
    """
    per = results.groupby("task_id", observed=True).agg(
        last_inspected=("inspected_on", "max"), last_published=("published_on", "max"),
        results=("published_on", "size"), published_results=("published_on", "count"))
    per = per.reindex(tasks["task_id"].astype(object))
    per.index = tasks.index
    counts = per["results"].fillna(0).astype(np.int64)
    published_n = per["published_results"].fillna(0).astype(np.int64)
    basis = np.fmax(tasks["end"].to_numpy(dtype="datetime64[ns]"),
                    per["last_inspected"].to_numpy(dtype="datetime64[ns]"))
    deadline = cal.add(basis, n)
    deadline.index = tasks.index
    complete = (counts > 0) & (published_n == counts)
    published = per["last_published"].where(complete)
    status, on_time = status_of(deadline, published, as_of, (ON_TIME, LATE, OVERDUE))
    late = days_late(cal, deadline, published, status, as_of, (LATE, OVERDUE))
    return pd.DataFrame({"basis_date": basis, "deadline": deadline, "published": published,
                         "status": status, "on_time": on_time, "overdue": status == OVERDUE,
                         "days_late": late, "results": counts, "published_results": published_n},
                        index=tasks.index)


def followups(dispositions: pd.DataFrame, cal: WorkCalendar, m: int, as_of) -> pd.DataFrame:
    """Per disposition row: the recording deadline and its status."""
    d = dispositions
    deadline = cal.add(d["decided_on"], m)
    deadline.index = d.index
    status, _ = status_of(deadline, d["recorded_on"], as_of, (REC_ON_TIME, REC_LATE, REC_OVERDUE))
    status = np.where(d["decided_on"].isna().to_numpy(), REC_NO_DATE, status).astype(object)
    return pd.DataFrame({"task_id": d["task_id"], "uscc": d["uscc"], "department": d["department"],
                         "decided_on": d["decided_on"], "deadline": deadline,
                         "recorded_on": d["recorded_on"], "status": status}, index=d.index)


def worst_followup(results: pd.DataFrame, follow: pd.DataFrame, index: EnterpriseIndex
                   ) -> pd.Series:
    """Per result row, the worst follow-up status of its (task, enterprise); "" when none.

    ``index``: the results' enterprise index: which rows belong to an enterprise with a
    follow-up is found by number, not by comparing codes."""
    out = np.full(len(results), "", dtype=object)
    if len(follow):
        rank = follow["status"].map({s: i for i, s in enumerate(FOLLOWUP_ORDER)}).to_numpy()
        worst = pd.Series(rank).groupby([follow["task_id"].to_numpy(dtype=object),
                                         follow["uscc"].to_numpy(dtype=object)]).min()
        # only rows whose enterprise has a follow-up at all need the (task, enterprise) key
        followed = index.position(follow["uscc"].dropna().astype(str).unique())
        known = np.zeros(len(index), dtype=bool)
        known[followed[followed >= 0]] = True
        rows = np.flatnonzero(known[index.row])
        if len(rows):
            part = results.iloc[rows]
            keys = pd.MultiIndex.from_arrays([part["task_id"].to_numpy(dtype=object),
                                              part["uscc"].to_numpy(dtype=object)])
            found = worst.reindex(keys).to_numpy(dtype=float)
            labels = np.array([*FOLLOWUP_ORDER, ""], dtype=object)
            out[rows] = labels[np.where(np.isnan(found), len(FOLLOWUP_ORDER), found).astype(np.int64)]
    return pd.Series(out, index=results.index)
