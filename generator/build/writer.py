"""The one way outputs write files: only when the bytes differ, and never in place.

A staged build shares files with the live site by hard links (:mod:`.atomic`), so a
file is never opened for writing where it stands. :func:`replace_file` writes a changed
file under a temporary name and renames it over the old one: a hard link to the old
file (the live site, an archive snapshot) keeps the old bytes, and a reader never sees
half a file. :func:`put_file` is for files by the hundred thousand in a staging folder,
which no reader sees until the swap: it removes a changed file and creates it anew,
never truncating a file that exists.
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


def files_below(output: Path, *folders: str) -> list[str]:
    """Every file below ``output/folder`` for each of ``folders``, as "/"-separated paths
    below ``output`` (a missing folder has none)."""
    found = []
    for folder in folders:
        for top, _, names in os.walk(Path(output) / folder):
            rel = Path(top).relative_to(output).as_posix()
            found.extend(f"{rel}/{name}" for name in names)
    return found


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


def put_file(target: str | os.PathLike[str], data: bytes, new: bool = False) -> bool:
    """Write ``data`` unless the file already holds exactly it; True when written.

    Plain ``os`` calls: at half a million pages the path-object overhead and a temporary
    file per page cost more than making them. ``new`` says the last build did not write
    this file, so there is nothing to compare with; a file that is there all the same is
    compared and replaced like any other (it may be a hard link to the live site).
    """
    name = os.fspath(target)
    if not new:
        try:
            with open(name, "rb") as fh:
                if fh.read(len(data) + 1) == data:
                    return False
            os.unlink(name)  # replace, never rewrite: see the module's docstring
        except FileNotFoundError:
            pass
    flags = os.O_WRONLY | os.O_CREAT | os.O_EXCL
    try:
        fd = os.open(name, flags, 0o666)
    except FileExistsError:
        return put_file(name, data, new=False)
    except FileNotFoundError:  # its folder is not there yet
        folder = os.path.dirname(name)
        try:
            os.mkdir(folder)
        except FileNotFoundError:
            os.makedirs(folder, exist_ok=True)
        except FileExistsError:
            pass
        fd = os.open(name, flags, 0o666)
    try:
        done = os.write(fd, data)
        while done < len(data):  # a short write: rare, but allowed
            done += os.write(fd, memoryview(data)[done:])
    finally:
        os.close(fd)
    return True
