"""Hostile data values reach every output as inert text, never as markup, script or link.

A data folder whose names are script tags, attribute breakers and ``javascript:`` URLs
is built into a real site; every file of the output is then checked by type: HTML is
parsed (no element, attribute or link came from data), feeds are parsed as XML, JSON
as JSON, and each value must still be there, as text.
"""

from __future__ import annotations

import json
import os
import shutil
import xml.etree.ElementTree as ET
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup
from helpers import GOV, DataFolder, problems

from generator.cli import main

ROOT = Path(__file__).resolve().parents[1]

SCRIPT = "<script>alert(1)</script>青禾"
BREAKOUT = '"><img src=x onerror=alert(2)>局'
JS_URL = "javascript:alert(3)//事项"
RTL = "青禾县\u202egnp.exe公司"
HOSTILE = (SCRIPT, BREAKOUT, JS_URL)


def hostile_folder(root: Path) -> DataFolder:
    folder = DataFolder(root)
    for rows in folder.rows.values():
        for row in rows:
            for key, value in row.items():
                if value == GOV:
                    row[key] = BREAKOUT
    folder.edit("results", 0, entity_name=SCRIPT)
    folder.edit("results", 1, entity_name=RTL, note=f"{SCRIPT} {JS_URL}")
    folder.edit("items", 0, name=JS_URL)
    folder.edit("tasks", 0, name=SCRIPT, scope=BREAKOUT)
    return folder


def hostile_content(tmp: Path) -> Path:
    """The project's content pages plus a page and a notice whose metadata is hostile."""
    content = tmp / "content"
    shutil.copytree(ROOT / "content", content)
    meta = (f"Title: {SCRIPT}\nDescription: {BREAKOUT}\nAuthors: {BREAKOUT}\n"
            f"Summary: {SCRIPT}\nTask: ../../{BREAKOUT}\n")
    (content / "pages" / "evil.md").write_text(meta + "Slug: evil\n\n正文。\n", encoding="utf-8")
    (content / "notices").mkdir(exist_ok=True)
    (content / "notices" / "evil-notice.md").write_text(
        meta + "Slug: evil-notice\nDate: 2026-06-01\n\n公告正文。\n", encoding="utf-8")
    return content


@cache
def hostile_site(tmp: str) -> Path:
    folder = hostile_folder(Path(tmp))
    out = Path(tmp) / "output"
    content = hostile_content(Path(tmp))
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        assert main(["build", "--data", str(folder.write()), "--output", str(out),
                     "--content", str(content)]) == 0
    finally:
        os.chdir(cwd)
    return out


def _site(tmp_path_factory) -> Path:
    return hostile_site(str(tmp_path_factory.getbasetemp() / "hostile"))


def test_a_javascript_link_is_refused(folder):
    folder.edit("tasks", 0, plan_document="javascript:alert(1)")
    model = folder.load()
    found = problems(model)
    assert "E210" in set(found["code"]) and not model.ok


def _visible_texts(soup: BeautifulSoup) -> str:
    return "\n".join(soup.stripped_strings) + "\n" + "\n".join(
        str(v) for tag in soup.find_all(True) for v in tag.attrs.values())


def test_html_pages_carry_hostile_values_as_text(tmp_path_factory):
    out = _site(tmp_path_factory)
    pages = sorted(out.rglob("*.html"))
    assert len(pages) > 10
    assert (out / "pages" / "evil" / "index.html").is_file()
    assert (out / "notices" / "evil-notice" / "index.html").is_file()
    seen = {value: 0 for value in HOSTILE}
    for path in pages:
        soup = BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")
        where = path.relative_to(out)
        for tag in soup.find_all(True):
            assert not [a for a in tag.attrs if a.lower().startswith("on")], (where, tag)
            for attr in ("href", "src", "action", "formaction"):
                value = str(tag.get(attr, ""))
                assert not value.strip().lower().startswith(("javascript:", "data:text")), where
        assert not soup.find_all("img", src="x"), where
        for script in soup.find_all("script"):
            if script.get("src"):
                assert script["src"].endswith(".js") and "//" not in script["src"], (where, script)
                continue
            # inline scripts may only be data (JSON-LD), and data must not end them early
            assert script.get("type") in ("application/json", "application/ld+json"), (where, script)
            json.loads(script.string or "")
            assert "</script" not in (script.string or "").lower(), where
        text = _visible_texts(soup)
        for value in HOSTILE:
            seen[value] += value in text
        assert "\u202e" not in path.read_text(encoding="utf-8"), where
    # every hostile value is shown, as text, somewhere (the test cannot pass vacuously)
    assert all(seen.values()), seen


