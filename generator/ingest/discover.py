"""Finding each table's files under the data folder.

A single table lives in ``data/<source>.csv|xlsx``; a multi-file table also in
``data/<source>/**``. Every other spreadsheet-like file is reported, so a file
saved under the wrong name never disappears without a word.
"""

from __future__ import annotations

from pathlib import Path

from ..contract import Contract, Table
from ..validate.problems import Problems
from .readers import SUPPORTED_SUFFIXES

SPREADSHEET_SUFFIXES = {".csv", ".xlsx", ".xls", ".xlsm", ".xlsb", ".ods", ".et", ".tsv"}


def relative(path: Path, data_dir: Path) -> str:
    return path.relative_to(data_dir).as_posix()


def discover(data_dir: Path, contract: Contract, problems: Problems) -> dict[str, list[Path]]:
    """Map table name → its files, sorted so reading order (and output) is stable."""
    found: dict[str, list[Path]] = {t.name: [] for t in contract}
    claimed: set[Path] = set()
    for table in contract:
        candidates = [p for p in data_dir.glob(f"{table.source}.*")]
        folder = data_dir / table.source
        if table.multi_file and folder.is_dir():
            candidates += [p for p in folder.rglob("*") if p.is_file()]
        for path in sorted(candidates, key=lambda p: relative(p, data_dir)):
            if path.name.startswith((".", "~$")) or path.suffix.lower() not in SPREADSHEET_SUFFIXES:
                continue
            claimed.add(path)
            if path.suffix.lower() in SUPPORTED_SUFFIXES:
                found[table.name].append(path)
            else:
                problems.add("E107", relative(path, data_dir), None, None, path.suffix)
        found[table.name] = _one_per_name(found[table.name], table, data_dir, problems)
    for path in sorted(data_dir.rglob("*")):
        if (path.is_file() and path not in claimed and not path.name.startswith((".", "~$"))
                and path.suffix.lower() in SPREADSHEET_SUFFIXES):
            problems.add("W105", relative(path, data_dir), None, None, path.name,
                         tables="、".join(t.source for t in contract if not t.multi_file),
                         folders="、".join(f"{t.source}/" for t in contract if t.multi_file))
    return found


def _one_per_name(paths: list[Path], table: Table, data_dir: Path, problems: Problems
                  ) -> list[Path]:
    """E110 for two files of a one-file table (items.csv beside items.xlsx), or two files
    of a many-file table that differ only in their extension (results/a.csv, results/a.xlsx).

    They are two versions of one table and nothing says which is meant; reading both
    would report every row twice as a duplicate. The first (in name order) is read, so
    the other tables are still checked against it, and the error keeps the data from
    being published until one of them is removed.
    """
    groups: dict[tuple[str, str], list[Path]] = {}
    for path in paths:
        key = (relative(path.parent, data_dir), path.stem.lower()) if table.multi_file else ("", "")
        groups.setdefault(key, []).append(path)
    kept = []
    for group in groups.values():
        kept.append(group[0])
        names = "、".join(relative(p, data_dir) for p in group)
        for extra in group[1:]:
            problems.add("E110", relative(extra, data_dir), None, None, names,
                         title=table.title, used=relative(group[0], data_dir))
    return sorted(kept, key=lambda p: relative(p, data_dir))
