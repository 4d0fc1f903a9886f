"""The sample-data generator: valid, realistic, deterministic and fast enough to scale."""

from __future__ import annotations

import re
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import uscc as stdnum_uscc

from generator.contract import load_contract
from generator.sample import PLAN_DOCUMENTS, write_sample_data
from generator.sample.uscc import ALPHABET, check_characters, make_uscc
from generator.settings import DEFAULT_RESULT_SYNONYMS, DEFAULT_RESULT_VOCABULARY

ROOT = Path(__file__).resolve().parents[1]
N, SEED = 900, 2026


def _read(path: Path) -> pd.DataFrame:
    return pd.read_csv(path, dtype=str, keep_default_na=False, encoding="utf-8-sig")


def _tables(folder: Path) -> dict[str, pd.DataFrame]:
    """Tables with English column names, results concatenated."""
    contract = load_contract()
    out = {}
    for name in ("items", "plans", "tasks", "strata", "dispositions"):
        rename = {f.title: f.name for f in contract[name].fields}
        out[name] = _read(folder / f"{name}.csv").rename(columns=rename)
    rename = {f.title: f.name for f in contract["results"].fields}
    frames = [_read(p).assign(_file=p.name) for p in sorted((folder / "results").glob("*.csv"))]
    out["results"] = pd.concat(frames, ignore_index=True).rename(columns=rename)
    return out


@pytest.fixture(scope="module")
def sample(tmp_path_factory: pytest.TempPathFactory) -> tuple[Path, dict[str, int]]:
    out = tmp_path_factory.mktemp("sample") / "data"
    counts = write_sample_data(out, results=N, seed=SEED)
    return out, counts


@pytest.fixture(scope="module")
def tables(sample: tuple[Path, dict[str, int]]) -> dict[str, pd.DataFrame]:
    return _tables(sample[0])


def _files(folder: Path) -> dict[str, bytes]:
    return {p.relative_to(folder).as_posix(): p.read_bytes() for p in folder.rglob("*.csv")}


# ---------------------------------------------------------------- codes


def test_make_uscc_valid_unique_and_vectorized() -> None:
    codes = make_uscc(np.random.default_rng(1), 100_000)
    assert codes.dtype.kind == "U" and codes.shape == (100_000,)
    assert len(np.unique(codes)) == codes.size
    assert all(stdnum_uscc.is_valid(c) for c in codes)
    assert all(c.startswith("91130139") for c in codes[:1000])


def test_make_uscc_per_code_region_and_kind() -> None:
    rng = np.random.default_rng(3)
    region = np.array(["130139", "130100", "130000"] * 10)
    kind = np.array(["91", "92", "93"] * 10)
    codes = make_uscc(rng, 30, region=region, kind=kind)
    assert [c[:8] for c in codes] == [k + r for k, r in zip(kind, region, strict=True)]
    assert all(stdnum_uscc.is_valid(c) for c in codes)
    with pytest.raises(ValueError):
        make_uscc(rng, 2, region=["13013X", "130100"])
    assert make_uscc(rng, 0).size == 0


@settings(max_examples=200, deadline=None)
@given(
    head=st.text("0123456789", min_size=8, max_size=8),
    body=st.text(ALPHABET, min_size=9, max_size=9),
)
def test_check_character_agrees_with_stdnum(head: str, body: str) -> None:
    code = head + body
    mine = chr(check_characters(np.frombuffer(code.encode(), np.uint8).reshape(1, 17))[0])
    assert mine == stdnum_uscc.calc_check_digit(code)


@settings(max_examples=30, deadline=None)
@given(seed=st.integers(0, 2**32 - 1), n=st.integers(1, 300))
def test_make_uscc_any_seed(seed: int, n: int) -> None:
    codes = make_uscc(np.random.default_rng(seed), n)
    assert len(set(codes)) == n
    assert all(stdnum_uscc.is_valid(c) for c in codes)


# ---------------------------------------------------------------- determinism, size


def test_deterministic(sample: tuple[Path, dict[str, int]], tmp_path: Path) -> None:
    again = write_sample_data(tmp_path / "again", results=N, seed=SEED)
    assert again == sample[1]
    assert _files(sample[0]) == _files(tmp_path / "again")
    other = write_sample_data(tmp_path / "other", results=N, seed=SEED + 1)
    assert _files(tmp_path / "other")["results/2026-sj.csv"] != _files(sample[0])[
        "results/2026-sj.csv"
    ]
    assert other["results"] > 0


