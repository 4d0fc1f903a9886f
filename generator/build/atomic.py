"""Crash-safe publishing: build beside the published site, then swap the two in one step.

A build renders into a sibling folder (``.<name>.building``) and only a finished build
replaces the published folder: on Linux with one ``renameat2(RENAME_EXCHANGE)`` call, so
there is no instant at which the site is missing or half-written; elsewhere with two
renames. A build killed at any moment leaves the previous site untouched; the next build
throws the unfinished folder away.

The staging folder starts as a copy of the published site, so an incremental build only
re-renders what changed. Data pages, open-data files and the server index are
hard-linked (no bytes copied): their writers replace a file instead of writing into it,
so a linked file of the live site is never modified. Every other file (Pelican's pages
and static files, which Pelican rewrites in place) is copied.

A provincial site is half a million folders, so neither copying it nor deleting it can
be part of every build. The site a build replaces is therefore kept beside the new one
(``.<name>.previous``) and becomes the next build's staging folder: before that build
renders anything, the kept folder is brought up to date with the published site
(:func:`catch_up`), which touches only what the last build changed. The page manifests
of the two folders say which page folders are already the same files; the rest of the
tree is compared entry by entry (same inode: the same file). This runs on a second core
while the build validates its data (:class:`Seeding`). Nothing outlives the command.
"""

from __future__ import annotations

import contextlib
import ctypes
import filecmp
import os
import shutil
import uuid
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path

from ..forked import Forked, can_fork

_AT_FDCWD = -100
_RENAME_EXCHANGE = 2


def staging_path(output: Path) -> Path:
    return output.parent / f".{output.name}.building"


def _retired_path(output: Path) -> Path:
    return output.parent / f".{output.name}.previous"


class BuildRunning(Exception):
    """Another build is writing to the same output (its message is for the user)."""


