"""``pelican content`` run directly is staged and swapped in, as ``gongkai build`` is.

``gongkai build`` renders into a staging folder and swaps it in only when finished
(:mod:`.atomic`). Pelican's own command would write into the published folder, so a
build killed midway would leave half a site. The plugin wraps every run of a Pelican
object that has no staging of its own (``pelican content``, each reload of ``pelican
-r``) in the same staging: killed at any moment, the previous site stays whole.
"""

from __future__ import annotations

import sys
from contextlib import ExitStack
from functools import partial
from pathlib import Path

from ..model.cache import finish_writing
from ..trust.reproducible import clamp_mtimes, source_date_epoch
from .atomic import BuildRunning, only_build, staged_output
from .context import BuildContext, active, current
from .executor import ClusterError, ClusterExecutor
from .shared import linked_files


def _point(pelican, output: Path) -> None:
    pelican.output_path = str(output)
    pelican.settings["OUTPUT_PATH"] = str(output)


def _cluster(settings: dict) -> ClusterExecutor | None:
    """The Dask cluster of GONGKAI_SCHEDULER, reached before anything is built; a
    scheduler that cannot be used stops the run (never a silent local build)."""
    address = settings.get("GONGKAI_SCHEDULER")
    if not address:
        return None
    try:
        return ClusterExecutor.reach(address, settings)
    except ClusterError as exc:
        print(f"错误：{exc}", file=sys.stderr)
        raise SystemExit(2) from None


def stage_runs(pelican) -> None:
    """Pelican's ``initialized`` signal: make each run of ``pelican`` build beside its output.

    A Pelican object made inside a run under way (``gongkai build``, which stages its
    own) is left alone.
    """
    if current() is not None or getattr(pelican, "gongkai_staged", False):
        return
    run = pelican.run

    def staged_run() -> None:
        output = Path(pelican.output_path).absolute()
        settings = pelican.settings
        with ExitStack() as stack:
            try:
                stack.enter_context(only_build(output))
            except BuildRunning as exc:  # a second build on the same output: said, not traced
                print(f"错误：{exc}", file=sys.stderr)
                raise SystemExit(2) from None
            cluster = _cluster(settings)
            if cluster is not None:
                stack.callback(cluster.close)
            staging = stack.enter_context(staged_output(output, partial(linked_files, output)))
            this_run = BuildContext(data_dir=Path(settings.get("GONGKAI_DATA_DIR", "data")),
                                    output=staging, published=output,
                                    cache_dir=Path(settings.get("CACHE_PATH", "cache")),
                                    cluster=cluster)
            _point(pelican, staging)
            try:
                with active(this_run):
                    run()
            finally:
                _point(pelican, output)
                finish_writing()  # the model cache: nothing outlives the run
            epoch = source_date_epoch()
            if epoch is not None:
                clamp_mtimes(staging, epoch)

    pelican.run = staged_run
    pelican.gongkai_staged = True
