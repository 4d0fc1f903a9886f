"""A citizen on a phone finds an enterprise and understands its record: the page says it in
one line, shows each result's 备注, where to object, which results were corrected (the old
value, linked to 更新记录) and, for an enterprise whose results were all withdrawn, keeps a
page saying what was withdrawn and when.

Corrections and withdrawals come from the git history of the data folder, so those tests
publish twice, as an agency does: a first commit, then one that changes a published result
and removes another enterprise's only result."""

from __future__ import annotations

import os
import re
import subprocess
import urllib.request
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from helpers import GOV, SCJG, TASK_BM, TASK_LH, USCC_A, USCC_B, DataFolder
from sitebuild import page as sample_page
from sitebuild import sample_site

from generator import urls
from generator.model import load_model
from generator.site.build import build_pages

THEME = Path(__file__).resolve().parents[1] / "themes" / "gongkai" / "templates"
SETTINGS = {"SITENAME": "测试站点", "GONGKAI_REGION": "测试县", "GONGKAI_PROCESSES": 1}
KNOWN = "91130139MA12WHFA9R"  # a sample enterprise inspected by three tasks


def text(node) -> str:
    return re.sub(r"\s+", " ", node.get_text(" ")).strip()


# --- the sample site ------------------------------------------------------------------


def test_the_enterprise_page_says_its_record_in_one_line():
    sample_site()
    line = text(sample_page(urls.enterprise(KNOWN)).select_one("main p.summary"))
    assert line == ("共被抽查 3 次。最近一次：2026-09-04， 2026年小额贷款公司定向抽查 ，发现问题，"
                    "已责令改正。尚未办结的后续处置：2026年小额贷款公司定向抽查，责令改正，"
                    "整改期限未满，正在整改。")


def test_an_enterprise_without_open_follow_up_says_none():
    _, model = sample_site()
    results = model["results"]
    clean = results.groupby("uscc", observed=True)["category"].agg(
        lambda c: set(c) == {"no_problem"})
    code = clean[clean].index[0]
    line = text(sample_page(urls.enterprise(code)).select_one("main p.summary"))
    assert "未发现问题" in line and "尚未办结" not in line
    assert line.startswith(f"共被抽查 {results[results['uscc'] == code]['task_id'].nunique()} 次")


def test_notes_are_shown_on_the_enterprise_and_the_task_page():
    _, model = sample_site()
    results = model["results"]
    noted = results[(results["uscc"] == KNOWN) & results["note"].notna()]
    assert len(noted) >= 2
    cells = [text(p) for p in sample_page(urls.enterprise(KNOWN)).select("p.note")]
    assert sorted(cells) == sorted(f"备注：{n}" for n in noted["note"])
    row = noted.iloc[0]
    task = sample_page(urls.task(row["task_id"]))  # the sample's tasks fit on one page
    assert f"备注：{row['note']}" in [text(p) for p in task.select("p.note")]


def test_each_result_says_whom_to_object_to_with_the_contact_details():
    soup = sample_page(urls.enterprise(KNOWN))
    lines = {text(p) for p in soup.select("p.objection")}
    assert ("对检查结果有异议的，可向 青禾县公安局 提出：电话 0311-86011100；地址 青禾县文昌路16号；"
            "网站 https://gaj.qinghe.example.gov.cn/ 。") in lines
    link = next(p for p in soup.select("p.objection") if "青禾县公安局" in p.get_text())
    assert link.find("a")["href"] == "../../departments/gaj/"  # its short code
    assert link.find("a", rel="external")["href"] == "https://gaj.qinghe.example.gov.cn/"
    # the office that gives no short code: its page is at the pinyin of its name
    office = next(p for p in soup.select("p.objection") if "人民政府办公室" in p.get_text())
    assert office.find("a")["href"] == "../../departments/qinghexianrenminzhengfubangongshi/"
    # every inspection group has one line per department that inspected in it
    for section in soup.select("section.inspection"):
        departments = {td.get_text(strip=True) for td in section.select("tbody td:nth-of-type(1)")
                       if td.find_parent("table").find("caption").get_text().endswith("检查事项和结果")}
        named = {p.find("a").get_text() for p in section.select("p.objection")}
        assert named == departments


