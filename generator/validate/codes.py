"""The catalogue of problem codes, loaded from ``codes.toml``.

Keeping the catalogue as data lets the documentation list every code with the
same words the validator prints.
"""

from __future__ import annotations

import tomllib
from pathlib import Path

ERROR, WARNING = "error", "warning"

with open(Path(__file__).with_name("codes.toml"), "rb") as _fh:
    CODES: dict[str, tuple[str, str]] = {
        code: (entry["severity"], entry["message"]) for code, entry in tomllib.load(_fh).items()
    }


def severity(code: str) -> str:
    return CODES[code][0]
