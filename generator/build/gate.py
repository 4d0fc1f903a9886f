"""The one gate between the data and every output: only a validated model is published."""

from __future__ import annotations

import sys
from pathlib import Path

from ..model import Model
from ..model.cache import load_model_cached
from ..model.load import DataFolderError
from ..settings import load_settings
from .context import current


class DataRefused(Exception):
    """The data has errors (exit 1) or cannot be read (exit 2): nothing is published."""

    def __init__(self, message: str, exitcode: int = 1) -> None:
        super().__init__(message)
        self.exitcode = exitcode


def publishable_model(data_dir: Path, settings: dict, cache_dir: Path) -> Model:
    """The validated model, or :class:`DataRefused` with the report printed.

    One gate for ``gongkai build`` and ``pelican content`` alike: data with errors is
    never published, whichever command builds the site.
    """
    try:
        model = load_model_cached(data_dir, settings, cache_dir)
    except DataFolderError as exc:
        raise DataRefused(str(exc), exitcode=2) from exc
    if not model.ok:
        from ..validate.report import as_text

        print(as_text(model), file=sys.stderr)
        raise DataRefused(f"数据有 {model.problems.errors} 个错误，未发布。"
                          "请先运行 gongkai validate 并改正。")
    from ..agency.ledger import RetractionsRefused, check_published

    try:  # public results this build retracts or corrects: warned, or refused by setting
        check_published(model, settings, cache_dir)
    except RetractionsRefused as exc:
        raise DataRefused(str(exc)) from exc
    return model


def model_for(settings: dict) -> Model:
    """The build's model: the one ``gongkai build`` validated, or (``pelican content``) loaded
    and validated here once."""
    run = current()
    if run is not None and run.model is not None:
        return run.model
    merged = load_settings(None, **{k: v for k, v in settings.items() if k.isupper()})
    model = publishable_model(Path(settings.get("GONGKAI_DATA_DIR", "data")), merged,
                              Path(settings.get("CACHE_PATH", "cache")))
    if run is not None:  # validated once per run, whichever output asks first
        run.model = model
    return model
