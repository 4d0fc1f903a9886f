"""Writing pages: Jinja2 straight to files, in parallel, and only what changed.

Two checks keep rebuilds cheap. A page with a fingerprint (a hash of the rows it
shows, mixed with the templates' and settings' hash) is not rendered at all when the
manifest from the last build has the same fingerprint and the file is still there.
Every rendered page is compared with the file on disk and written only when its
bytes differ, so an unchanged page keeps its timestamp and rsync sees no change.
"""

from __future__ import annotations

import gc
import hashlib
import multiprocessing as mp
import os
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.parquet as pq
from jinja2 import Environment, FileSystemLoader, Template, Undefined, meta, select_autoescape
from markupsafe import Markup, escape

from .. import urls
from ..forked import Forked, can_fork
from .writer import put_file


@dataclass
class Counts:
    written: int = 0
    unchanged: int = 0
    skipped: int = 0  # not rendered: fingerprint unchanged
    deleted: int = 0

    def add(self, other: Counts) -> None:
        self.written += other.written
        self.unchanged += other.unchanged
        self.skipped += other.skipped
        self.deleted += other.deleted


def plaintext(value: Any) -> Markup:
    """Text of rendered markup for an attribute or <title>: tags removed, entities kept escaped.

    Jinja's ``striptags|e`` does the same, but unescapes and re-escapes every value; a
    rendered data value without a tag or an entity in it is already the answer.
    """
    text = str(value)
    if isinstance(value, Markup) and "<" not in text and "&" not in text:
        return Markup(" ".join(text.split()))
    return escape(Markup(text).striptags())


def zh_date(value: Any) -> Markup:
    """A date as 2025年4月30日 in a <time> element; text as given; nothing as "—"."""
    if value is None or value == "" or isinstance(value, Undefined):
        return Markup("—")
    if hasattr(value, "year") and hasattr(value, "isoformat"):
        return Markup('<time datetime="{}">{}年{}月{}日</time>').format(
            value.isoformat(), value.year, value.month, value.day)
    return escape(value)


# filters the theme's templates use, in data pages and in Pelican's own pages alike
FILTERS = {"url_segment": urls.segment, "plaintext": plaintext, "zh_date": zh_date}


def output_escape(value: Any) -> Markup:
    """What a ``{{ value }}`` writes into a page: ``markupsafe.escape`` itself.

    Kept as a name of its own so that the tests that hold data pages to MarkupSafe's
    escaping have one thing to point at.
    """
    return escape(value)


class PageEnvironment(Environment):
    """An environment whose compiled templates are kept in a plain dict.

    Every page looks its layout and macros up again (``extends``, ``import``), and
    Jinja's template cache is a locked LRU list that re-orders itself on every hit. A
    build never reloads a template (``auto_reload`` is off), so the first answer for a
    name stays the answer. Only the public ``get_template`` is overridden.
    """

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.compiled: dict[str, Template] = {}

    def get_template(self, name: Any, parent: str | None = None,
                     globals: Any = None) -> Template:  # noqa: A002 (Jinja's own name)
        if globals is None and type(name) is str:  # join_path is not overridden: name as given
            compiled = self.compiled.get(name)
            if compiled is None:
                compiled = self.compiled[name] = super().get_template(name, parent)
            return compiled
        return super().get_template(name, parent, globals)


def used_names(env: Environment) -> set[str]:
    """Every name the environment's templates read from their context or globals.

    Found by parsing each template once (``jinja2.meta``), so it holds whatever a
    template, its layout, macros or partials may look up.
    """
    names: set[str] = set()
    if env.loader is None:
        return names
    for name in env.loader.list_templates():
        source = env.loader.get_source(env, name)[0]
        names |= meta.find_undeclared_variables(env.parse(source, name))
    return names


