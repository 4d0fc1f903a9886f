"""One file per record (an enterprise's JSON, its Atom feed), rewritten only when its rows changed.

Outputs with a file per enterprise cannot afford to serialize a million files to find
the few hundred that differ. They hash each record's rows with vectorized pandas hashes
(:func:`group_fingerprints`), and :class:`RecordFiles` compares those fingerprints with
the manifest the last build left in the output folder: only records whose fingerprint
changed, or whose file is gone, are made again. The manifest lives inside the output, so
a staged build swaps it in together with the files it describes.
"""

from __future__ import annotations

import math
import os
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc

from .context import current
from .executor import Executor, LocalExecutor
from .keys import StageKey
from .partitions import split_rows
from .render import Manifest
from .writer import files_below, put_file, replace_file

MIN_PER_WORKER = 2_000  # fewer records than this per worker are not worth a fork
RECORDS_PER_PART = 25_000  # records (files) a partition of a per-record output holds at most
_ROW_MIX = np.uint64(0x9E3779B97F4A7C15)
_RANK_MIX = np.uint64(0xC2B2AE3D27D4EB4F)


def group_fingerprints(frame: pd.DataFrame, groups: np.ndarray, count: int) -> np.ndarray:
    """A 64-bit hash per group of its rows, in their order: ``frame`` holds the rows of
    every group together (``groups``, one number per row, non-decreasing, below
    ``count``). Swapping two rows of a group changes its hash; other groups keep theirs."""
    sums = np.zeros(count, dtype=np.uint64)
    if not len(frame):
        return sums
    groups = np.asarray(groups, dtype=np.int64)
    rows = pd.util.hash_pandas_object(_hashable(frame), index=False).to_numpy(dtype=np.uint64)
    starts = np.searchsorted(groups, np.arange(count + 1))
    rank = (np.arange(len(groups), dtype=np.int64) - starts[groups]).astype(np.uint64)
    with np.errstate(over="ignore"):
        mixed = (rows ^ ((rank + np.uint64(1)) * _RANK_MIX)) * _ROW_MIX
    np.add.at(sums, groups, mixed)
    return sums


def _hashable(frame: pd.DataFrame) -> pd.DataFrame:
    """List columns (results, inspectors) joined into text by Arrow, which pandas can hash."""
    lists = {}
    for name in frame.columns:
        column = frame[name]
        if column.dtype == object:
            present = column.dropna()
            if len(present) and isinstance(present.iloc[0], (list, tuple, np.ndarray)):
                array = pa.array(column, type=pa.list_(pa.string()), from_pandas=True)
                joined = pc.binary_join(array, "\x1f").to_numpy(zero_copy_only=False)
                lists[name] = pd.Series(joined, index=frame.index, dtype=object)
    return frame.assign(**lists) if lists else frame


@dataclass
class EnterpriseRows:
    """Every enterprise's result and follow-up rows, grouped by its number in the model's
    enterprise index (in the order the agency gave them), and one fingerprint of each
    enterprise's rows. The per-enterprise outputs (its JSON, its feed) are made from the
    same rows, so they share this: worked out once per model, not once per output."""

    results: np.ndarray  # positions in the results table, grouped by enterprise
    result_ent: np.ndarray  # the enterprise of each (non-decreasing)
    dispositions: np.ndarray  # positions in the dispositions table, grouped likewise
    disposition_ent: np.ndarray
    fingerprints: np.ndarray  # uint64 per enterprise: every published column of its rows


_ROWS: list[tuple[Any, Any, EnterpriseRows]] = []  # the last model's, by its two tables


def enterprise_rows(model: Any) -> EnterpriseRows:
    """The :class:`EnterpriseRows` of ``model`` (kept while its tables are the same)."""
    results, disp = model["results"], model["dispositions"]
    if _ROWS and _ROWS[0][0] is results and _ROWS[0][1] is disp:
        return _ROWS[0][2]
    contract, index = model.contract, model.enterprise_index
    count = len(index.codes)
    order = np.lexsort((results["_row"].to_numpy(), index.row))
    ent = index.row[order]
    shown = [f.name for f in contract["results"].fields if f.name != "uscc"] + ["category"]
    fingerprints = group_fingerprints(results.iloc[order][shown], ent, count)
    where = index.position(disp["uscc"].to_numpy(dtype=object))
    dorder = np.lexsort((disp["_row"].to_numpy(), where))
    dorder = dorder[where[dorder] >= 0]
    dent = where[dorder]
    dshown = [f.name for f in contract["dispositions"].fields if f.name != "uscc"]
    with np.errstate(over="ignore"):
        fingerprints += group_fingerprints(disp.iloc[dorder][dshown], dent, count) * np.uint64(3)
    rows = EnterpriseRows(order, ent, dorder, dent, fingerprints)
    _ROWS[:] = [(results, disp, rows)]
    return rows


def processes(settings: dict[str, Any]) -> int:
    """The cores per-record files may use: those of the build under way, else
    GONGKAI_PROCESSES or every core."""
    run = current()
    if run is not None:
        return run.processes(settings)
    return max(1, int(settings.get("GONGKAI_PROCESSES") or os.cpu_count() or 1))


def executor(settings: dict[str, Any]) -> Executor:
    """Where per-record files are made: the build's executor (its cluster, if any), else
    this machine's cores."""
    run = current()
    if run is not None:
        return run.executor(settings)
    return LocalExecutor(processes(settings))


def stage_salt(key: StageKey) -> int:
    """The part of every fingerprint that is not a record's rows (code, settings), as int."""
    return int.from_bytes(key.digest()[:8], "little")


