"""Rendering every data page of the site from one model, incrementally."""

from __future__ import annotations

import hashlib
import os
import shutil
from collections.abc import Callable
from pathlib import Path
from typing import Any

import numpy as np

from ..model import Model
from . import urls, views
from .render import Counts, Manifest, Renderer, make_environment, render_many, templates_fingerprint

# settings that reach pages; a change in any of them re-renders everything
PAGE_SETTINGS = ("SITENAME", "SITEURL", "SITESUBTITLE", "RELATIVE_URLS", "THEME_STATIC_DIR",
                 "DEFAULT_LANG")
MANIFEST_NAME = "gongkai-pages.parquet"


def _settings_fingerprint(settings: dict[str, Any]) -> str:
    keys = [k for k in sorted(settings) if k in PAGE_SETTINGS or (
        k.startswith(("GONGKAI_", "FEED_")) and k not in ("GONGKAI_DATA_DIR", "GONGKAI_MODEL"))]
    code = hashlib.sha256()
    for path in sorted(Path(__file__).parent.glob("*.py")):
        code.update(path.read_bytes())
    return repr([(k, repr(settings[k])) for k in keys]) + code.hexdigest()


def _mix(fingerprints: np.ndarray, salt: int) -> np.ndarray:
    with np.errstate(over="ignore"):
        return (fingerprints * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(salt)


def build_pages(model: Model, settings: dict[str, Any], output: Path,
                template_dirs: list[Path], content_links: dict[str, str] | None = None,
                notices: list[dict[str, str]] | None = None, cache_dir: Path | None = None,
                progress: Callable[[int, int], None] | None = None) -> Counts:
    """Write every data page under ``output``; return how many were written and skipped."""
    output = Path(output)
    data = views.SiteData.from_model(model, content_links)
    globals_ = {k: v for k, v in settings.items() if k.isupper() and k != "GONGKAI_MODEL"}
    env = make_environment(template_dirs, globals_)
    renderer = Renderer(env, output, {})
    salt = templates_fingerprint(template_dirs, _settings_fingerprint(settings))
    counts = Counts()

    page_size = int(settings.get("GONGKAI_PAGE_SIZE", 100))
    small: list[views.Page] = [views.home_page(data, notices)]
    small += views.task_pages(data, page_size)
    small += views.year_pages(data)
    small += views.item_pages(data)
    small += views.plan_pages(data)
    small += views.department_pages(data)
    paths = [p.path for p in small]
    duplicates = {p for p in paths if paths.count(p) > 1} if len(paths) < 5000 else set()
    if duplicates:
        raise ValueError(f"two pages map to one path: {sorted(duplicates)[:5]}")
    for page in small:
        renderer.write(page.path, page.template, page.context, counts)

    enterprises = views.EnterprisePages(data)
    ent_paths = [urls.enterprise(u) for u in enterprises.usccs]
    fingerprints = _mix(enterprises.fingerprints, salt)
    # one manifest per output folder: two outputs never share page fingerprints
    key = hashlib.sha256(str(output.resolve()).encode()).hexdigest()[:12]
    manifest = Manifest(Path(cache_dir or output.parent / "cache") / f"{key}-{MANIFEST_NAME}")
    same = manifest.unchanged(ent_paths, fingerprints, output)
    todo = np.flatnonzero(~same)
    processes = int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1)
    counts.add(render_many(renderer, enterprises, todo, processes, progress))
    counts.skipped += int(same.sum())

    current = set(paths) | set(ent_paths)
    for stale in manifest.stale(current):
        target = output / urls.output_file(stale)
        if target.is_file():
            target.unlink()
            counts.deleted += 1
            folder = target.parent
            if folder != output and not any(folder.iterdir()):
                shutil.rmtree(folder, ignore_errors=True)
    all_paths = paths + ent_paths
    all_fps = np.concatenate([np.zeros(len(paths), dtype=np.uint64), fingerprints])
    manifest.save(all_paths, all_fps)
    return counts
