"""Row and cross-table rules of the contract, applied in dependency order.

Each rule is one vectorized function over staged tables. References are checked
against the *valid* rows of the referenced table, so a result pointing at a task
that itself has an error is held back too (and says why) instead of publishing a
page that links nowhere.
"""

from __future__ import annotations

from collections.abc import Callable

import numpy as np
import pandas as pd

from ..rules.inspections import first_inspection
from .stage import Stage

Stages = dict[str, Stage]


def _first_location(stage: Stage, keys: list[str], mask: np.ndarray) -> pd.Series:
    """For rows in duplicate groups, where the group was first seen."""
    loc = stage.locations()
    frame = stage.typed[keys].astype(object).where(stage.typed[keys].notna(), "")
    first = loc.groupby([frame[k] for k in keys], sort=False, dropna=False).transform("first")
    return first.where(mask, "")


def _row_codes(frame: pd.DataFrame) -> np.ndarray:
    """Each row's values as one integer: equal rows, equal integers (hashing each column once
    is far cheaper than hashing a million rows of strings)."""
    try:
        codes = np.zeros(len(frame), dtype=np.int64)
        for column in frame.columns:
            found, uniques = pd.factorize(frame[column])
            codes = pd.factorize(codes * (len(uniques) + 1) + found + 1)[0]
        return codes
    except TypeError:  # unhashable cells (lists): compare them as text
        return pd.factorize(frame.astype(str).agg("\x1f".join, axis=1))[0]


def unique_keys(stage: Stage) -> None:
    """Unique fields and the primary key: every row of a duplicate group is held back."""
    table = stage.table
    key_sets = [[f.name] for f in table.fields if f.unique]
    if table.primary_key and list(table.primary_key) not in key_sets:
        key_sets.append(list(table.primary_key))
    for keys in key_sets:
        present = stage.typed[keys].notna().all(axis=1).to_numpy()
        dup = pd.Series(_row_codes(stage.typed[keys])).duplicated(keep=False).to_numpy() & present
        if dup.any():
            label = "、".join(table.field(k).title for k in keys)
            first = _first_location(stage, keys, dup)
            stage.report("E301", dup, keys[-1], key=label, first=first)


def date_order(stage: Stage, early: str, late: str, code: str = "E305") -> None:
    t = stage.typed
    bad = (t[late] < t[early]).fillna(False).to_numpy(dtype=bool)
    if not bad.any():
        return
    table = stage.table
    stage.report(code, bad, late, title=table.field(late).title,
                 other=table.field(early).title,
                 other_value=t[early].dt.strftime("%Y-%m-%d"),
                 value=t[late].dt.strftime("%Y-%m-%d"))


def sampled_within_population(stage: Stage) -> None:
    t = stage.typed
    bad = (t["sampled"] > t["population"]).fillna(False).to_numpy(dtype=bool)
    stage.report("E306", bad, "sampled", population=t["population"])


def reference(stage: Stage, name: str, target: Stage, target_key: str,
              target_label: str, missing_code: str = "E302") -> None:
    """Each value (or list element) of ``name`` must be a key of a valid target row.

    A key found only in target rows with errors holds the row back (E311, once per key
    and file, see :meth:`Stage.hold_back`): the row itself may be right.
    """
    values = stage.typed[name]
    if not len(target) and missing_code == "E302":
        # no table at all: one E314 per file, not an E302 for every row that names it
        named = _given(values)
        stage.hold_back(named, name, "", "", code="E314", target=target_label,
                        title=stage.table.field(name).title)
        return
    all_keys = set(target.typed[target_key].dropna())
    valid_keys = set(target.typed.loc[target.valid, target_key].dropna())
    title = stage.table.field(name).title
    if stage.table.field(name).type == "list":
        # one element per row of a long table, not a Python function per row; the
        # elements a row is reported for are joined in the order the row gives them
        # (by row position, so no label of the stage's index needs to be unique)
        elements = values.reset_index(drop=True).explode().dropna()
        known = elements.isin(all_keys).to_numpy()
        missing = _joined(elements[~known], values.index)
        broken = _joined(elements[known & ~elements.isin(valid_keys).to_numpy()], values.index)
    else:
        missing = pd.Series(np.where(values.notna() & ~values.isin(all_keys), values, ""),
                            index=values.index)
        broken = pd.Series(np.where(values.isin(all_keys) & ~values.isin(valid_keys),
                                    values, ""), index=values.index)
    stage.report(missing_code, (missing != "").to_numpy(), name, value=missing, title=title,
                 target=target_label)
    held = (broken != "").to_numpy()
    if held.any():
        where = first_locations(target, target_key, ~target.valid)
        causes = {b: "、".join(where.get(k, "") for k in b.split("、"))
                  for b in pd.unique(broken[held])}
        stage.hold_back(held, name, broken.to_numpy(dtype=object),
                        broken.map(causes).to_numpy(dtype=object), title=title)


