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
    from generator.model.departments import use_for_urls

    out, model = _sample_site()
    use_for_urls(model)
    return out, model


@cache
def _work() -> Path:
    return Path(tempfile.mkdtemp(prefix="gongkai-site-"))


def sample_settings_file() -> Path:
    """The project's settings with the cache (and so the server index) in the build's own
    temporary folder: test builds leave nothing in the checkout's cache/."""
    conf = _work() / "pelicanconf.py"
    if not conf.is_file():
        conf.write_text("import runpy\n"
                        f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
                        ".items() if k.isupper()})\n"
                        f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'themes/gongkai')!r}\n"
                        f"GONGKAI_DATA_DIR = {str(ROOT / 'data')!r}\n"
                        f"CACHE_PATH = {str(_work() / 'cache')!r}\n", encoding="utf-8")
    return conf


def sample_settings() -> dict:
    """The settings :func:`sample_site` was built with."""
    return load_settings(sample_settings_file())


def sample_index() -> Path:
    """The server index of :func:`sample_site`."""
    from generator.search.server_index import index_dir

    return index_dir(sample_settings(), sample_site()[0])


@cache
def _sample_site() -> tuple[Path, Model]:
    out = _work() / "output"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code = main(["build", "--output", str(out), "--settings", str(sample_settings_file())])
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
