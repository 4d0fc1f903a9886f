"""How values of the model read as text, the same on every output (pages, search records)."""

from __future__ import annotations

import numpy as np
import pandas as pd


def date_codes(values: pd.Series) -> tuple[np.ndarray, np.ndarray]:
    """Each date's code, and the YYYY-MM-DD text of each code, formatted once per distinct
    date; a missing date has code -1, which picks the "" at the end of the texts."""
    codes, uniques = pd.factorize(values)
    return codes, np.array([d.strftime("%Y-%m-%d") for d in uniques] + [""], dtype=object)


def date_strings(values: pd.Series) -> list[str]:
    """Format dates as YYYY-MM-DD once per distinct date; missing → ""."""
    codes, formatted = date_codes(values)
    return formatted[codes].tolist()
