"""The files a staged build may share with the live site by hard links (see :mod:`.atomic`)."""

from __future__ import annotations

from pathlib import Path

from ..publish.files import published_files
from ..search.build import browser_files
from ..search.server_index import index_files
from ..site.build import manifest_files


def linked_files(output: Path) -> set[str]:
    """Data pages, open-data files and the search indexes (the browser's and the
    server's) of the site in ``output``: every writer of them replaces a file rather than
    rewriting it, so a build may share them with the live site."""
    return (manifest_files(output) | published_files(output) | browser_files(output)
            | index_files(output))
