"""The sample site, page by page, checked against the model built from the same data."""

from __future__ import annotations

import math
import re
from collections import deque
from pathlib import Path
from urllib.parse import unquote, urljoin

import pandas as pd
import pytest
from sitebuild import page, sample_site

from generator import urls
from generator.model.plans import plan_changes
from generator.rules import figures


@pytest.fixture(scope="module")
def site():
    return sample_site()


def text(soup) -> str:
    return re.sub(r"\s+", " ", soup.get_text(" "))


def test_every_page_type_is_built(site):
    out, model = site
    tasks, items, plans = model["tasks"], model["items"], model["plans"]
    expected = ["index.html", "404.html", "about/index.html", "tasks/index.html",
                "items/index.html", "plans/index.html", "departments/index.html",
                urls.output_file(urls.task(tasks["task_id"].iloc[0])),
                urls.output_file(urls.item(items["item_id"].iloc[0])),
                urls.output_file(urls.plan(plans["plan_id"].iloc[0])),
                urls.output_file(urls.enterprise(model["results"]["uscc"].iloc[0])),
                urls.output_file(urls.department(items["department"].iloc[0])),
                urls.output_file(urls.items_by_department(items["department"].iloc[0])),
                urls.output_file(urls.items_by_category(items["category"].iloc[0])),
                urls.output_file(urls.year(int(tasks["start"].dt.year.iloc[0])))]
    missing = [p for p in expected if not (out / p).is_file()]
    assert not missing
    for p in expected:
        html = (out / p).read_text(encoding="utf-8")
        assert '<html lang="zh-CN">' in html, p


def test_one_page_per_enterprise(site):
    out, model = site
    codes = set(model["results"]["uscc"].astype(str))
    built = {p.parent.name for p in (out / "enterprises").glob("*/index.html")}
    assert built == {urls.segment(c) for c in codes}


def busiest_enterprise(model) -> str:
    return model["results"].groupby("uscc", observed=True).size().idxmax()


def test_enterprise_page_shows_every_inspection_and_follow_up(site):
    out, model = site
    code = busiest_enterprise(model)
    rows = model["results"][model["results"]["uscc"] == code]
    soup = page(urls.enterprise(code))
    body = text(soup)
    assert code in body
    latest_name = rows.sort_values("inspected_on")["entity_name"].iloc[-1]
    assert soup.find("h1").get_text(strip=True) == latest_name
    task_names = model["tasks"].set_index("task_id")["name"]
    headings = [h.get_text(" ", strip=True) for h in soup.select("section.inspection h2")]
    assert len(headings) == rows["task_id"].nunique()
    for task_id in rows["task_id"].unique():
        assert any(task_names[task_id] in h for h in headings)
    # one row per result and follow-up; a joint visit's heading row is not a result
    table_rows = soup.select("section.inspection tbody tr:not(.visit-head)")
    disp = model["dispositions"]
    disp = disp[disp["uscc"] == code]
    assert len(table_rows) == len(rows) + len(disp)
    for _, r in rows.iterrows():
        assert r["inspected_on"].strftime("%Y-%m-%d") in body
        assert "；".join(r["result"]) in body
    for _, d in disp.iterrows():
        assert d["action"] in body


def _visit_label(visit) -> str:
    return f"一次检查，{int(visit.items)} 个事项，{int(visit.departments)} 个部门"


def test_a_visit_of_several_departments_is_one_record_on_the_enterprise_page(site):
    """一企一表: the items several departments checked on one visit are one record, labelled
    with how many items and departments, each item with its department and result."""
    _, model = site
    visits = figures(model).multi_department_visits
    assert len(visits), "the sample has joint visits"
    results = model["results"]
    for visit in visits.itertuples():
        soup = page(urls.enterprise(visit.uscc))
        day = visit.inspected_on.strftime("%Y-%m-%d")
        records = [b for b in soup.select("section.inspection tbody.visit")
                   if day in b.select_one("tr.visit-head").get_text()]
        assert len(records) == 1, (visit.uscc, day)
        head = text(records[0].select_one("tr.visit-head"))
        assert _visit_label(visit) in head and visit.department_names in head
        mine = results[(results["uscc"] == visit.uscc) & (results["task_id"] == visit.task_id)
                       & (results["inspected_on"] == visit.inspected_on)]
        rows = records[0].select("tr:not(.visit-head)")
        assert len(rows) == visit.items == len(mine)
        shown = {(r.select_one('[data-label="检查实施机关"]').get_text(),
                  r.select_one('[data-label="检查结果"] .badge').get_text()) for r in rows}
        assert shown == {(d, "；".join(t)) for d, t in zip(mine["inspecting_department"],
                                                          mine["result"], strict=True)}


