"""A citizen's path through the sample site in a real browser, on a phone and on a desktop."""

from __future__ import annotations

import pytest
from sitebuild import sample_site

from generator import urls

WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}


@pytest.mark.parametrize("width", WIDTHS)
def test_home_to_task_to_enterprise(browser, base_url, width):
    out, model = sample_site()
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.on("pageerror", lambda e: errors.append(str(e)))
    page.goto(base_url)
    assert page.locator("h1").first.inner_text().startswith("双随机")
    # the latest published result leads to its task page
    page.locator("#latest-results ~ ul a").first.click()
    page.wait_for_load_state()
    assert "/tasks/" in page.url
    task_title = page.locator("h1").inner_text()
    task_id = page.url.split("/tasks/")[1].split("/")[0]
    expected_name = model["tasks"].set_index("task_id").loc[task_id, "name"]
    assert task_title == expected_name
    # the first enterprise in the results table
    link = page.locator("table.wide tbody th a").first
    name = link.inner_text()
    link.click()
    page.wait_for_load_state()
    assert "/enterprises/" in page.url
    code = page.url.split("/enterprises/")[1].split("/")[0]
    assert code in model["results"]["uscc"].astype(str).map(urls.segment).tolist()
    assert page.locator("h1").inner_text() == name or name in page.content()
    # no horizontal page scroll: wide tables scroll inside their own box
    scroll = page.evaluate("document.documentElement.scrollWidth")
    assert scroll <= w + 1, f"page scrolls sideways at {w}px: {scroll}"
    # breadcrumbs lead back home
    page.locator("nav.breadcrumbs a").first.click()
    page.wait_for_load_state()
    assert page.url.rstrip("/") == base_url.rstrip("/") or page.url.endswith("index.html")
    assert not errors, errors
    page.close()


def test_elder_mode_is_remembered_across_pages(browser, base_url):
    page = browser.new_page(viewport={"width": 1280, "height": 900})
    page.goto(base_url)
    toggle = page.locator("#mode-toggle")
    assert toggle.is_visible()
    toggle.click()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    page.locator("nav.site-nav a", has_text="抽查任务").click()
    page.wait_for_load_state()
    assert page.evaluate("document.documentElement.classList.contains('elder')")
    assert page.locator("#mode-toggle").get_attribute("aria-pressed") == "true"
    size = page.evaluate("parseFloat(getComputedStyle(document.body).fontSize)")
    assert size >= 20
    page.close()
