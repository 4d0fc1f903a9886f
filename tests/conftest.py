"""Shared fixtures: the minimal valid data folder each test breaks in one place."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from helpers import DataFolder  # noqa: E402


@pytest.fixture(scope="session", autouse=True)
def _cache_outside_the_checkout(tmp_path_factory):
    """Builds with the checkout's pelicanconf.py keep their caches (model, search records,
    server index) in a temporary folder, not in the checkout's cache/; subprocesses inherit
    it through the environment."""
    import os

    saved = os.environ.get("GONGKAI_CACHE_PATH")
    os.environ["GONGKAI_CACHE_PATH"] = str(tmp_path_factory.mktemp("cache"))
    yield
    if saved is None:
        os.environ.pop("GONGKAI_CACHE_PATH", None)
    else:
        os.environ["GONGKAI_CACHE_PATH"] = saved


@pytest.fixture
def folder(tmp_path: Path) -> DataFolder:
    return DataFolder(tmp_path)


@pytest.fixture(autouse=True)
def _department_slugs():
    """Department addresses depend on the data (generator.urls keeps the slugs of the
    data being published): what a test's data set there is undone after it, so a module's
    shared site keeps its own."""
    from generator import urls

    saved = dict(urls._department_slugs)
    yield
    urls.use_department_slugs(saved)


@pytest.fixture(scope="module")
def browser():
    """Real headless Chromium, one per test module."""
    from browser import chromium

    with chromium() as b:
        yield b


@pytest.fixture(scope="module")
def base_url():
    """The sample site served on loopback; modules that need another site override this."""
    from browser import serve
    from sitebuild import sample_site

    out, _ = sample_site()
    with serve(out) as url:
        yield url
