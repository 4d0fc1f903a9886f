"""Pelican hooks of the open-data outputs.

A generator (after the data pages, or beside them on a rebuild: see
:mod:`generator.build.beside`) writes the datasets, data package, archive, feeds and
their pages; when every page of the build is written (``finalized``), the
sitemaps and robots.txt are written from the output folder.
"""

from __future__ import annotations

import sys
import time
from pathlib import Path

from pelican import signals
from pelican.generators import Generator

from .. import signals as gongkai_signals
from ..build.beside import may_run_beside, start_beside, wait_beside
from ..build.context import MANIFEST_IN_OUTPUT, current, manifest_pages
from ..build.gate import model_for
from .build import STATE, publish, site_url
from .sitemap import write_discovery

JOB = "gongkai_open_data_job"


def _run(generator: Generator, beside: bool = False) -> None:
    start = time.perf_counter()
    model = generator.context.get("gongkai_model") or model_for(generator.settings)
    result = publish(model, generator.settings, Path(generator.output_path),
                     [Path(generator.theme) / "templates"], report=_part_done)
    if result.skipped:
        print("开放数据：数据、设置和模板均未变化，未重新生成", file=sys.stderr)
        return
    print(f"开放数据：{len(result.datasets)} 个数据集、{len(result.feeds)} 个订阅源，"
          f"写入 {result.written} 个文件，用时 {time.perf_counter() - start:.1f} 秒"
          + ("，与数据页面并行" if beside else ""), file=sys.stderr)


def start_open_data(generator: Generator, rerender_all: bool = True) -> None:
    """``rule_figures_ready``: offer the open-data stage to the process beside the pages
    when it may run there (see :mod:`generator.build.beside`)."""
    if may_run_beside(
            generator.settings, "GONGKAI_OPEN_DATA_BESIDE", rerender_all,
            (Path(generator.output_path) / STATE).is_file(), executor_tasks=True):
        start_beside(generator.context, JOB, _run, generator, True)


class OpenDataGenerator(Generator):
    """Datasets, datapackage.json, SHA256SUMS, archive snapshots, feeds and their pages
    (or waits for the process that writes them beside the pages)."""

    def generate_context(self) -> None:
        pass

    def generate_output(self, writer) -> None:
        if not wait_beside(self.context, JOB):
            _run(self)


def _part_done(part: str, seconds: float) -> None:
    print(f"开放数据·{part}：用时 {seconds:.1f} 秒", file=sys.stderr)


def get_generators(pelican_object) -> type[Generator]:
    return OpenDataGenerator


def set_site_url(pelican_object) -> None:
    """GONGKAI_SITE_URL: the public address pages use for canonical links (from SITEURL)."""
    settings = pelican_object.settings
    settings["GONGKAI_SITE_URL"] = site_url(settings)


def built_pages(output: Path, manifest: Path | None = None) -> list[str] | None:
    """The data pages of this build, from the page manifest the data-page generator saved
    (the run's, else the one inside ``output``); None when it does not describe ``output``."""
    run = current()
    if manifest is None:
        manifest = run.manifest if run is not None else output / MANIFEST_IN_OUTPUT
    pages = manifest_pages(manifest)
    # trust the manifest only when it describes this output
    return pages if pages and all((output / p).is_dir() for p in pages[:50]) else None


def write_sitemaps(pelican_object) -> None:
    settings = pelican_object.settings
    url = site_url(settings)
    output = Path(pelican_object.output_path)
    files = write_discovery(output, url, built_pages(output) if url else None)
    if not url:
        print("提示：未设置网站公开地址（SITEURL 或 GONGKAI_SITE_URL），未生成 sitemap.xml。",
              file=sys.stderr)
    else:
        print(f"站点地图：{len(files) - 1} 个文件", file=sys.stderr)


def register() -> None:
    signals.initialized.connect(set_site_url)
    signals.get_generators.connect(get_generators)
    signals.finalized.connect(write_sitemaps)
    gongkai_signals.rule_figures_ready.connect(start_open_data)  # it reads the figures
