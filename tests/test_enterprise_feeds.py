"""One Atom feed per enterprise: feedparser reads each, the enterprise page links it, and
only the feed of an enterprise whose entries changed is rewritten."""

from __future__ import annotations

import tempfile
from pathlib import Path

import feedparser
import pandas as pd
import pytest
from bs4 import BeautifulSoup
from sitebuild import sample_site

from generator import urls
from generator.publish import enterprise_feeds


@pytest.fixture(scope="module")
def site():
    return sample_site()


def test_every_enterprise_has_a_feed_that_feedparser_reads(site):
    out, model = site
    results, disp = model["results"], model["dispositions"]
    codes = sorted(set(results["uscc"]))
    feeds = sorted((out / enterprise_feeds.FOLDER).glob("*.atom.xml"))
    assert [p.name for p in feeds] == sorted(Path(urls.enterprise_feed(c)).name for c in codes)
    followed = set(disp["uscc"])
    for code in codes:
        parsed = feedparser.parse((out / urls.enterprise_feed(code)).read_bytes())
        assert not parsed.bozo, (code, parsed.get("bozo_exception"))
        assert code in parsed.feed.title
        terms = [e.tags[0].term for e in parsed.entries]
        assert terms.count("抽查结果") == (results["uscc"] == code).sum()
        assert ("后续处置" in terms) == (code in followed)
        assert len({e.id for e in parsed.entries}) == len(parsed.entries)
        days = [e.updated for e in parsed.entries]
        assert days == sorted(days, reverse=True)


def test_enterprise_page_links_its_feed(site):
    out, model = site
    code = model["results"]["uscc"].iloc[0]
    page = out / urls.enterprise(code) / "index.html"
    soup = BeautifulSoup(page.read_text(encoding="utf-8"), "html.parser")
    feed = urls.enterprise_feed(code)
    alt = [link["href"] for link in soup.find_all("link", rel="alternate")
           if link.get("type") == "application/atom+xml"]
    assert any(h.endswith(feed) for h in alt)
    visible = [a for a in soup.main.find_all("a", href=True) if a["href"].endswith(feed)]
    assert visible and "订阅" in visible[0].get_text()
    assert (page.parent / visible[0]["href"]).resolve() == (out / feed).resolve()


def test_only_the_changed_enterprise_feed_is_rewritten(site):
    _, model = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-efeeds-"))
    settings = dict(model.settings)
    first = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    assert sorted(first.written) == sorted(first.paths) and first.paths
    before = {p: (out / p).read_bytes() for p in first.paths}
    again = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    assert again.written == [] and again.skipped == len(first.paths)
    results = model.tables["results"]
    changed = results.copy()
    row = changed.index[0]
    changed["result"] = [["复核更正"] if i == row else v
                         for i, v in zip(changed.index, changed["result"], strict=True)]
    model.tables["results"] = changed
    try:
        third = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    finally:
        model.tables["results"] = results
    feed = urls.enterprise_feed(results.loc[row, "uscc"])
    assert third.written == [feed] and "复核更正" in (out / feed).read_text(encoding="utf-8")
    fourth = enterprise_feeds.write_enterprise_feeds(model, settings, out)  # the old data again
    assert fourth.written == [feed]
    assert {p: (out / p).read_bytes() for p in fourth.paths} == before


def test_a_deleted_feed_is_made_again_and_a_gone_enterprise_loses_its_feed(site):
    _, model = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-efeeds-"))
    settings = dict(model.settings)
    first = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    lost = first.paths[3]
    (out / lost).unlink()
    assert enterprise_feeds.write_enterprise_feeds(model, settings, out).written == [lost]
    results = model.tables["results"]
    gone = results["uscc"].iloc[0]
    model.tables["results"] = results[results["uscc"] != gone]
    try:
        third = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    finally:
        model.tables["results"] = results
    assert third.removed == 1 and not (out / urls.enterprise_feed(gone)).exists()
    assert len(third.paths) == len(first.paths) - 1


def test_a_changed_setting_makes_every_feed_again(site):
    _, model = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-efeeds-"))
    settings = dict(model.settings)
    first = enterprise_feeds.write_enterprise_feeds(model, settings, out)
    other = enterprise_feeds.write_enterprise_feeds(
        model, {**settings, "GONGKAI_SITE_URL": "https://example.gov.cn/"}, out)
    assert sorted(other.written) == sorted(first.paths)
    assert "https://example.gov.cn/" in (out / first.paths[0]).read_text(encoding="utf-8")


