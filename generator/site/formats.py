"""How numbers look on pages: one formatter, so a share reads the same on every page."""

from __future__ import annotations

from typing import Any

import pandas as pd


def ratio_text(value: Any) -> str:
    """A share as a percentage with one decimal; missing → ""."""
    if value is None or pd.isna(value):
        return ""
    return f"{float(value) * 100:.1f}%"
