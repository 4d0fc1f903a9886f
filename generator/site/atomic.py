"""Crash-safe publishing: build beside the published site, then swap the two in one step.

A build renders into a sibling folder (``.<name>.building``) seeded from the current
site, and only a finished build replaces the published folder: on Linux with one
``renameat2(RENAME_EXCHANGE)`` call, so there is no instant at which the site is missing
or half-written; elsewhere with two renames. A build killed at any moment leaves the
previous site untouched; the next build throws the unfinished folder away.

Seeding copies the previous site so an incremental build still only re-renders what
changed. Data pages are hard-linked (hundreds of thousands of files, no bytes copied):
the page writer replaces a file instead of writing into it, so a linked page of the live
site is never modified. Every other file (Pelican's pages and static files, which Pelican
rewrites in place) is copied.
"""

from __future__ import annotations

import ctypes
import os
import shutil
import subprocess
import sys
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.building"


def _retired_path(output: Path) -> Path:
    return output.parent / f".{output.name}.previous"


def _trash_prefix(output: Path) -> str:
    return f".{output.name}.removing-"


def _remove_later(folder: Path, output: Path) -> None:
    """Move ``folder`` aside and delete it in a detached process.

    Deleting the previous site (half a million files on a provincial site) takes longer
    than an incremental build's own work; nothing needs to wait for it. A deletion cut
    short leaves a ``.removing-`` folder, which the next build removes again.
    """
    trash = output.parent / f"{_trash_prefix(output)}{uuid.uuid4().hex[:12]}"
    try:
        folder.rename(trash)
        subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                          str(trash)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
    except OSError:
        shutil.rmtree(trash if trash.exists() else folder, ignore_errors=True)


def _exchange(a: Path, b: Path) -> bool:
    """Atomically swap two paths (Linux renameat2); False when the system cannot."""
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        renameat2 = libc.renameat2
    except (OSError, AttributeError):
        return False
    renameat2.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p,
                          ctypes.c_uint]
    if renameat2(_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE) == 0:
        return True
    errno = ctypes.get_errno()
    if errno in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: file system or kernel cannot
        return False
    raise OSError(errno, os.strerror(errno), str(a))


def _seed(previous: Path, staging: Path, linked: set[str]) -> None:
    """Copy ``previous`` into ``staging``; files whose relative path is in ``linked`` are hard-linked."""
    base = len(os.fspath(previous)) + 1

    def copy(src: str, dst: str) -> None:
        if src[base:].replace(os.sep, "/") in linked:
            try:
                os.link(src, dst)
                return
            except OSError:  # another file system or no link support: copy instead
                pass
        shutil.copy2(src, dst)

    shutil.copytree(previous, staging, symlinks=True, copy_function=copy)


@contextmanager
def staged_output(output: Path, linked_files: Iterable[str] = ()) -> Iterator[Path]:
    """Yield a folder to build into; publish it as ``output`` only when the block finishes.

    ``linked_files``: paths (relative, "/"-separated) that the build replaces rather than
    rewrites, so they may share storage with the live site. Anything describing the
    output (the page manifest) must live inside it, so it is swapped in with the pages.
    """
    output = Path(output).absolute()
    staging = staging_path(output)
    retired = _retired_path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not output.exists() and retired.is_dir():
        retired.rename(output)  # killed between the two renames of a non-atomic swap
    for leftover in (staging, retired):
        if leftover.exists():
            shutil.rmtree(leftover)
    for trash in output.parent.iterdir():
        if trash.name.startswith(_trash_prefix(output)):
            _remove_later(trash, output)  # a deletion cut short (or still running)
    if output.is_dir():
        _seed(output, staging, set(linked_files))
    else:
        staging.mkdir()
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, output)


def publish(staging: Path, output: Path) -> None:
    """Make ``staging`` the published ``output``; the previous site is removed afterwards,
    in the background."""
    retired = _retired_path(output)
    if not output.exists():
        staging.rename(output)
        return
    if _exchange(staging, output):
        staging.rename(retired)
    else:
        output.rename(retired)
        staging.rename(output)
    _remove_later(retired, output)
