"""Build the committed sample site once per test session and share it between test modules.

Tests then compare what the pages say with the model built from the same data.
"""

from __future__ import annotations

import os
import tempfile
from functools import cache
from pathlib import Path

from bs4 import BeautifulSoup

from generator.cli import main
from generator.model import Model, load_model
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]


def sample_site() -> tuple[Path, Model]:
    """(output folder, model) of the sample data built with the project's settings; the
    URL builder gives departments the sample's slugs (see tests/conftest.py)."""
    from generator.site.departments import use_for_urls

    out, model = _sample_site()
    use_for_urls(model)
    return out, model


@cache
def _sample_site() -> tuple[Path, Model]:
    work = Path(tempfile.mkdtemp(prefix="gongkai-site-"))
    out = work / "output"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code = main(["build", "--output", str(out)])
    finally:
        os.chdir(cwd)
    assert code == 0, "the sample site must build"
    model = load_model(ROOT / "data", load_settings(ROOT / "pelicanconf.py"))
    return out, model


def page(path: str) -> BeautifulSoup:
    out, _ = sample_site()
    target = out / path
    if path.endswith("/") or path == "":
        target = target / "index.html"
    return BeautifulSoup(target.read_text(encoding="utf-8"), "html.parser")
