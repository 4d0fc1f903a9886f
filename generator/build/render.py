"""Writing pages: Jinja2 straight to files, in parallel, and only what changed.

Two checks keep rebuilds cheap. A page with a fingerprint (a hash of the rows it
shows, mixed with the templates' and settings' hash) is not rendered at all when the
manifest from the last build has the same fingerprint and the file is still there.
Every rendered page is compared with the file on disk and written only when its
bytes differ, so an unchanged page keeps its timestamp and rsync sees no change.
"""

from __future__ import annotations

import hashlib
import os
from collections.abc import Iterable, Sequence
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
from .executor import LocalExecutor
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
    if env.loader is None:
        return set()
    sources = [(name, env.loader.get_source(env, name)[0])
               for name in env.loader.list_templates()]
    # each output of a build makes its own environment from the same templates: parsed
    # once per process and set of sources, not once per environment
    syntax = (env.block_start_string, env.variable_start_string, env.comment_start_string,
              env.line_statement_prefix, env.line_comment_prefix)
    key = hashlib.sha256(repr((syntax, sources)).encode("utf-8")).digest()
    names = _USED_NAMES.get(key)
    if names is None:
        names = _USED_NAMES[key] = set().union(
            *(meta.find_undeclared_variables(env.parse(source, name)) for name, source in sources))
    return set(names)


_USED_NAMES: dict[bytes, set[str]] = {}


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


def render_shard(renderer: Renderer, pages: Any, indices: np.ndarray,
                 new: np.ndarray | None = None) -> Counts:
    """Render and write the pages at ``indices`` of a page set, in this process.

    ``new``: per page, True when no earlier build wrote it (see :func:`.writer.put_file`).
    """
    counts = Counts()
    load = getattr(pages, "load", None)  # a page set that turns its rows into objects per shard
    if load is not None:
        load(indices)
    for i in indices.tolist():
        renderer.write(pages.path(i), pages.template, pages.context(i), counts,
                       bool(new[i]) if new is not None else False)
    return counts


def _render_part(job: tuple[Renderer, Any, np.ndarray | None], shard: np.ndarray) -> Counts:
    renderer, pages, new = job
    return render_shard(renderer, pages, shard, new)


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


def render_many(renderer: Renderer, pages: Any, indices: np.ndarray, processes: int,
                new: np.ndarray | None = None, min_parallel: int = 5000) -> Counts:
    """Render ``pages.context(i)`` for each index, in shards shared out over ``processes``
    (forked workers inherit the page set: nothing large is pickled). Below
    ``min_parallel`` pages, forking costs more than it saves."""
    indices = np.asarray(indices)
    per_shard = max(1, min(500, len(indices) // (8 * processes)))
    shards = np.array_split(indices, max(1, len(indices) // per_shard)) if len(indices) else []
    if len(indices) and (processes > 1 and len(indices) > min_parallel):
        renderer.template(pages.template)  # compiled once, before forking
    executor = LocalExecutor(processes if len(indices) > min_parallel else 1)
    counts = Counts()
    for done in executor.start(_render_part, (renderer, pages, new), len(shards),
                               shards.__getitem__).results():
        counts.add(done)
    return counts


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

    @classmethod
    def of(cls, paths: Sequence[str], fingerprints: np.ndarray, salt: int | None = None
           ) -> Manifest:
        """A manifest held in memory (a part of a saved one), never saved itself."""
        manifest = cls(Path(os.devnull))
        manifest.previous = dict(zip(paths, np.asarray(fingerprints, dtype=np.uint64).tolist(),
                                     strict=True))
        manifest.salt = salt
        return manifest

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

    def unchanged(self, paths: list[str], fingerprints: np.ndarray, output: Path,
                  listed: dict[str, set[str]] | None = None) -> np.ndarray:
        """Boolean mask: page fingerprint equals last build's and its file still exists.

        Existence is checked with one directory listing per folder of pages, not one
        stat per page: a listing reads the folder's names, where half a million stats
        read half a million inodes, from the disk when they are not in memory.
        ``listed``: listings already made in this stage (folder → names), kept for the
        next call: the partitions of the enterprise pages all ask about one folder.
        """
        if not self.previous:
            return np.zeros(len(paths), dtype=bool)
        at = self._positions(paths)
        same = (at >= 0) & (self._fingerprints[at] == fingerprints)
        listed = {} if listed is None else listed
        folders: dict[str, list[tuple[int, str]]] = {}
        for i in np.flatnonzero(same).tolist():
            folder, _, name = paths[i].rstrip("/").rpartition("/")
            folders.setdefault(folder, []).append((i, name))
        for folder, pages in folders.items():
            names = listed.get(folder)
            if names is None:
                try:
                    names = listed[folder] = set(os.listdir(output / folder))
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
