"""Dated snapshots of the datasets under ``data/archive/YYYY-MM-DD/``, so past data stays downloadable.

The snapshot of a build is named by the data date (never the clock) and holds the
data package as published: the datasets, the results partitions and
``datapackage.json``. Files are hard links to the published files (which are only
ever replaced, never rewritten in place), so an unchanged dataset costs no space.
Snapshots of earlier builds are carried over from the previous output folder when
the site is built into a new one; the newest GONGKAI_ARCHIVE_KEEP are kept.
"""

from __future__ import annotations

import os
import re
import shutil
from datetime import date
from pathlib import Path

from .datasets import FOLDER

ARCHIVE = f"{FOLDER}/archive"
DATED = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _link(src: Path, dst: Path) -> None:
    """Make ``dst`` the same file as ``src`` (hard link, or a copy across file systems)."""
    if dst.exists() and os.path.samefile(src, dst):
        return
    dst.parent.mkdir(parents=True, exist_ok=True)
    tmp = dst.with_name(f".{dst.name}.tmp{os.getpid()}")
    try:
        os.link(src, tmp)
    except OSError:
        shutil.copyfile(src, tmp)
    os.replace(tmp, dst)


def snapshots(output: Path) -> list[str]:
    """Dates of the snapshots in ``output``, newest first."""
    base = output / ARCHIVE
    if not base.is_dir():
        return []
    return sorted((p.name for p in base.iterdir() if p.is_dir() and DATED.match(p.name)),
                  reverse=True)


def carry_over(previous: Path | None, output: Path) -> None:
    """Bring the snapshots of a previous output folder into a new one (as hard links)."""
    if previous is None or not (previous / ARCHIVE).is_dir():
        return
    if output.exists() and os.path.samefile(previous, output):
        return
    for day in snapshots(previous):
        if (output / ARCHIVE / day).exists():
            continue
        for src in sorted((previous / ARCHIVE / day).rglob("*")):
            if src.is_file():
                _link(src, output / ARCHIVE / day / src.relative_to(previous / ARCHIVE / day))


def snapshot(output: Path, day: date | None, paths: list[str], keep: int,
             previous: Path | None = None) -> list[str]:
    """Snapshot ``paths`` (below the site root, all under data/) as of ``day``; apply retention.

    Returns the dates kept, newest first. ``keep`` 0 turns the archive off (and removes it).
    """
    base = output / ARCHIVE
    if keep <= 0 or day is None:
        shutil.rmtree(base, ignore_errors=True)
        return []
    carry_over(previous, output)
    target = base / day.isoformat()
    wanted = set()
    for path in paths:
        rel = path.removeprefix(f"{FOLDER}/")
        wanted.add(rel)
        _link(output / path, target / rel)
    for stale in sorted(target.rglob("*"), reverse=True):
        rel = stale.relative_to(target).as_posix()
        if stale.is_file() and rel not in wanted:
            stale.unlink()
        elif stale.is_dir() and not any(stale.iterdir()):
            stale.rmdir()
    days = snapshots(output)
    for old in days[keep:]:
        shutil.rmtree(base / old)
    return days[:keep]
