"""One Atom feed per enterprise: feedparser reads each, the enterprise page links it, and
only the feed of an enterprise whose entries changed is rewritten."""

from __future__ import annotations

import tempfile
from pathlib import Path

import feedparser
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
