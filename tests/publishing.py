"""The committed sample published once per session (datasets, data package, feeds, pages)."""

from __future__ import annotations

import tempfile
from functools import cache
from pathlib import Path

from generator.model import Model, load_model
from generator.publish.build import PublishResult, publish
from generator.settings import load_settings

ROOT = Path(__file__).resolve().parents[1]
TEMPLATES = ROOT / "themes" / "gongkai" / "templates"


def published() -> tuple[Path, Model, PublishResult]:
    """(output folder, model, result) of the sample data published with the project's
    settings; the URL builder gives departments the sample's slugs (see tests/conftest.py)."""
    from generator.model.departments import use_for_urls

    out, model, result = _published()
    use_for_urls(model)
    return out, model, result


@cache
def _published() -> tuple[Path, Model, PublishResult]:
    out = Path(tempfile.mkdtemp(prefix="gongkai-publish-")) / "output"
    settings = load_settings(ROOT / "pelicanconf.py", GONGKAI_FEED_ENTRIES=10_000,
                             GONGKAI_PROCESSES=1)
    model = load_model(ROOT / "data", settings)
    assert model.ok
    return out, model, publish(model, settings, out, [TEMPLATES])