def make_environment(template_dirs: Sequence[str | Path], globals_: dict[str, Any]
                     ) -> Environment:
    """Autoescape everywhere: no data value can become markup.

    Settings (upper-case names) reach the globals only when a template reads them:
    ``Template.render`` copies every global into each page's context, and a build
    passes all of Pelican's settings, most of which no template uses. Other globals
    (functions, helpers) are kept as given.
    """
    env = PageEnvironment(
        loader=FileSystemLoader([str(d) for d in template_dirs]),
        autoescape=select_autoescape(default=True, default_for_string=True),
        trim_blocks=True,
        lstrip_blocks=True,
        auto_reload=False,
    )
    env.filters.update(FILTERS)
    used = used_names(env)
    env.globals.update({k: v for k, v in globals_.items() if not k.isupper() or k in used})
    env.globals["partial"] = Partials(env)
    return env


class Partials:
    """``partial(name, **vars)``: render a partial once per distinct vars, then reuse it.

    The header and footer are the same on every page at one depth; rendering them
    once per build instead of once per page is most of what makes pages cheap.
    """

    def __init__(self, env: Environment) -> None:
        self.env = env
        self.cache: dict[tuple, Markup] = {}

    def __call__(self, name: str, **variables: Any) -> Markup:
        # keyword order is fixed at each call site: no need to sort it into the key
        key = (name, *variables.items())
        html = self.cache.get(key)
        if html is None:
            html = self.cache[key] = Markup(self.env.get_template(name).render(**variables))
        return html


def templates_fingerprint(template_dirs: Sequence[str | Path], extra: str) -> int:
    """Hash of every template file and the settings that reach pages."""
    digest = hashlib.sha256(extra.encode("utf-8"))
    for d in template_dirs:
        for path in sorted(Path(d).rglob("*")):
            if path.is_file():
                digest.update(path.as_posix().encode())
                digest.update(path.read_bytes())
    return int.from_bytes(digest.digest()[:8], "little")


class Renderer:
    """Renders pages of one build into ``output``."""

    def __init__(self, env: Environment, output: Path, base_context: dict[str, Any]) -> None:
        self.env = env
        self.output = output
        self.base = base_context
        self._folder = os.path.join(os.fspath(output), "")  # pages are written by the million

    def template(self, name: str) -> Template:
        """The compiled template (the environment keeps it: see :class:`PageEnvironment`);
        asked for before forking, so it is compiled once, not once per worker."""
        return self.env.get_template(name)

    def render_one(self, path: str, template: str, context: dict[str, Any]) -> bytes:
        """The page's bytes, by ``Template.render`` with the globals the templates read."""
        variables = {**self.base, **context, "root": urls.root_for(path), "page_path": path}
        return self.template(template).render(variables).encode("utf-8")

    def write(self, path: str, template: str, context: dict[str, Any], counts: Counts,
              new: bool = False) -> None:
        data = self.render_one(path, template, context)
        if put_file(self._folder + urls.output_file(path), data, new):
            counts.written += 1
        else:
            counts.unchanged += 1


# --- parallel rendering of a large page set ---------------------------------------------

_JOB: dict[str, Any] = {}


def _render_shard(indices: np.ndarray) -> Counts:
    renderer: Renderer = _JOB["renderer"]
    pages = _JOB["pages"]
    new = _JOB["new"]
    counts = Counts()
    load = getattr(pages, "load", None)  # a page set that turns its rows into objects per shard
    if load is not None:
        load(indices)
    for i in indices.tolist():
        renderer.write(pages.path(i), pages.template, pages.context(i), counts,
                       bool(new[i]) if new is not None else False)
    return counts


class PageList:
    """Pages of one template, prepared in advance, as a page set :func:`render_many` can share out."""

    def __init__(self, pages: Sequence[Any]) -> None:
        templates = {p.template for p in pages}
        if len(templates) > 1:
            raise ValueError(f"one template per page set, not {sorted(templates)}")
        self.pages = pages
        self.template = templates.pop() if templates else ""

    def __len__(self) -> int:
        return len(self.pages)

    def path(self, i: int) -> str:
        return self.pages[i].path

    def context(self, i: int) -> dict[str, Any]:
        return self.pages[i].context


