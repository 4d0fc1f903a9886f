"""The files a staged build may hard-link from the live site, and the detached process
that seeds the next build's folder after a build is published (see :mod:`.atomic`).

    python -m generator.build.spare OUTPUT [TRASH]
"""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from ..publish.files import published_files
from ..search.server_index import index_files
from ..site.build import manifest_files
from .atomic import seed_spare


def linked_files(output: Path) -> set[str]:
    """Data pages, open-data files and the server index of the site in ``output``: every
    writer of them replaces a file rather than rewriting it, so a build may share them
    with the live site."""
    return manifest_files(output) | published_files(output) | index_files(output)


def main(argv: list[str]) -> int:
    """Delete the previous site first: with the published site and the spare it would be
    three copies of half a million folders, more than a small disk's inode table holds."""
    output = Path(argv[0])
    if len(argv) > 1:
        shutil.rmtree(argv[1], ignore_errors=True)
    seed_spare(output, linked_files(output))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