def _joined(elements: pd.Series, index: pd.Index) -> pd.Series:
    """The ``elements`` of each row (their index: the row's position, repeated) joined
    with "、", as a column over ``index``; "" for a row without any."""
    if not len(elements):
        return pd.Series("", index=index, dtype=object)
    texts = elements.astype(str).groupby(level=0, sort=False).agg("、".join)
    out = np.full(len(index), "", dtype=object)
    out[texts.index.to_numpy()] = texts.to_numpy(dtype=object)
    return pd.Series(out, index=index)


def _given(values: pd.Series) -> np.ndarray:
    """Rows whose value names something: neither empty nor an empty list."""
    if not len(values):
        return np.zeros(0, dtype=bool)
    lengths = values.astype(object).str.len()
    return (lengths.fillna(0) > 0).to_numpy(dtype=bool)


def first_locations(stage: Stage, key: str, mask: np.ndarray) -> dict:
    """Key → where its first row in ``mask`` is ("tasks.csv 第 3 行"), for messages."""
    keys = stage.typed.loc[mask, key].dropna()
    if stage.table.field(key).type == "list":
        keys = keys.explode().dropna()
    keys = keys[~keys.duplicated()]
    return dict(zip(keys.tolist(), stage.locations(keys.index).tolist(), strict=True))


# --- per-table rules ------------------------------------------------------------------

# the columns of each table that name a department (one or a list)
DEPARTMENT_FIELDS = {
    "items": ("department",),
    "plans": ("publisher", "lead_department", "joint_departments"),
    "tasks": ("lead_department", "joint_departments"),
    "results": ("inspecting_department",),
    "dispositions": ("department",),
    "inspectors": ("department",),
    "population": ("department",),
}
# a short code becomes a folder name: ASCII letters, digits and "-", as urls.SAFE allows
SHORT_CODE = r"[A-Za-z0-9][A-Za-z0-9-]{0,31}"


def departments_rules(stages: Stages) -> None:
    """Unique names and short codes; a short code must be usable as a folder name.

    Short codes are compared without case: they name folders of the site, and ``SJ`` and
    ``sj`` are one folder on the file systems of most desktops.
    """
    from ..urls import RESERVED

    s = stages["departments"]
    unique_keys(s)
    codes = s.typed["short_code"].astype(object)
    given = codes.notna().to_numpy()
    text = codes.where(given, "").astype(str)
    bad = given & ~(text.str.fullmatch(SHORT_CODE).to_numpy(dtype=bool)
                    & ~text.str.lower().isin(RESERVED).to_numpy())
    s.report("E213", bad, "short_code")
    folded = text.str.lower()
    exact = text.duplicated(keep=False).to_numpy() & given
    loose = folded.duplicated(keep=False).to_numpy() & given & ~exact
    if loose.any():
        first = s.locations().groupby(folded.to_numpy(), sort=False).transform("first")
        s.report("E301", loose, "short_code", key="简称代码（不区分大小写）",
                 first=first.where(loose, ""))


def department_references(stages: Stages, table: str) -> None:
    """E313 for a department the departments table does not list, once that table is given.

    Without the table nothing is checked: it is optional, and the site then shows the
    inspecting department's name without contact details.
    """
    departments = stages.get("departments")
    if departments is None or not len(departments):
        return
    s = stages[table]
    for name in DEPARTMENT_FIELDS[table]:
        reference(s, name, departments, "name", "部门表", missing_code="E313")


def items_rules(stages: Stages) -> None:
    unique_keys(stages["items"])
    department_references(stages, "items")