def feedgen_feed(code, name, rows, settings, tz) -> bytes:
    """The same feed built by feedgen, as the other feeds are: the form to match."""
    from datetime import date, datetime, time

    from feedgen.feed import FeedGenerator

    from generator.publish.feeds import entry_id

    site = str(settings.get("GONGKAI_SITE_URL") or "")
    path = urls.enterprise_feed(code)
    up = "../" * path.count("/")
    fg = FeedGenerator()
    fg.id(entry_id(settings, f"feed/enterprises/{code}"))
    fg.title(f"{name}（{code}）抽查结果与后续处置")
    fg.subtitle(f"{name} 的新抽查结果、后续处置、更正和撤回。")
    fg.language("zh-CN")
    fg.generator("gongkai")
    fg.link(href=(site or up) + urls.enterprise(code), rel="alternate")
    fg.link(href=site + path if site else path.rsplit("/", 1)[-1], rel="self")
    fg.updated(datetime.combine(rows[0][1] if rows else date(2000, 1, 1), time(0, 0), tz))
    for key, day, category, title, summary, link in reversed(rows):
        fe = fg.add_entry()
        fe.id(entry_id(settings, key))
        fe.title(title)
        fe.link(href=(site or up) + link + "/")
        fe.summary(summary or title)
        stamp = datetime.combine(day, time(0, 0), tz)
        fe.updated(stamp)
        fe.published(stamp)
        fe.category(term=category)
    return fg.atom_str(pretty=True)


@pytest.mark.parametrize("site_url", ["", "https://example.gov.cn/"])
def test_each_feed_is_byte_for_byte_what_feedgen_makes(site, site_url):
    from datetime import date
    from zoneinfo import ZoneInfo

    _, model = site
    settings = {**model.settings, "GONGKAI_SITE_URL": site_url}
    tz = ZoneInfo("Asia/Shanghai")
    frame = enterprise_feeds.entries_frame(model)
    names = model.enterprises["name"].astype(str).tolist()
    for i, code in enumerate(model.enterprise_index.codes):
        own = frame[frame["ent"] == i]
        rows = list(zip(own["key"], [None if pd.isna(v) else v.date() for v in own["day"]], own["category"],
                        own["title"], own["summary"], own["link"], strict=True))
        assert enterprise_feeds.render(code, names[i], rows, settings, tz) == \
            feedgen_feed(code, names[i], rows, settings, tz), code
    awkward = [("k/1", date(2026, 3, 2), "更正", 'A&B <公司> "引号"', "旧\r值 → 新值", "tasks/T&1")]
    assert enterprise_feeds.render("X1", "甲&乙", awkward, settings, tz) == \
        feedgen_feed("X1", "甲&乙", awkward, settings, tz)


def test_each_feed_written_in_partitions_is_the_feed_of_its_whole_model_entries(site):
    """The build makes each partition's entries in its own task; every feed it wrote is
    the one made from the entries of the whole model."""
    from zoneinfo import ZoneInfo

    out, model = site
    frame = enterprise_feeds.entries_frame(model)
    names = model.enterprises["name"].astype(str).tolist()
    tz = ZoneInfo("Asia/Shanghai")
    for i, code in enumerate(model.enterprise_index.codes):
        own = frame[frame["ent"] == i]
        rows = list(zip(own["key"], [v.date() for v in own["day"]], own["category"],
                        own["title"], own["summary"], own["link"], strict=True))
        assert (out / urls.enterprise_feed(code)).read_bytes() == \
            enterprise_feeds.render(code, names[i], rows, dict(model.settings), tz), code


def test_a_correction_of_several_enterprises_reaches_every_feed(site):
    """One commit corrects the same item and field of a task for several enterprises:
    each of them gets its own entry, none is taken for a duplicate of another's."""
    out, model = site
    corrections = enterprise_feeds._corrections(model)
    dated = corrections[pd.to_datetime(corrections["date"], errors="coerce").notna()]
    shared = dated.groupby(["commit", "task_id", "item_id", "field"])["uscc"].nunique()
    assert (shared > 1).any()  # the sample has such a commit
    for code in sorted(set(dated["uscc"]) & set(model.enterprise_index.codes)):
        parsed = feedparser.parse((out / urls.enterprise_feed(code)).read_bytes())
        terms = {e.tags[0].term for e in parsed.entries}
        assert terms & {"更正", "撤回"}, code