def test_the_task_page_names_its_plan_and_whom_to_object_to():
    _, model = sample_site()
    tasks = model["tasks"].set_index("task_id")
    soup = sample_page(urls.task("QH-2025-JR-01"))
    plan = next(div for div in soup.select("dl.facts div") if div.dt.get_text() == "所属计划")
    assert plan.dd.a.get_text() == "青禾县人民政府办公室2025年度双随机抽查工作计划"
    assert tasks.loc["QH-2025-JR-01", "plan_id"] in plan.dd.get_text()  # the code, beside it
    assert [text(p) for p in soup.select("p.objection")] == [
        "对检查结果有异议的，可向 青禾县人民政府办公室 提出：电话 0311-86010001；"
        "地址 青禾县禾兴大街1号县政务服务中心三楼；网站 https://www.qinghe.example.gov.cn/jrjg/ 。"]


# --- what an incremental build rewrites -----------------------------------------------


def build(folder: DataFolder, out: Path, cache: Path):
    model = folder.load()
    assert model.ok
    return build_pages(model, SETTINGS, out, [THEME], cache_dir=cache)


def test_a_new_note_or_new_contact_details_rewrite_the_pages_that_show_them(tmp_path):
    folder = DataFolder(tmp_path / "src").with_departments()
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    page_a = out / urls.output_file(urls.enterprise(USCC_A))
    page_b = out / urls.output_file(urls.enterprise(USCC_B))
    folder.edit("results", 0, note="补充检查材料一份")  # only the note of A's result
    counts = build(folder, out, cache)
    assert "补充检查材料一份" in page_a.read_text(encoding="utf-8")
    assert counts.written >= 2  # A's page and its task's page
    before = page_b.read_text(encoding="utf-8")
    folder.edit("departments", 0, phone="0311-86019999")  # the office inspected A and B
    build(folder, out, cache)
    assert "0311-86019999" in page_a.read_text(encoding="utf-8")
    assert page_b.read_text(encoding="utf-8") != before
    assert "0311-86019999" in (out / urls.output_file(urls.task(TASK_LH))).read_text("utf-8")


# --- published, then corrected and withdrawn --------------------------------------------


def git(args: list[str], root: Path, date: str) -> None:
    env = dict(os.environ, GIT_AUTHOR_NAME="青禾县市场监督管理局", GIT_AUTHOR_EMAIL="d@example.gov.cn",
               GIT_COMMITTER_NAME="青禾县市场监督管理局", GIT_COMMITTER_EMAIL="d@example.gov.cn",
               GIT_AUTHOR_DATE=date, GIT_COMMITTER_DATE=date, GIT_CONFIG_NOSYSTEM="1",
               GIT_CONFIG_GLOBAL=str(root.parent / "gitconfig"))
    subprocess.run(["git", *args], cwd=root, env=env, check=True, capture_output=True)


def build_repo(root: Path, out: Path):
    model = load_model(root / "data")
    assert model.ok
    return build_pages(model, SETTINGS, out, [THEME], cache_dir=root.parent / "cache")


@pytest.fixture(scope="module")
def republished(tmp_path_factory) -> Path:
    """The minimal data published (first commit), then B's result corrected and A's only
    result removed (second commit): the output of both builds, one after the other."""
    tmp = tmp_path_factory.mktemp("record")
    root = tmp / "repo"
    folder = DataFolder(root).with_departments()
    folder.write()
    git(["init", "-q", "-b", "main"], root, "2026-11-02T10:00:00+08:00")
    git(["add", "-A"], root, "2026-11-02T10:00:00+08:00")
    git(["commit", "-qm", "首次发布"], root, "2026-11-02T10:00:00+08:00")
    out = tmp / "output"
    build_repo(root, out)
    first = (out / urls.output_file(urls.enterprise(USCC_B))).read_text(encoding="utf-8")
    assert "已更正" not in first and (out / urls.output_file(urls.enterprise(USCC_A))).is_file()
    index_b = next(i for i, r in enumerate(folder.rows["results"]) if r["uscc"] == USCC_B)
    folder.edit("results", index_b, result="发现问题待后续处理")
    folder.rows["results"] = [r for r in folder.rows["results"] if r["uscc"] != USCC_A]
    folder.write()
    git(["commit", "-qam", "撤回重复录入的检查结果，更正一条结果"], root, "2026-11-20T09:00:00+08:00")
    build_repo(root, out)
    return out