def test_a_department_that_came_alone_is_not_part_of_the_record(site):
    """The sample's one enterprise of QH-2026-LH-04 that 公安局 inspected on a day of its own:
    two visits, so its rows stay separate rows."""
    _, model = site
    f = figures(model)
    results = model["results"]
    mine = results[results["task_id"] == "QH-2026-LH-04"]
    days = mine.groupby("uscc", observed=True)["inspected_on"].nunique()
    apart = days[days > 1].index.tolist()
    assert len(apart) == 1 and apart[0] not in set(f.multi_department_visits["uscc"])
    soup = page(urls.enterprise(apart[0]))
    section = next(s for s in soup.select("section.inspection")
                   if "QH-2026-LH-04" in s.h2.get_text())
    assert not section.select("tbody.visit")
    assert len(section.select("tbody tr")) == (mine["uscc"] == apart[0]).sum()


def test_task_page_shows_each_joint_visit_as_one_record(site):
    _, model = site
    f = figures(model)
    tasks = f.tasks.set_index("task_id")
    for task_id in tasks.index[tasks["joint"]]:
        row = tasks.loc[task_id]
        soup = page(urls.task(task_id))
        said = text(soup.select_one("p.joint-visits"))
        assert f"本任务 {int(row['visits'])} 户次检查中，{int(row['multi_department_visits'])} 户次" \
            f"由多个部门一次完成" in said
        assert f"涉及 {int(row['multi_department_enterprises'])} 户市场主体" in said
        records = soup.select('div.table-wrap[aria-label^="检查结果"] tbody.visit')
        visits = f.multi_department_visits[f.multi_department_visits["task_id"] == task_id]
        assert len(records) == len(visits) == row["multi_department_visits"]
        for record, visit in zip(records, visits.sort_values("entity_name").itertuples(),
                                 strict=True):
            head = text(record.select_one("tr.visit-head"))
            assert visit.entity_name in head and _visit_label(visit) in head
            assert len(record.select("tr:not(.visit-head)")) == visit.items
    # a task of one department has nothing to group and says nothing of it
    single = page(urls.task(tasks.index[~tasks["joint"]][0]))
    assert not single.select("tbody.visit") and not single.select("p.joint-visits")


def test_enterprise_with_a_new_name_lists_the_earlier_one(site):
    out, model = site
    names = model["results"].groupby("uscc", observed=True)["entity_name"].nunique()
    renamed = names[names > 1]
    if renamed.empty:
        pytest.skip("the sample has no renamed enterprise")
    code = renamed.index[0]
    rows = model["results"][model["results"]["uscc"] == code].sort_values("inspected_on")
    soup = page(urls.enterprise(code))
    assert soup.find("h1").get_text(strip=True) == rows["entity_name"].iloc[-1]
    facts = text(soup.select_one("dl.facts"))
    for earlier in set(rows["entity_name"]) - {rows["entity_name"].iloc[-1]}:
        assert earlier in facts


def test_task_page_counts_and_paginates_results(site):
    out, model = site
    results = model["results"]
    size = 100
    counts = results.groupby("task_id", observed=True).size()
    task_id = counts.idxmax()
    task = model["tasks"].set_index("task_id").loc[task_id]
    first = page(urls.task(task_id))
    body = text(first)
    assert task["selection"] in body and task["lead_department"] in body
    expected_pages = max(1, math.ceil(counts[task_id] / size))
    assert f"共 {expected_pages} 页" in body
    listed = []
    for p in range(1, expected_pages + 1):
        soup = page(urls.task(task_id, p))
        region = soup.select_one('div.table-wrap[aria-label^="检查结果"]')
        listed += [a["href"] for a in region.select("tbody th a")]
    assert len(listed) == counts[task_id]
    assert {h.rstrip("/").rsplit("/", 1)[-1] for h in listed} == \
        {urls.segment(c) for c in results.loc[results["task_id"] == task_id, "uscc"]}
    cats = results[results["task_id"] == task_id]["category"].value_counts()
    labels = {"problem": "发现问题", "no_problem": "未发现问题", "not_applicable": "不适用"}
    for key, label in labels.items():
        assert f"{label} {int(cats.get(key, 0))} 条" in body


