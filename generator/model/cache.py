"""Reusing the last validated model when not one input byte, setting or line of code changed.

Re-validating a million unchanged rows is most of a no-change rebuild. The key covers
every file under the data folder (path, size, modification time), the settings and the
source of the package itself, so any change at all means a full validation.
"""

from __future__ import annotations

import os
import pickle
from pathlib import Path
from typing import Any

from ..build.keys import StageKey
from ..forked import Forked, can_fork
from .load import load_model
from .model import Model


def _key(data_dir: Path, settings: dict[str, Any]) -> str:
    return (StageKey("model").value(str(data_dir.resolve())).files(data_dir)
            .settings(settings, prefixes=("GONGKAI_",)).code("").hexdigest())


def load_model_cached(data_dir: str | Path, settings: dict[str, Any], cache_dir: Path) -> Model:
    """Like :func:`load_model`, but reuse the previous result when nothing changed."""
    data_dir = Path(data_dir)
    if not data_dir.is_dir():
        return load_model(data_dir, settings)
    key = _key(data_dir, settings)
    target = cache_dir / "gongkai-model.pickle"
    try:
        with open(target, "rb") as fh:
            stored_key, model = pickle.load(fh)
        if stored_key == key:
            model.settings = settings
            return model
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    model = load_model(data_dir, settings)
    if model.ok:
        cache_dir.mkdir(parents=True, exist_ok=True)
        # pickling a million rows takes a second or more: a forked process does it while
        # the build goes on, and the command waits for it before it exits (not a daemon)
        if can_fork():
            _WRITING.append(Forked(_store, target, key, model))
        else:
            _store(target, key, model)
    return model


_WRITING: list[Forked] = []


def finish_writing() -> None:
    """Wait for the model pickles still being written (a build calls it before it returns)."""
    while _WRITING:
        try:
            _WRITING.pop().result()
        except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
            pass


def _store(target: Path, key: str, model: Model) -> None:
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        with open(tmp, "wb") as fh:
            pickle.dump((key, model), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        tmp.unlink(missing_ok=True)


# committed states kept (each a pickled model; a million result rows take about 200 MiB)
KEPT_REVISIONS = 3


def tree_cache_path(tree: str, settings: dict[str, Any], cache_dir: Path) -> Path:
    """Where the model of a committed state is kept (it may not be there yet)."""
    key = StageKey("model").value(f"tree {tree}").settings(settings, prefixes=("GONGKAI_",))
    return cache_dir / "revisions" / f"{key.code('').hexdigest()}.pickle"


def load_model_at_tree(folder: str | Path, tree: str, settings: dict[str, Any],
                       cache_dir: Path) -> Model:
    """The model of a committed state of the data folder, written out into ``folder``.

    A git tree id names its content exactly, so a state validated once (the last commit,
    compared again and again while its successor is being edited) is read back instead of
    validated again; settings and code are part of the key as above. Only the newest few
    states are kept.
    """
    folder = Path(folder)
    target = tree_cache_path(tree, settings, cache_dir)
    store = target.parent
    try:
        with open(target, "rb") as fh:
            model = pickle.load(fh)
        model.settings, model.data_dir = settings, folder
        os.utime(target)  # recently used: kept longest
        return model
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ValueError):
        pass
    model = load_model(folder, settings)
    tmp = target.with_suffix(f".{os.getpid()}.tmp")
    try:
        store.mkdir(parents=True, exist_ok=True)
        model.settings = {}  # a settings file may hold functions; they are set again on reading
        with open(tmp, "wb") as fh:
            pickle.dump(model, fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
        stored = sorted(store.glob("*.pickle"), key=lambda p: p.stat().st_mtime_ns, reverse=True)
        for old in stored[KEPT_REVISIONS:]:
            old.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - a cache that cannot be written only costs time
        tmp.unlink(missing_ok=True)
    finally:
        model.settings = settings
    return model