def plans_rules(stages: Stages) -> None:
    s = stages["plans"]
    t = s.typed
    unique_keys(s)
    date_order(s, "planned_start", "planned_end")
    needs_note = (t["version"] > 1).fillna(False).to_numpy(dtype=bool) & t[
        "adjustment_note"].isna().to_numpy()
    s.report("E310", needs_note, "adjustment_note", version=t["version"])
    # plan-level fields must agree within one version
    keys = ["plan_id", "version"]
    loc = s.locations()
    for name in ["plan_name", "year", "publisher", "published_on", "adjustment_note"]:
        col = t[name].astype(str)
        grouped = col.groupby([t[k].astype(str) for k in keys], sort=False)
        expected = grouped.transform("first")
        first = loc.groupby([t[k].astype(str) for k in keys], sort=False).transform("first")
        bad = (col != expected).to_numpy() & t[keys].notna().all(axis=1).to_numpy()
        s.report("E312", bad, name, title=s.table.field(name).title,
                 expected=expected, first=first)
    # later versions must carry later dates
    versions = (t.loc[t["plan_id"].notna() & t["version"].notna() & t["published_on"].notna(),
                      ["plan_id", "version", "published_on"]]
                .groupby(["plan_id", "version"], sort=True)["published_on"].min().reset_index())
    versions["previous"] = versions.groupby("plan_id")["version"].shift()
    versions["previous_date"] = versions.groupby("plan_id")["published_on"].shift()
    late = versions[versions["published_on"] <= versions["previous_date"]]
    if len(late):
        merged = t[["plan_id", "version"]].reset_index().merge(
            late, on=["plan_id", "version"]).set_index("index")
        mask = np.zeros(len(s), dtype=bool)
        mask[s.raw.index.get_indexer(merged.index)] = True
        info = merged.reindex(s.raw.index)
        s.report("E309", mask, "published_on", plan=t["plan_id"], version=t["version"],
                 value=t["published_on"].dt.strftime("%Y-%m-%d"),
                 previous=info["previous"].astype("Int64").astype(str),
                 previous_date=info["previous_date"].dt.strftime("%Y-%m-%d"))
    reference(s, "item_ids", stages["items"], "item_id", "抽查事项清单")
    department_references(stages, "plans")


def population_rules(stages: Stages) -> None:
    s = stages["population"]
    unique_keys(s)
    department_references(stages, "population")


def task_population(stages: Stages) -> None:
    """A task naming its object type must find it in its lead department's directory as
    counted before the task started (W308), and its 对象总数 should be that count (W309).

    Warnings: the task happened as written; the directory is what it should have been drawn
    from, and the rule figures publish the ratio against it either way.
    """
    from ..rules.population import directory_for_tasks

    s = stages["tasks"]
    population = stages.get("population")
    t = s.typed
    typed = t["object_type"].notna().to_numpy()
    if population is None or not len(population) or not typed.any():
        return
    ok = typed & s.field_ok("object_type", "lead_department", "start")
    found = directory_for_tasks(population.typed.loc[population.valid], t)
    fmt = "%Y-%m-%d"
    missing = ok & found["count"].isna().to_numpy()
    s.report("W308", missing, "object_type", department=t["lead_department"],
             start=t["start"].dt.strftime(fmt))
    off = (ok & s.field_ok("population") & found["count"].notna().to_numpy()
           & t["population"].notna().to_numpy())
    off &= (t["population"].astype("Float64") != found["count"].astype("Float64")).fillna(
        False).to_numpy(dtype=bool)
    s.report("W309", off, "population", what="任务的", department=t["lead_department"],
             object_type=t["object_type"], tier="", as_of=found["as_of"].dt.strftime(fmt),
             count=found["count"].astype("Int64").astype(str))


def strata_population(stages: Stages) -> None:
    """Each stratum's 对象总数 against the directory's count of its tier (W309)."""
    from ..rules.population import directory_for_strata

    s = stages["strata"]
    population = stages.get("population")
    if population is None or not len(population) or not len(s):
        return
    tasks = stages["tasks"].typed.loc[stages["tasks"].valid]
    found = directory_for_strata(population.typed.loc[population.valid], s.typed, tasks)
    t = s.typed
    off = (s.field_ok("population", "risk_tier") & found["count"].notna().to_numpy()
           & t["population"].notna().to_numpy())
    off &= (t["population"].astype("Float64") != found["count"].astype("Float64")).fillna(
        False).to_numpy(dtype=bool)
    fmt = "%Y-%m-%d"
    s.report("W309", off, "population", what="信用风险等级 " + t["risk_tier"].astype(str) + " 的",
             department=found["department"], object_type=found["object_type"],
             tier=t["risk_tier"].astype(str) + " 级",
             as_of=found["as_of"].dt.strftime(fmt),
             count=found["count"].astype("Int64").astype(str))


def tasks_rules(stages: Stages) -> None:
    s = stages["tasks"]
    unique_keys(s)
    date_order(s, "start", "end")
    sampled_within_population(s)
    task_population(stages)
    reference(s, "item_ids", stages["items"], "item_id", "抽查事项清单")
    department_references(stages, "tasks")
    reference(s, "plan_id", stages["plans"], "plan_id", "年度抽查计划")


