"""The statistics dashboard, the overdue list and the compliance facts on task and department pages."""

from __future__ import annotations

import os
import subprocess
import sys
import xml.etree.ElementTree as ET

import pandas as pd
from bs4 import BeautifulSoup
from helpers import TASK_BM, TASK_LH, DataFolder, year_without_calendar
from sitebuild import ROOT, page, sample_site

from generator import urls
from generator.build.render import make_environment
from generator.rules import figures
from generator.settings import load_settings
from generator.site import stats
from generator.site.build import build_pages
from generator.site.views import SiteData

SVG = "{http://www.w3.org/2000/svg}"
TEMPLATES = [ROOT / "themes" / "gongkai" / "templates"]


def test_dashboard_has_every_chart_with_summary_and_table():
    out, model = sample_site()
    f = figures(model)
    soup = page("stats/")
    assert soup.h1.get_text() == "统计"
    sections = soup.select("section.chart")
    assert [s.h2.get_text() for s in sections] == ["各部门检查结果公示时限", "各部门双随机抽查占比",
                                                     "检查结果分类", "每月公示的检查结果", "抽取比例与要求比例"]
    for s in sections:
        img = s.find("img")
        target = (out / "stats" / img["src"]).resolve()
        assert target.is_file() and target.parent == (out / "stats").resolve()
        caption = s.figcaption.get_text()
        assert caption and img["alt"].startswith(s.h2.get_text())
        assert s.select("details table tbody tr"), s.h2.get_text()
        svg = ET.parse(target).getroot()
        assert svg.tag == f"{SVG}svg"
        texts = [t.text or "" for t in svg.iter(f"{SVG}text")]
        assert any(any("\u4e00" <= ch <= "\u9fff" for ch in t) for t in texts), "Chinese stays text"
        assert not list(svg.iter(f"{SVG}script"))
    # the tables carry the same numbers the figures hold
    cats = sections[2].select("details tbody tr")
    assert len(cats) == len(f.categories)
    first = cats[0].find_all(["th", "td"])
    assert first[0].get_text() == f.categories.iloc[0]["result"]
    assert int(first[2].get_text()) == int(f.categories.iloc[0]["count"])
    months = sections[3].select("details tbody tr")
    published = int(model["results"]["published_on"].notna().sum())
    assert sum(int(r.find_all("td")[0].get_text()) for r in months) == published
    cards = {c.dt.get_text(): c.select_one(".figure-value").get_text() for c in soup.select(".figure")}
    assert cards["随机抽查占比"] == stats.pct(f.overall.iloc[0]["random_share"])
    assert cards["逾期未公示任务"] == str(int(f.tasks["overdue"].sum()))
    # CSP: no inline style or script on the page
    assert not soup.select("[style]") and not soup.select("script:not([src])")


def test_nav_links_to_dashboard():
    links = [a["href"] for a in page("").select("nav.site-nav a")]
    assert "stats/" in links


def test_task_pages_show_deadline_status_and_ratio():
    _, model = sample_site()
    f = figures(model)
    for row in f.tasks.itertuples():
        soup = page(urls.task(row.task_id))
        facts = {d.dt.get_text(): d.dd.get_text(" ", strip=True) for d in soup.select("dl.compliance > div")}
        expected = "待定" if pd.isna(row.deadline) else row.deadline.strftime("%Y-%m-%d")
        assert facts["公示期限"].startswith(expected)
        assert facts["公示状态"].startswith(row.status)
        if pd.notna(row.ratio):
            assert facts["抽取比例"].startswith(stats.pct(row.ratio))


def test_department_pages_show_their_yearly_figures():
    _, model = sample_site()
    dy = figures(model).department_years
    for name, group in dy.groupby("department"):
        soup = page(urls.department(name))
        rows = soup.select("#figures + .table-wrap tbody tr")
        assert [int(r.th.get_text()) for r in rows] == sorted(group["year"].tolist(), reverse=True)
        by_year = group.set_index("year")
        for r in rows:
            cells = r.find_all("td")
            year = int(r.th.get_text())
            assert int(cells[0].get_text()) == by_year.loc[year, "tasks"]
            assert cells[-1].get_text() == stats.pct(by_year.loc[year, "followup_on_time_share"])


def test_charts_are_byte_identical_between_builds(tmp_path):
    _, model = sample_site()
    f = figures(model)
    for target in ("a", "b"):
        stats.write_charts(stats.charts(f, 2026, 0.5), tmp_path / target,
                           make_environment(TEMPLATES, {}))
    for svg in (tmp_path / "a" / "stats").glob("*.svg"):
        assert svg.read_bytes() == (tmp_path / "b" / "stats" / svg.name).read_bytes()
    assert len(list((tmp_path / "a" / "stats").glob("*.svg"))) == 5


def _build(tmp_path, change=None, **settings):
    folder = DataFolder(tmp_path)
    if change:
        change(folder)
    merged = load_settings(ROOT / "pelicanconf.py", **settings)
    model = folder.load(merged)
    out = tmp_path / "output"
    build_pages(model, merged, out, TEMPLATES, cache_dir=tmp_path / "cache")
    return out, model


def _soup(out, path):
    return BeautifulSoup((out / urls.output_file(path)).read_text(encoding="utf-8"), "html.parser")


