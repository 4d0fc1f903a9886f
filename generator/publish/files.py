"""The open-data files of a site: written through the engine's writer (only when the
bytes differ, never in place), stale ones removed, all of them listed for staging."""

from __future__ import annotations

import os
from pathlib import Path


def remove_stale(root: Path, folder: str, keep: set[str]) -> int:
    """Delete files under ``root/folder`` that this build did not produce; return how many."""
    base = root / folder
    if not base.is_dir():
        return 0
    removed = 0
    for path in sorted(base.rglob("*"), reverse=True):
        rel = path.relative_to(root).as_posix()
        if path.is_file() and rel not in keep:
            path.unlink()
            removed += 1
        elif path.is_dir() and not any(path.iterdir()):
            path.rmdir()
    return removed


# everything this package writes; all of it is replaced, never rewritten in place
PUBLISHED = ("api", "data", "feeds", "sitemaps", "sitemap.xml", "robots.txt",
             ".gongkai-open-data.json", ".gongkai-feeds.json", ".gongkai-api.parquet",
             ".gongkai-enterprise-feeds.parquet")


def published_files(output: Path) -> set[str]:
    """Files of the open-data outputs in ``output`` (relative, "/"-separated).

    A staged build may hard-link them from the live site instead of copying them:
    datasets of hundreds of megabytes and their archive snapshots cost no copy.
    """
    output = Path(output)
    found: set[str] = set()
    for name in PUBLISHED:
        path = output / name
        if path.is_file():
            found.add(name)
        elif path.is_dir():
            for folder, _, files in os.walk(path):
                rel = Path(folder).relative_to(output).as_posix()
                found.update(f"{rel}/{f}" for f in files)
    return found
