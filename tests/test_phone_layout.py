"""Every page type of the sample site on a 390 px phone screen (and once on a desktop) in headless Chromium.

Nothing a reader has to read may lie past the right edge of the screen: tables turn into
cards (``table.cards``, one ``data-label`` per cell), long codes wrap, the search results
start on the first screen, charts keep their text at 12 px or more, and 长辈模式 keeps
every column of the enterprise page on the screen.

Set PHONE_SHOTS to a folder to keep a full-page screenshot of every page at 390 px.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sitebuild import ROOT, sample_site

from generator import urls
from generator.build.render import Renderer, make_environment
from generator.settings import load_settings

PHONE = {"width": 390, "height": 844}
DESKTOP = {"width": 1280, "height": 800}

# page type -> a page of the sample site: fixed paths, or the largest page under a folder,
# which has the longest names and the most rows of its type
FIXED = {
    "home": "",
    "search": "search/",
    "tasks list": "tasks/",
    "items list": "items/",
    "plans list": "plans/",
    "departments list": "departments/",
    "stats": "stats/",
    "overdue": "stats/overdue/",
    "changes": "changes/",
    "data": "data/",
    "dictionary": "data/dictionary/",
    "feeds": "feeds/",
    "api": "api/",
    "about": "about/",
    "404": "404.html",
    "joint task": "tasks/QH-2026-LH-10/",  # the sample's visits of three departments
}
LARGEST = {
    "enterprise": "enterprises",
    "task": "tasks",
    "item": "items",
    "plan": "plans",
    "department": "departments",
    "year": "years",
    "page": "pages",
}
PAGE_TYPES = [*FIXED, *LARGEST]

# What a reader reads, and the controls; `svg text` covers charts drawn inline.
READ = ("td, th, li, p, dd, dt, a, h1, h2, h3, caption, summary, label, input, select, button, "
        "figcaption, img, svg text")

OVERFLOW = """([selector, limit]) => {
  // the visually hidden (kept for screen readers): a 1 px box that clips what it holds
  const hidden = (el) => {
    for (; el && el !== document.body; el = el.parentElement) {
      const r = el.getBoundingClientRect();
      if (r.width <= 1 && r.height <= 1 && getComputedStyle(el).overflow === "hidden") return true;
    }
    return false;
  };
  const bad = [];
  for (const el of document.querySelectorAll(selector)) {
    const r = el.getBoundingClientRect();
    if (r.width <= 1 || r.height <= 1 || getComputedStyle(el).visibility === "hidden" || hidden(el)) continue;
    if (r.right > limit + 0.5 || r.left < -0.5) {
      const cls = el.getAttribute("class");
      const text = (el.textContent || el.getAttribute("src") || "").trim().replace(/\\s+/g, " ");
      bad.push(`${el.tagName.toLowerCase()}${cls ? "." + cls.split(" ").join(".") : ""}`
               + ` [${Math.round(r.left)}..${Math.round(r.right)}] ${text.slice(0, 40)}`);
    }
  }
  return {width: document.documentElement.scrollWidth, bad};
}"""

# Rendered size of every chart text: inline <svg> text directly; an SVG shown through
# <img> is fetched and its font sizes scaled by the image's shown width over its own.
CHART_TEXT = """async () => {
  const sizes = [];
  for (const t of document.querySelectorAll("svg text")) {
    sizes.push([t.textContent, parseFloat(getComputedStyle(t).fontSize) * t.getScreenCTM().a]);
  }
  for (const img of document.querySelectorAll("img[src$='.svg']")) {
    if (!img.getClientRects().length) continue;
    const doc = new DOMParser().parseFromString(await (await fetch(img.src)).text(), "image/svg+xml");
    const svg = doc.documentElement;
    const box = svg.getAttribute("viewBox");
    const own = box ? parseFloat(box.split(/[ ,]+/)[2]) : parseFloat(svg.getAttribute("width"));
    const scale = img.getBoundingClientRect().width / own;
    for (const t of doc.querySelectorAll("text")) {
      let el = t, size = null;
      while (el && el.nodeType === 1 && size === null) {
        if (el.hasAttribute("font-size")) size = parseFloat(el.getAttribute("font-size"));
        el = el.parentNode;
      }
      sizes.push([img.getAttribute("src") + ": " + t.textContent, (size || 16) * scale]);
    }
  }
  return sizes;
}"""

# Per table of the page: each column header, and whether a reader sees it next to every
# value, either as the header cell itself or as the cell's data-label shown before it.
COLUMNS = """(limit) => {
  const out = [];
  const shown = (el) => {
    const r = el.getBoundingClientRect();
    return getComputedStyle(el).display !== "none" && r.width > 1 && r.height > 1
      && r.left >= -0.5 && r.right <= limit + 0.5;
  };
  for (const table of document.querySelectorAll("main table")) {
    const heads = Array.from(table.querySelectorAll("thead th"));
    const rows = Array.from(table.querySelectorAll("tbody tr"));
    heads.forEach((th, i) => {
      const label = th.textContent.trim();
      const header = shown(th);
      const missing = [];
      for (const tr of rows) {
        const cell = tr.children[i];
        if (!cell || !cell.textContent.trim()) continue;
        const before = getComputedStyle(cell, "::before").content;
        if (!shown(cell) || !(header || before === JSON.stringify(label))) {
          missing.push(cell.textContent.trim().slice(0, 30));
        }
      }
      out.push({label, header, missing});
    });
  }
  return out;
}"""


def _largest(out: Path, folder: str) -> str:
    pages = [p for p in (out / folder).glob("*/index.html")]
    assert pages, folder
    best = max(pages, key=lambda p: (p.stat().st_size, str(p)))
    return best.parent.relative_to(out).as_posix() + "/"


@pytest.fixture(scope="module")
def paths() -> dict[str, str]:
    out, _ = sample_site()
    return {**FIXED, **{kind: _largest(out, folder) for kind, folder in LARGEST.items()}}


@pytest.fixture(scope="module")
def phone(browser):
    context = browser.new_context(viewport=PHONE)
    page = context.new_page()
    errors: list[str] = []
    page.on("pageerror", lambda e: errors.append(str(e)))
    yield page
    context.close()
    assert not errors, errors


@pytest.fixture(scope="module")
def desktop(browser):
    context = browser.new_context(viewport=DESKTOP)
    yield context.new_page()
    context.close()


def _visit(page, base_url: str, path: str) -> None:
    page.goto(base_url + path)
    page.wait_for_load_state("load")
    # what is folded away (chart data tables, search filters) must fit once opened too
    page.evaluate("document.querySelectorAll('details').forEach(d => d.open = true)")


def _shoot(page, kind: str) -> None:
    shots = os.environ.get("PHONE_SHOTS")
    if shots:
        Path(shots).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(shots) / f"{re.sub(r'[^0-9A-Za-z]+', '-', kind)}.png"), full_page=True)


def _overflow(page, width: int) -> list[str]:
    found = page.evaluate(OVERFLOW, [READ, width])
    problems = list(found["bad"])
    if found["width"] > width:
        problems.insert(0, f"the page is {found['width']} px wide")
    return problems


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_nothing_beyond_the_right_edge_at_390px(phone, base_url, paths, kind):
    _visit(phone, base_url, paths[kind])
    _shoot(phone, kind)
    problems = _overflow(phone, PHONE["width"])
    assert not problems, f"{paths[kind]} at 390 px:\n" + "\n".join(problems[:25])


@pytest.mark.parametrize("kind", PAGE_TYPES)
def test_nothing_beyond_the_right_edge_on_a_desktop(desktop, base_url, paths, kind):
    _visit(desktop, base_url, paths[kind])
    problems = _overflow(desktop, DESKTOP["width"])
    assert not problems, f"{paths[kind]} at 1280 px:\n" + "\n".join(problems[:25])


def _changes_with_entries() -> str:
    """The 更新记录 page as the build renders it, with corrections of sample results: the
    sample data has none, and 原值/新值 are the longest texts of any table."""
    _, model = sample_site()
    settings = load_settings(ROOT / "pelicanconf.py")
    env = make_environment([ROOT / "themes/gongkai/templates"],
                           {k: v for k, v in settings.items() if k.isupper() and k != "GONGKAI_MODEL"})
    long_url = "https://www.qinghe.example.gov.cn/zwgk/ssgk/2026/06/01/jianchajieguo-gengzheng-xiangqing.html"
    entries = []
    for i, r in enumerate(model["results"].head(3).itertuples()):
        kind = "retracted" if i == 2 else "corrected"
        entries.append({
            "date": "2026-11-20", "kind": kind, "kind_label": {"corrected": "更正", "retracted": "撤回"}[kind],
            "task_id": r.task_id, "task_url": urls.task(r.task_id), "entity_name": r.entity_name,
            "uscc": r.uscc, "enterprise_url": urls.enterprise(r.uscc), "item_id": "QH-SCJG-001",
            "field_title": "检查结果", "old": f"发现问题已责令改正，整改情况见{long_url}",
            "new": "未发现开展本次抽查涉及的经营活动" * 3, "old_published_on": "2026-06-01"})
    context = {"entries": entries, "available": True, "notes": [], "corrected": 2, "retracted": 1,
               "data_updated": "2026-11-20"}
    return Renderer(env, ROOT, {}).render_one("changes/", "changes.html", context).decode("utf-8")


def test_changes_page_with_corrections_fits_at_390px(phone, base_url):
    html = _changes_with_entries()
    phone.route(base_url + "changes/", lambda route: route.fulfill(body=html, content_type="text/html"))
    try:
        _visit(phone, base_url, "changes/")
        _shoot(phone, "changes with entries")
        columns = phone.evaluate(COLUMNS, PHONE["width"])
        assert {"原值", "新值"} <= {c["label"] for c in columns}
        hidden = [f"{c['label']}: {c['missing'][:3]}" for c in columns if c["missing"]]
        assert not hidden, "columns of the changes page off a 390 px screen:\n" + "\n".join(hidden)
        problems = _overflow(phone, PHONE["width"])
        assert not problems, "changes/ at 390 px:\n" + "\n".join(problems[:25])
    finally:
        phone.unroute(base_url + "changes/")


def test_search_results_start_on_the_first_screen(phone, base_url):
    phone.goto(base_url + "search/")
    filters = phone.locator("form#search-form details.search-filters")
    expect(filters).to_have_count(1)
    assert filters.get_attribute("open") is None, "the filters are folded away on a phone"
    assert filters.locator("summary").inner_text().strip() == "筛选"
    assert filters.locator("select[data-filter]").count() >= 1
    assert filters.locator("select[name=sort]").count() == 1
    phone.fill("#search-q", "有限公司")
    phone.press("#search-q", "Enter")
    expect(phone.locator("#search-results li").first).to_be_visible(timeout=20_000)
    top = phone.evaluate("document.getElementById('search-results').getBoundingClientRect().top")
    assert top < PHONE["height"], f"the first result starts {top:.0f} px down, below the first screen"
    # the filters open with one tap on 筛选
    filters.locator("summary").click()
    assert filters.locator("select[name=sort]").is_visible()


def test_charts_text_is_at_least_12px(phone, base_url):
    phone.goto(base_url + "stats/")
    phone.wait_for_load_state("load")
    sizes = phone.evaluate(CHART_TEXT)
    assert len(sizes) > 20, "the dashboard's charts hold text"
    small = [f"{text[:50]}: {size:.1f} px" for text, size in sizes if size < 12 - 0.01]
    assert not small, "chart text below 12 px at 390 px:\n" + "\n".join(small[:20])


def test_elder_mode_keeps_every_enterprise_column_on_screen(phone, base_url, paths):
    phone.goto(base_url + paths["enterprise"])
    phone.locator("#mode-toggle").click()
    try:
        assert phone.evaluate("document.documentElement.classList.contains('elder')")
        columns = phone.evaluate(COLUMNS, PHONE["width"])
        labels = {c["label"] for c in columns}
        assert {"检查事项", "检查结果", "公示日期"} <= labels, labels
        hidden = [f"{c['label']}: {c['missing'][:3]}" for c in columns if c["missing"]]
        assert not hidden, "columns not readable in 长辈模式 at 390 px:\n" + "\n".join(hidden)
        problems = _overflow(phone, PHONE["width"])
        assert not problems, "长辈模式 at 390 px:\n" + "\n".join(problems[:25])
    finally:
        # the mode is remembered in localStorage: leave the other tests in standard mode
        phone.locator("#mode-toggle").click()


VISIT_CARDS = """() => Array.from(document.querySelectorAll("main tbody.visit")).map((tbody) => {
  const box = tbody.getBoundingClientRect();
  const rows = Array.from(tbody.querySelectorAll("tr"));
  return {border: getComputedStyle(tbody).borderLeftWidth,
          inside: rows.every((tr) => { const r = tr.getBoundingClientRect();
                                       return r.top >= box.top - 0.5 && r.bottom <= box.bottom + 0.5; }),
          cards: rows.filter((tr) => parseFloat(getComputedStyle(tr).marginBottom) > 0).length,
          head: tbody.querySelector("tr.visit-head").getBoundingClientRect().height > 0};
})"""


@pytest.mark.parametrize("kind", ["joint task", "enterprise"])
def test_a_visit_of_several_departments_is_one_card_on_a_phone(phone, base_url, paths, kind):
    """一企一表 on a phone: the visit's heading and every item in one card, not a card per item;
    and every cell of the page is on screen with its label."""
    _visit(phone, base_url, paths[kind])
    visits = phone.evaluate(VISIT_CARDS)
    assert visits, f"{paths[kind]} shows a joint visit"
    for v in visits:
        assert v["head"] and v["inside"] and v["cards"] == 0 and v["border"] == "4px", v
    columns = phone.evaluate(COLUMNS, PHONE["width"])
    hidden = [f"{c['label']}: {c['missing'][:3]}" for c in columns if c["missing"]]
    assert not hidden, f"{paths[kind]} at 390 px:\n" + "\n".join(hidden)
