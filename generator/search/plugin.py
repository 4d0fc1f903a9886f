"""Pelican plugin: the search page and indexes, built after the data pages are written."""

from __future__ import annotations

from pathlib import Path

from markupsafe import Markup
from pelican import signals
from pelican.generators import Generator

from .build import build_search


def _documents(context: dict) -> list[dict[str, str]]:
    """content/ pages and articles as plain text (Pelican has already read them)."""
    docs = []
    for page in list(context.get("pages", [])) + list(context.get("articles", [])):
        date = getattr(page, "date", None)
        docs.append({"url": page.url, "title": str(Markup(page.title).striptags()),
                     "text": str(Markup(page.content).striptags()),
                     "date": date.strftime("%Y-%m-%d") if hasattr(date, "strftime") else ""})
    return sorted(docs, key=lambda d: d["url"])


class SearchGenerator(Generator):
    """Writes search/index.html, the Pagefind bundle and the Whoosh index."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        if not self.settings.get("GONGKAI_SEARCH", True):
            return
        model = self.context.get("gongkai_model")
        if model is None:
            from ..site.plugin import _model_for

            model = _model_for(self.settings)
        build_search(model, self.settings, Path(self.output_path),
                     [Path(self.theme) / "templates"], _documents(self.context))


def get_generators(pelican_object) -> type[Generator]:
    return SearchGenerator


def register() -> None:
    signals.get_generators.connect(get_generators)
