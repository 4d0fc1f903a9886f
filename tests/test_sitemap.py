"""sitemap.xml (split into an index past 50,000 URLs), robots.txt, canonical links and Open Graph."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from pathlib import Path

import jinja2
import pytest
from bs4 import BeautifulSoup
from sitebuild import sample_site

from generator.build.render import FILTERS
from generator.publish import sitemap

NS = {"s": sitemap.XMLNS}
THEME = Path(__file__).resolve().parents[1] / "themes" / "gongkai" / "templates"


def locs(path: Path, tag: str) -> list[str]:
    root = ET.parse(path).getroot()
    assert root.tag == f"{{{sitemap.XMLNS}}}{tag}"
    return [e.text for e in root.findall(".//s:loc", NS)]


def test_split_into_an_index_past_50000_urls(tmp_path):
    paths = [f"enterprises/91{n:016d}/" for n in range(120_001)] + ["", "tasks/任务 1/"]
    files = sitemap.write_sitemaps(tmp_path, "https://gk.example.gov.cn/qh/", paths)
    parts = locs(tmp_path / "sitemap.xml", "sitemapindex")
    assert len(parts) == 3 == len(files) - 1
    seen = []
    for url in parts:
        assert url.startswith("https://gk.example.gov.cn/qh/sitemaps/")
        part = tmp_path / url.removeprefix("https://gk.example.gov.cn/qh/")
        urls = locs(part, "urlset")
        assert 0 < len(urls) <= sitemap.LIMIT
        assert part.stat().st_size < 50 * 1024 * 1024
        seen += urls
    assert len(seen) == len(paths) and len(set(seen)) == len(paths)
    assert "https://gk.example.gov.cn/qh/" in seen
    assert "https://gk.example.gov.cn/qh/tasks/%E4%BB%BB%E5%8A%A1%201/" in seen
    # shrinking below the limit leaves one urlset and removes the parts
    sitemap.write_sitemaps(tmp_path, "https://gk.example.gov.cn/qh/", paths[:10])
    assert len(locs(tmp_path / "sitemap.xml", "urlset")) == 10
    assert not list((tmp_path / sitemap.PARTS).glob("*.xml"))


def test_exactly_at_the_limit_is_one_file(tmp_path):
    paths = [f"p/{n}/" for n in range(sitemap.LIMIT)]
    sitemap.write_sitemaps(tmp_path, "https://x.example/", paths)
    assert len(locs(tmp_path / "sitemap.xml", "urlset")) == sitemap.LIMIT


def test_sitemap_lists_every_page_of_a_build():
    out, _ = sample_site()
    pages = sitemap.page_paths(out)
    html = [p for p in out.rglob("*.html") if p.name != "404.html"
            and not p.relative_to(out).as_posix().startswith("theme/")]
    assert len(pages) == len(html)
    assert "" in pages and "data/" in pages and "feeds/" in pages
    files = sitemap.write_discovery(out, "https://gk.example.gov.cn/")
    try:
        listed = locs(out / "sitemap.xml", "urlset")
        assert len(listed) == len(pages)
        robots = (out / "robots.txt").read_text(encoding="utf-8")
        assert "Sitemap: https://gk.example.gov.cn/sitemap.xml" in robots
    finally:  # the shared sample site is built without a public address
        for f in files:
            if f.path != "robots.txt":
                (out / f.path).unlink()
        sitemap.write_discovery(out, "")


def test_robots_without_public_address(tmp_path):
    sitemap.write_discovery(tmp_path, "")
    assert (tmp_path / "robots.txt").read_text(encoding="utf-8") == "User-agent: *\nAllow: /\n"
    assert not (tmp_path / "sitemap.xml").exists()


@pytest.fixture(scope="module")
def env():
    environment = jinja2.Environment(loader=jinja2.FileSystemLoader(str(THEME)), autoescape=True)
    environment.filters.update(FILTERS)  # as the plugin adds them to Pelican's environment
    return environment


def test_canonical_and_og_url_from_the_public_address(env):
    html = env.get_template("base.html").render(
        SITENAME="站点", root="../../", page_path="tasks/T1/",
        GONGKAI_SITE_URL="https://gk.example.gov.cn/qh/")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("link", rel="canonical")["href"] == "https://gk.example.gov.cn/qh/tasks/T1/"
    assert soup.find("meta", property="og:url")["content"] == "https://gk.example.gov.cn/qh/tasks/T1/"
    # Pelican pages know their output file instead
    html = env.get_template("base.html").render(
        SITENAME="站点", output_file="pages/about/index.html",
        GONGKAI_SITE_URL="https://gk.example.gov.cn/qh/")
    soup = BeautifulSoup(html, "html.parser")
    assert soup.find("link", rel="canonical")["href"] == "https://gk.example.gov.cn/qh/pages/about/"


def test_every_page_has_open_graph_title_and_description():
    out, _ = sample_site()
    for path in sitemap.page_paths(out):
        soup = BeautifulSoup((out / path / "index.html" if path.endswith("/") or not path
                              else out / path).read_text(encoding="utf-8"), "html.parser")
        title = soup.find("meta", property="og:title")
        description = soup.find("meta", property="og:description")
        assert title and title["content"].strip(), path
        assert description and description["content"].strip(), path
        feeds = soup.find_all("link", rel="alternate", type="application/atom+xml")
        assert any(f["href"].endswith("feeds/all.atom.xml") for f in feeds), path


def test_page_list_from_the_manifest_equals_the_folder_walk():
    from generator.publish.plugin import built_pages

    out, _ = sample_site()
    known = built_pages(out, out / ".gongkai-pages.parquet")
    assert known and any(p.startswith(sitemap.ENTERPRISES) for p in known)
    assert sitemap.page_paths(out, known) == sitemap.page_paths(out)