def strata_rules(stages: Stages) -> None:
    s = stages["strata"]
    unique_keys(s)
    sampled_within_population(s)
    reference(s, "task_id", stages["tasks"], "task_id", "抽查任务")
    strata_population(stages)
    tasks = stages["tasks"].typed.loc[stages["tasks"].valid].set_index("task_id")
    valid = s.typed.loc[s.valid]
    for name in ["population", "sampled"]:
        sums = valid.groupby("task_id")[name].sum()
        expected = tasks[name].reindex(sums.index)
        off = sums[(expected.notna()) & (sums != expected)]
        if len(off):
            mask = (s.typed["task_id"].isin(off.index) & s.valid).to_numpy()
            s.report("W303", mask, name, title=s.table.field(name).title,
                     value=s.typed["task_id"].map(sums).astype(str),
                     expected=s.typed["task_id"].map(tasks[name]).astype(str))


def results_rules(stages: Stages) -> None:
    s = stages["results"]
    t = s.typed
    unique_keys(s)
    date_order(s, "inspected_on", "published_on", code="E307")
    reference(s, "task_id", stages["tasks"], "task_id", "抽查任务")
    reference(s, "item_id", stages["items"], "item_id", "抽查事项清单")
    department_references(stages, "results")
    # the tasks' own item lists and dates, whatever else is wrong with a task row: a result
    # outside its task's list is a defect of the result, to be reported in the same run
    task_stage = stages["tasks"]
    tasks = task_stage.typed[["task_id", "item_ids", "start", "end"]]
    # 清单之外无检查: the item must be one of the task's items
    listed = tasks[_given(tasks["item_ids"])]
    pairs = listed[["task_id", "item_ids"]].explode("item_ids").dropna()
    allowed = pd.MultiIndex.from_frame(pairs.rename(columns={"item_ids": "item_id"}))
    known_task = t["task_id"].isin(listed["task_id"]).to_numpy()
    has_item = t["item_id"].notna().to_numpy()
    inside = pd.MultiIndex.from_frame(t[["task_id", "item_id"]].astype(object)).isin(allowed)
    known_item = t["item_id"].isin(stages["items"].typed["item_id"]).to_numpy()
    s.report("E303", known_task & has_item & known_item & ~inside & s.field_ok("item_id"),
             "item_id", task=t["task_id"])
    # inspection date normally inside the task's window (warning), where the window itself
    # is sound: one task per number, start and end without errors of their own
    dated = tasks[task_stage.field_ok("task_id", "start", "end")
                  & tasks["start"].notna().to_numpy() & tasks["end"].notna().to_numpy()]
    dated = dated[~dated["task_id"].duplicated(keep=False)]
    window = _task_window(t["task_id"], dated)
    start, end = window["start"].to_numpy(), window["end"].to_numpy()
    day = t["inspected_on"].to_numpy()
    outside = ((day < start) | (day > end)) & s.field_ok("inspected_on", "task_id")
    if outside.any():
        fmt = "%Y-%m-%d"
        s.report("W302", outside, "inspected_on", value=t["inspected_on"].dt.strftime(fmt),
                 start=window["start"].dt.strftime(fmt).to_numpy(),
                 end=window["end"].dt.strftime(fmt).to_numpy())
    repeated_inspections(s)
    result_inspectors(stages)


def inspectors_rules(stages: Stages) -> None:
    """One row per certificate; validity in order; the department registered, if listed."""
    s = stages["inspectors"]
    unique_keys(s)
    date_order(s, "valid_from", "valid_to")
    department_references(stages, "inspectors")


