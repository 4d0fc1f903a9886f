"""The Pelican plugin of a gongkai site: the engine's hooks, then every output's.

``PLUGINS = ["generator.build.plugin"]`` is the whole of it: the engine stages every
Pelican run (``pelican content`` included) beside the published site, and the outputs
register their generators in the order they run: data pages, open data, search.
"""

from __future__ import annotations

from pelican import signals

from ..console import quiet_pelican
from ..publish import plugin as open_data
from ..search import plugin as search
from ..site import plugin as site
from .direct_build import stage_runs


def register() -> None:
    quiet_pelican()  # Pelican's and Docutils' English lines, for pelican content too
    signals.initialized.connect(stage_runs)  # pelican content: staged and swapped in too
    for output in (site, open_data, search):
        output.register()