def test_overdue_list(tmp_path):
    out, model = _build(tmp_path, GONGKAI_AS_OF="2026-07-01")
    rows = _soup(out, "stats/overdue/").select("table tbody tr")
    assert len(rows) == 1
    cells = [c.get_text() for c in rows[0].find_all(["th", "td"])]
    assert cells[2] == "2026-06-29" and cells[3] == "2" and cells[4] == "1 / 1"
    assert rows[0].th.a["href"] == "../../" + urls.task(TASK_BM)
    task_page = _soup(out, urls.task(TASK_BM))
    assert "逾期未公示" in task_page.select_one("dl.compliance").get_text()


def test_unknown_year_shows_pending_and_publishes_the_rest(tmp_path):
    out, model = _build(tmp_path, year_without_calendar)
    facts = _soup(out, urls.task(TASK_BM)).select_one("dl.compliance").get_text()
    assert "待定" in facts
    overdue = _soup(out, "stats/overdue/")
    assert "2027" in overdue.get_text() and overdue.select("ul.entry-list a")
    assert "2027" in _soup(out, "stats/").select_one(".notice").get_text()
    assert (out / "stats" / "timeliness.svg").is_file()
    assert "W501" in model.problems.codes()
    data = SiteData.from_model(model)
    assert stats.compliance_for(data)[TASK_BM]["status"] == "待定"


def test_problem_rate_per_item():
    _, model = sample_site()
    counts = model["results"].groupby("item_id", observed=True)["category"].agg(
        lambda c: (int((c == "problem").sum()), len(c)))
    rows = page("stats/").select("#item-problems + .table-wrap tbody tr")
    assert len(rows) == len(counts)
    names = dict(zip(model["items"]["name"], model["items"]["item_id"], strict=True))
    for r in rows:
        cells = [c.get_text() for c in r.find_all(["th", "td"])]
        problems, total = counts[names[cells[0]]]
        assert (int(cells[2]), int(cells[3])) == (total, problems)
        assert cells[4] == stats.pct(problems / total)


def test_dashboard_without_results(tmp_path):
    def change(folder):
        for i in (2, 1, 0):
            folder.remove("results", i)
        folder.remove("dispositions", 0)

    out, model = _build(tmp_path, change, GONGKAI_AS_OF="2026-07-01")
    soup = _soup(out, "stats/")
    assert len(soup.select("section.chart img")) == 5
    assert "暂无数据" in (out / "stats" / "categories.svg").read_text(encoding="utf-8")
    cards = {c.dt.get_text(): c.select_one(".figure-value").get_text() for c in soup.select(".figure")}
    assert cards["结果公示率"] == "—"
    # a task without any result is overdue once its deadline (6/29 for BM) has passed
    f = figures(model).tasks.set_index("task_id")
    assert f.loc[TASK_BM, "status"] == "逾期未公示" and f.loc[TASK_LH, "status"] == "未到期"
    rows = _soup(out, "stats/overdue/").select("table tbody tr")
    assert [r.th.get_text() for r in rows] == [model["tasks"].set_index("task_id").loc[TASK_BM, "name"]]
    assert rows[0].find_all("td")[-1].get_text() == "0 / 0"


def test_build_warns_about_an_unknown_year_and_publishes(tmp_path):
    folder = DataFolder(tmp_path / "src")
    folder.without("calendar")
    folder.edit("tasks", 1, start="2026-12-01", end="2026-12-20")
    folder.edit("results", 2, inspected_on="2026-12-10")
    out = tmp_path / "out"
    done = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--data", str(folder.write()),
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 0, done.stderr
    warning = [line for line in done.stderr.splitlines() if "W501" in line]
    assert len(warning) == 1
    assert "2027 年" in warning[0] and "data/calendar.csv" in warning[0]
    assert "Traceback" not in done.stderr
    assert (out / "stats" / "index.html").is_file() and (out / urls.output_file(urls.task(TASK_BM))).is_file()


def test_dashboard_counts_the_visits_of_several_departments():
    """进一次门、查多项事 on the dashboard: the overall card and, per department and year, the
    visits each department took part in, as the rules count them."""
    _, model = sample_site()
    f = figures(model)
    o = f.overall.iloc[0]
    soup = page("stats/")
    card = " ".join(soup.select_one('[data-figure="all.multi_department_visits"]').get_text(" ").split())
    assert card.startswith(f"多部门联合检查 {int(o['multi_department_visits'])} 户次，"
                           f"{int(o['multi_department_enterprises'])} 户市场主体")
    assert stats.pct(o["multi_department_visit_share"]) in card
    table = soup.find(id="joint-visits").find_next("table")
    rows = {(r.th.get_text(), int(r.find_all("td")[0].get_text())):
            [int(c.get_text()) for c in r.find_all("td")[1:]] for r in table.select("tbody tr")}
    dy = f.department_years[f.department_years["multi_department_visits"] > 0]
    assert rows == {(d.department, int(d.year)): [int(d.multi_department_visits),
                                                  int(d.multi_department_enterprises)]
                    for d in dy.itertuples()}
    # each department that took part counts a visit: more than the visits themselves
    assert sum(v[0] for v in rows.values()) > int(o["multi_department_visits"])
    # and each department's page, year by year
    for d in dy.itertuples():
        soup = page(urls.department(d.department))
        row = next(r for r in soup.select("#figures + .table-wrap tbody tr")
                   if r.th.get_text() == str(d.year))
        cell = row.select_one('[data-label="多部门联合检查"]')
        assert cell.get_text() == f"{int(d.multi_department_visits)} 户次"