def result_inspectors(stages: Stages) -> None:
    """The 检查人员 of each result: known certificates (E315), valid that day (W305), from a
    department of the task (W306).

    Without the inspectors table nothing can be checked: one W307 per file says so, and the
    rule of two inspectors is then not computed (see generator.rules.teams). An expired
    certificate or a helper from another department is a fact about how the inspection was
    done, to be published and counted, not a defect that should hold the result back.
    """
    s = stages["results"]
    t = s.typed
    named = _given(t["inspectors"])
    if not named.any():
        return
    inspectors = stages.get("inspectors")
    if inspectors is None or not len(inspectors):
        files = t["_file"].astype(object).where(named)  # one problem per file, at its first row
        first = named & ~files.duplicated().to_numpy()
        counts = files[named].value_counts()
        s.report("W307", first, "inspectors", count=files.map(counts).fillna(0).astype(int))
        return
    reference(s, "inspectors", inspectors, "certificate", "执法检查人员名录库",
              missing_code="E315")
    ok = named & s.field_ok("inspectors")
    if not ok.any():
        return
    known = inspectors.typed.loc[inspectors.valid].set_index("certificate")
    pairs = t.loc[ok, ["task_id", "inspected_on", "inspectors"]].explode("inspectors")
    pairs = pairs[pairs["inspectors"].isin(known.index)]
    cert = pairs["inspectors"]
    fmt = "%Y-%m-%d"
    start = cert.map(known["valid_from"])
    end = cert.map(known["valid_to"])
    day = pairs["inspected_on"]
    dated = s.field_ok("inspected_on")[s.raw.index.get_indexer(pairs.index)]
    invalid = (((day < start) | (day > end)).fillna(False).to_numpy(dtype=bool) & dated)
    if invalid.any():
        validity = (start[invalid].dt.strftime(fmt).fillna("不限") + " 至 "
                    + end[invalid].dt.strftime(fmt).fillna(""))
        bad = pairs[invalid].assign(validity=validity, day=day[invalid].dt.strftime(fmt))
        _report_pairs(s, "W305", bad, day="day", validity="validity")
    # the task's own departments, whatever else is wrong with the task row
    tasks = stages["tasks"].typed[["task_id", "lead_department", "joint_departments"]]
    tasks = tasks[tasks["task_id"].notna() & ~tasks["task_id"].duplicated(keep=False)]
    taking_part = {tid: {lead, *(joint or [])} for tid, lead, joint in
                   zip(tasks["task_id"], tasks["lead_department"], tasks["joint_departments"],
                       strict=True)}
    department = cert.map(known["department"])
    # (task, department) pairs of the tasks, matched with the pairs' by one index lookup
    pairs_allowed = [(tid, dept) for tid, depts in taking_part.items() for dept in depts
                     if isinstance(dept, str)]
    allowed = pd.MultiIndex.from_arrays([[tid for tid, _ in pairs_allowed],
                                         [dept for _, dept in pairs_allowed]])
    given = pd.MultiIndex.from_arrays([pairs["task_id"].astype(object).to_numpy(),
                                       department.astype(object).to_numpy()])
    outside = (pairs["task_id"].isin(list(taking_part)).to_numpy()
               & ~given.isin(allowed))
    if outside.any():
        bad = pairs[outside].assign(department=department[outside])
        bad["departments"] = bad["task_id"].map(lambda tid: "、".join(sorted(taking_part[tid])))
        _report_pairs(s, "W306", bad, department="department", task="task_id",
                      departments="departments")


def _report_pairs(s: Stage, code: str, pairs: pd.DataFrame, **params: str) -> None:
    """One problem per (result row, certificate) of ``pairs`` (index: result row labels;
    ``params``: message field → column of ``pairs``). A row naming two such certificates
    gets two problems, each naming its certificate."""
    pairs = pairs.rename_axis("_label").reset_index()
    for _, group in pairs.groupby(pairs.groupby("_label").cumcount(), sort=True):
        positions = s.raw.index.get_indexer(group["_label"])
        mask = np.zeros(len(s), dtype=bool)
        mask[positions] = True
        full = {}
        for name, column in {"value": "inspectors", **params}.items():
            values = np.empty(len(s), dtype=object)
            values[positions] = group[column].to_numpy(dtype=object)
            full[name] = values
        s.report(code, mask, "inspectors", **full)


def _task_window(task_ids: pd.Series, tasks: pd.DataFrame) -> pd.DataFrame:
    """Each row's task start and end (NaT for an unknown task), in the rows' order."""
    if not tasks["task_id"].is_unique:
        return task_ids.to_frame().merge(tasks[["task_id", "start", "end"]], on="task_id",
                                         how="left")
    position = pd.Index(tasks["task_id"]).get_indexer(task_ids)  # -1: the trailing NaT
    return pd.DataFrame({name: np.append(tasks[name].to_numpy(dtype="datetime64[ns]"),
                                         np.datetime64("NaT", "ns"))[position]
                         for name in ("start", "end")})


