"""Writing published files: only when the bytes differ, and never in place.

A changed file is written to a temporary name and renamed over the old one, so a
hard link to the old file (an archive snapshot) keeps the old bytes, and a reader
never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class FileInfo:
    """One published file: where it is below the site root, its size and SHA-256."""

    path: str  # relative to the site root, "/"-separated, e.g. "data/results.csv"
    bytes: int
    sha256: str
    written: bool = False


def write_file(root: Path, path: str, data: bytes) -> FileInfo:
    """Write ``data`` to ``root/path`` unless the file already holds exactly these bytes."""
    target = root / path
    digest = hashlib.sha256(data).hexdigest()
    info = FileInfo(path, len(data), digest)
    try:
        if target.stat().st_size == len(data):
            with open(target, "rb") as fh:
                if fh.read() == data:
                    return info
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    info.written = True
    return info


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
PUBLISHED = ("data", "feeds", "sitemaps", "sitemap.xml", "robots.txt", ".gongkai-open-data.json",
             ".gongkai-feeds.json")


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
