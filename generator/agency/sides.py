"""Loading the two versions of a diff at once: the old one in a second process, the new one here.

Validating a version is most of what a diff costs, and the two versions do not depend on
each other, so on a machine with two cores they are validated at the same time. The second
process hands over only what the comparison needs (:class:`~.diff.Side`): its tables as
published text, written as Arrow IPC files that this process maps without copying, and a few
small summaries. It keeps its model for the one later question, the 公示状态 of the tasks whose
rows changed, and then exits.

Small folders, and committed states already kept by the model cache, are loaded one after
the other: starting a process costs more than it saves.
Anything unexpected in the second process (it could not start, it died) falls back to
loading that version here, so the result is always the same as loading both here.
"""

from __future__ import annotations

import os
import pickle
import socket
import subprocess
import sys
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any

import pandas as pd
import pyarrow as pa

from ..model import Model
from .diff import DiffError, Side, Statuses, side_of, status_failure, task_statuses

# below this much data in the old version, one process is faster than two
PARALLEL_BYTES = 16 << 20


@dataclass
class Located:
    """One version as a folder on disk; ``cached`` for the working tree (the build's model cache)."""

    folder: Path
    label: str
    cached: bool = False
    tree: str = ""  # for a git revision: the data folder's tree id (its content, exactly)


def load_version(version: Located, settings: dict[str, Any]) -> Model:
    """The validated model of one version; a folder that cannot be read is a :class:`DiffError`."""
    from ..model import load_model
    from ..model.load import DataFolderError

    cache = Path(settings.get("CACHE_PATH") or "cache")
    try:
        if version.cached:
            from ..model.cache import load_model_cached

            return load_model_cached(version.folder, settings, cache)
        if version.tree:
            from ..model.cache import load_model_at_tree

            return load_model_at_tree(version.folder, version.tree, settings, cache)
        return load_model(version.folder, settings)
    except DataFolderError as exc:
        raise DiffError(str(exc)) from exc


def _kept(version: Located, settings: dict[str, Any]) -> bool:
    """A committed state already validated once: reading it back here is quicker."""
    from ..model.cache import tree_cache_path

    cache = Path(settings.get("CACHE_PATH") or "cache")
    return bool(version.tree) and tree_cache_path(version.tree, settings, cache).is_file()


def folder_bytes(folder: Path) -> int:
    try:
        return sum(p.stat().st_size for p in folder.rglob("*") if p.is_file())
    except OSError:
        return 0


def _portable(settings: dict[str, Any]) -> dict[str, Any]:
    """The settings a second process can receive (a settings file may hold functions)."""
    out = {}
    for key, value in settings.items():
        try:
            pickle.dumps(value)
        except Exception:  # noqa: BLE001 - anything that cannot be pickled stays here
            continue
        out[key] = value
    return out


# --- the second process ---------------------------------------------------------------------


def _write_arrow(table: pa.Table, path: Path) -> None:
    with pa.OSFile(str(path), "wb") as sink, pa.ipc.new_file(sink, table.schema) as writer:
        writer.write_table(table)


def _serve(conn, version: Located, settings: dict[str, Any], out: str) -> None:
    """Load one version, hand over its :class:`Side`, then answer status questions."""
    try:
        model = load_version(version, settings)
    except DiffError as exc:
        conn.send(("refused", str(exc)))
        return
    except Exception:  # noqa: BLE001 - the main process loads it again and reports it there
        conn.send(("lost",))
        return
    side = side_of(model, problems=False)
    paths = {}
    for name, table in side.text.items():
        paths[name] = str(Path(out) / f"{name}.arrow")
        _write_arrow(table, Path(paths[name]))
    side.text = {}
    conn.send(("side", side, paths))
    while True:
        try:
            request = conn.recv()
        except EOFError:
            return
        if request is None:
            return
        try:
            conn.send(("statuses", task_statuses(model, request)))
        except Exception as exc:  # noqa: BLE001 - reported as a note, like in one process
            conn.send(("note", status_failure(exc)))


def _read_arrow(path: str) -> pa.Table:
    with pa.memory_map(path) as source:
        return pa.ipc.open_file(source).read_all()


