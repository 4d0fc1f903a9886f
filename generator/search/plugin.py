"""Pelican plugin: the search page and indexes.

On a rebuild of an existing site the search stage runs in a forked process beside the
data pages and open data: an incremental build's stages are mostly single-core work,
so the second core would otherwise idle while the search records are recomputed. When
every page is rendered again (a first build, or a template changed) the search stage
runs afterwards, in the build process: the page workers already use every core, and
the two stages' working memory would add up.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from .. import signals as gongkai_signals
from ..build.context import current
from ..build.gate import model_for
from ..forked import Forked, can_fork
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


def runs_beside(settings: dict, output: Path, rerender_all: bool) -> bool:
    """GONGKAI_SEARCH_BESIDE: True, False or "auto" (a rebuild that does not render every
    page again, on a machine with more than one core)."""
    if not can_fork():
        return False
    choice = settings.get("GONGKAI_SEARCH_BESIDE", "auto")
    if choice != "auto":
        return bool(choice)
    cores = int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1)
    return cores > 1 and not rerender_all and (Path(output) / BUNDLE_STATE).is_file()


def start_beside(generator: Generator, rerender_all: bool = True) -> None:
    """``data_outputs_starting``: start the search stage now when it may run beside."""
    settings = generator.settings
    if (not settings.get("GONGKAI_SEARCH", True) or JOB in generator.context
            or not runs_beside(settings, Path(generator.output_path), rerender_all)):
        return
    generator.context[JOB] = Forked(_run, generator, True)
    run = current()
    if run is not None:  # the pages leave this stage its core
        run.busy_cores += 1


class SearchGenerator(Generator):
    """Writes search/index.html, the browser's indexes and the Whoosh index (or waits
    for the job that does, see :func:`start_beside`)."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        job = self.context.pop(JOB, None)
        if job is not None:
            job.result()
        elif self.settings.get("GONGKAI_SEARCH", True):
            _run(self)


def get_generators(pelican_object) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
    gongkai_signals.data_outputs_starting.connect(start_beside)
