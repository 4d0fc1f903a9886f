"""The statistics dashboard in a real browser: charts load under the page's CSP, with and without JavaScript."""

from __future__ import annotations

import pytest


@pytest.mark.parametrize("javascript", [True, False])
def test_dashboard_charts_render(browser, base_url, javascript):
    context = browser.new_context(java_script_enabled=javascript, viewport={"width": 360, "height": 740})
    page = context.new_page()
    errors: list[str] = []
    page.on("console", lambda m: errors.append(m.text) if m.type == "error" else None)
    page.goto(base_url)
    page.locator("nav.site-nav a", has_text="统计").click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/stats/")
    images = page.locator("section.chart img")
    assert images.count() == 5
    for i in range(images.count()):
        img = images.nth(i)
        img.scroll_into_view_if_needed()
        assert img.evaluate("i => i.complete && i.naturalWidth > 0"), img.get_attribute("src")
        box = img.bounding_box()
        assert box and 0 < box["width"] <= 360
    # the data table of a chart opens without JavaScript (<details>)
    first = page.locator("section.chart details").first
    assert not first.locator("table").is_visible()
    first.locator("summary").click()
    assert first.locator("table tbody tr").count() > 0 and first.locator("table").is_visible()
    assert page.evaluate("document.documentElement.scrollWidth") <= 361
    page.locator("a", has_text="逾期未公示的任务").first.click()
    page.wait_for_load_state("load")
    assert page.url.endswith("/stats/overdue/")
    assert page.locator("h1").inner_text() == "逾期未公示的任务"
    assert not errors, errors
    context.close()