def test_committed_sample_is_current(sample: tuple[Path, dict[str, int]]) -> None:
    """data/ must be what `gongkai sample-data --results 900 --seed 2026` writes."""
    assert _files(ROOT / "data") == _files(sample[0])


@pytest.mark.parametrize("n", [N, 5000, 30_000])
def test_row_count_as_requested(n: int, tmp_path: Path) -> None:
    """Exactly as many result rows as asked for (a benchmark's million is a million);
    the smallest sizes may fall a little short of it, never above."""
    counts = write_sample_data(tmp_path, results=n, seed=5)
    if n >= 5000:
        assert counts["results"] == n
    assert n - 0.05 * n <= counts["results"] <= n
    tables = _tables(tmp_path)
    assert {k: len(v) for k, v in tables.items()} == {k: counts[k] for k in tables}


def test_headers_are_contract_titles(sample: tuple[Path, dict[str, int]]) -> None:
    contract = load_contract()
    folder = sample[0]
    for name in ("items", "plans", "tasks", "strata", "dispositions"):
        header = _read(folder / f"{name}.csv").columns.tolist()
        assert header == [f.title for f in contract[name].fields]
        assert (folder / f"{name}.csv").read_bytes().startswith(b"\xef\xbb\xbf")
    for path in (folder / "results").glob("*.csv"):
        assert re.fullmatch(r"\d{4}-(jr|sj|ga|cz)\.csv", path.name)
        assert _read(path).columns.tolist() == [f.title for f in contract["results"].fields]


# ---------------------------------------------------------------- contract rules


def test_codes_valid(tables: dict[str, pd.DataFrame]) -> None:
    codes = pd.concat([tables["results"]["uscc"], tables["dispositions"]["uscc"]]).unique()
    assert all(stdnum_uscc.is_valid(c) for c in codes)
    names = tables["results"].groupby("uscc")["entity_name"].nunique()
    assert 2 <= (names > 1).sum() <= 5  # a couple of registered name changes
    owners = tables["results"].groupby("entity_name")["uscc"].nunique()
    assert (owners == 1).all()  # one name never belongs to two enterprises


