"""The home page and the statistics dashboard agree on every figure they both show.

A reader who sees "结果公示率 98.6%" on the home page and a different number under the same
name on the dashboard cannot tell which one is wrong, so each figure card carries a
``data-figure`` name and a name on the home page must be on the dashboard with the same
label, value and note. The figures both pages give in running text (the year's result and
task counts in the chart summaries) are held to the home page's cards as well.
"""

from __future__ import annotations

import re

import pytest
from bs4 import BeautifulSoup
from sitebuild import ROOT, page

from generator import urls
from generator.model import load_model
from generator.settings import load_settings
from generator.site.build import build_pages

TEMPLATES = [ROOT / "themes" / "gongkai" / "templates"]
# the home page's figures; the test fails if one disappears rather than passing on fewer
HOME = {"year.tasks", "year.enterprises", "year.problem_rate", "year.publication_rate"}


def cards(soup: BeautifulSoup) -> dict[str, str]:
    """data-figure name → the card's text (label, value, note) with spaces normalised."""
    found = [(el["data-figure"], " ".join(el.get_text(" ", strip=True).split()))
             for el in soup.select("[data-figure]")]
    names = [name for name, _ in found]
    assert len(names) == len(set(names)), f"a figure named twice on one page: {names}"
    return dict(found)


def year_heading(soup: BeautifulSoup) -> str:
    return soup.find(id="year-figures").get_text(strip=True)


def captions(soup: BeautifulSoup) -> dict[str, str]:
    return {s.h2["id"].removeprefix("chart-"): s.figcaption.get_text() for s in soup.select("section.chart")}


def assert_agree(home: BeautifulSoup, dashboard: BeautifulSoup) -> None:
    ours, theirs = cards(home), cards(dashboard)
    assert HOME <= set(ours), sorted(ours)
    for name, text in ours.items():
        assert name in theirs, f"{name} is on the home page but not on the dashboard"
        assert theirs[name] == text, name
    # the same year: the figures are "this year's" on both pages
    assert year_heading(home) == year_heading(dashboard)
    # the year's counts in the dashboard's chart summaries are the home page's
    results = re.search(r"共 (\d+) 条结果", ours["year.problem_rate"]).group(1)
    tasks = re.search(r"(\d+) 个", ours["year.tasks"]).group(1)
    said = captions(dashboard)
    assert re.search(r"的 (\d+) 条检查结果中", said["timeliness"]).group(1) == results
    assert re.match(r"(\d+) 个任务中", said["sampling"]).group(1) == tasks
    # and the year's on-time share in the timeliness summary is its card's
    on_time = theirs["year.on_time_share"].split()[1]
    assert f"（{on_time}）" in said["timeliness"]


def test_home_figures_are_the_dashboards():
    assert_agree(page(""), page("stats/"))


def test_home_figures_are_the_dashboards_for_another_date_and_goal(tmp_path):
    """An earlier "as of" date picks another year and a goal below 100% another target:
    the home page once wrote "目标 100%" whatever the setting said."""
    settings = load_settings(ROOT / "pelicanconf.py", GONGKAI_AS_OF="2025-12-31",
                             GONGKAI_PUBLICATION_RATE_GOAL=0.95)
    out = tmp_path / "output"
    build_pages(load_model(ROOT / "data", settings), settings, out, TEMPLATES, cache_dir=tmp_path / "cache")

    def soup(path: str) -> BeautifulSoup:
        return BeautifulSoup((out / urls.output_file(path)).read_text(encoding="utf-8"), "html.parser")

    home, dashboard = soup(""), soup("stats/")
    assert_agree(home, dashboard)
    assert year_heading(home) == "2025 年概况"
    assert cards(home)["year.publication_rate"].endswith("目标 95.0%")


def test_agreement_check_can_fail():
    """A dashboard whose card differs from the home page's, or lacks it, fails the check."""
    home = page("")
    for change in ("value", "drop"):
        dashboard = BeautifulSoup(str(page("stats/")), "html.parser")
        card = dashboard.select_one('[data-figure="year.publication_rate"]')
        if change == "value":
            card.select_one(".figure-value").string = "99.9%"
        else:
            card.decompose()
        with pytest.raises(AssertionError):
            assert_agree(home, dashboard)
