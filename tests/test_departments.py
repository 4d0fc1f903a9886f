"""The optional departments table (部门): checked like every table, and what the site does
with it: readable slugs for department pages and feeds, with the old addresses kept."""

from __future__ import annotations

from pathlib import Path

import feedparser
import pytest
from bs4 import BeautifulSoup
from helpers import GOV, SCJG, DataFolder, only, problems

from generator import urls
from generator.model.departments import directory
from generator.publish.feeds import write_feeds
from generator.site.build import build_pages

THEME = Path(__file__).resolve().parents[1] / "themes" / "gongkai" / "templates"
SETTINGS = {"SITENAME": "测试站点", "GONGKAI_REGION": "测试县", "GONGKAI_PROCESSES": 1}


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return DataFolder(tmp_path).with_departments()


# --- validation -----------------------------------------------------------------------


def test_the_departments_table_is_optional_and_valid_as_given(folder):
    model = folder.load()
    assert model.ok and len(problems(model)) == 0
    assert list(model["departments"]["name"]) == [GOV, SCJG]
    absent = DataFolder(folder.root.parent / "without").load()  # not written by default
    assert absent.ok and len(absent["departments"]) == 0


def test_a_malformed_web_page_phone_or_short_code_is_located(folder):
    folder.edit("departments", 0, website="www.qinghe.example.gov.cn")  # no scheme
    folder.edit("departments", 1, phone="0311-860", short_code="市场/监管")
    model = folder.load()
    # the rejected rows hold back every row naming those departments, each saying why
    held = [c for c in problems(model)["code"] if c == "E311"]
    assert held
    frame = problems(model)
    own = frame[frame["file"] == "departments.csv"]
    assert sorted(zip(own["code"], own["row"], own["column"], strict=True)) == [
        ("E211", 2, "网站"), ("E212", 3, "联系电话"), ("E213", 3, "简称代码")]
    assert only(model, "E211")["message"] == (
        "“www.qinghe.example.gov.cn”不是有效的网址：应以 http:// 或 https:// 开头，"
        "后接完整的域名，例如 https://www.example.gov.cn/。")
    assert only(model, "E212")["value"] == "0311-860"
    assert "最多 32 位" in only(model, "E213")["message"]


def test_several_phone_numbers_and_full_width_digits_are_accepted(folder):
    folder.edit("departments", 0, phone="０３１１－８６０１０００１、(0311)86010002、12345")
    model = folder.load()
    assert model.ok, problems(model).to_string()
    assert model["departments"]["phone"].iloc[0] == "0311-86010001、(0311)86010002、12345"


def test_a_short_code_used_twice_is_an_error_whatever_its_case(folder):
    row = folder.add("departments", 1, name="青禾县市场监管综合执法大队", short_code="SCJG")
    model = folder.load()
    frame = problems(model)
    own = frame[frame["file"] == "departments.csv"]
    assert sorted(zip(own["code"], own["row"], own["column"], strict=True)) == [
        ("E301", 3, "简称代码"), ("E301", row, "简称代码")]
    assert own["message"].iloc[0] == (
        "简称代码（不区分大小写）重复（该值首次出现于 departments.csv 第 3 行），重复的各行都未发布。")


def test_a_department_name_twice_is_an_error(folder):
    row = folder.add("departments", 1, short_code="")
    model = folder.load()
    frame = problems(model)
    mine = frame[(frame["file"] == "departments.csv") & (frame["code"] == "E301")]
    assert set(mine["row"]) == {3, row} and set(mine["column"]) == {"部门名称"}


def test_a_department_missing_from_the_table_is_located_wherever_it_is_named(folder):
    folder.edit("tasks", 1, lead_department="青禾县财政局")
    folder.edit("results", 2, inspecting_department="青禾县财政局")
    model = folder.load()
    e313 = problems(model)
    e313 = e313[e313["code"] == "E313"]
    assert sorted(zip(e313["file"], e313["row"], e313["column"], strict=True)) == [
        ("results/a.csv", 4, "检查实施机关"), ("tasks.csv", 3, "牵头部门")]
    assert e313["message"].iloc[0].startswith("牵头部门“青禾县财政局”不在部门表中") or \
        e313["message"].iloc[0].startswith("检查实施机关“青禾县财政局”不在部门表中")
    assert not model.ok


