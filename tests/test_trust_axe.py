"""axe-core in headless Chromium: no serious or critical accessibility violation.

The main page types are checked at a phone and a desktop width. Sections that not
every site has (stats, data, search) are checked whenever the sample site builds them.
"""

from __future__ import annotations

import pytest
from axe_playwright_python.sync_playwright import Axe
from browser import serve
from sitebuild import sample_site

from generator import urls

WIDTHS = {"phone": (360, 740), "desktop": (1280, 900)}
OPTIONAL = {"stats": "stats/", "data": "data/", "search": "search/"}


def pages() -> dict[str, str]:
    out, model = sample_site()
    tasks = model["tasks"]
    found = {
        "home": "",
        "enterprise": urls.enterprise(str(model["results"]["uscc"].iloc[0])),
        "task": urls.task(str(tasks["task_id"].iloc[0])),
        "plan": urls.plan(str(model["plans"]["plan_id"].iloc[0])),
    }
    found.update({k: v for k, v in OPTIONAL.items() if (out / v / "index.html").is_file()})
    return found


def test_the_main_pages_are_checked():
    assert {"home", "enterprise", "task", "plan"} <= set(pages())


@pytest.mark.parametrize("width", WIDTHS)
def test_no_serious_or_critical_violations(browser, base_url, width):
    out, _ = sample_site()
    axe = Axe()
    w, h = WIDTHS[width]
    page = browser.new_page(viewport={"width": w, "height": h})
    problems, checked = [], 0
    try:
        for name, path in pages().items():
            assert (out / urls.output_file(path)).is_file(), name
            page.goto(base_url + path)
            page.wait_for_load_state("load")
            results = axe.run(page)
            checked += 1
            for v in results.response["violations"]:
                if v.get("impact") in ("serious", "critical"):
                    targets = [n["target"] for n in v["nodes"][:3]]
                    problems.append(f"{name} ({width}): {v['id']} [{v['impact']}] {v['help']} {targets}")
    finally:
        page.close()
    assert checked >= 4
    assert not problems, "\n".join(problems)


def test_axe_does_find_violations(browser, tmp_path):
    """The check above can fail: a page with an image without alt text and an unlabeled field."""
    (tmp_path / "index.html").write_text(
        '<!DOCTYPE html><html><head><title>x</title></head><body>'
        '<img src="a.png"><input type="text"></body></html>', encoding="utf-8")
    with serve(tmp_path) as url:
        page = browser.new_page()
        try:
            page.goto(url)
            results = Axe().run(page)
        finally:
            page.close()
    ids = {v["id"] for v in results.response["violations"]
           if v.get("impact") in ("serious", "critical")}
    assert {"image-alt", "label"} <= ids, ids