def test_task_page_compares_each_stratum_with_the_required_ratio(site):
    _, model = site
    strata = figures(model).strata
    assert len(strata), "the sample has stratified tasks"
    for task_id, rows in strata.groupby("task_id", observed=True):
        table = next(t for t in page(urls.task(task_id)).select("table")
                     if "信用风险等级" in t.thead.get_text())
        shown = {tr.th.get_text(strip=True): [td.get_text(strip=True) for td in tr.select("td")]
                 for tr in table.tbody.select("tr")}
        for row in rows.itertuples():
            cells = shown[row.risk_tier]
            assert cells[0] == str(row.population) and cells[1] == str(row.sampled)
            assert cells[2] == f"{row.ratio * 100:.1f}%"
            if pd.isna(row.target_ratio):
                assert cells[3] == "—" and cells[4] == "—"
            else:
                assert cells[3] == f"{row.target_ratio * 100:.1f}%"
                assert cells[4] == ("达到" if row.meets_ratio else "低于要求")


def test_task_links_its_implementation_plan_and_back(site):
    out, model = site
    tasks = model["tasks"]
    with_doc = tasks[tasks["plan_document"].notna() &
                     ~tasks["plan_document"].astype(str).str.startswith("http")]
    assert len(with_doc), "the sample links at least one 实施方案 page"
    for _, task in with_doc.iterrows():
        soup = page(urls.task(task["task_id"]))
        link = soup.find("a", string="查看实施方案")
        assert link is not None
        target = urljoin(urls.task(task["task_id"]), link["href"])
        assert target == f"pages/{task['plan_document']}/"
        doc = page(target)
        back = [a["href"] for a in doc.select("main a")]
        assert any(urljoin(target, h) == urls.task(task["task_id"]) for h in back)


def test_plan_page_shows_each_adjustment(site):
    out, model = site
    plans = model["plans"]
    changes = plan_changes(plans, model.contract["plans"])
    assert len(changes), "the sample plan has one adjustment"
    plan_id = changes["plan_id"].iloc[0]
    body = text(page(urls.plan(plan_id)))
    versions = plans[plans["plan_id"] == plan_id]
    for _, v in versions.drop_duplicates("version").iterrows():
        assert f"第 {v['version']} 版" in body
        assert v["published_on"].strftime("%Y-%m-%d") in body
        if v["version"] > 1:
            assert v["adjustment_note"] in body
    for _, c in changes[changes["plan_id"] == plan_id].iterrows():
        assert c["task_name"] in body
        if c["change"] == "changed":
            assert f"由“{c['old'] or '空'}”改为“{c['new'] or '空'}”" in body
        else:
            assert {"added": "新增任务", "removed": "删除任务"}[c["change"]] in body


def test_item_filters_by_department_need_no_javascript(site):
    out, model = site
    items = model["items"]
    for dept, group in items.groupby("department"):
        soup = page(urls.items_by_department(dept))
        ids = {td.get_text(strip=True) for td in soup.select("tbody td.code")}
        assert ids == set(group["item_id"])


def test_department_page_lists_its_tasks(site):
    out, model = site
    tasks = model["tasks"]
    dept = tasks["lead_department"].iloc[0]
    body = text(page(urls.department(dept)))
    mine = tasks[(tasks["lead_department"] == dept) |
                 tasks["joint_departments"].map(lambda d: dept in d)]
    for name in mine["name"]:
        assert name in body


def internal_links(out: Path, path: str) -> list[str]:
    html = (out / path).read_text(encoding="utf-8")
    found = []
    for href in re.findall(r'(?:href|src)="([^"]+)"', html):
        if href.startswith(("http://", "https://", "mailto:", "#")):
            continue
        assert not href.startswith("/"), f"{path}: link {href} is not relative"
        target = unquote(urljoin("http://site/" + path, href.split("#")[0].split("?")[0]))
        target = target.removeprefix("http://site/")
        if target.endswith("/") or target == "":
            target += "index.html"
        found.append(target)
    return found


