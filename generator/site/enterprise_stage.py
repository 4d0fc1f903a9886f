"""The enterprise pages, partition by partition (see :mod:`generator.build.partitions`).

They are nearly all of a site's pages, so they are the stage that runs where the
build's executor says: forked workers on this machine or the tasks of a Dask cluster.
Each partition holds the rows of its enterprises and the part of the last build's page
manifest that names them; its task works out which pages changed, renders them and
hands back their paths and fingerprints. What every partition needs (item and task
names, departments, templates, settings) travels once, as one :class:`PageJob`.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .. import urls
from ..build.executor import Executor
from ..build.partitions import Partitioned, partition_count, split_rows
from ..build.render import Counts, Manifest, Renderer, make_environment, render_shard
from ..model import Model
from ..validate.problems import Problems
from . import views

SHARD = 500  # pages whose rows are turned into objects at a time (see EnterprisePages.load)
ENTERPRISE_PREFIX = "enterprises/"


def mix(fingerprints: np.ndarray, salt: int) -> np.ndarray:
    """A page fingerprint mixed with the hash of templates, settings and page code."""
    with np.errstate(over="ignore"):
        return (fingerprints * np.uint64(0x9E3779B97F4A7C15)) ^ np.uint64(salt)


@dataclass
class PageJob:
    """What every partition's task shares. ``data``: the site's lookups over a model
    that holds no result rows; ``settings``: the settings the templates read."""

    data: views.SiteData
    template_dirs: list[str]
    settings: dict[str, Any]
    output: str
    salt: int
    same_salt: bool  # the last build's fingerprints were mixed with the same salt
    _renderer: Renderer | None = field(default=None, repr=False, compare=False)
    # folders of the output this process's partitions listed (see Manifest.unchanged)
    listed: dict[str, set[str]] = field(default_factory=dict, repr=False, compare=False)

    def renderer(self) -> Renderer:
        """The renderer of this process, made once (before forking, for local workers)."""
        if self._renderer is None:
            env = make_environment(self.template_dirs, self.settings)
            self._renderer = Renderer(env, Path(self.output), {})
        return self._renderer

    def __getstate__(self) -> dict[str, Any]:  # sent to cluster workers without the renderer
        return {**self.__dict__, "_renderer": None, "listed": {}}


@dataclass
class PartDone:
    """One partition's pages: every path with its fingerprint, and what was written."""

    paths: list[str]
    fingerprints: np.ndarray
    tombstones: list[str]
    counts: Counts


def render_partition(job: PageJob, part: dict[str, Any]) -> PartDone:
    """The task of one partition: its enterprise pages, rendered where they changed."""
    urls.use_department_slugs({name: d.slug for name, d in job.data.directory.items()})
    light = job.data.model
    model = replace(light, tables={**light.tables, "results": part["results"],
                                   "dispositions": part["dispositions"]})
    data = replace(job.data, model=model, enterprises=model.enterprises, ledger=part["ledger"])
    pages = views.EnterprisePages(data)
    paths = [urls.enterprise(u) for u in pages.usccs]
    output = Path(job.output)
    previous = Manifest.of(part["previous_paths"], part["previous_fingerprints"])
    if previous.previous and job.same_salt:
        same = previous.unchanged(paths, mix(pages.fingerprints, job.salt), output, job.listed)
    else:  # nothing can be unchanged: fingerprints are worked out after rendering
        same = np.zeros(len(paths), dtype=bool)
    new = ~previous.known(paths)
    renderer = job.renderer()
    counts = Counts(skipped=int(same.sum()))
    todo = np.flatnonzero(~same)
    for at in range(0, len(todo), SHARD):
        counts.add(render_shard(renderer, pages, todo[at:at + SHARD], new))
    tombstones = []
    for page in pages.tombstone_pages():
        renderer.write(page.path, page.template, page.context, counts)
        tombstones.append(page.path)
    return PartDone(paths, mix(pages.fingerprints, job.salt), tombstones, counts)


class EnterpriseStage:
    """The enterprise pages of one build: partitions made, started on an executor, and
    their answers put together in credit-code order for the page manifest."""

    def __init__(self, model: Model, data: views.SiteData, settings: dict[str, Any],
                 output: Path, template_dirs: list[Path], salt: int, manifest: Manifest,
                 executor: Executor, renderer: Renderer | None = None) -> None:
        results, disp, ledger = model["results"], model["dispositions"], data.ledger
        self.count = partition_count(len(results), settings, executor.workers)
        self.parts = Partitioned.split({"results": results, "dispositions": disp,
                                        "ledger": ledger}, self.count)
        self._previous = self._previous_by_partition(manifest)
        light = replace(model, tables={**model.tables, "results": results.iloc[:0],
                                       "dispositions": disp.iloc[:0]}, problems=Problems())
        env_settings = {k: v for k, v in settings.items() if k.isupper()}
        job = PageJob(data=replace(data, model=light, enterprises=data.enterprises.iloc[:0],
                                   ledger=ledger.iloc[:0]),
                      template_dirs=[str(d) for d in template_dirs], settings=env_settings,
                      output=str(output), salt=salt, same_salt=manifest.salt == salt,
                      _renderer=renderer)
        # only what the templates read travels to a cluster's workers
        job.settings = {k: v for k, v in env_settings.items()
                        if k in job.renderer().env.globals}
        job.renderer().template(views.EnterprisePages.template)  # compiled before forking
        self._running = executor.start(render_partition, job, self.count, self.part)

    def _previous_by_partition(self, manifest: Manifest) -> list[tuple[list[str], np.ndarray]]:
        paths = [p for p in manifest.previous if p.startswith(ENTERPRISE_PREFIX)]
        codes = [p[len(ENTERPRISE_PREFIX):].rstrip("/") for p in paths]
        fingerprints = np.fromiter((manifest.previous[p] for p in paths), dtype=np.uint64,
                                   count=len(paths))
        return [([paths[i] for i in at.tolist()], fingerprints[at])
                for at in split_rows(codes, self.count)]

    def part(self, k: int) -> dict[str, Any]:
        """Partition ``k``: its rows, and what the last manifest says of its pages."""
        frames = self.parts.part(k)
        frames["previous_paths"], frames["previous_fingerprints"] = self._previous[k]
        return frames

    def poll(self) -> int:
        return self._running.poll()

    def finish(self) -> tuple[list[str], np.ndarray, list[str], Counts]:
        """Every enterprise page path and fingerprint in credit-code order, the tombstone
        pages' paths, and the counts of all partitions."""
        done: list[PartDone] = self._running.results()
        counts = Counts()
        for d in done:
            counts.add(d.counts)
        paths = [p for d in done for p in d.paths]
        fingerprints = (np.concatenate([d.fingerprints for d in done]) if done
                        else np.zeros(0, dtype=np.uint64))
        order = np.argsort(pd.Index(paths, dtype=object).to_numpy(dtype=str), kind="stable")
        tombstones = sorted(p for d in done for p in d.tombstones)
        return ([paths[i] for i in order.tolist()], fingerprints[order], tombstones, counts)

    def cancel(self) -> None:
        self._running.cancel()
