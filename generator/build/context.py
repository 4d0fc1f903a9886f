"""The build under way: one typed object instead of values smuggled through the settings.

Pelican hands its generators only the settings and a context dict, and both are
serialized into page fingerprints and change keys. What belongs to one run (the
validated model, the folder it writes into, where its page manifest lives, how many
cores another stage has taken) is therefore held here, set by whoever starts the run
(``gongkai build``, or the engine's plugin for ``pelican content``) and read by the
outputs through :func:`current`. Forked workers inherit it with the rest of memory.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..model import Model
from .executor import ClusterExecutor, Executor, LocalExecutor

# the data pages' manifest inside the folder a build writes: swapped in together with the
# pages it describes, so the two can never disagree after a crash
MANIFEST_IN_OUTPUT = ".gongkai-pages.parquet"


@dataclass
class BuildContext:
    """One run of the build.

    ``output``: the folder this run writes (a staging folder beside ``published``);
    ``model``: the validated model, or None until :func:`.gate.model_for` loads it.
    """

    data_dir: Path
    output: Path
    published: Path
    cache_dir: Path
    model: Model | None = None
    busy_cores: int = 0  # cores a stage running beside the pages has taken
    # "gongkai": ``gongkai build``, which prints the summary of warnings itself;
    # "pelican": ``pelican content`` (or a reload of ``pelican -r``)
    command: str = "pelican"
    # the Dask cluster the partitioned stages run on (``--scheduler``), else this machine
    cluster: ClusterExecutor | None = None

    @property
    def manifest(self) -> Path:
        return self.output / MANIFEST_IN_OUTPUT

    def processes(self, settings: dict[str, Any]) -> int:
        """Worker processes the pages may use: GONGKAI_PROCESSES (or every core) less the
        cores taken by stages running beside them, at least one."""
        cores = int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1)
        return max(1, cores - self.busy_cores)

    def executor(self, settings: dict[str, Any]) -> Executor:
        """Where the partitions of a stage run: the cluster, or the cores of
        :meth:`processes`."""
        return self.cluster or LocalExecutor(self.processes(settings))


_ACTIVE: list[BuildContext] = []


def current() -> BuildContext | None:
    """The run under way in this process, if one was started through :func:`active`."""
    return _ACTIVE[-1] if _ACTIVE else None


@contextmanager
def active(context: BuildContext) -> Iterator[BuildContext]:
    """Make ``context`` the run under way while the block runs."""
    _ACTIVE.append(context)
    try:
        yield context
    finally:
        _ACTIVE.remove(context)


def manifest_pages(manifest: Path) -> list[str]:
    """The data pages a run wrote, as folder URLs, from its page manifest (none without one).

    The sitemaps list them without walking half a million folders.
    """
    import pyarrow.parquet as pq

    try:
        return pq.read_table(manifest, columns=["path"]).column("path").to_pylist()
    except (OSError, KeyError, ValueError):
        return []


def manifest_fingerprints(manifest: Path) -> dict[str, int]:
    """Page folder URL → fingerprint, from a page manifest (empty without one)."""
    import pyarrow.parquet as pq

    try:
        table = pq.read_table(manifest, columns=["path", "fingerprint"])
    except (OSError, KeyError, ValueError):
        return {}
    return dict(zip(table.column("path").to_pylist(), table.column("fingerprint").to_pylist(),
                    strict=True))