def test_results_items_belong_to_their_task(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"].set_index("task_id")
    allowed = {t: set(v.split("；")) for t, v in tasks["item_ids"].items()}
    res = tables["results"]
    assert res["task_id"].isin(tasks.index).all()
    assert all(i in allowed[t] for t, i in zip(res["task_id"], res["item_id"], strict=True))
    assert set(tables["items"]["item_id"]) >= set(res["item_id"])
    item_dept = tables["items"].set_index("item_id")["department"]
    assert (res["inspecting_department"] == res["item_id"].map(item_dept)).all()


def test_dates_inside_windows(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"].set_index("task_id")
    res = tables["results"]
    day = pd.to_datetime(res["inspected_on"], format="%Y-%m-%d")
    start = pd.to_datetime(res["task_id"].map(tasks["start"]))
    end = pd.to_datetime(res["task_id"].map(tasks["end"]))
    assert ((day >= start) & (day <= end)).all()
    published = pd.to_datetime(res["published_on"].replace("", None), format="%Y-%m-%d")
    assert (published.isna() | (published >= day)).all()
    unpublished = res.loc[published.isna(), "task_id"].unique()
    assert len(unpublished) == 1 and tasks.loc[unpublished[0], "end"] == tasks["end"].max()
    late = published > end + pd.Timedelta(days=28)
    assert 0 < late.sum() < 0.1 * len(res)
    disp = tables["dispositions"]
    assert (disp["recorded_on"] >= disp["decided_on"]).all()
    first_visit = res.groupby(["task_id", "uscc"])["inspected_on"].min()
    keys = list(zip(disp["task_id"], disp["uscc"], strict=True))
    assert all(k in first_visit.index for k in keys)
    assert all(d > first_visit[k] for k, d in zip(keys, disp["decided_on"], strict=True))


def test_population_and_sampled(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"].set_index("task_id")
    population = tasks["population"].astype(int)
    sampled = tasks["sampled"].astype(int)
    assert (sampled <= population).all()
    distinct = tables["results"].groupby("task_id")["uscc"].nunique()
    assert (distinct.reindex(tasks.index, fill_value=0) == sampled).all()
    strata = tables["strata"]
    sums = strata.astype({"population": int, "sampled": int}).groupby("task_id").sum()
    assert (sums["population"] == population[sums.index]).all()
    assert (sums["sampled"] == sampled[sums.index]).all()
    assert (strata["sampled"].astype(int) <= strata["population"].astype(int)).all()
    joint = strata[strata["task_id"] == "QH-2026-LH-10"].set_index("risk_tier")
    rate = joint["sampled"].astype(int) / joint["population"].astype(int)
    assert rate["A"] < rate["B"] < rate["C"] < rate["D"]


def _ratio_min(text: str) -> float | None:
    m = re.search(r"(\d+(?:\.\d+)?)\s*%", text)
    if m:
        return float(m.group(1)) / 100
    return float(text) if re.fullmatch(r"0?\.\d+", text) else None


def test_random_tasks_meet_their_planned_ratio(tables: dict[str, pd.DataFrame]) -> None:
    plans = tables["plans"].drop_duplicates("task_id", keep="last").set_index("task_id")
    tasks = tables["tasks"].set_index("task_id")
    random = tasks[tasks["selection"] == "双随机抽查"]
    for task_id, t in random.iterrows():
        minimum = _ratio_min(plans.loc[task_id, "ratio"])
        assert minimum is not None
        assert int(t["sampled"]) / int(t["population"]) >= minimum, task_id
    assert set(tasks["selection"]) == {"双随机抽查", "定向抽查", "专项检查"}


def test_no_duplicate_results_and_rare_repeats(tables: dict[str, pd.DataFrame]) -> None:
    res = tables["results"]
    assert not res.duplicated(["task_id", "uscc", "item_id"]).any()
    year = res["task_id"].str[3:7]
    repeated = res.assign(year=year).duplicated(["year", "uscc", "item_id"], keep=False)
    assert 4 <= repeated.sum() <= 6  # two or three deliberate re-checks, both rows counted
    assert not tables["dispositions"].duplicated(
        ["task_id", "uscc", "action", "decided_on"]
    ).any()
    several = res.groupby("uscc")["task_id"].nunique()
    assert (several > 1).sum() >= 5


def test_vocabulary_and_synonyms(tables: dict[str, pd.DataFrame]) -> None:
    words = tables["results"]["result"].str.split("；").explode()
    assert words.isin(set(DEFAULT_RESULT_VOCABULARY) | set(DEFAULT_RESULT_SYNONYMS)).all()
    folded = words.map(lambda w: DEFAULT_RESULT_SYNONYMS.get(w, w))
    assert set(folded) == set(DEFAULT_RESULT_VOCABULARY)
    assert words.isin(set(DEFAULT_RESULT_SYNONYMS)).sum() >= 5
    share = (folded == "未发现问题").mean()
    assert 0.65 < share < 0.85
    actions = set(load_contract()["dispositions"].field("action").values)
    assert set(tables["dispositions"]["action"]) <= actions


def test_plans_versions(tables: dict[str, pd.DataFrame]) -> None:
    plans = tables["plans"]
    assert not plans.duplicated(["plan_id", "version", "task_id"]).any()
    jr = plans[plans["plan_id"] == "QH-2026-JR"]
    v1, v2 = jr[jr["version"] == "1"], jr[jr["version"] == "2"]
    assert "QH-2026-LH-10" not in set(v1["task_id"]) and "QH-2026-LH-10" in set(v2["task_id"])
    assert v2["published_on"].iloc[0] > v1["published_on"].iloc[0]
    assert (v2["adjustment_note"] != "").all() and (v1["adjustment_note"] == "").all()
    both = v1.merge(v2, on="task_id", suffixes=("_1", "_2"))
    assert (both["planned_start_1"] != both["planned_start_2"]).any()
    assert set(plans["year"]) == {"2025", "2026"}
    tasks = tables["tasks"]
    planned = tasks[tasks["plan_id"] != ""]
    assert planned["plan_id"].isin(set(plans["plan_id"])).all()
    assert (tasks["plan_id"] == "").sum() == 2
    joint = tasks.set_index("task_id").loc["QH-2026-LH-10"]
    assert joint["joint_departments"] == "青禾县市场监督管理局；青禾县公安局"
    assert (joint["start"], joint["end"]) == ("2026-03-01", "2026-07-30")


def test_plan_documents_have_pages(tables: dict[str, pd.DataFrame]) -> None:
    tasks = tables["tasks"]
    linked = tasks[tasks["plan_document"] != ""].set_index("plan_document")["task_id"]
    assert set(linked.index) == set(PLAN_DOCUMENTS)
    for slug, task_id in linked.items():
        page = ROOT / "content" / "pages" / f"{slug}.md"
        header = dict(
            line.split(": ", 1)
            for line in page.read_text(encoding="utf-8").split("\n\n", 1)[0].splitlines()
        )
        assert header["Slug"] == slug and header["Task"] == task_id
        assert "示例" in header["Title"]


def test_validator_accepts_sample(sample: tuple[Path, dict[str, int]]) -> None:
    load = pytest.importorskip("generator.model.load")
    model = load.load_model(sample[0])
    frame = model.problems.frame()
    assert model.problems.errors == 0, frame.head(20).to_string()
    # W301: two 定向复查 of the same item; W305: the certificate that ran out; W309: the
    # directory's counts a task and two strata did not follow (see below)
    assert set(frame["code"]) <= {"W301", "W305", "W309"}


def test_inspectors_with_the_gaps_of_a_real_register(sample: tuple[Path, dict[str, int]]) -> None:
    """Two inspectors per department on each visit, except: 公安局 recorded none in 2025, a
    few visits name one, and 市场监管局's QHSJ-0001 was named after its certificate ran out."""
    from generator.model.load import load_model
    from generator.rules import figures

    model = load_model(sample[0])
    f = figures(model)
    status = f.teams["team_status"].value_counts()
    assert status["达到要求"] > 0.9 * len(f.teams)
    assert 5 <= status["人数不足"] <= 0.08 * len(f.teams)
    unrecorded = f.teams[f.teams["team_status"] == "未填写"]
    assert set(unrecorded["inspecting_department"]) == {"青禾县公安局"}
    assert set(unrecorded["year"]) == {2025}
    expired = model.problems.frame().query("code == 'W305'")
    assert len(expired) and set(expired["value"]) == {"QHSJ-0001"}
    inspectors = model["inspectors"]
    assert inspectors["certificate"].str.contains(r"[A-Z]").all()
    # a joint visit pools the teams of its departments
    assert (f.teams["listed"] >= 4).any()


def test_population_directory_with_the_gaps_of_a_real_one(sample: tuple[Path, dict[str, int]]
                                                          ) -> None:
    """Each lead department's 检查对象名录库, counted by type at the start of each year (by
    credit-risk tier for the county office and 市场监管局), and every task naming a type drawn
    from it, except: 公安局's 2026 hotel task kept last year's 198 though seven hotels had
    opened, and 市场监管局 re-rated two enterprises from C to D after its stratified task took
    its tiers (three W309)."""
    from generator.model.load import load_model
    from generator.rules import figures

    model = load_model(sample[0])
    population = model["population"]
    assert sample[1]["population"] == len(population) > 0
    assert set(population["department"]) == {
        "青禾县人民政府办公室", "青禾县市场监督管理局", "青禾县公安局", "青禾县财政局"}
    tiered = population[population["risk_tier"].notna()]
    assert set(tiered["department"]) == {"青禾县人民政府办公室", "青禾县市场监督管理局"}
    assert set(population["as_of"].dt.strftime("%Y-%m-%d")) == {
        "2025-01-01", "2026-01-01", "2026-07-01"}  # 市场监管局 recounted 企业 mid-2026
    tasks = figures(model).tasks.set_index("task_id")
    typed = tasks[tasks["object_type"].notna()]
    assert len(typed) >= 10 and typed["directory_population"].notna().all()  # no W308
    differs = typed[typed["population"] != typed["directory_population"]]
    assert differs.index.tolist() == ["QH-2026-GA-01"]
    assert (differs.iloc[0]["population"], differs.iloc[0]["directory_population"]) == (198, 205)
    assert tasks.loc["QH-2026-SJ-04", "directory_population"] == 1800  # the mid-2026 count
    w309 = model.problems.frame().query("code == 'W309'")
    assert sorted(w309["file"]) == ["strata.csv", "strata.csv", "tasks.csv"]


def test_joint_tasks_visit_once_except_where_a_department_came_alone(
        sample: tuple[Path, dict[str, int]]) -> None:
    """The departments of a joint task inspect each enterprise together on one day, so its
    results share the day; once, 公安局 came three days before 市场监管局 on its own."""
    from generator.model.load import load_model
    from generator.rules import figures

    f = figures(load_model(sample[0]))
    joint = f.tasks[f.tasks["joint"]].set_index("task_id")
    assert len(joint) >= 3 and (joint["multi_department_visits"] > 0).all()
    together = joint.drop(index="QH-2026-LH-04")
    assert (together["multi_department_visits"] == together["visits"]).all()
    alone = joint.loc["QH-2026-LH-04"]
    assert alone["visits"] == alone["sampled"] + 1
    assert alone["multi_department_visits"] == alone["sampled"] - 1
    assert (f.multi_department_visits["departments"] == 3).any()
