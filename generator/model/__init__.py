"""The model: the validated tables every output reads.

Built once per build by :func:`load_model`; pages, datasets, feeds, search
indexes and statistics all take a :class:`Model` and never re-read input files.
"""

from .load import load_model
from .model import Model, TableSummary

__all__ = ["Model", "TableSummary", "load_model"]
