"""The second 随机: every inspection is carried out by at least two holders of a valid 执法证.

The source documents (一单两库) require that a 双随机 inspection be made by at least two
inspectors holding a law-enforcement certificate. An inspection is a visit (one enterprise,
one day, one task; see :func:`.inspections.visit_of_rows`): the inspectors named on its
result rows are pooled, since a joint visit records each department's items on rows of its
own. A certificate counts where the inspectors table lists it and the visit's day lies in
its validity. The threshold is the setting ``GONGKAI_MIN_INSPECTORS`` (default 2).

A visit whose rows name no inspector is 未填写: unknown, not a failure, and kept out of the
share so that a department which records nothing is not shown as meeting or missing the
rule. Without an inspectors table no certificate can be checked and nothing is counted.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .shares import share

MET, SHORT, UNRECORDED, UNCHECKED = "达到要求", "人数不足", "未填写", "无法核对"
DEFAULT_MINIMUM = 2


def minimum(settings: dict) -> int:
    """The least number of valid certificates per inspection (a setting, at least 1)."""
    return max(1, int(settings.get("GONGKAI_MIN_INSPECTORS", DEFAULT_MINIMUM)))


def teams(results: pd.DataFrame, inspectors: pd.DataFrame, visit: np.ndarray,
          least: int) -> pd.DataFrame:
    """One row per visit: who inspected, how many held a valid certificate, whether enough.

    ``visit``: each result row's visit number. Columns: task_id, uscc, entity_name,
    inspected_on, year, inspecting_department (the visit's first row, as the visit counts
    take it), inspectors (the distinct certificates, sorted, joined by "；"), invalid
    (those not valid that day), listed, valid, meets and team_status.
    """
    n = int(visit.max()) + 1 if len(visit) else 0
    _, first = np.unique(visit, return_index=True)
    out = pd.DataFrame({
        "task_id": results["task_id"].to_numpy(dtype=object)[first],
        "uscc": results["uscc"].to_numpy(dtype=object)[first],
        "entity_name": results["entity_name"].to_numpy(dtype=object)[first],
        "inspected_on": results["inspected_on"].to_numpy()[first],
        "inspecting_department": results["inspecting_department"].to_numpy(dtype=object)[first],
    })
    out["year"] = out["inspected_on"].dt.year
    checked = len(inspectors) > 0
    pairs = pd.DataFrame({"v": visit, "cert": results["inspectors"].to_numpy(dtype=object)})
    pairs = pairs.explode("cert").dropna().drop_duplicates()
    pairs = pairs[pairs["cert"].astype(str) != ""]
    day = out["inspected_on"].to_numpy()[pairs["v"].to_numpy(dtype=np.int64)] if len(pairs) \
        else np.zeros(0, dtype="datetime64[ns]")
    book = inspectors.drop_duplicates("certificate").set_index(
        inspectors["certificate"].astype(object).drop_duplicates())
    start = pairs["cert"].map(book["valid_from"]).to_numpy(dtype="datetime64[ns]")
    end = pairs["cert"].map(book["valid_to"]).to_numpy(dtype="datetime64[ns]")
    known = pairs["cert"].isin(book.index).to_numpy()
    ok = known & ~(day > end) & ~(day < start) & ~np.isnat(end)
    pairs = pairs.assign(ok=ok).sort_values(["v", "cert"], kind="stable")
    v = pairs["v"].to_numpy(dtype=np.int64)
    listed = np.bincount(v, minlength=n)
    valid = np.bincount(v, weights=pairs["ok"].to_numpy(dtype=float), minlength=n).astype(np.int64)
    certs = pairs["cert"].astype(str).to_numpy(dtype=object)
    bad = ~pairs["ok"].to_numpy(dtype=bool)
    out["inspectors"] = _joined(v, certs, n)
    out["invalid"] = _joined(v[bad], certs[bad], n)
    out["listed"] = listed
    recorded = listed > 0
    if checked:
        out["valid"] = pd.array(np.where(recorded, valid, 0), dtype="Int64")
        out.loc[~recorded, "valid"] = pd.NA
        out["meets"] = pd.array(valid >= least, dtype="boolean")
        out.loc[~recorded, "meets"] = pd.NA
        out["team_status"] = np.where(~recorded, UNRECORDED, np.where(valid >= least, MET, SHORT))
    else:
        out["invalid"] = pd.Series([pd.NA] * n, dtype="string")
        out["valid"] = pd.array([pd.NA] * n, dtype="Int64")
        out["meets"] = pd.array([pd.NA] * n, dtype="boolean")
        out["team_status"] = np.where(recorded, UNCHECKED, UNRECORDED)
    return out


def _joined(groups: np.ndarray, values: np.ndarray, n: int) -> pd.Series:
    """Per group 0…n-1, its ``values`` joined by "；" (NA for a group without any);
    ``groups`` is sorted. Arrow joins them all at once instead of a Python join per visit."""
    counts = np.bincount(groups, minlength=n)
    offsets = np.concatenate([[0], np.cumsum(counts)]).astype(np.int64)
    lists = pa.LargeListArray.from_arrays(pa.array(offsets, type=pa.int64()),
                                          pa.array(values, type=pa.string()))
    joined = pc.binary_join(lists, "；")
    joined = pc.if_else(pa.array(counts > 0), joined, pa.scalar(None, pa.string()))
    return pd.Series(joined.to_pandas(), dtype="string")


def team_counts(team_rows: pd.DataFrame) -> pd.DataFrame:
    """Per visit, the 0/1 counts that tasks, departments and the whole add up."""
    status = team_rows["team_status"].to_numpy(dtype=object)
    return pd.DataFrame({"team_recorded_visits": (status != UNRECORDED).astype(np.int64),
                         "team_met_visits": (status == MET).astype(np.int64)},
                        index=team_rows.index)


def unchecked(team_rows: pd.DataFrame) -> bool:
    """True when certificates are named but there is no inspectors table to check them."""
    return bool((team_rows["team_status"] == UNCHECKED).any())


def with_team_share(frame: pd.DataFrame, team_rows: pd.DataFrame) -> pd.DataFrame:
    """``frame`` (sums of :func:`team_counts`) with team_share = met ÷ recorded added; met
    and the share are NA (unknown, not 0) when nothing could be checked."""
    frame["team_met_visits"] = frame["team_met_visits"].astype("Int64")
    if unchecked(team_rows):
        frame["team_met_visits"] = pd.NA
    frame["team_share"] = share(frame["team_met_visits"], frame["team_recorded_visits"])
    return frame


def task_teams(team_rows: pd.DataFrame, task_ids: pd.Series) -> pd.DataFrame:
    """Per task (index as ``task_ids``): recorded visits, visits that meet the rule, share."""
    per = team_counts(team_rows).groupby(team_rows["task_id"].astype(object).to_numpy(),
                                         sort=False).sum()
    per = per.reindex(task_ids.astype(object)).fillna(0).astype(np.int64)
    per.index = task_ids.index
    return with_team_share(per, team_rows)