class _Worker:
    """The second process: a fresh interpreter (no fork of a process holding threads, no
    re-import of the caller's script) talking over a socket pair."""

    def __init__(self, version: Located, settings: dict[str, Any], out: Path) -> None:
        here, there = socket.socketpair()
        code = (f"import sys; sys.path[:0] = {list(sys.path)!r}; "
                f"from generator.agency.sides import _child; _child({there.fileno()})")
        try:
            # its output is never shown: anything that goes wrong there is redone here
            self.process = subprocess.Popen([sys.executable, "-c", code],
                                            pass_fds=[there.fileno()], stdin=subprocess.DEVNULL,
                                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        finally:
            there.close()
        self.conn = Connection(here.detach())
        try:
            self.conn.send((version, _portable(settings), str(out)))
        except Exception:
            self.process.kill()
            self.process.wait()
            self.conn.close()
            raise

    def receive(self) -> tuple:
        """The next message, or ("lost",) if the process is gone."""
        try:
            return self.conn.recv()
        except (EOFError, OSError, pickle.UnpicklingError):
            return ("lost",)

    def send(self, tasks: set[str] | None) -> bool:
        try:
            self.conn.send(tasks)
        except OSError:
            return False
        return True

    def close(self) -> None:
        try:
            self.conn.send(None)
        except OSError:
            pass
        try:
            self.process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.conn.close()


def _child(fd: int) -> None:
    conn = Connection(fd)
    try:
        version, settings, out = conn.recv()
    except EOFError:
        return
    _serve(conn, version, settings, out)


# --- here -----------------------------------------------------------------------------------


def _serial(old: Located, new: Located, settings: dict[str, Any]
            ) -> tuple[Side, Side, Statuses]:
    from .diff import model_statuses

    old_model = load_version(old, settings)
    new_model = load_version(new, settings)
    return side_of(old_model, problems=False), side_of(new_model), model_statuses(
        old_model, new_model)


@contextmanager
def both_versions(old: Located, new: Located, settings: dict[str, Any],
                  parallel: bool | None = None) -> Iterator[tuple[Side, Side, Statuses]]:
    """The two versions as :class:`Side` objects, and the statuses of their tasks on demand.

    ``parallel`` None decides by size and core count; True or False forces the choice.
    """
    if parallel is None:
        parallel = (len(os.sched_getaffinity(0)) > 1 and not _kept(old, settings)
                    and folder_bytes(old.folder) >= PARALLEL_BYTES)
    if not parallel:
        yield _serial(old, new, settings)
        return
    with tempfile.TemporaryDirectory(prefix="gongkai-diff-side-") as out:
        try:
            worker = _Worker(old, settings, Path(out))
        except (OSError, pickle.PicklingError):
            yield _serial(old, new, settings)
            return
        try:
            new_error: DiffError | None = None
            try:
                new_model: Model | None = load_version(new, settings)
            except DiffError as exc:  # the old version's error, if any, is reported first
                new_model, new_error = None, exc
            new_side = side_of(new_model) if new_model is not None else None
            message = worker.receive()
            old_model: list[Model] = []  # loaded here only if the worker is lost

            def old_here() -> Model:
                if not old_model:
                    old_model.append(load_version(old, settings))
                return old_model[0]

            if message[0] == "refused":
                raise DiffError(message[1])
            if message[0] == "side":
                old_side = message[1]
                old_side.text = {name: _read_arrow(path) for name, path in message[2].items()}
            else:
                old_side = side_of(old_here(), problems=False)
            if new_error is not None:
                raise new_error
            assert new_model is not None and new_side is not None

            def statuses(tasks: set[str] | None) -> tuple[pd.DataFrame, pd.DataFrame] | str:
                asked = not old_model and worker.send(tasks)
                try:  # meanwhile the other process computes the old version's
                    after: pd.DataFrame | str = task_statuses(new_model, tasks)
                except Exception as exc:  # noqa: BLE001 - as in one process: a note
                    after = status_failure(exc)
                answer = worker.receive() if asked else ("lost",)
                if answer[0] == "note":  # the old version's failure is named first
                    return answer[1]
                if answer[0] == "statuses":
                    before = answer[1]
                else:
                    try:
                        before = task_statuses(old_here(), tasks)
                    except Exception as exc:  # noqa: BLE001
                        return status_failure(exc)
                return after if isinstance(after, str) else (before, after)

            yield old_side, new_side, statuses
        finally:
            worker.close()