def test_every_enterprise_reachable_by_links_and_no_link_is_broken(site):
    out, model = site
    seen, queue, broken = {"index.html"}, deque(["index.html"]), []
    while queue:
        path = queue.popleft()
        for target in internal_links(out, path):
            if target.startswith("search/"):
                continue  # the search page belongs to the search feature
            if not (out / target).is_file():
                broken.append((path, target))
                continue
            if target.endswith(".html") and target not in seen:
                seen.add(target)
                queue.append(target)
    assert not broken[:10]
    enterprises = {p for p in seen if p.startswith("enterprises/")}
    assert len(enterprises) == model["results"]["uscc"].nunique()


def test_data_pages_say_when_their_data_was_updated(site):
    out, model = site
    code = busiest_enterprise(model)
    rows = model["results"][model["results"]["uscc"] == code]
    disp = model["dispositions"][model["dispositions"]["uscc"] == code]
    latest = pd.concat([rows["published_on"], rows["inspected_on"],
                        disp["recorded_on"]]).max().strftime("%Y-%m-%d")
    assert f"数据更新于 {latest}" in text(page(urls.enterprise(code)))


def test_home_lists_the_latest_result_publications(site):
    _, model = site
    results = model["results"].dropna(subset=["published_on"])
    counts = results.groupby([results["task_id"].astype(str), "published_on"])["uscc"].nunique()
    names = dict(zip(model["tasks"]["task_id"].astype(str), model["tasks"]["name"], strict=True))
    latest = counts.sort_index(level=1, ascending=False).head(3)
    listed = text(page(""))
    for (task_id, day), n in latest.items():
        assert f"{names[task_id]} 抽查结果公示（{n} 户）" in listed, (task_id, day)


def test_home_shows_this_years_figures_from_the_rules(site):
    _, model = site
    year = model.as_of.year
    results = model["results"][model["results"]["inspected_on"].dt.year == year]
    tasks = model["tasks"][model["tasks"]["start"].dt.year == year]
    figures = text(page("").find("main"))
    assert f"{year} 年概况 抽查任务 {len(tasks)}" in figures
    assert f"检查市场主体 {results['uscc'].nunique()}" in figures
    share = (results["category"] == "problem").mean() * 100
    assert f"问题发现率 {share:.1f}%" in figures


def test_enterprise_pages_load_only_the_rows_of_the_enterprises_they_render():
    """Pages rendered from the rows of a few enterprises, scattered or in one run, are
    those rendered from all rows at once, and loading them converts their rows alone."""
    import numpy as np

    from generator.site.views import EnterprisePages, SiteData

    data = SiteData.from_model(sample_site()[1])
    everything = EnterprisePages(data)
    everything.load(np.arange(len(everything)))
    assert everything.loaded_rows == len(data.model["results"])
    expected = [everything.context(i) for i in range(len(everything))]
    with_followup = set(data.model["dispositions"]["uscc"].astype(str))
    chosen = [i for i, u in enumerate(everything.usccs) if u in with_followup][:3]
    scattered = sorted({*chosen, 0, 7, len(everything) - 1})
    run = list(range(20, 60))
    for only in (scattered, run):
        some = EnterprisePages(data)
        some.load(np.array(only))
        assert some.loaded_rows < len(data.model["results"]) / 5
        for i in only:
            assert some.context(i) == expected[i]
            assert some.context(i)["inspections"] > 0
    some = EnterprisePages(data)
    assert any(t.dispositions for i in chosen for t in some.context(i)["tasks"])
    # a page outside the loaded shard is loaded on its own, not served from the shard
    some.load(np.array(run))
    assert some.context(scattered[-1]) == expected[scattered[-1]]


def test_records_give_plain_python_values_with_missing_as_empty_text():
    """What templates read: dates as text, numbers as Python numbers, missing as ""."""
    import numpy as np
    import pandas as pd

    from generator.site.views import records

    frame = pd.DataFrame({
        "count": pd.array([1, None], dtype="Int64"),
        "share": [0.5, np.nan],
        "met": pd.array([True, None], dtype="boolean"),
        "ids": [["A", "B"], None],
        "name": pd.array(["甲", None], dtype="string[pyarrow]"),
        "on": pd.to_datetime(["2025-04-30", None]),
        "n": np.array([3, 4], dtype=np.int64),
    })
    rows = records(frame)
    assert rows == [
        {"count": 1, "share": 0.5, "met": True, "ids": ["A", "B"], "name": "甲",
         "on": "2025-04-30", "n": 3},
        {"count": "", "share": "", "met": "", "ids": "", "name": "", "on": "", "n": 4},
    ]
    assert [type(v) for v in rows[0].values()] == [int, float, bool, list, str, str, int]
    assert records(frame.iloc[:0]) == []


