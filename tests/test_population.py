"""The 检查对象名录库: task and stratum populations checked against the directory's counts.

Base folder with ``with_population()`` (tests/helpers.py): the county office counted 60
小额贷款公司 on 2025-01-01 and 64 on 2026-01-01 (40 of tier A, 24 of tier C); task LH (of
that type, from 2026-03-01) says 64 with strata A 40 and C 24, and samples 3.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from helpers import GOV, TASK_LH, DataFolder, expect, only
from sitebuild import ROOT

from generator import urls
from generator.rules import figures
from generator.settings import load_settings
from generator.site.build import build_pages


def test_counts_that_agree_are_clean_and_give_the_directory_ratio(folder: DataFolder) -> None:
    model = folder.with_population().load()
    expect(model)
    f = figures(model)
    task = f.tasks.set_index("task_id").loc[TASK_LH]
    assert task["directory_population"] == 64
    assert str(task["directory_as_of"].date()) == "2026-01-01"  # not the 2025 count
    assert task["directory_ratio"] == 3 / 64
    strata = f.strata.set_index("risk_tier")
    assert list(strata["directory_population"]) == [40, 24]


def test_a_task_population_unlike_the_directory_is_a_warning(folder: DataFolder) -> None:
    folder.with_population().edit("population", 1, count="70")
    model = folder.load()
    expect(model, ("W309", "tasks.csv", 2, "对象总数"))
    assert "70 户" in only(model, "W309")["message"]
    assert len(model["tasks"]) == 2  # published all the same


def test_a_stratum_unlike_its_tier_count_is_a_warning(folder: DataFolder) -> None:
    folder.with_population().edit("population", 3, count="20")
    expect(folder.load(), ("W309", "strata.csv", 3, "对象总数"))


def test_only_tiers_counted_sum_to_the_whole(folder: DataFolder) -> None:
    folder.with_population().remove("population", 1)  # no whole count for 2026
    model = folder.load()
    expect(model)
    assert figures(model).tasks.set_index("task_id").loc[TASK_LH, "directory_population"] == 64


def test_an_object_type_missing_from_the_directory_is_a_warning(folder: DataFolder) -> None:
    folder.with_population().edit("tasks", 0, object_type="典当行")
    expect(folder.load(), ("W308", "tasks.csv", 2, "对象类型"))


def test_department_page_shows_the_history_of_counts(tmp_path) -> None:
    folder = DataFolder(tmp_path).with_population()
    settings = load_settings(ROOT / "pelicanconf.py")
    model = folder.load(settings)
    out = tmp_path / "output"
    build_pages(model, settings, out, [ROOT / "themes" / "gongkai" / "templates"],
                cache_dir=tmp_path / "cache")
    soup = BeautifulSoup((out / urls.output_file(urls.department(GOV))).read_text("utf-8"),
                         "html.parser")
    rows = [[c.get_text() for c in r.find_all(["th", "td"])]
            for r in soup.find(id="population").find_next("table").select("tbody tr")]
    assert rows == [["小额贷款公司", "全部", "2025-01-01", "60"],
                    ["小额贷款公司", "全部", "2026-01-01", "64"],
                    ["小额贷款公司", "A", "2026-01-01", "40"],
                    ["小额贷款公司", "C", "2026-01-01", "24"]]
    task = BeautifulSoup((out / urls.output_file(urls.task(TASK_LH))).read_text("utf-8"),
                         "html.parser")
    facts = {d.dt.get_text(): " ".join(d.dd.get_text(" ").split())
             for d in task.select("dl.compliance > div")}
    assert facts["检查对象名录库"].startswith("“小额贷款公司”64 户（2026-01-01 统计）")