@dataclass
class RecordJob:
    """What every partition of one per-record output shares: the folder written into, the
    function that turns a partition's rows into one file's bytes per record
    (``make(shared, rows)``, a module-level function so a cluster worker can import it),
    and what it needs besides the rows (sent once to each worker)."""

    output: str
    make: Callable[[Any, Any], Iterable[bytes]]
    shared: Any


def write_part(job: RecordJob, part: dict[str, Any]) -> list[int]:
    """The task of one partition: its records' files, each put only if its bytes changed;
    the records written. The output is a staging folder: a file the last build did not
    write is created without first looking for it (see put_file)."""
    written, root = [], os.path.join(job.output, "")
    made = job.make(job.shared, part["rows"])
    for record, path, new, data in zip(part["records"].tolist(), part["paths"],
                                       part["new"].tolist(), made, strict=True):
        if put_file(root + path, data, new):
            written.append(record)
    return written


@dataclass
class Written:
    """The files of one per-record output: all of them, and those this build wrote."""

    paths: list[str] = field(default_factory=list)
    written: list[str] = field(default_factory=list)
    removed: int = 0
    skipped: int = 0  # not even made: fingerprint unchanged, file present


class RecordFiles:
    """The per-record files of one output and the manifest of their fingerprints.

    Use: :meth:`todo` tells which records to make, :meth:`write` puts each one, and
    :meth:`finish` removes files of records that are gone and saves the manifest. The
    old manifest is deleted before the first file is written, so a build cut short
    leaves no fingerprint that could vouch for a file it changed.
    """

    def __init__(self, output: Path, name: str, salt: int, folder: str) -> None:
        self.output = Path(output)
        self.folder = folder  # below output: where the records' files are
        self.manifest = Manifest(self.output / name)
        self.salt = salt
        self.result = Written()
        self._writing = False

    def todo(self, paths: list[str], fingerprints: np.ndarray) -> np.ndarray:
        """Positions of the records whose file must be made again."""
        self.paths, self.fingerprints = paths, np.asarray(fingerprints, dtype=np.uint64)
        mixed = self._mixed()
        if self.manifest.previous and self.manifest.salt == self.salt:
            same = self.manifest.unchanged(paths, mixed, self.output)
        else:
            same = np.zeros(len(paths), dtype=bool)
        self.result.paths = paths
        self.result.skipped = int(same.sum())
        # without a manifest, what is there already is listed once, before anything is written
        self._found = None if self.manifest.previous else files_below(self.output, self.folder)
        if self._found is None:
            self._new = ~self.manifest.known(paths)
        else:
            self._new = ~pd.Index(paths).isin(self._found)
        return np.flatnonzero(~same)

    def _mixed(self) -> np.ndarray:
        with np.errstate(over="ignore"):
            return self.fingerprints * _ROW_MIX ^ np.uint64(self.salt)

    def make(self, todo: np.ndarray, codes: Any, make: Callable[[Any, Any], Iterable[bytes]],
             shared: Any, rows_of: Callable[[np.ndarray], Any],
             executor: Executor | None = None) -> None:
        """Write the files of the records ``todo``, partition by partition of their credit
        codes (``codes[i]``: record ``i``'s), where ``executor`` runs partitions:
        ``rows_of(records)`` gives the rows of some records (ascending), from which
        ``make(shared, rows)`` makes their files' bytes in the same order. Forked workers
        pick their rows out of inherited memory; a cluster's tasks carry them."""
        todo = np.asarray(todo)
        if not len(todo):
            return
        if not self._writing:
            self.manifest.path.unlink(missing_ok=True)
            self._writing = True
        executor = executor or LocalExecutor(1)
        count = max(1, math.ceil(len(todo) / RECORDS_PER_PART))
        if len(todo) >= 2 * MIN_PER_WORKER:
            count = max(count, min(4 * executor.workers, len(todo) // MIN_PER_WORKER))
        groups = [todo[at] for at in split_rows(np.asarray(codes, dtype=object)[todo], count)]

        def part(k: int) -> dict[str, Any]:
            records = groups[k]
            return {"records": records, "paths": [self.paths[i] for i in records.tolist()],
                    "new": self._new[records], "rows": rows_of(records)}

        job = executor.start(write_part, RecordJob(str(self.output), make, shared), count, part)
        written = sorted(i for done in job.results() for i in done)
        self.result.written += [self.paths[i] for i in written]  # in record order

    def write(self, path: str, data: bytes) -> None:
        if not self._writing:  # from now on the old manifest could vouch for a new file
            self.manifest.path.unlink(missing_ok=True)
            self._writing = True
        if replace_file(self.output / path, data):
            self.result.written.append(path)

    def finish(self, also: list[str] | None = None) -> Written:
        """Remove the files in the folder that this build did not make (records gone,
        and files of ``also`` no longer listed) and save the manifest. ``also``: other files
        the output wrote there (index pages), kept in the manifest without a fingerprint so
        the next build can remove them in turn."""
        also = list(also or [])
        keep = set(self.paths) | set(also)
        if self._found is None:
            stale = self.manifest.stale(keep)
        else:
            stale = [p for p in self._found if p not in keep]
        for rel in stale:
            target = self.output / rel
            if target.is_file():
                target.unlink()
                self.result.removed += 1
        fingerprints = np.concatenate([self._mixed(), np.zeros(len(also), dtype=np.uint64)])
        replace_file(self.manifest.path, self.manifest.encode(self.paths + also, fingerprints,
                                                              self.salt))
        return self.result
