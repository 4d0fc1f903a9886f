"""The Pelican plugin: a generator that adds the data pages to a normal Pelican build.

Pelican keeps doing what it does well (content/ Markdown pages, the theme, static
files, settings); this generator renders the hundreds of thousands of data pages
straight from the model with Jinja2, because one Pelican article per enterprise
does not scale to a province.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from ..build.beside import launch_beside
from ..build.context import current
from ..build.gate import model_for
from ..build.render import FILTERS
from ..model import Model
from ..rules import figures
from ..signals import data_outputs_starting, rule_figures_ready
from .build import build_pages, rerenders_all


class DataPagesGenerator(Generator):
    """Renders enterprise, task, item, plan, department and index pages."""

    def generate_context(self) -> None:
        self.model = model_for(self.settings)
        self.context["gongkai_model"] = self.model
        as_of = self.model.as_of
        self.context["data_updated_site"] = as_of.isoformat() if as_of else ""

    def generate_output(self, writer) -> None:
        start = time.perf_counter()
        template_dirs = [Path(self.theme) / "templates"]
        cache = Path(self.settings.get("CACHE_PATH", "cache"))
        run = current()
        manifest = run.manifest if run is not None else None
        # outputs that may run beside the pages start first, told whether every page is
        # about to be rendered again (then the pages alone use every core)
        rerender_all = rerenders_all(self.settings, Path(self.output_path), template_dirs, cache,
                                     manifest)
        data_outputs_starting.send(self, rerender_all=rerender_all)
        if not rerender_all:
            # a rebuild runs its other stages in a process beside the pages (see
            # generator.build.beside): the rule figures that the open data and the task
            # pages read are worked out once, here, and inherited by it
            figures(self.model)
        rule_figures_ready.send(self, rerender_all=rerender_all)
        launch_beside(self.context)  # the stages offered, in one process beside the pages
        pages = self.context.get("pages", []) + self.context.get("hidden_pages", [])
        content_links = {p.slug: p.url for p in pages}
        warn_missing_documents(self.model, content_links)
        notices = [{"title": a.title, "url": a.url, "date": a.date.strftime("%Y-%m-%d")}
                   for a in self.context.get("articles", [])[:5]]
        last = [0.0]

        def progress(done: int, total: int) -> None:
            now = time.perf_counter()
            if now - last[0] > 5 or done == total:
                last[0] = now
                print(f"  企业页面 {done}/{total} 个分区", file=sys.stderr)

        counts = build_pages(self.model, self.settings, Path(self.output_path), template_dirs,
                             content_links, notices, cache, progress,
                             processes=run.processes(self.settings) if run else None,
                             manifest=manifest,
                             executor=run.executor(self.settings) if run else None)
        self.context["gongkai_counts"] = counts
        # after the pages: the figures it needs are worked out while enterprise pages render
        warn_unknown_calendar_years(self.model)
        elapsed = time.perf_counter() - start
        print(f"数据页面：写入 {counts.written}，未变化 {counts.unchanged + counts.skipped}"
              f"（其中 {counts.skipped} 页无需重新生成），删除 {counts.deleted}，"
              f"用时 {elapsed:.2f} 秒", file=sys.stderr)
        if run is None or run.command != "gongkai":  # gongkai build prints its own summary
            from ..validate.report import warning_summary

            for line in warning_summary(self.model, "gongkai validate"):
                print(line, file=sys.stderr)


def warn_missing_documents(model: Model, content_links: dict[str, str]) -> None:
    """W304: a task names a 实施方案 slug that no page in content/ has."""
    tasks = model["tasks"]
    docs = tasks["plan_document"].astype(object)
    missing = tasks[docs.notna() & ~docs.astype(str).str.match(r"https?://")
                    & ~docs.isin(list(content_links))]
    header = model.contract["tasks"].field("plan_document").title
    # printed with every other warning in the build's summary of warnings
    for row in missing[["_file", "_row", "plan_document"]].to_dict("records"):
        model.problems.add("W304", str(row["_file"]), int(row["_row"]), header,
                           row["plan_document"])


def warn_unknown_calendar_years(model: Model) -> None:
    """W501: deadlines in years neither the holiday schedule nor data/calendar.* covers.

    Working out the figures records them on ``model.problems``; the build's summary of
    warnings prints them.
    """
    figures(model)


def get_generators(pelican_object) -> type[Generator]:
    return DataPagesGenerator


def add_filters(generator) -> None:
    """Pelican's own templates turn identifiers into URL segments exactly as data pages do.

    They also autoescape, as data pages do: Pelican's default does not, so a Markdown
    title or summary like ``<script>`` would otherwise become markup. Rendered
    Markdown bodies are marked ``|safe`` in the templates that show them.
    """
    env = getattr(generator, "env", None)
    if env is not None:
        env.filters.update(FILTERS)
        env.autoescape = True


def register() -> None:
    signals.get_generators.connect(get_generators)
    signals.generator_init.connect(add_filters)
