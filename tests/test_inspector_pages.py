"""The rule of two inspectors on the pages, and the inspectors' own pages (行政执法公示).

Built from the minimal folder with ``with_inspectors()`` (see tests/test_inspectors.py),
where one result of task LH names a single inspector: one visit falls short.
"""

from __future__ import annotations

from bs4 import BeautifulSoup
from helpers import CERT_GOV_1, CERT_GOV_2, CERT_SJ_1, GOV, TASK_BM, TASK_LH, USCC_A, DataFolder
from sitebuild import ROOT

from generator import urls
from generator.settings import load_settings
from generator.site.build import build_pages

TEMPLATES = [ROOT / "themes" / "gongkai" / "templates"]


def _build(tmp_path, change=None, **settings):
    folder = DataFolder(tmp_path).with_inspectors()
    folder.edit("results", 0, inspectors=CERT_GOV_1)  # USCC_A in task LH: alone
    if change:
        change(folder)
    merged = load_settings(ROOT / "pelicanconf.py", **settings)
    model = folder.load(merged)
    assert model.ok, model.problems.frame().to_string()
    out = tmp_path / "output"
    build_pages(model, merged, out, TEMPLATES, cache_dir=tmp_path / "cache")
    return out, model


def _soup(out, path):
    return BeautifulSoup((out / urls.output_file(path)).read_text(encoding="utf-8"), "html.parser")


def _text(node) -> str:
    return " ".join(node.get_text(" ").split())


def test_task_page_gives_the_share_and_lists_the_short_inspection(tmp_path):
    out, _ = _build(tmp_path)
    soup = _soup(out, urls.task(TASK_LH))
    section = soup.find(id="inspectors")
    assert section is not None
    summary = _text(section.find_next("p"))
    assert "至少 2 名" in summary and "2 户次填写了检查人员" in summary
    assert "1 户次达到要求（50.0%）" in summary and "1 户次人数不足" in summary
    rows = section.find_next("table").select("tbody tr")
    assert len(rows) == 1
    cells = rows[0].find_all(["th", "td"])
    assert cells[0].a["href"].endswith(urls.enterprise(USCC_A))
    assert _text(cells[3]) == CERT_GOV_1
    assert cells[3].a["href"].endswith(urls.inspector(CERT_GOV_1))
    assert _text(cells[4]) == "1 / 1"
    # the task whose every inspection met the rule says so, and lists nothing
    bm = _soup(out, urls.task(TASK_BM)).find(id="inspectors")
    assert "全部达到要求" in _text(bm.find_next("p"))
    assert bm.find_next("table") is None or bm.find_next("table").find_previous(
        "h2").get("id") != "inspectors"


def test_dashboard_card_department_table_and_the_list_of_short_inspections(tmp_path):
    out, _ = _build(tmp_path)
    soup = _soup(out, "stats/")
    card = soup.select_one('[data-figure="all.team_share"]')
    assert card is not None and "66.7%" in _text(card)  # 2 of 3 visits
    table = soup.find(id="inspectors").find_next("table")
    rows = {_text(r.th): [_text(c) for c in r.find_all("td")] for r in table.select("tbody tr")}
    assert rows[GOV] == ["2026", "2", "2", "1", "1", "50.0%"]
    listing = _soup(out, "stats/inspectors/").select("table tbody tr")
    assert len(listing) == 1
    assert TASK_LH in listing[0].a["href"] or "2026年第十次" in _text(listing[0])


def test_an_expired_certificate_is_marked_not_counted(tmp_path):
    def expire(folder):
        folder.edit("results", 0, inspectors=f"{CERT_GOV_1}；{CERT_GOV_2}")
        folder.edit("inspectors", 1, valid_to="2026-05-01")
    out, model = _build(tmp_path, expire)
    assert "W305" in model.problems.codes()
    row = _soup(out, urls.task(TASK_LH)).find(id="inspectors").find_next("table").select_one(
        "tbody tr")
    assert f"{CERT_GOV_2}（未计入）" in row.get_text() and _text(row).endswith("1 / 2")


