"""The one way outputs write files: only when the bytes differ, and never in place.

A staged build shares files with the live site by hard links (:mod:`.atomic`), so a
file is never opened for writing where it stands: a changed file is written under a
temporary name and renamed over the old one. A hard link to the old file (the live
site, an archive snapshot) keeps the old bytes, and a reader never sees half a file.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from pathlib import Path


@dataclass
class FileInfo:
    """One written file: where it is below the site root, its size and SHA-256."""

    path: str  # relative to the site root, "/"-separated, e.g. "data/results.csv"
    bytes: int
    sha256: str
    written: bool = False


def replace_file(target: Path, data: bytes) -> bool:
    """Put ``data`` at ``target`` unless it already holds exactly these bytes; True when
    written. The folder is made when missing."""
    try:
        if target.stat().st_size == len(data):
            with open(target, "rb") as fh:
                if fh.read() == data:
                    return False
    except FileNotFoundError:
        target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(f".{target.name}.tmp{os.getpid()}")
    with open(tmp, "wb") as fh:
        fh.write(data)
    os.replace(tmp, target)
    return True


def write_file(root: Path, path: str, data: bytes) -> FileInfo:
    """:func:`replace_file` at ``root/path``, described for checksums and data packages."""
    info = FileInfo(path, len(data), hashlib.sha256(data).hexdigest())
    info.written = replace_file(Path(root) / path, data)
    return info