@contextmanager
def only_build(output: Path) -> Iterator[None]:
    """Hold ``output`` for one build from start to publication, or raise
    :class:`BuildRunning` at once: two builds would each clear the other's staging
    folder."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    output = Path(output).absolute()
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output.parent / f".{output.name}.build.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            fh.seek(0)
            who = fh.read().strip()
            raise BuildRunning(f"另一次生成正在输出到 {output}" + (f"（进程 {who}）" if who else "")
                               + "：请等它完成后再运行，网站和搜索索引都未改动。") from None
        try:
            fh.seek(0)
            fh.truncate()
            fh.write(str(os.getpid()))
            fh.flush()
            yield
        finally:
            fh.seek(0)
            fh.truncate()
            fcntl.flock(fh, fcntl.LOCK_UN)


def _trash_prefix(output: Path) -> str:
    return f".{output.name}.removing-"


def _remove(folder: Path, output: Path) -> None:
    """Move ``folder`` aside and delete it.

    Moved aside first: a deletion cut short leaves a ``.removing-`` folder, which the
    next build removes again, never a half-deleted folder under a name that means
    something.
    """
    trash = output.parent / f"{_trash_prefix(output)}{uuid.uuid4().hex[:12]}"
    try:
        folder.rename(trash)
    except OSError:
        trash = folder
    shutil.rmtree(trash, ignore_errors=True)


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


def _place(src: str, dst: str, linked: bool) -> None:
    """Put a copy of ``src`` at ``dst`` by replacing whatever is there, never writing into it
    (it may be a hard link of a file of the live site): a hard link where ``linked``
    allows and the file system can, else a copy."""
    with contextlib.suppress(OSError):
        if os.path.samefile(src, dst):  # renaming a link onto its twin would do nothing
            return
    tmp = f"{dst}.gongkai-tmp"
    if linked:
        try:
            os.link(src, tmp)
            os.replace(tmp, dst)
            return
        except OSError:  # another file system or no link support: copy instead
            with contextlib.suppress(OSError):
                os.unlink(tmp)
    shutil.copy2(src, tmp)
    os.replace(tmp, dst)


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


def _drop(entry: os.DirEntry) -> None:
    if entry.is_dir(follow_symlinks=False):
        shutil.rmtree(entry.path)
    else:
        os.unlink(entry.path)


def catch_up(base: Path, site: Path, linked: set[str]) -> int:
    """Make the folder ``base`` (an earlier published site) equal to ``site``; return how
    many entries were replaced, added or removed.

    Page folders whose fingerprint is the same in both page manifests hold the same files
    (the build that wrote ``site`` kept them as hard links) and are not even listed.
    Everything else is compared entry by entry: the same inode is the same file; a file
    that is copied rather than linked is compared by its bytes. The manifest is replaced
    last, so a catch-up cut short is simply done again by the next build.
    """
    from .context import MANIFEST_IN_OUTPUT, manifest_fingerprints

    old = manifest_fingerprints(base / MANIFEST_IN_OUTPUT)
    new = manifest_fingerprints(site / MANIFEST_IN_OUTPUT)
    same = {path for path, fp in new.items() if fp and old.get(path) == fp}
    changed = 0
    stack = [""]
    while stack:
        rel = stack.pop()
        theirs = {e.name: e for e in os.scandir(site / rel)}
        ours = {e.name: e for e in os.scandir(base / rel)}
        for name, entry in ours.items():
            if name not in theirs:
                _drop(entry)
                changed += 1
        for name, entry in theirs.items():
            path = rel + name
            if path == MANIFEST_IN_OUTPUT:
                continue
            mine = ours.get(name)
            if entry.is_dir(follow_symlinks=False):
                if mine is not None and not mine.is_dir(follow_symlinks=False):
                    os.unlink(mine.path)
                    mine = None
                if mine is None:
                    os.mkdir(base / path)
                    changed += 1
                elif path + "/" in same:
                    continue
                stack.append(path + "/")
                continue
            if mine is not None:
                if mine.is_dir(follow_symlinks=False):
                    shutil.rmtree(mine.path)
                elif mine.inode() == entry.inode():
                    continue
                elif path not in linked and filecmp.cmp(mine.path, entry.path, shallow=False):
                    continue  # a copy (Pelican's pages and static files: a few hundred)
            _place(entry.path, str(base / path), path in linked)
            changed += 1
    if (site / MANIFEST_IN_OUTPUT).is_file():
        _place(str(site / MANIFEST_IN_OUTPUT), str(base / MANIFEST_IN_OUTPUT), True)
    else:
        (base / MANIFEST_IN_OUTPUT).unlink(missing_ok=True)
    return changed


Linked = Iterable[str] | Callable[[], Iterable[str]]


def _prepare(output: Path, linked_files: Linked) -> None:
    """Clear what earlier builds left beside ``output`` and make the staging folder: the
    site the last build replaced, caught up with the published one, or a fresh copy."""
    staging = staging_path(output)
    retired = _retired_path(output)
    output.parent.mkdir(parents=True, exist_ok=True)
    if not output.exists() and retired.is_dir():
        retired.rename(output)  # killed between the two renames of a non-atomic swap
    if staging.exists():
        _remove(staging, output)  # a build killed before it published: never trusted
    for trash in output.parent.iterdir():
        if trash.name.startswith(_trash_prefix(output)):
            _remove(trash, output)  # a deletion cut short
    if not output.is_dir():
        if retired.exists():
            _remove(retired, output)
        staging.mkdir()
        return
    linked = set(linked_files() if callable(linked_files) else linked_files)
    if retired.is_dir():
        catch_up(retired, output, linked)
        retired.rename(staging)
    else:
        _seed(output, staging, linked)


class Seeding:
    """The staging folder prepared in a forked process, while the build loads its data.

    Preparing it needs nothing from the build but the published site, so it runs on
    the second core beside validation. :func:`staged_output` waits for it; if it
    failed, the staging folder is prepared again in the build process.
    """

    def __init__(self, output: Path, linked_files: Linked) -> None:
        self.output = Path(output).absolute()
        self._job = Forked(_prepare, self.output, linked_files) if can_fork() else None

    def wait(self) -> bool:
        """True when the staging folder is ready."""
        if self._job is None:
            return False
        try:
            self._job.result()
        except Exception:  # noqa: BLE001 - prepared again in the build process
            return False
        return True

    def cancel(self) -> None:
        """The build stopped before using the staging folder: keep what was prepared as
        the next build's starting point (a catch-up of it touches nothing), or remove a
        folder left half made."""
        ready = self.wait()
        staging = staging_path(self.output)
        retired = _retired_path(self.output)
        if ready and staging.is_dir() and not retired.exists():
            staging.rename(retired)
        elif staging.exists():
            _remove(staging, self.output)


@contextmanager
def staged_output(output: Path, linked_files: Linked = (),
                  seeding: Seeding | None = None) -> Iterator[Path]:
    """Yield a folder to build into; publish it as ``output`` only when the block finishes.

    ``linked_files``: paths (relative, "/"-separated) that the build replaces rather than
    rewrites, so they may share storage with the live site; or a function giving them,
    called only when the staging folder is prepared. Anything describing the
    output (the page manifest) must live inside it, so it is swapped in with the pages.
    ``seeding``: the staging folder already being prepared (see :class:`Seeding`).
    """
    output = Path(output).absolute()
    staging = staging_path(output)
    if seeding is None or not seeding.wait():
        _prepare(output, linked_files)
    try:
        yield staging
    except BaseException:
        _remove(staging, output)
        raise
    publish(staging, output)


def publish(staging: Path, output: Path) -> None:
    """Make ``staging`` the published ``output``; the site it replaces is kept as
    ``.<name>.previous``, the next build's starting point."""
    retired = _retired_path(output)
    if retired.exists():
        _remove(retired, output)
    if not output.exists():
        staging.rename(output)
        return
    if _exchange(staging, output):
        staging.rename(retired)
    else:
        output.rename(retired)
        staging.rename(output)
