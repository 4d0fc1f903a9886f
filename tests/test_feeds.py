"""Every feed parsed by feedparser and checked against the model; ids stable across rebuilds."""

from __future__ import annotations

import calendar
from datetime import datetime
from zoneinfo import ZoneInfo

import feedparser
import pytest
from helpers import GOV, DataFolder
from publishing import published

from generator import urls
from generator.model.plans import plan_versions
from generator.publish import feeds
from generator.publish.build import publish
from generator.site.views import all_departments


@pytest.fixture(scope="module")
def site():
    return published()


def parse(out, path):
    parsed = feedparser.parse((out / path).read_bytes())
    assert not parsed.bozo, (path, parsed.get("bozo_exception"))
    return parsed


def local_date(entry):
    """The entry's date where the data was recorded (feedparser converts to UTC)."""
    stamp = calendar.timegm(entry.published_parsed)
    return datetime.fromtimestamp(stamp, tz=ZoneInfo("Asia/Shanghai")).date()


def test_every_feed_parses_in_both_formats(site):
    out, model, result = site
    files = sorted((out / "feeds").rglob("*.xml"))
    per_enterprise = [p for p in files if p.parent.name == "enterprises"]  # Atom only, one each
    assert len(files) - len(per_enterprise) == 2 * len(result.feeds)
    assert len(per_enterprise) == model["results"]["uscc"].nunique()
    for path in files:
        parsed = parse(out, path.relative_to(out))
        assert parsed.version in ("atom10", "rss20")
        ids = [e.id for e in parsed.entries]
        assert len(ids) == len(set(ids))
        for e in parsed.entries:
            assert e.title and e.link and e.published_parsed


def test_one_result_entry_per_task_and_publication_date(site):
    out, model, _ = site
    results = model["results"].dropna(subset=["published_on"])
    expected = results.groupby(["task_id", "published_on"], observed=True)["uscc"].nunique()
    names = dict(zip(model["tasks"]["task_id"], model["tasks"]["name"], strict=True))
    for fmt in ("atom", "rss"):
        entries = parse(out, f"feeds/results.{fmt}.xml").entries
        assert len(entries) == len(expected)
        titles = {(e.link.rsplit("tasks/", 1)[1], local_date(e), e.title) for e in entries}
        for (task_id, day), n in expected.items():
            key = (urls.task(task_id).removeprefix("tasks/"), day.date(),
                   f"{names[task_id]} 抽查结果公示（{n}户）")
            assert key in titles


def test_plan_adjustments_say_what_changed_and_why(site):
    out, model, _ = site
    versions = plan_versions(model["plans"])
    entries = parse(out, "feeds/plans.atom.xml").entries
    assert len(entries) == len(versions)
    for v in versions[versions["version"] > 1].itertuples():
        entry = next(e for e in entries if e.title == f"{v.plan_name} 调整（第{v.version}版）")
        assert v.adjustment_note.rstrip("。") in entry.summary
        assert "调整内容" in entry.summary
        assert entry.link.endswith(urls.plan(v.plan_id))


def test_a_feed_for_every_department_and_task(site):
    out, model, _ = site
    for name in all_departments(model):
        parse(out, feeds.department_feed_path(name, "atom"))
        parse(out, feeds.department_feed_path(name, "rss"))
    for task_id in model["tasks"]["task_id"]:
        parsed = parse(out, feeds.task_feed_path(task_id))
        published = model["results"][(model["results"]["task_id"] == task_id)]
        dates = published["published_on"].dropna().nunique()
        assert sum("抽查结果公示" in e.title for e in parsed.entries) == dates


