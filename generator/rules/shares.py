"""Shares of counts, the one division every rule figure uses.

Apart from the sums in :mod:`.aggregate` so that the rules which add a share of their
own (teams, joint visits) need not import the module that sums them.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd


def share(part: Any, whole: Any) -> Any:
    """part / whole as Float64, NA where whole is 0."""
    part = pd.Series(part).astype("Float64") if not np.isscalar(part) else part
    whole = pd.Series(whole).astype("Float64") if not np.isscalar(whole) else whole
    if np.isscalar(whole):
        return pd.NA if not whole else part / whole
    return (part / whole.where(whole > 0)).astype("Float64")