def test_without_the_table_any_department_name_is_accepted(tmp_path):
    folder = DataFolder(tmp_path)
    folder.edit("tasks", 1, lead_department="青禾县财政局")
    assert folder.load().ok


# --- slugs ----------------------------------------------------------------------------


def test_slug_from_the_short_code_otherwise_from_the_pinyin_of_the_name(folder):
    model = folder.load()
    found = directory(model)
    assert found[SCJG].slug == "scjg"  # its short code
    assert found[GOV].slug == "qinghexianrenminzhengfubangongshi"  # no short code: pinyin
    assert found[GOV].legacy == urls.segment(GOV) and found[GOV].legacy.startswith("x-")
    assert found[SCJG].contact == (("电话", "0311-86012315"), ("地址", "青禾县禾兴大街88号"),
                                   ("网站", "https://scjg.qinghe.example.gov.cn/"))
    # the same department without the table: pinyin, the same in every build
    assert urls.department_slugs([SCJG]) == {SCJG: "qinghexianshichangjianduguanliju"}


def test_a_short_code_shared_with_a_pinyin_slug_wins_and_the_other_gets_a_suffix():
    slugs = urls.department_slugs(["青禾县公安局", "另一个局"], {"另一个局": "qinghexiangonganju"})
    assert slugs["另一个局"] == "qinghexiangonganju"
    assert slugs["青禾县公安局"].startswith("qinghexiangonganju-")
    assert urls.department_slugs(["！！"])["！！"] == urls.segment("！！")  # nothing to spell


def build(folder: DataFolder, out: Path):
    model = folder.load()
    assert model.ok
    build_pages(model, SETTINGS, out, [THEME], cache_dir=out.parent / "cache")
    return model


def soup(out: Path, path: str) -> BeautifulSoup:
    return BeautifulSoup((out / urls.output_file(path)).read_text(encoding="utf-8"), "html.parser")


def test_department_pages_have_readable_addresses_and_the_old_ones_redirect(folder, tmp_path):
    out = tmp_path / "out"
    build(folder, out)
    assert (out / "departments/scjg/index.html").is_file()
    assert (out / "departments/qinghexianrenminzhengfubangongshi/index.html").is_file()
    page = soup(out, "departments/scjg/")
    assert "0311-86012315" in page.get_text() and "有异议" in page.get_text()
    for name, new in ((SCJG, "departments/scjg/"),
                      (GOV, "departments/qinghexianrenminzhengfubangongshi/")):
        old = soup(out, urls.department_legacy(name))
        refresh = old.find("meta", attrs={"http-equiv": "refresh"})["content"]
        assert refresh == f"0; url=../../{new}"
        assert old.find("a", href=f"../../{new}")
        assert old.find("meta", attrs={"name": "robots"})["content"] == "noindex"
    # the items of a department moved too, and their old address answers as well
    assert (out / "items/by-department/scjg/index.html").is_file()
    old_items = soup(out, urls.items_by_department_legacy(SCJG))
    assert old_items.find("a", href="../../../items/by-department/scjg/")
    # every link on the task page points at the new addresses
    task = soup(out, urls.task("QH-2026-LH-10"))
    hrefs = {a["href"] for a in task.find_all("a")}
    assert "../../departments/scjg/" in hrefs and not any("/x-" in h for h in hrefs)


def test_a_department_feed_keeps_answering_under_its_old_name_as_the_same_feed(folder,
                                                                               tmp_path):
    model = folder.load()
    out = tmp_path / "out"
    write_feeds(model, dict(SETTINGS), out)
    slug = "qinghexianrenminzhengfubangongshi"
    new = feedparser.parse((out / f"feeds/departments/{slug}.atom.xml").read_bytes())
    old_name = urls.segment(GOV)
    old = feedparser.parse((out / f"feeds/departments/{old_name}.atom.xml").read_bytes())
    assert new.feed.title == old.feed.title == f"{GOV}：抽查更新"
    assert new.feed.id == old.feed.id  # one feed to a reader, under either address
    assert [e.id for e in new.entries] == [e.id for e in old.entries] and new.entries
    assert (out / f"feeds/departments/{old_name}.rss.xml").is_file()
