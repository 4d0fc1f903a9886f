"""One publishing step per build: datasets, data package, checksums, archive, feeds and their pages."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..build.keys import StageKey
from ..build.render import Counts, Renderer, make_environment
from ..build.writer import FileInfo, write_file
from ..model import Model
from ..settings import DEFAULTS
from . import archive, datapackage, datasets, feeds, pages


def site_url(settings: dict[str, Any]) -> str:
    """The public address ending in "/", or "" when unknown (no sitemap, relative feed links)."""
    url = str(settings.get("GONGKAI_SITE_URL") or "")
    if not url:
        siteurl = str(settings.get("SITEURL") or "")
        url = siteurl if siteurl.startswith(("http://", "https://")) else ""
    return url.rstrip("/") + "/" if url else ""


@dataclass
class PublishResult:
    datasets: list[datasets.Dataset]
    feeds: list[feeds.Feed]
    files: list[FileInfo]
    archive_days: list[str]
    pages: Counts = field(default_factory=Counts)
    removed: int = 0
    skipped: bool = False  # nothing this output depends on changed: nothing was even read

    @property
    def written(self) -> int:
        return sum(f.written for f in self.files) + self.pages.written


def sums_bytes(files: list[FileInfo]) -> bytes:
    """``sha256sum -c`` format, paths relative to data/, sorted."""
    lines = sorted(f"{f.sha256}  {f.path.removeprefix(datasets.FOLDER + '/')}" for f in files
                   if f.path.startswith(datasets.FOLDER + "/"))
    return ("\n".join(lines) + "\n").encode("utf-8")


def _remove_stale_tables(output: Path, keep: set[str]) -> int:
    folder = output / datasets.FOLDER
    removed = 0
    for path in sorted(folder.glob("*")):
        rel = path.relative_to(output).as_posix()
        if path.is_file() and path.suffix in (".csv", ".parquet") and rel not in keep:
            path.unlink()
            removed += 1
    return removed


STATE = ".gongkai-open-data.json"
# settings that reach the files besides every GONGKAI_* one
KEY_SETTINGS = ("SITENAME", "SITEURL", "AUTHOR", "TIMEZONE", "RELATIVE_URLS", "THEME_STATIC_DIR",
                "DEFAULT_LANG")


def input_key(model: Model, settings: dict[str, Any], template_dirs: list[Path],
              extra: list[feeds.FeedEntry]) -> str:
    """Hash of everything the outputs depend on: data files (path, size, time), settings,
    code, templates and the entries of registered feed sources."""
    key = (StageKey("open-data").files(Path(model.data_dir))
           .settings(settings, KEY_SETTINGS, ("GONGKAI_",)).code(""))
    for folder in template_dirs:
        key.tree(Path(folder), (".html",), label="templates")
    return key.value(extra).hexdigest()


def _unchanged(output: Path, key: str) -> bool:
    try:
        state = json.loads((output / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return False
    if state.get("key") != key:
        return False
    for path, size in state.get("files", {}).items():
        try:
            if (output / path).stat().st_size != size:
                return False
        except OSError:
            return False
    return True


class Parts:
    """Seconds spent in each part of the open data, told to ``report`` as each ends, so a
    long build shows where it is and a benchmark can weigh one part against the rest."""

    def __init__(self, report: Callable[[str, float], None] | None) -> None:
        self.report = report
        self.last = time.perf_counter()

    def done(self, part: str) -> None:
        now = time.perf_counter()
        if self.report is not None:
            self.report(part, now - self.last)
        self.last = now


def publish(model: Model, settings: dict[str, Any], output: Path,
            template_dirs: list[Path] | None = None, previous: Path | None = None,
            report: Callable[[str, float], None] | None = None) -> PublishResult:
    """Write everything under data/ and feeds/, and the three pages when templates are given.
    ``report(part, seconds)`` hears of each part (datasets, workbooks, feeds, API…) as it ends."""
    output = Path(output)
    parts = Parts(report)
    from ..model.departments import use_for_urls

    use_for_urls(model)  # department files and feeds are named by this data's slugs
    url = site_url(settings)
    settings = {**DEFAULTS, **settings, "GONGKAI_SITE_URL": url}
    extra = feeds.extra_entries(model)
    key = input_key(model, settings, template_dirs or [], extra)
    if _unchanged(output, key):
        return PublishResult([], [], [], archive.snapshots(output), skipped=True)
    (output / STATE).unlink(missing_ok=True)  # a build that stops half-way is never trusted
    tables = datasets.all_datasets(model)
    published = datasets.write_datasets(tables, output)
    removed = published.removed + _remove_stale_tables(output, {f.path for f in published.files})
    package = write_file(output, datapackage.DESCRIPTOR, datapackage.descriptor_bytes(
        datapackage.descriptor(model, tables, settings)))
    files = published.files + [package]
    files.append(write_file(output, pages.SUMS, sums_bytes(files)))
    from . import dcat

    files.append(write_file(output, dcat.CATALOG, dcat.catalog_bytes(
        dcat.catalog(model, tables, settings, url))))  # DCAT catalogue for data portals
    snapshot = [f.path for ds in tables for f in ds.files.values()]
    snapshot += [info.path for ds in tables for _, info in ds.partitions] + [package.path]
    days = archive.snapshot(output, model.data_date, snapshot,
                            int(settings.get("GONGKAI_ARCHIVE_KEEP") or 0), previous)
    parts.done("数据集")
    from . import xlsx

    xlsx.write_xlsx(tables, published, output, model.data_date)  # Excel copies of the CSVs
    parts.done("Excel 工作簿")
    feed_result = feeds.write_feeds(model, settings, output, extra)
    files += feed_result.files
    result = PublishResult(tables, feed_result.feeds, files, days,
                           removed=removed + feed_result.removed)
    if template_dirs:
        globals_ = {k: v for k, v in settings.items() if k.isupper()}
        renderer = Renderer(make_environment(template_dirs, globals_), output, {})
        renderer.write(pages.DATA_PAGE, "data.html",
                       pages.data_page(model, tables, settings, days, url), result.pages)
        renderer.write(pages.DICTIONARY_PAGE, "dictionary.html",
                       pages.dictionary_page(model, tables), result.pages)
        renderer.write(pages.FEEDS_PAGE, "feeds.html", pages.feeds_page(model, feed_result.feeds),
                       result.pages)
    parts.done("订阅源和页面")
    from ..api.build import write_api

    write_api(model, settings, output, template_dirs)  # api/v1/ and /api/, only what changed
    parts.done("数据接口")
    from .enterprise_feeds import write_enterprise_feeds

    write_enterprise_feeds(model, settings, output)  # feeds/enterprises/, only what changed
    parts.done("企业订阅源")
    state = {"key": key, "files": {f.path: f.bytes for f in files}}
    for page in (pages.DATA_PAGE, pages.DICTIONARY_PAGE, pages.FEEDS_PAGE) if template_dirs else ():
        state["files"][page + "index.html"] = (output / page / "index.html").stat().st_size
    write_file(output, STATE, json.dumps(state, ensure_ascii=False, indent=0).encode("utf-8"))
    return result
