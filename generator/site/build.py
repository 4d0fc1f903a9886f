"""Rendering every data page of the site from one model, incrementally."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from .. import urls
from ..build.context import MANIFEST_IN_OUTPUT
from ..build.executor import Executor, LocalExecutor
from ..build.keys import StageKey
from ..build.render import (
    Counts,
    Manifest,
    PageList,
    Renderer,
    make_environment,
    render_many,
    templates_fingerprint,
)
from ..model import Model
from . import stats, views
from .changes import changes_page  # 更新记录: corrections and retractions
from .enterprise_stage import EnterpriseStage, mix

# settings that reach pages; a change in any of them re-renders everything
PAGE_SETTINGS = ("SITENAME", "SITEURL", "SITESUBTITLE", "RELATIVE_URLS", "THEME_STATIC_DIR",
                 "DEFAULT_LANG")
MANIFEST_NAME = "gongkai-pages.parquet"
# the code a page's bytes depend on besides the templates: the renderer, the views and helpers,
# the URL scheme, the model's derived tables, the rules, the ledger of corrections
PAGE_CODE = ("site", "build/render.py", "urls.py", "model", "rules", "contract", "agency/ledger.py",
             "agency/diff.py", "agency/revisions.py")


def _settings_fingerprint(settings: dict[str, Any]) -> str:
    return (StageKey("pages").settings(settings, PAGE_SETTINGS, ("GONGKAI_", "FEED_"))
            .code(*PAGE_CODE).hexdigest())


def manifest_path(output: Path, cache_dir: Path | None = None) -> Path:
    """Where the page manifest of builds into ``output`` is kept (outside the output)."""
    key = hashlib.sha256(str(Path(output).resolve()).encode()).hexdigest()[:12]
    return Path(cache_dir or Path(output).parent / "cache") / f"{key}-{MANIFEST_NAME}"


def manifest_files(output: Path) -> set[str]:
    """Output files (relative paths) of the data pages of the site published in ``output``."""
    return {urls.output_file(p) for p in Manifest(Path(output) / MANIFEST_IN_OUTPUT).previous}


def page_salt(settings: dict[str, Any], template_dirs: list[Path]) -> int:
    """The hash every page fingerprint is mixed with: templates, page settings, page code."""
    return templates_fingerprint(template_dirs, _settings_fingerprint(settings))


def rerenders_all(settings: dict[str, Any], output: Path, template_dirs: list[Path],
                  cache_dir: Path | None = None, manifest: Path | None = None) -> bool:
    """True when the next :func:`build_pages` renders every page again: no earlier build,
    or templates, settings or page code changed since it."""
    path = manifest or manifest_path(Path(output), cache_dir)
    return Manifest.saved_salt(path) != page_salt(settings, template_dirs)


def build_pages(model: Model, settings: dict[str, Any], output: Path,
                template_dirs: list[Path], content_links: dict[str, str] | None = None,
                notices: list[dict[str, str]] | None = None, cache_dir: Path | None = None,
                progress: Callable[[int, int], None] | None = None,
                processes: int | None = None, manifest: Path | None = None,
                executor: Executor | None = None) -> Counts:
    """Write every data page under ``output``; return how many were written and skipped.

    ``processes``: the workers the pages may use (default GONGKAI_PROCESSES or every
    core), unless ``executor`` says where the enterprise pages' partitions run;
    ``manifest``: where the page manifest is kept (a staged build keeps it inside the
    folder it writes), else in the cache, named after ``output``.
    """
    output = Path(output)
    from ..agency.ledger import build_ledger  # what was corrected or withdrawn, and when

    cache = Path(cache_dir or output.parent / "cache")
    ledger = build_ledger(model, model.settings, cache).entries
    data = views.SiteData.from_model(model, content_links, ledger)
    globals_ = {k: v for k, v in settings.items() if k.isupper()}
    env = make_environment(template_dirs, globals_)
    renderer = Renderer(env, output, {})
    salt = page_salt(settings, template_dirs)
    counts = Counts()

    page_size = int(settings.get("GONGKAI_PAGE_SIZE", 100))
    manifest = Manifest(manifest or manifest_path(output, cache_dir))
    processes = processes or max(1, int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1))

    # Enterprise pages first: they are nearly all of the pages, and need neither the rule
    # figures nor the task pages. Their partitions run on the executor (forked workers, or
    # a cluster) while this process works out everything else and writes the other pages.
    stage = EnterpriseStage(model, data, settings, output, template_dirs, salt, manifest,
                            executor or LocalExecutor(processes), renderer)
    rendering = _StageProgress(stage, progress)
    # the new manifest is written beside the old one, and takes its place only once every
    # page is written
    pending = manifest.path.with_name(manifest.path.name + ".pending")
    try:
        paths, fps_by_path = _other_pages(data, model, settings, output, renderer, manifest, salt,
                                          page_size, notices, cache_dir, counts, rendering)
        ent_paths, fingerprints, tombstones, ent_counts = stage.finish()
        rendering.poll(final=True)
        counts.add(ent_counts)
        _check_unique(paths + tombstones)
        paths += tombstones
        small_fps = np.array([fps_by_path.get(p, 0) for p in paths], dtype=np.uint64)
        manifest.save(paths + ent_paths, np.concatenate([small_fps, fingerprints]), salt,
                      to=pending)
    except BaseException:
        stage.cancel()
        pending.unlink(missing_ok=True)
        raise

    current = set(paths) | set(ent_paths)
    for stale in manifest.stale(current):
        target = output / urls.output_file(stale)
        if target.is_file():
            target.unlink()
            counts.deleted += 1
            folder = target.parent
            if folder != output and not any(folder.iterdir()):
                shutil.rmtree(folder, ignore_errors=True)
    os.replace(pending, manifest.path)
    return counts


def _check_unique(paths: list[str]) -> None:
    if len(set(paths)) != len(paths):
        seen: set[str] = set()
        twice = sorted({p for p in paths if p in seen or seen.add(p)})
        raise ValueError(f"two pages map to one path: {twice[:5]}")


class _StageProgress:
    """Progress of the enterprise stage, reported as the other pages are written."""

    def __init__(self, stage: EnterpriseStage,
                 progress: Callable[[int, int], None] | None) -> None:
        self.stage, self.progress, self._reported = stage, progress, -1

    def poll(self, final: bool = False) -> None:
        if self.progress is None:
            return
        done = self.stage.count if final else self.stage.poll()
        if done > self._reported:
            self._reported = done
            self.progress(done, self.stage.count)


def _other_pages(data: views.SiteData, model: Model, settings: dict[str, Any], output: Path,
                 renderer: Renderer, manifest: Manifest, salt: int, page_size: int,
                 notices: list[dict[str, str]] | None, cache_dir: Path | None, counts: Counts,
                 rendering: _StageProgress) -> tuple[list[str], dict[str, int]]:
    """Every page but the enterprises': written here, in this process, while the
    enterprise stage renders its partitions (or before it does, with one process).
    Returns their paths and the fingerprints of the task pages."""
    # task pages: a task whose rows did not change keeps all its pages as they are
    task_fps = {tid: int(mix(np.array([fp], dtype=np.uint64), salt)[0])
                for tid, fp in views.task_fingerprints(data).items()}
    previous_task_pages: dict[str, list[str]] = {}
    for p in manifest.previous:
        if p.startswith("tasks/"):
            previous_task_pages.setdefault(p.split("/", 2)[1], []).append(p)
    kept: dict[str, int] = {}
    changed: set[str] = set()
    for tid, fp in task_fps.items():
        first = urls.task(tid)
        if manifest.previous.get(first) == fp and (output / urls.output_file(first)).exists():
            kept.update({p: fp for p in previous_task_pages.get(urls.segment(tid), [])
                         if manifest.previous[p] == fp})
        else:
            changed.add(tid)
    task_pages = views.task_pages(data, page_size, only=changed)
    counts.skipped += len(kept)
    rendering.poll()

    small: list[views.Page] = [views.home_page(data, notices)]
    small += views.year_pages(data)
    small += views.item_pages(data)
    small += views.plan_pages(data)
    small += views.department_pages(data)
    small += views.inspector_pages(data)
    small += views.moved_department_pages(data)
    rendering.poll()
    small += stats.stats_pages(data, output, renderer.env)  # also writes the chart SVGs
    small.append(changes_page(model, model.settings, Path(cache_dir or output.parent / "cache")))
    paths = [p.path for p in small + task_pages] + list(kept)
    _check_unique(paths)
    for page in small:
        renderer.write(page.path, page.template, page.context, counts)
    rendering.poll()
    # task pages (100 result rows each, ten thousand of them at provincial scale) get the
    # workers of their own when the enterprise pages are not using them
    counts.add(render_many(renderer, PageList(task_pages), np.arange(len(task_pages)), 1))
    fps_by_path = dict(kept)
    fps_by_path.update({p.path: task_fps[p.context["task"]["task_id"]] for p in task_pages})
    return paths, fps_by_path