def test_entry_ids_survive_new_data_and_rebuilds(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    publish(folder.load(), {"SITENAME": "测试"}, out)
    before = parse(out, "feeds/all.atom.xml")
    raw = (out / "feeds" / "all.atom.xml").read_bytes()
    publish(folder.load(), {"SITENAME": "测试"}, out)
    assert (out / "feeds" / "all.atom.xml").read_bytes() == raw  # dates from the data
    folder.spare("results", 1, published_on="2026-11-02", inspected_on="2026-10-01")
    publish(folder.load(), {"SITENAME": "测试"}, out)
    after = parse(out, "feeds/all.atom.xml")
    old = {e.id: e.title for e in before.entries}
    new = {e.id: e.title for e in after.entries}
    assert set(old) < set(new)
    assert all(new[i] == t or "（" in t for i, t in old.items())


def test_entry_ids_are_the_name_based_uuids_subscribers_already_have():
    """Readers recognise entries they have seen by id: the ids must stay the version-5
    UUIDs of the site, the region and the entry's key, whatever computes them."""
    import uuid

    from generator.publish.feeds import entry_id, settings_entry_ids

    settings = {"SITENAME": "某市双随机公示", "GONGKAI_REGION": "青禾县"}
    namespace = uuid.uuid5(uuid.NAMESPACE_URL, "gongkai:某市双随机公示:青禾县")
    keys = ["result/91110108MA01ABCD1X/T-2026-001", "", "计划/调整 #2", "x" * 500]
    for key in keys:
        assert entry_id(settings, key) == uuid.uuid5(namespace, key).urn
    many = keys + [f"enterprise-result/T-{i}/91110000{i:010d}/I-1" for i in range(1000)]
    assert settings_entry_ids(settings, many).to_pylist() == \
        [uuid.uuid5(namespace, key).urn for key in many]  # all at once, as per-enterprise feeds


def test_extra_entries_hook_feeds_all_and_department_feeds(tmp_path):
    folder = DataFolder(tmp_path / "src")

    def corrections(model):
        return [feeds.FeedEntry(key="corrections/1", title="更正：某任务结果", link="tasks/",
                                day=model.data_date, summary="更正了一条检查结果。",
                                category="更正", departments=(GOV,))]

    feeds.register_entries(corrections)
    try:
        out = tmp_path / "out"
        publish(folder.load(), {"SITENAME": "测试"}, out)
    finally:
        feeds.unregister_entries(corrections)
    assert any(e.title == "更正：某任务结果" for e in parse(out, "feeds/all.rss.xml").entries)
    dept = parse(out, feeds.department_feed_path(GOV)).entries
    assert any(e.title == "更正：某任务结果" for e in dept)
    assert not any(e.title == "更正：某任务结果" for e in parse(out, "feeds/results.atom.xml").entries)


def test_absolute_links_when_the_public_address_is_known(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    publish(folder.load(), {"SITENAME": "测试", "GONGKAI_SITE_URL": "https://gk.example.gov.cn/x"},
            out)
    parsed = parse(out, "feeds/all.rss.xml")
    assert parsed.entries and all(e.link.startswith("https://gk.example.gov.cn/x/")
                                  for e in parsed.entries)


def test_feeds_page_lists_every_feed(site):
    out, _, result = site
    html = (out / "feeds" / "index.html").read_text(encoding="utf-8")
    for f in result.feeds:
        assert f'href="../{f.path("atom")}"' in html and f'href="../{f.path("rss")}"' in html


def test_a_rebuild_renders_only_the_feeds_whose_entries_changed(tmp_path, monkeypatch):
    """Each feed file's render key is kept beside the output: an unchanged feed that is
    still there is not rendered again, and its bytes stay as they were."""
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    settings = {"SITENAME": "测试"}
    first = feeds.write_feeds(folder.load(), settings, out)
    before = {f.path: (out / f.path).read_bytes() for f in first.files}
    rendered: list[str] = []
    real = feeds.render

    def counting(feed, fmt, *args):
        rendered.append(feed.path(fmt))
        return real(feed, fmt, *args)

    monkeypatch.setattr(feeds, "render", counting)
    again = feeds.write_feeds(folder.load(), settings, out)
    assert rendered == []
    assert [(f.path, f.bytes, f.sha256) for f in again.files] == \
        [(f.path, f.bytes, f.sha256) for f in first.files]

    (out / "feeds" / "results.rss.xml").unlink()  # a file gone from the output is written again
    extra = [feeds.FeedEntry(key="notice/1", title="通知", link="", day=folder.load().data_date,
                             departments=(GOV,))]
    feeds.write_feeds(folder.load(), settings, out, extra)
    assert set(rendered) == {"feeds/all.atom.xml", "feeds/all.rss.xml", "feeds/results.rss.xml",
                             feeds.department_feed_path(GOV, "atom"),
                             feeds.department_feed_path(GOV, "rss"),
                             # the copy kept under the department's old, hashed name
                             f"feeds/departments/{urls.segment(GOV)}.atom.xml",
                             f"feeds/departments/{urls.segment(GOV)}.rss.xml"}
    assert (out / "feeds" / "results.rss.xml").read_bytes() == before["feeds/results.rss.xml"]
    assert (out / "feeds" / "all.atom.xml").read_bytes() != before["feeds/all.atom.xml"]
