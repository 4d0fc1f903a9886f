"""The 404 page is Chinese throughout and offers a way back: home, and search when built.

A reader who mistyped an address lands here from anywhere, often without knowing English;
an English word or a pointer to a search box the site does not have leaves them stuck.
"""

from __future__ import annotations

import re

import jinja2
import pytest
from bs4 import BeautifulSoup
from sitebuild import ROOT, sample_site

from generator.build.render import FILTERS

# loanwords Chinese web pages write in Latin letters (the shared footer says "不使用 Cookie")
LOANWORDS = {"Cookie"}
# what a reader reads or hears: text, and the attributes browsers and screen readers show
SHOWN = ("title", "alt", "aria-label", "placeholder")


def latin_words(soup: BeautifulSoup) -> set[str]:
    for hidden in soup(["script", "style"]):
        hidden.decompose()
    body = soup.body or soup  # the head's feed links name their formats (Atom, RSS)
    texts = [soup.title.get_text() if soup.title else "", body.get_text(" ")]
    texts += [el[a] for a in SHOWN for el in body.select(f"[{a}]")]
    texts += [m["content"] for m in soup.select('meta[name="description"], meta[property^="og:title"]')]
    return set(re.findall(r"[A-Za-z]+", " ".join(texts))) - LOANWORDS


def built_404() -> BeautifulSoup:
    out, _ = sample_site()
    return BeautifulSoup((out / "404.html").read_text(encoding="utf-8"), "html.parser")


def test_404_is_chinese():
    soup = built_404()
    assert soup.html["lang"] == "zh-CN"
    assert soup.title.get_text().startswith("页面不存在")
    assert not latin_words(soup)


def test_404_leads_home_and_to_search():
    links = {a.get_text(strip=True): a["href"] for a in built_404().main.find_all("a")}
    assert links["返回首页"] == "./"
    assert links["搜索企业名称、统一社会信用代码或任务"] == "./search/"


def test_404_without_search_does_not_mention_a_search_box():
    env = jinja2.Environment(loader=jinja2.FileSystemLoader(str(ROOT / "themes" / "gongkai" / "templates")),
                             autoescape=True)
    env.filters.update(FILTERS)
    main = BeautifulSoup(env.get_template("404.html").render(SITENAME="双随机、一公开信息公示"),
                         "html.parser").main
    assert main.find("a", string="返回首页")
    assert "搜索" not in main.get_text() and not main.select('a[href$="search/"]')


def test_latin_check_can_fail():
    with pytest.raises(AssertionError):
        assert not latin_words(BeautifulSoup('<main><a href="./">Back home</a></main>', "html.parser"))
    with pytest.raises(AssertionError):
        assert not latin_words(BeautifulSoup('<input placeholder="Search">', "html.parser"))
