"""``pelican content`` run directly is staged and swapped in, as ``gongkai build`` is.

``gongkai build`` renders into a staging folder and swaps it in only when finished
(:mod:`.atomic`). Pelican's own command would write into the published folder, so a
build killed midway would leave half a site. The plugin wraps every run of a Pelican
object that has no staging of its own (``pelican content``, each reload of ``pelican
-r``) in the same staging: killed at any moment, the previous site stays whole.
"""

from __future__ import annotations

from functools import partial
from pathlib import Path

from ..site.build import MANIFEST_IN_OUTPUT
from ..trust.reproducible import clamp_mtimes, source_date_epoch
from .atomic import staged_output
from .spare import linked_files


def _point(pelican, output: Path, manifest: Path | None) -> None:
    pelican.output_path = str(output)
    pelican.settings["OUTPUT_PATH"] = str(output)
    if manifest is None:
        pelican.settings.pop("GONGKAI_MANIFEST", None)
    else:
        pelican.settings["GONGKAI_MANIFEST"] = str(manifest)


def stage_runs(pelican) -> None:
    """Pelican's ``initialized`` signal: make each run of ``pelican`` build beside its output.

    A caller that sets ``GONGKAI_MANIFEST`` (``gongkai build``) already builds into a
    staging folder that holds the page manifest, and is left alone.
    """
    if pelican.settings.get("GONGKAI_MANIFEST") or getattr(pelican, "gongkai_staged", False):
        return
    run = pelican.run

    def staged_run() -> None:
        output = Path(pelican.output_path).absolute()
        with staged_output(output, partial(linked_files, output)) as staging:
            _point(pelican, staging, staging / MANIFEST_IN_OUTPUT)
            try:
                run()
            finally:
                _point(pelican, output, None)
            epoch = source_date_epoch()
            if epoch is not None:
                clamp_mtimes(staging, epoch)

    pelican.run = staged_run
    pelican.gongkai_staged = True
