"""Enterprises in partitions: the unit of work of the large stages, on one machine or many.

Every row that belongs to one enterprise (its results, its follow-ups, what the 更新记录
says about it) lands in the same partition, so a partition's pages and files can be made
without looking at any other partition. Which partition a credit code is in follows from
the code alone (a fixed hash of it), never from the other codes present: adding an
enterprise moves no other enterprise. A hash rather than the code's first characters,
because those are the registering authority and the area, and one province's codes
share them.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

# result rows per partition unless GONGKAI_PARTITION_ROWS says otherwise
PARTITION_ROWS = 50_000


def partition_of(codes: Any, count: int) -> np.ndarray:
    """The partition (0 … count - 1) of each credit code."""
    values = np.asarray(codes, dtype=object)
    if count <= 1 or not len(values):
        return np.zeros(len(values), dtype=np.int64)
    hashed = pd.util.hash_array(values.astype(str).astype(object), categorize=True)
    return (hashed % np.uint64(count)).astype(np.int64)


def split_rows(codes: Any, count: int) -> list[np.ndarray]:
    """The row positions of each partition, in the rows' own order."""
    part = partition_of(codes, count)
    order = np.argsort(part, kind="stable")
    bounds = np.searchsorted(part[order], np.arange(count + 1))
    return [order[bounds[k]:bounds[k + 1]] for k in range(count)]


def partition_count(rows: int, settings: dict[str, Any], workers: int = 1) -> int:
    """How many partitions ``rows`` result rows make: GONGKAI_PARTITION_ROWS each, and
    at least four per worker once there is enough to share (partitions are taken by
    whichever worker is free: the smaller the last ones, the less the others wait)."""
    size = max(1, int(settings.get("GONGKAI_PARTITION_ROWS") or PARTITION_ROWS))
    count = max(1, math.ceil(rows / size))
    if workers > 1 and rows >= 5_000:
        count = max(count, 4 * workers)
    return count


@dataclass
class Partitioned:
    """Frames split by the credit code in one of their columns: ``rows[name][k]`` are the
    positions of frame ``name``'s rows in partition ``k``."""

    count: int
    frames: dict[str, pd.DataFrame]
    rows: dict[str, list[np.ndarray]]

    @classmethod
    def split(cls, frames: dict[str, pd.DataFrame], count: int,
              column: str = "uscc") -> Partitioned:
        rows = {name: split_rows(frame[column].to_numpy() if len(frame) else [], count)
                for name, frame in frames.items()}
        return cls(count=count, frames=frames, rows=rows)

    def part(self, k: int) -> dict[str, pd.DataFrame]:
        """Partition ``k`` of every frame, numbered from 0 again."""
        return {name: frame.iloc[self.rows[name][k]].reset_index(drop=True)
                for name, frame in self.frames.items()}
