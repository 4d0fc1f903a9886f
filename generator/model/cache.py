"""Reusing the last validated model when not one input byte, setting or line of code changed.

Re-validating a million unchanged rows is most of a no-change rebuild. The key covers
every file under the data folder (path, size, modification time), the settings and the
source of the package itself, so any change at all means a full validation.
"""

from __future__ import annotations

import hashlib
import os
import pickle
from pathlib import Path
from typing import Any

from .load import load_model
from .model import Model

PACKAGE = Path(__file__).resolve().parents[1]


def _key(data_dir: Path, settings: dict[str, Any]) -> str:
    digest = hashlib.sha256(str(data_dir.resolve()).encode())
    for path in sorted(data_dir.rglob("*")):
        if path.is_file():
            stat = path.stat()
            digest.update(f"{path.relative_to(data_dir)}\0{stat.st_size}\0{stat.st_mtime_ns}\n"
                          .encode())
    relevant = {k: v for k, v in settings.items()
                if k.startswith("GONGKAI_") and k != "GONGKAI_MODEL"}
    digest.update(repr(sorted((k, repr(v)) for k, v in relevant.items())).encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in {".py", ".toml"}:
            digest.update(path.read_bytes())
    return digest.hexdigest()


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
        tmp = target.with_suffix(".tmp")
        with open(tmp, "wb") as fh:
            pickle.dump((key, model), fh, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, target)
    return model