def repeated_inspections(s: Stage) -> None:
    """同一年度同一事项同一对象不超过一次: flag the second and later tasks (a warning)."""
    t = s.typed
    ok = (s.field_ok("uscc", "item_id", "task_id", "inspected_on")
          & t[["uscc", "item_id", "task_id", "inspected_on"]].notna().all(axis=1).to_numpy())
    if not ok.any():
        return
    frame = t.loc[ok, ["uscc", "item_id", "task_id", "inspected_on"]]
    first = first_inspection(frame)
    if t.index.equals(pd.RangeIndex(len(t))):  # labels are positions: no label lookups
        tasks = t["task_id"].to_numpy(dtype=object)
        repeat = first.index[tasks[first.index.to_numpy()] != tasks[first.to_numpy()]]
    else:
        tasks = frame["task_id"].astype(object)
        repeat = first.index[tasks.loc[first.index].to_numpy()
                             != tasks.loc[first.to_numpy()].to_numpy()]
    if len(repeat):
        mask = np.zeros(len(s), dtype=bool)
        mask[s.raw.index.get_indexer(repeat)] = True
        first_loc = pd.Series(s.locations(first.loc[repeat].to_numpy()).to_numpy(), index=repeat)
        s.report("W301", mask, "item_id", first=first_loc.reindex(s.raw.index).fillna(""))


def dispositions_rules(stages: Stages) -> None:
    s = stages["dispositions"]
    t = s.typed
    unique_keys(s)
    date_order(s, "decided_on", "recorded_on", code="E307")
    reference(s, "task_id", stages["tasks"], "task_id", "抽查任务")
    department_references(stages, "dispositions")
    results = stages["results"]
    keys = ["task_id", "uscc"]
    pairs, result_pairs = _pair_ids(t[keys], results.typed[keys])
    # checked whatever else is wrong with the row, but only where the task exists and the
    # code is sound: otherwise the E302 or E207 already said what is wrong
    known_task = t["task_id"].isin(stages["tasks"].typed["task_id"].dropna()).to_numpy()
    checkable = ((t["task_id"].notna() & t["uscc"].notna()).to_numpy() & known_task
                 & s.field_ok("task_id", "uscc"))
    pairs = pd.Series(pairs)
    known = pairs.isin(result_pairs).to_numpy() & (pairs >= 0).to_numpy()
    valid = pairs.isin(result_pairs[results.valid]).to_numpy()
    s.report("E304", checkable & ~known, "uscc", task=t["task_id"])
    # a row already held back by its task is not held back again by that task's results
    held = checkable & known & ~valid & ~s.held
    if held.any():
        # where the result rows with errors are, by (task, code) pair
        invalid = pd.Series(results.locations(results.raw.index[~results.valid]).to_numpy(),
                            index=result_pairs[~results.valid])
        invalid = invalid[~invalid.index.duplicated()]
        s.hold_back(held, "uscc", t["uscc"].to_numpy(dtype=object),
                    invalid.reindex(pairs.to_numpy()).fillna("").to_numpy(dtype=object),
                    title=s.table.field("uscc").title)


def _pair_ids(left: pd.DataFrame, right: pd.DataFrame) -> tuple[np.ndarray, np.ndarray]:
    """Two-column keys of both frames as integers (equal keys, equal integers; -1 if missing).

    The right side (a million results) is hashed once per column into integer codes; the
    left side is looked up in those, so matching pairs compares integers, not strings.
    """
    left_id = np.zeros(len(left), dtype=np.int64)
    right_id = np.zeros(len(right), dtype=np.int64)
    left_missing = np.zeros(len(left), dtype=bool)
    right_missing = np.zeros(len(right), dtype=bool)
    for column in left.columns:
        codes, uniques = pd.factorize(right[column].astype(object))
        found = pd.Index(uniques).get_indexer(left[column].astype(object))
        width = len(uniques) + 1
        left_id, right_id = left_id * width + found, right_id * width + codes
        left_missing |= found < 0
        right_missing |= codes < 0
    left_id[left_missing] = -1
    right_id[right_missing] = -1
    return left_id, right_id


def calendar_rules(stages: Stages) -> None:
    unique_keys(stages["calendar"])


# In dependency order: a table's rules may read the final verdicts of those before it.
TABLE_RULES: dict[str, Callable[[Stages], None]] = {
    "departments": departments_rules,  # first: every other table names departments
    "items": items_rules,
    "plans": plans_rules,
    "population": population_rules,  # before tasks and strata, checked against it
    "tasks": tasks_rules,
    "strata": strata_rules,
    "inspectors": inspectors_rules,  # before results, whose 检查人员 refer to it
    "results": results_rules,
    "dispositions": dispositions_rules,
    "calendar": calendar_rules,
}