def test_the_data_page_environment_renders_calls_as_jinja_does(tmp_path):
    """Macros, blocks, partials, context functions and settings rendered by the build's
    Renderer give what a plain Jinja environment with every setting gives."""
    from jinja2 import Environment, FileSystemLoader, pass_context, select_autoescape
    from markupsafe import Markup

    from generator.build.render import Renderer, make_environment

    templates = {
        "macros.html": (
            '{% macro pair(a, b) %}<i>{{ a }}|{{ b }}</i>{% endmacro %}'
            '{% macro defaults(a, b="二") %}{{ a }}-{{ b }}{% endmacro %}'
            '{% macro wrap(title) %}<div title="{{ title }}">{{ caller() }}</div>{% endmacro %}'
            '{% macro rest(a) %}{{ a }}{{ varargs|join(",") }}{{ kwargs|dictsort|join(";") }}'
            '{% endmacro %}'),
        "base.html": (
            '{% import "macros.html" as m %}<title>{{ self.title()|striptags }}</title>'
            '{% block title %}默认{% endblock %}|{% block body %}{% endblock %}'),
        "page.html": (
            '{% extends "base.html" %}{% block title %}<b>{{ name }}</b>{% endblock %}'
            '{% block body %}{{ m.pair(name, "<x>") }}{{ m.defaults("一") }}'
            '{{ m.defaults(a="甲", b="乙") }}{% call m.wrap("标题") %}内容{{ name }}{% endcall %}'
            '{{ m.rest(1, 2, 3, k="v") }}{{ shout(name) }}'
            '{% for r in rows %}{{ m.pair(loop.index, r) }}{% endfor %}'
            '{{ partial("part.html", x=name) }}{{ partial("part.html", x=name) }}'
            '{{ super() }}{{ SITENAME }}{{ root }}{% endblock %}'),
        "part.html": "<p>{{ x }}</p>",
    }

    @pass_context
    def shout(context, value):
        return f"{value}!{context['name']}"

    for name, text in templates.items():
        (tmp_path / name).write_text(text, encoding="utf-8")
    settings = {"SITENAME": "站<名>", "UNUSED_SETTING": "不用"}
    ours = make_environment([tmp_path], {"shout": shout, **settings})
    assert "SITENAME" in ours.globals and "UNUSED_SETTING" not in ours.globals
    plain = Environment(loader=FileSystemLoader(tmp_path), trim_blocks=True, lstrip_blocks=True,
                        autoescape=select_autoescape(default=True, default_for_string=True))
    plain.globals.update(shout=shout, **settings)
    plain.globals["partial"] = lambda name, **kw: Markup(plain.get_template(name).render(**kw))
    variables = {"name": "A&B", "rows": ["r1", "<r2>"]}
    expected = plain.get_template("page.html").render(**variables, root="../", page_path="a/")
    rendered = Renderer(ours, tmp_path / "out", {}).render_one("a/", "page.html", variables)
    assert rendered == expected.encode("utf-8")
    assert "站&lt;名&gt;../" in expected
    assert "<i>A&amp;B|&lt;x&gt;</i>" in expected and "一-二" in expected
    assert '<div title="标题">内容A&amp;B</div>' in expected and "1-2,3" not in expected
    assert expected.count("<p>A&amp;B</p>") == 2
    assert len(ours.globals["partial"].cache) == 1  # rendered once, then reused


def test_task_page_downloads_are_the_task_csv_and_workbook(site):
    out, model = site
    task_id = model["results"]["task_id"].astype(str).iloc[0]
    soup = page(urls.task(task_id))
    links = soup.select("p.download a[download]")
    targets = [(out / urls.output_file(urls.task(task_id)).rsplit("/", 1)[0] / a["href"]).resolve()
               for a in links]
    assert targets == [(out / urls.task_csv(task_id)).resolve(),
                       (out / urls.task_xlsx(task_id)).resolve()]
    assert all(t.is_file() and t.stat().st_size for t in targets)
    assert "XLSX" in links[1].get_text()
