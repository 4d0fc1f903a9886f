"""``SOURCE_DATE_EPOCH``: no file of a build is dated later than the sources say.

Page bytes never hold the wall-clock time (dates come from the data); this makes the
file times of a build reproducible too, as the reproducible-builds convention asks:
with the variable set, every file newer than the given time gets exactly that time.
"""

from __future__ import annotations

import os
from pathlib import Path


def source_date_epoch(environ: dict[str, str] | None = None) -> int | None:
    """The ``SOURCE_DATE_EPOCH`` in seconds, or None when it is unset or not a number."""
    value = (environ if environ is not None else os.environ).get("SOURCE_DATE_EPOCH", "").strip()
    return int(value) if value.isdigit() else None


def clamp_mtimes(folder: Path, epoch: int) -> int:
    """Set every file and folder under ``folder`` newer than ``epoch`` to ``epoch``; return how many."""
    changed = 0
    limit = epoch * 1_000_000_000
    for dirpath, dirnames, filenames in os.walk(folder, topdown=False):
        for name in [*filenames, *dirnames]:
            path = os.path.join(dirpath, name)
            st = os.lstat(path)
            if st.st_mtime_ns > limit:
                os.utime(path, ns=(limit, limit), follow_symlinks=False)
                changed += 1
    if os.stat(folder).st_mtime_ns > limit:
        os.utime(folder, ns=(limit, limit))
        changed += 1
    return changed
