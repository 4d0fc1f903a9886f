"""抽取比例: sampled / population per task and stratum, against the plan's or the item's ratio.

The required ratio is the plan row's ratio for the task when the plan states one (the
latest plan version wins), otherwise the strictest ratio among the task's items. Ratios
keep the text as written next to the parsed minimum.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

TIER_ORDER = ("A", "B", "C", "D")  # 低, 一般, 较高, 高 credit risk
PLAN, ITEM = "抽查计划", "抽查事项清单"


def _share(part: pd.Series, whole: pd.Series) -> pd.Series:
    part, whole = part.astype("Float64"), whole.astype("Float64")
    return (part / whole.where(whole > 0)).astype("Float64")


def task_ratios(tasks: pd.DataFrame, plans: pd.DataFrame, items: pd.DataFrame) -> pd.DataFrame:
    """Per task (index as ``tasks``): ratio, target text and minimum, its source, whether met."""
    ratio = _share(tasks["sampled"], tasks["population"])
    plan_rows = (plans.dropna(subset=["ratio_min"]).sort_values(["published_on", "version"])
                 .drop_duplicates("task_id", keep="last").set_index("task_id"))
    plan_text = tasks["task_id"].map(plan_rows["ratio"]).astype(object)
    plan_min = tasks["task_id"].map(plan_rows["ratio_min"]).astype("Float64")
    pairs = tasks[["task_id", "item_ids"]].explode("item_ids").rename(columns={"item_ids": "item_id"})
    pairs = pairs.merge(items[["item_id", "ratio", "ratio_min"]].astype({"item_id": object}),
                        on="item_id", how="inner").dropna(subset=["ratio_min"])
    strictest = pairs.sort_values(["ratio_min", "item_id"]).drop_duplicates("task_id", keep="last")
    strictest = strictest.set_index("task_id")
    item_text = tasks["task_id"].map(strictest["ratio"]).astype(object)
    item_min = tasks["task_id"].map(strictest["ratio_min"]).astype("Float64")
    use_plan = plan_min.notna()
    target = plan_min.where(use_plan, item_min)
    text = plan_text.where(use_plan.to_numpy(dtype=bool), item_text)
    source = np.where(use_plan.to_numpy(dtype=bool), PLAN, np.where(item_min.notna(), ITEM, None))
    meets = (ratio >= target).astype("boolean")
    return pd.DataFrame({"ratio": ratio, "target_ratio_text": text, "target_ratio": target,
                         "target_source": source, "meets_ratio": meets}, index=tasks.index)


def strata_ratios(strata: pd.DataFrame) -> pd.DataFrame:
    out = strata[["task_id", "risk_tier", "population", "sampled"]].copy()
    out["ratio"] = _share(out["sampled"], out["population"])
    order = {t: i for i, t in enumerate(TIER_ORDER)}
    out["_order"] = out["risk_tier"].astype(object).map(order)
    return out.sort_values(["task_id", "_order"], kind="stable").drop(columns="_order")


def strata_against_target(strata: pd.DataFrame, tasks: pd.DataFrame) -> pd.DataFrame:
    """Each stratum's ratio beside its task's required minimum.

    A tier sampled below the task's minimum is worth seeing even when the task as a whole
    meets it: differentiated sampling may lower the rate for A-tier enterprises, but the
    public should see where and by how much.
    """
    target = tasks.set_index(tasks["task_id"].astype(object))["target_ratio"]
    out = strata.copy()
    out["target_ratio"] = out["task_id"].astype(object).map(target).astype("Float64")
    out["meets_ratio"] = (out["ratio"] >= out["target_ratio"]).astype("boolean")
    return out


def differentiated(strata: pd.DataFrame, task_ids: pd.Series) -> pd.Series:
    """Per task: higher-risk tiers sampled at no lower a rate than lower-risk ones (NA: < 2 tiers)."""
    rated = strata.dropna(subset=["ratio"])
    rated = rated[rated["population"] > 0]
    if not len(rated):
        return pd.Series(pd.array([pd.NA] * len(task_ids), dtype="boolean"), index=task_ids.index)
    step = rated.groupby("task_id", observed=True)["ratio"].diff()
    verdict = (step.fillna(0) >= -1e-12).groupby(rated["task_id"], observed=True).all()
    tiers = rated.groupby("task_id", observed=True).size()
    verdict = verdict.where(tiers >= 2)
    return pd.Series(pd.array(task_ids.astype(object).map(verdict), dtype="boolean"),
                     index=task_ids.index)