def test_inspector_page_shows_what_行政执法公示_shows(tmp_path):
    out, _ = _build(tmp_path)
    soup = _soup(out, urls.inspector(CERT_SJ_1))
    assert _text(soup.h1) == f"张海峰（{CERT_SJ_1}）"
    facts = {_text(d.dt): _text(d.dd) for d in soup.select("dl.facts > div")}
    assert facts == {"姓名": "张海峰", "执法证号": CERT_SJ_1, "所属部门": "青禾县市场监督管理局",
                     "执法类别": "市场监管综合执法、食品安全",
                     "证件有效期": "2023-06-01 至 2028-05-31", "状态": "有效"}
    visits = soup.select("table tbody tr")
    assert len(visits) == 1 and "青禾县某某协会" in _text(visits[0])
    index = _soup(out, "inspectors/")
    assert [h.get_text() for h in index.select("h2")] == ["青禾县人民政府办公室（2 名）",
                                                      "青禾县市场监督管理局（2 名）"]


def test_certificate_numbers_only_when_the_setting_says_so(tmp_path):
    out, _ = _build(tmp_path, GONGKAI_INSPECTOR_NAMES=False)
    soup = _soup(out, urls.inspector(CERT_SJ_1))
    assert _text(soup.h1) == f"执法证号 {CERT_SJ_1}"
    html = "".join((out / urls.output_file(p)).read_text(encoding="utf-8")
                   for p in ("inspectors/", urls.inspector(CERT_SJ_1), urls.inspector(CERT_GOV_1)))
    for name in ("张海峰", "王立新", "李敏", "赵静"):
        assert name not in html


def test_no_inspector_pages_or_sections_without_inspectors(tmp_path):
    folder = DataFolder(tmp_path)
    merged = load_settings(ROOT / "pelicanconf.py")
    model = folder.load(merged)
    out = tmp_path / "output"
    build_pages(model, merged, out, TEMPLATES, cache_dir=tmp_path / "cache")
    assert not (out / "inspectors").exists()
    assert _soup(out, urls.task(TASK_LH)).find(id="inspectors") is None
    assert _soup(out, "stats/").select_one('[data-figure="all.team_share"]') is None


def test_an_inspector_page_lists_the_newest_visits_and_counts_them_all():
    """With more visits than a page shows, the page lists the newest ones (date, then
    task and enterprise) and counts every visit, as the dashboard does."""
    import pandas as pd
    from sitebuild import sample_site

    from generator.rules import figures
    from generator.site import views

    _, model = sample_site()
    data = views.SiteData.from_model(model, {})
    visits = figures(model).teams
    visits = visits[visits["inspectors"].notna()]
    pairs = visits.assign(certificate=visits["inspectors"].astype(str).str.split("；")) \
        .explode("certificate")
    busiest = pairs["certificate"].value_counts()
    assert busiest.iloc[0] > 3  # the sample has inspectors with more visits than shown here
    pages = {p.context["person"]["certificate"]: p.context
             for p in views.inspector_pages(data, latest=3) if "person" in p.context}
    for cert, count in busiest.items():
        own = pairs[pairs["certificate"] == cert].sort_values(
            ["inspected_on", "task_id", "uscc"], ascending=[False, True, True], kind="stable")
        expected = [(pd.Timestamp(d).strftime("%Y-%m-%d"), urls.task(t), urls.enterprise(u))
                    for d, t, u in own[["inspected_on", "task_id", "uscc"]].head(3).itertuples(
                        index=False)]
        shown = [(v["inspected_on"], v["task_url"], v["url"]) for v in pages[cert]["visits"]]
        assert shown == expected, cert
        assert pages[cert]["person"]["inspections"] == count


def test_inspectors_named_by_no_result_still_get_their_pages(tmp_path):
    """The inspectors table without a result that names anyone: every inspector has a
    page saying no inspection, and the build does not stop."""
    def nobody(folder):
        for i in range(len(folder.rows["results"])):
            folder.edit("results", i, inspectors="")

    out, model = _build(tmp_path, nobody)
    assert model["results"]["inspectors"].map(lambda xs: not xs).all()
    page = _soup(out, urls.inspector(CERT_GOV_1))
    assert CERT_GOV_1 in _text(page)