def test_direction_controls_are_removed_with_a_warning(folder):
    folder.edit("results", 1, entity_name=RTL)
    model = folder.load()
    found = problems(model)
    assert "W402" in set(found["code"])
    assert "青禾县gnp.exe公司" in set(model["results"]["entity_name"].dropna())


def _inert_html(fragment: str, where: object) -> None:
    """HTML carried inside a feed or JSON value: no element or attribute came from data."""
    soup = BeautifulSoup(fragment, "html.parser")
    for tag in soup.find_all(True):
        assert tag.name not in ("script", "img", "iframe", "object", "embed"), (where, tag)
        assert not [a for a in tag.attrs if a.lower().startswith("on")], (where, tag)
        assert not str(tag.get("href", "")).strip().lower().startswith("javascript:"), (where, tag)


def test_feeds_json_and_other_text_files_stay_well_formed(tmp_path_factory):
    out = _site(tmp_path_factory)
    checked, feed_text, json_text = 0, "", ""
    for path in sorted(out.rglob("*")):
        if not path.is_file() or path.name.startswith(".") or "theme" in path.parts:
            continue
        suffix = path.suffix.lower()
        if suffix not in {".xml", ".svg", ".json", ".csv", ".js", ".txt", ".webmanifest"}:
            continue
        raw = path.read_bytes()
        text = raw.decode("utf-8")
        assert "\u202e" not in text, path
        if suffix in {".xml", ".svg"}:
            root = ET.fromstring(raw)  # a value that broke the markup fails here
            for el in root.iter():
                name = el.tag.split("}")[-1].lower()
                assert name not in {"script", "foreignobject"}, (path, el.tag)
                assert not [a for a in el.attrib if a.split("}")[-1].lower().startswith("on")], path
                # Atom type="html" and RSS descriptions are HTML to a feed reader
                if el.text and (el.get("type") == "html" or name == "description"):
                    _inert_html(el.text, path)
                feed_text += (el.text or "") + "\n"
        elif suffix == ".json" or path.name.endswith(".webmanifest"):
            json_text += json.dumps(json.loads(text), ensure_ascii=False)
        checked += 1
    assert checked >= 1
    feeds = list((out / "feeds").rglob("*.xml")) if (out / "feeds").is_dir() else []
    if feeds:  # the feeds carry the hostile task name as text
        assert SCRIPT in feed_text


def test_no_hostile_value_runs_in_a_browser(tmp_path_factory):
    """Real Chromium: pages and the search results show the values, no dialog ever opens."""
    from browser import chromium, serve

    out = _site(tmp_path_factory)
    dialogs: list[str] = []
    visited = ["", "tasks/QH-2026-LH-10/", "pages/evil/", "notices/evil-notice/"]
    visited += [p.relative_to(out).as_posix() + "/" for p in sorted((out / "enterprises").iterdir())]
    # (an old department address is a redirect to the new one, which is visited itself)
    visited += [p.relative_to(out).as_posix() + "/" for p in sorted((out / "departments").iterdir())
                if p.is_dir() and 'http-equiv="refresh"' not in (p / "index.html").read_text("utf-8")]
    with chromium() as browser, serve(out) as url:
        page = browser.new_page()
        page.on("dialog", lambda d: (dialogs.append(d.message), d.dismiss()))
        for path in visited:
            page.goto(url + path)
            page.wait_for_load_state("load")
            assert page.locator("img[src='x']").count() == 0, path
        if (out / "search" / "index.html").is_file():
            page.goto(url + "search/?q=alert")
            page.locator("#search-results li").first.wait_for(timeout=30000)
            assert "<script>alert(1)</script>" in page.locator("#search-results").inner_text()
            assert page.locator("#search-results script, #search-results img").count() == 0
        page.close()
    assert dialogs == []


def test_page_output_escapes_exactly_as_markupsafe_does():
    """Data pages write values through a faster escape; the text must be the same."""
    from markupsafe import Markup, escape

    from generator.build.render import make_environment, output_escape

    values = [SCRIPT, BREAKOUT, JS_URL, RTL, "", "青禾", "a&b", "it's", 7, 2.5, None,
              Markup("<b>安全</b>"), Markup("a &amp; b")]
    for value in values:
        assert str(output_escape(value)) == str(escape(value)), value
    env = make_environment([ROOT / "themes" / "gongkai" / "templates"], {})
    page = env.from_string("<p>{{ a }}</p>{% set b %}{{ a }}{% endset %}{{ b }}{{ a ~ c }}")
    html = page.render(a=SCRIPT, c=Markup("<i>x</i>"))
    assert "<script>" not in html
    assert html.count("&lt;script&gt;") == 3 and "<i>x</i>" in html