def soup_of(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / urls.output_file(path)).read_text(encoding="utf-8"), "html.parser")


def test_a_corrected_result_is_marked_with_its_old_value_and_a_link_to_the_change(republished):
    soup = soup_of(republished, urls.enterprise(USCC_B))
    marks = soup.select("p.corrected")
    assert len(marks) == 1
    assert text(marks[0]) == ("已更正 检查结果原为“发现问题已责令改正”，2026-11-20 改为“发现问题待后续处理”"
                              "（ 更新记录 ）")
    href = marks[0].find("a")["href"]
    assert href.startswith("../../changes/#e-")
    anchor = href.split("#", 1)[1]
    changes = soup_of(republished, urls.changes())
    row = changes.find("tr", id=anchor)  # the link lands on the entry that explains it
    assert row is not None and "更正" in text(row) and "发现问题已责令改正" in text(row)
    # the result itself shows the new value, and the summary line says so too
    assert "发现问题待后续处理" in text(soup.select_one("section.inspection tbody"))
    assert "发现问题，待后续处理" in text(soup.select_one("p.summary"))


def test_an_enterprise_whose_results_were_all_withdrawn_keeps_a_page_saying_so(republished):
    soup = soup_of(republished, urls.enterprise(USCC_A))
    assert soup.find("h1").get_text() == "青禾县汇通小额贷款有限公司"
    summary = text(soup.select_one("p.summary"))
    assert "全部撤回" in summary and "2026-11-20" in summary
    rows = soup.select("section.withdrawn tbody tr")
    assert len(rows) == 1
    cells = [text(c) for c in rows[0].find_all(["th", "td"])]
    assert cells == ["2026年第十次跨部门联合抽查", "小额贷款公司经营业务类检查", "未发现问题",
                     "2026-06-01", "撤回于 2026-11-20", "撤回重复录入的检查结果，更正一条结果"]
    assert not soup.select("section.inspection")
    # the 更新记录 links to it, and a web server answers its address with the page
    changes = soup_of(republished, urls.changes())
    assert changes.find("a", href=f"../{urls.enterprise(USCC_A)}")
    from browser import serve

    with serve(republished) as base:
        with urllib.request.urlopen(base + urls.enterprise(USCC_A)) as answer:
            assert answer.status == 200
            assert "撤回" in answer.read().decode("utf-8")


def test_tombstone_and_correction_are_visible_on_a_phone(browser, republished):
    """390×844 in real Chromium: the withdrawal and the correction are on screen, not
    hidden or pushed off the side."""
    from browser import serve

    with serve(republished) as base:
        page = browser.new_page(viewport={"width": 390, "height": 844})
        page.goto(base + urls.enterprise(USCC_A))
        summary = page.locator("p.summary")
        assert summary.is_visible() and "全部撤回" in summary.inner_text()
        withdrawn = page.locator("section.withdrawn")
        withdrawn.scroll_into_view_if_needed()
        assert withdrawn.is_visible() and "撤回于 2026-11-20" in withdrawn.inner_text()
        page.goto(base + urls.enterprise(USCC_B))
        mark = page.locator("p.corrected")
        mark.scroll_into_view_if_needed()
        assert mark.is_visible() and "已更正" in mark.inner_text()
        box = mark.bounding_box()
        assert box["x"] >= 0 and box["x"] + box["width"] <= 390 + 1
        mark.locator("a").click()
        page.wait_for_load_state()
        assert "/changes/" in page.url and page.url.split("#", 1)[1].startswith("e-")
        assert page.locator(f"tr[id='{page.url.split('#', 1)[1]}']").is_visible()
        page.close()


def test_a_task_page_names_each_department_that_inspected_for_it(republished):
    """One objection line per inspecting department of the task, each with its contact."""
    soup = soup_of(republished, urls.task(TASK_BM))
    assert [p.find("a").get_text() for p in soup.select("p.objection")] == [SCJG]
    assert GOV in text(soup_of(republished, urls.task(TASK_LH)).select_one("p.objection"))
