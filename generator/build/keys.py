"""What a stage of the build reads, as one key: equal keys mean the stage may keep its output.

Every change check of the build is made from a :class:`StageKey`, so each stage names
its inputs in one place, in the same terms: which code (paths inside the package),
which settings, which files, which library versions, which values. Settings that say
only how a build runs, not what it writes, are never part of a key
(:data:`RUNTIME_SETTINGS`).
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable
from importlib.metadata import PackageNotFoundError, version
from pathlib import Path
from typing import Any

PACKAGE = Path(__file__).resolve().parents[1]
CODE_SUFFIXES = (".py", ".toml")
# how a build runs (where its data is, how many processes): never what it writes
RUNTIME_SETTINGS = frozenset({"GONGKAI_DATA_DIR", "GONGKAI_PROCESSES", "GONGKAI_SEARCH_BESIDE",
                              "GONGKAI_OPEN_DATA_BESIDE",
                              "GONGKAI_SCHEDULER", "GONGKAI_SCHEDULER_TIMEOUT",
                              "GONGKAI_PARTITION_ROWS"})


class StageKey:
    """A sha256 of a stage's inputs, fed in labelled parts (a part cannot pass for another)."""

    def __init__(self, stage: str) -> None:
        self._digest = hashlib.sha256(f"gongkai stage {stage}\0".encode())

    def _part(self, label: str, data: bytes) -> StageKey:
        self._digest.update(f"\0{label}\0{len(data)}\0".encode())
        self._digest.update(data)
        return self

    def code(self, *parts: str) -> StageKey:
        """Source files of the package below each of ``parts`` (a file or folder relative
        to the package; "" is all of it), by path and bytes."""
        for part in parts:
            self.tree(PACKAGE / part, CODE_SUFFIXES, label=f"code:{part}")
        return self

    def tree(self, folder: Path | None, suffixes: Iterable[str] | None = None,
             label: str = "tree") -> StageKey:
        """Every file below ``folder`` (or the file itself) with one of ``suffixes``, by
        relative path and bytes; a missing folder (or None) is an empty one."""
        wanted = tuple(suffixes) if suffixes is not None else None
        self._part(label, b"")
        if folder is None:
            return self
        folder = Path(folder)
        if folder.is_file():
            return self._file("file", folder)
        if not folder.is_dir():
            return self
        for path in sorted(folder.rglob("*")):
            if (path.is_file() and "__pycache__" not in path.parts
                    and (wanted is None or path.suffix in wanted)):
                self._file(path.relative_to(folder).as_posix(), path)
        return self

    def _file(self, label: str, path: Path) -> StageKey:
        """A file's bytes, read in blocks: data files of a province are hundreds of MiB."""
        with open(path, "rb") as fh:
            size = os.fstat(fh.fileno()).st_size
            self._digest.update(f"\0{label}\0{size}\0".encode())
            for block in iter(lambda: fh.read(1 << 20), b""):
                self._digest.update(block)
        return self

    def files(self, folder: Path) -> StageKey:
        """Every file below ``folder`` by relative path, size and modification time: enough
        to notice an edited input without reading a province's data."""
        folder = Path(folder)
        listing = []
        if folder.is_dir():
            for path in sorted(folder.rglob("*")):
                if path.is_file():
                    stat = path.stat()
                    listing.append(f"{path.relative_to(folder)}\0{stat.st_size}\0{stat.st_mtime_ns}")
        return self._part("files", "\n".join(listing).encode())

    def settings(self, settings: dict[str, Any], names: Iterable[str] = (),
                 prefixes: Iterable[str] = ()) -> StageKey:
        """The settings named, and every setting starting with one of ``prefixes``."""
        names, prefixes = set(names), tuple(prefixes)
        chosen = sorted((k, repr(v)) for k, v in settings.items()
                        if k.isupper() and k not in RUNTIME_SETTINGS
                        and (k in names or (prefixes and k.startswith(prefixes))))
        return self._part("settings", repr(chosen).encode())

    def versions(self, *packages: str) -> StageKey:
        """Installed versions of ``packages`` (one that is missing counts as a version too)."""
        found = []
        for name in packages:
            try:
                found.append(f"{name}={version(name)}")
            except PackageNotFoundError:
                found.append(f"{name}=-")
        return self._part("versions", "\n".join(found).encode())

    def value(self, value: Any) -> StageKey:
        """Bytes as they are, anything else by its repr (which must be deterministic)."""
        if isinstance(value, bytes):
            return self._part("bytes", value)
        return self._part("repr", repr(value).encode())

    def hexdigest(self) -> str:
        return self._digest.hexdigest()

    def digest(self) -> bytes:
        return self._digest.digest()
