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

Seeding a provincial site is half a million folders and links, about as long as the
rest of an incremental build, so it runs on a second core while the data is validated
(:class:`Seeding`); the previous site is deleted once the new one is published. Nothing
outlives the command. Asked for (``gongkai build --background``), a detached process
deletes the previous site instead and then seeds the next build's folder
(``.<name>.spare``) from the site just published, so the command returns at once and
the next build starts from a ready folder: it adopts the spare when it was seeded from
the site that is still published (checked by a mark written into it), otherwise it
seeds afresh. A lock file (``.<name>.lock``) makes a build wait for a spare still being
seeded.
"""

from __future__ import annotations

import ctypes
import hashlib
import os
import shutil
import subprocess
import sys
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


def _spare_path(output: Path) -> Path:
    return output.parent / f".{output.name}.spare"


SPARE_MARK = ".gongkai-spare"


def _identity(output: Path) -> str:
    """What distinguishes one published site from the next: a new folder is swapped in
    by every build, and its build record names the inputs it was built from."""
    st = os.stat(output)
    try:
        record = (output / ".gongkai-build.json").read_bytes()
    except OSError:
        record = b""
    return f"{st.st_dev}:{st.st_ino}:{st.st_mtime_ns}:{hashlib.sha256(record).hexdigest()}"


@contextmanager
def _locked(output: Path) -> Iterator[None]:
    """Hold the lock of builds and spare seeding of ``output`` (none where there is no flock)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    output.parent.mkdir(parents=True, exist_ok=True)
    with open(output.parent / f".{output.name}.lock", "a+b") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


class BuildRunning(Exception):
    """Another build is writing to the same output (its message is for the user)."""


@contextmanager
def only_build(output: Path) -> Iterator[None]:
    """Hold ``output`` for one build from start to publication, or raise
    :class:`BuildRunning` at once: two builds would each clear the other's staging
    folder. A separate lock file from the seeding lock (:func:`_locked`), which the
    build takes and releases itself on the way."""
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


def seed_spare(output: Path, linked_files: Iterable[str]) -> None:
    """Seed ``.<name>.spare`` from the published ``output``, marked with its identity."""
    output = Path(output).absolute()
    spare = _spare_path(output)
    building = spare.with_name(spare.name + ".tmp")
    with _locked(output):
        for leftover in (spare, building):
            if leftover.exists():
                shutil.rmtree(leftover)
        if not output.is_dir():
            return
        mark = _identity(output)
        try:
            _seed(output, building, set(linked_files))
            (building / SPARE_MARK).write_text(mark, encoding="utf-8")
        except BaseException:
            shutil.rmtree(building, ignore_errors=True)  # a full disk: no spare, no leftovers
            raise
        building.rename(spare)


def _adopt_spare(output: Path, staging: Path) -> bool:
    """Use the spare as the staging folder if it was seeded from the published site."""
    spare = _spare_path(output)
    if not spare.is_dir():
        return False
    try:
        fresh = output.is_dir() and (spare / SPARE_MARK).read_text(encoding="utf-8") == _identity(output)
    except OSError:
        fresh = False
    if not fresh:
        _remove(spare, output)
        return False
    (spare / SPARE_MARK).unlink()
    spare.rename(staging)
    return True


def _trash_prefix(output: Path) -> str:
    return f".{output.name}.removing-"


def _remove(folder: Path, output: Path, detach: bool = False) -> None:
    """Move ``folder`` aside and delete it; with ``detach``, in a detached process.

    Moved aside first: a deletion cut short leaves a ``.removing-`` folder, which the
    next build removes again, never a half-deleted folder under a name that means
    something. Deleting the previous site (half a million files on a provincial site)
    takes seconds, which only ``gongkai build --background`` leaves to a detached process.
    """
    trash = output.parent / f"{_trash_prefix(output)}{uuid.uuid4().hex[:12]}"
    try:
        folder.rename(trash)
        if detach:
            subprocess.Popen([sys.executable, "-c", "import shutil, sys; shutil.rmtree(sys.argv[1], True)",
                              str(trash)], stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                             stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True)
            return
    except OSError:
        pass
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


Linked = Iterable[str] | Callable[[], Iterable[str]]


def _prepare(output: Path, linked_files: Linked) -> None:
    """Clear what earlier builds left beside ``output`` and seed the staging folder (or
    adopt the spare seeded after the last build)."""
    with _locked(output):
        _prepare_locked(output, linked_files)


def _prepare_locked(output: Path, linked_files: Linked) -> None:
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
            _remove(trash, output)  # a deletion cut short
    if _adopt_spare(output, staging):
        return
    if output.is_dir():
        # worked out only now: an adopted spare needs no list of the live site's files
        _seed(output, staging, set(linked_files() if callable(linked_files) else linked_files))
    else:
        staging.mkdir()


class Seeding:
    """The staging folder prepared in a forked process, while the build loads its data.

    Seeding a provincial site is half a million folders and hard links: seconds of
    kernel work that need nothing from the build but the previous site, so they run on
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
        """The build stopped before using the staging folder: stop and remove it."""
        if self._job is not None:
            self._job.cancel()
        shutil.rmtree(staging_path(self.output), ignore_errors=True)


@contextmanager
def staged_output(output: Path, linked_files: Linked = (),
                  seeding: Seeding | None = None, spare: bool = False) -> Iterator[Path]:
    """Yield a folder to build into; publish it as ``output`` only when the block finishes.

    ``linked_files``: paths (relative, "/"-separated) that the build replaces rather than
    rewrites, so they may share storage with the live site; or a function giving them,
    called only when the staging folder is seeded. Anything describing the
    output (the page manifest) must live inside it, so it is swapped in with the pages.
    ``seeding``: the staging folder already being prepared (see :class:`Seeding`).
    ``spare``: after publishing, delete the previous site and seed the next build's
    folder in a detached process (asked for: it outlives the command).
    """
    output = Path(output).absolute()
    staging = staging_path(output)
    if seeding is None or not seeding.wait():
        _prepare(output, linked_files)
    try:
        yield staging
    except BaseException:
        shutil.rmtree(staging, ignore_errors=True)
        raise
    publish(staging, output, spare)


def publish(staging: Path, output: Path, spare: bool = False) -> None:
    """Make ``staging`` the published ``output``; the previous site is removed afterwards
    (with ``spare``, in a detached process that then seeds the next build's folder)."""
    retired = _retired_path(output)
    if not output.exists():
        staging.rename(output)
        if spare:
            _after_publish(output, None)
        return
    if _exchange(staging, output):
        staging.rename(retired)
    else:
        output.rename(retired)
        staging.rename(output)
    if spare:
        trash = output.parent / f"{_trash_prefix(output)}{uuid.uuid4().hex[:12]}"
        try:
            retired.rename(trash)
        except OSError:
            _remove(retired, output, detach=True)
            trash = None
        _after_publish(output, trash)
    else:
        _remove(retired, output)


def _after_publish(output: Path, trash: Path | None) -> None:
    """Delete ``trash``, then seed the spare, in a detached process (see the module doc)."""
    package = Path(__file__).resolve().parents[2]
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(
        [str(package)] + [p for p in os.environ.get("PYTHONPATH", "").split(os.pathsep) if p])}
    args = [sys.executable, "-m", "generator.build.spare", str(output)]
    if trash is not None:
        args.append(str(trash))
    try:
        subprocess.Popen(args, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL, start_new_session=True, close_fds=True,
                         env=env)
    except OSError:
        if trash is not None:
            shutil.rmtree(trash, ignore_errors=True)