class Rendering:
    """Pages of one set rendered by forked workers while the caller does other work,
    and by the caller too once it has done it.

    Shards of pages are handed out through a shared counter, so whoever is free takes
    the next one: ``processes - 1`` workers start at once, and the calling process joins
    them in :meth:`finish`. Workers inherit the page set by fork, so nothing large is
    pickled; what the caller computes after forking is not theirs. Below
    ``min_parallel`` pages, forking costs more than it saves and the caller renders
    them all in :meth:`finish`.
    """

    def __init__(self, renderer: Renderer, pages: Any, indices: np.ndarray, processes: int,
                 progress: Callable[[int, int], None] | None = None,
                 new: np.ndarray | None = None, min_parallel: int = 5000) -> None:
        self.processes = processes
        self.total = len(indices)
        self.progress = progress
        self._job = {"renderer": renderer, "pages": pages, "new": new}
        per_shard = max(1, min(500, len(indices) // (8 * processes)))
        self._shards = np.array_split(
            indices, max(1, len(indices) // per_shard)) if len(indices) else []
        self._workers: list[Forked] = []
        self.parallel = (processes > 1 and len(indices) > min_parallel and can_fork())
        ctx = mp.get_context("fork") if self.parallel else None
        self._next = ctx.Value("q", 0) if ctx else None  # next shard to take
        self._done = ctx.Value("q", 0) if ctx else None  # pages rendered, for progress
        self._reported = 0
        self._frozen = self.parallel
        if self.parallel:
            renderer.template(pages.template)
            gc.freeze()  # the workers' garbage collector leaves the inherited objects alone
            self._workers = [Forked(self._work, os.getpid()) for _ in range(processes - 1)]

    def _take(self) -> int:
        with self._next.get_lock():
            i = self._next.value
            self._next.value = i + 1
        return i

    def _work(self, parent: int | None = None) -> Counts:
        """Render shards until none is left. ``parent``: the building process, when this
        is a worker, which stops if the build was killed rather than render on for it."""
        counts = Counts()
        _JOB.update(self._job)
        try:
            while (i := self._take()) < len(self._shards):
                if parent is not None and os.getppid() != parent:
                    break
                counts.add(_render_shard(self._shards[i]))
                with self._done.get_lock():
                    self._done.value += len(self._shards[i])
                if parent is None:
                    self.poll()
        finally:
            _JOB.clear()
        return counts

    def poll(self) -> None:
        """Report progress of the workers so far, without waiting."""
        if self.progress and self.parallel and self._done.value > self._reported:
            self._reported = self._done.value
            self.progress(self._reported, self.total)

    def finish(self) -> Counts:
        """Render the shards nobody has taken yet, wait for the workers, add up."""
        try:
            if not self.parallel:
                counts = Counts()
                _JOB.update(self._job)
                try:
                    for shard in self._shards:
                        counts.add(_render_shard(shard))
                        if self.progress:
                            self.progress(counts.written + counts.unchanged, self.total)
                finally:
                    _JOB.clear()
                return counts
            counts = self._work()
            for worker in self._workers:
                counts.add(worker.result())
            self._workers = []
            if self.progress:
                self.progress(self.total, self.total)
            return counts
        finally:
            self.close()

    def close(self) -> None:
        """Stop workers still running (the caller failed before :meth:`finish`)."""
        for worker in self._workers:
            worker.cancel()
        self._workers = []
        if self._frozen:
            gc.unfreeze()
            self._frozen = False


def render_many(renderer: Renderer, pages: Any, indices: np.ndarray, processes: int,
                progress: Callable[[int, int], None] | None = None,
                new: np.ndarray | None = None, min_parallel: int = 5000) -> Counts:
    """Render ``pages.context(i)`` for each index, over ``processes`` forked workers."""
    return Rendering(renderer, pages, indices, processes, progress, new, min_parallel).finish()


# --- manifest -------------------------------------------------------------------------


SALT_KEY = b"gongkai_salt"


def _salt_of(schema: pa.Schema) -> int | None:
    value = (schema.metadata or {}).get(SALT_KEY)
    return int(value) if value is not None else None


class Manifest:
    """Path → fingerprint of fingerprinted pages from the last build (kept outside output)."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.previous: dict[str, int] = {}
        self.salt: int | None = None  # what the previous fingerprints were mixed with
        self._index: pd.Index | None = None  # of previous, made when first needed
        self._fingerprints = np.zeros(0, dtype=np.uint64)
        if path.is_file():
            try:
                table = pq.read_table(path)
                frame = table.to_pandas()
                self.previous = dict(zip(frame["path"], frame["fingerprint"].astype("uint64"),
                                         strict=True))
                self.salt = _salt_of(table.schema)
            except Exception:  # a damaged cache only costs a full render
                self.previous = {}

    def _positions(self, paths: list[str]) -> np.ndarray:
        """Each path's place in the last build's manifest, -1 for a path it did not have."""
        if self._index is None:
            self._index = pd.Index(list(self.previous), dtype=object)
            self._fingerprints = np.fromiter(self.previous.values(), dtype=np.uint64,
                                             count=len(self.previous))
        return self._index.get_indexer(paths)

    def known(self, paths: list[str]) -> np.ndarray:
        """Boolean mask: the last build wrote this page."""
        return self._positions(paths) >= 0

    def unchanged(self, paths: list[str], fingerprints: np.ndarray, output: Path
                  ) -> np.ndarray:
        """Boolean mask: page fingerprint equals last build's and its file still exists.

        Existence is checked with one directory listing per folder of pages, not one
        stat per page: half a million stats cost more than the rest of a rebuild.
        """
        if not self.previous:
            return np.zeros(len(paths), dtype=bool)
        at = self._positions(paths)
        same = (at >= 0) & (self._fingerprints[at] == fingerprints)
        folders: dict[str, list[tuple[int, str]]] = {}
        for i in np.flatnonzero(same).tolist():
            folder, _, name = paths[i].rstrip("/").rpartition("/")
            folders.setdefault(folder, []).append((i, name))
        for folder, pages in folders.items():
            try:
                with os.scandir(output / folder) as entries:
                    names = {e.name for e in entries}
            except OSError:
                names = set()
            for i, name in pages:
                if name not in names:
                    same[i] = False
        return same

    def save(self, paths: Iterable[str], fingerprints: np.ndarray, salt: int = 0,
             to: Path | None = None) -> None:
        """``salt``: the templates' and settings' hash the fingerprints were mixed with.
        ``to``: another file to write (moved into place by the caller)."""
        target = to or self.path
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(self.encode(paths, fingerprints, salt))

    @staticmethod
    def encode(paths: Iterable[str], fingerprints: np.ndarray, salt: int = 0) -> bytes:
        """The manifest file's bytes: the same paths and fingerprints, the same bytes."""
        frame = pd.DataFrame({"path": list(paths), "fingerprint": fingerprints.astype("uint64")})
        table = pa.Table.from_pandas(frame, preserve_index=False)
        table = table.replace_schema_metadata({**(table.schema.metadata or {}),
                                               SALT_KEY: str(salt).encode()})
        sink = pa.BufferOutputStream()
        pq.write_table(table, sink)
        return sink.getvalue().to_pybytes()

    @staticmethod
    def saved_salt(path: Path) -> int | None:
        """The salt the manifest at ``path`` was saved with, read from its schema alone."""
        try:
            return _salt_of(pq.read_schema(path))
        except (OSError, ValueError, pa.ArrowException):
            return None

    def stale(self, current: set[str]) -> list[str]:
        return [p for p in self.previous if p not in current]
