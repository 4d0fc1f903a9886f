"""Everything a build reads, as one key: equal keys mean an identical site.

The build is reproducible (same data, content, settings, theme and program give the same
bytes), so when the key of the last published build equals this one there is nothing to
do. Checking that costs a hash of the input files; seeding a staging copy of a provincial
site, checking half a million page fingerprints and swapping it in costs a minute.
"""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterable
from pathlib import Path

from .keys import StageKey

STATE = ".gongkai-build.json"
PACKAGES = ("pelican", "jinja2", "pandas", "pyarrow", "pagefind", "whoosh-reloaded", "jieba",
            "chinesecalendar", "feedgen")
PROGRAM = Path(__file__).resolve().parents[1]


def _git_head(folder: Path) -> str:
    """The commit the data folder is at: published-record checks read the git history."""
    try:
        done = subprocess.run(["git", "-C", str(folder), "rev-parse", "HEAD"], capture_output=True,
                              text=True, timeout=30)
    except (OSError, subprocess.SubprocessError):
        return ""
    return done.stdout.strip() if done.returncode == 0 else ""


def build_key(data: Path, content: Path, theme: Path, settings_file: Path | None,
              extra: Iterable[str] = ()) -> str:
    """sha256 of every input of a build (files by relative path and bytes, not location)."""
    key = StageKey("build")
    for label, folder in (("data", data), ("content", content), ("theme", theme),
                          ("settings", settings_file), ("program", PROGRAM)):
        key.tree(Path(folder) if folder else None, label=label)
    return (key.versions(*PACKAGES)
            .value([_git_head(Path(data)), os.environ.get("SOURCE_DATE_EPOCH", ""), list(extra)])
            .hexdigest())


def unchanged(output: Path, key: str) -> dict | None:
    """The state of the published build in ``output`` when it was built from ``key``."""
    try:
        state = json.loads((Path(output) / STATE).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return None
    return state if isinstance(state, dict) and state.get("key") == key else None


def record(staging: Path, key: str, reconciliation: str, warnings: list[str] | None = None
           ) -> None:
    """Written into the staging folder, so it is swapped in together with the site it describes.

    ``warnings``: the build's summary of warnings, shown again (and refused again under
    ``--strict``) when the next build finds nothing changed.
    """
    state = {"key": key, "reconciliation": reconciliation, "warnings": warnings or []}
    (Path(staging) / STATE).write_text(json.dumps(state, ensure_ascii=False), encoding="utf-8")
