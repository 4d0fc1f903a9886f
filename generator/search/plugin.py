"""Pelican plugin: the search page and indexes.

On a rebuild of an existing site the search stage runs in a forked process beside the
data pages (see :mod:`generator.build.beside`); when every page is rendered again it
runs afterwards, in the build process.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from .. import signals as gongkai_signals
from ..build.beside import may_run_beside, start_beside, wait_beside
from ..build.gate import model_for
from .build import BUNDLE_STATE, build_search

JOB = "gongkai_search_job"


def _documents(context: dict) -> list[dict[str, str]]:
    """content/ pages and articles as plain text (Pelican has already read them)."""
    docs = []
    for page in list(context.get("pages", [])) + list(context.get("articles", [])):
        date = getattr(page, "date", None)
        docs.append({"url": page.url, "title": str(Markup(page.title).striptags()),
                     "text": str(Markup(page.content).striptags()),
                     "date": date.strftime("%Y-%m-%d") if hasattr(date, "strftime") else ""})
    return sorted(docs, key=lambda d: d["url"])


def _model(generator: Generator) -> Any:
    model = generator.context.get("gongkai_model")
    if model is None:
        model = model_for(generator.settings)
    return model


def _run(generator: Generator, beside: bool = False) -> None:
    build_search(_model(generator), generator.settings, Path(generator.output_path),
                 [Path(generator.theme) / "templates"], _documents(generator.context),
                 beside=beside)


def start_search(generator: Generator, rerender_all: bool = True) -> None:
    """``data_outputs_starting``: offer the search stage to the process beside the pages
    when it may run there."""
    settings = generator.settings
    if (settings.get("GONGKAI_SEARCH", True)
            and may_run_beside(settings, "GONGKAI_SEARCH_BESIDE", rerender_all,
                               (Path(generator.output_path) / BUNDLE_STATE).is_file())):
        start_beside(generator.context, JOB, _run, generator, True)


class SearchGenerator(Generator):
    """Writes search/index.html, the browser's indexes and the Whoosh index (or waits
    for the process beside the pages that does, see :mod:`generator.build.beside`)."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        if not wait_beside(self.context, JOB) and self.settings.get("GONGKAI_SEARCH", True):
            _run(self)


def get_generators(pelican_object) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    gongkai_signals.data_outputs_starting.connect(start_search)
