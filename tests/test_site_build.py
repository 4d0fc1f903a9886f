"""Incremental and deterministic rendering: what a rebuild rewrites, and what it leaves alone."""

from __future__ import annotations

import hashlib
from pathlib import Path

from helpers import USCC_A, DataFolder

from generator import urls
from generator.site.build import build_pages

THEME = Path(__file__).resolve().parents[1] / "themes" / "gongkai" / "templates"
SETTINGS = {"SITENAME": "测试站点", "GONGKAI_REGION": "测试县", "GONGKAI_PROCESSES": 1}


def build(folder: DataFolder, out: Path, cache: Path):
    model = folder.load()
    assert model.ok
    return build_pages(model, SETTINGS, out, [THEME], cache_dir=cache)


def tree(out: Path) -> dict[str, str]:
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*")) if p.is_file()}


def test_rebuild_without_changes_writes_nothing(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    first = build(folder, out, cache)
    assert first.written > 0
    again = build(folder, out, cache)
    assert again.written == 0
    fingerprinted = list((out / "enterprises").glob("*/index.html")) + [
        p for p in (out / "tasks").rglob("index.html") if p.parent != out / "tasks"]
    assert again.skipped == len(fingerprinted)


def test_a_failed_build_keeps_the_last_manifest(tmp_path, monkeypatch):
    """The next build's manifest is written while pages render, but takes the place of
    the last one only when every page is written: a build that fails keeps the old one,
    so the pages it did not write are not taken for up to date."""
    import pytest

    from generator.site import build as site_build

    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    path = site_build.manifest_path(out, cache)
    before = path.read_bytes()
    index = next(i for i, r in enumerate(folder.rows["results"]) if r["uscc"] == USCC_A)
    folder.edit("results", index, result="发现问题已责令改正")
    page = out / urls.output_file(urls.enterprise(USCC_A))
    shown = page.read_bytes()

    def failing(self, *args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(site_build.EnterpriseStage, "finish", failing)
    with pytest.raises(RuntimeError):
        build(folder, out, cache)
    assert path.read_bytes() == before and page.read_bytes() == shown
    assert not list(path.parent.glob("*.pending"))
    monkeypatch.undo()
    build(folder, out, cache)
    assert page.read_bytes() != shown  # not skipped as unchanged
    assert path.read_bytes() != before


def test_a_page_removed_from_the_output_is_written_again(tmp_path):
    """An unchanged fingerprint skips a page only while its file is still there."""
    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    page = out / urls.output_file(urls.enterprise(USCC_A))
    expected = page.read_bytes()
    page.unlink()
    page.parent.rmdir()
    again = build(folder, out, cache)
    assert again.written == 1
    assert page.read_bytes() == expected


def test_changed_result_rewrites_only_its_pages(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    before = tree(out)
    rows = folder.rows["results"]
    index = next(i for i, r in enumerate(rows) if r["uscc"] == USCC_A)
    folder.edit("results", index, note="补充说明", result="发现问题已责令改正")
    build(folder, out, cache)
    after = tree(out)
    changed = {p for p in after if before.get(p) != after[p]}
    assert urls.output_file(urls.enterprise(USCC_A)) in changed
    untouched = [p for p in after if p.startswith("enterprises/")
                 and p != urls.output_file(urls.enterprise(USCC_A))]
    assert untouched and not (set(untouched) & changed)
    task_id = rows[index]["task_id"]
    assert urls.output_file(urls.task(task_id)) in changed
    other_tasks = {urls.output_file(urls.task(r["task_id"])) for r in rows} - {
        urls.output_file(urls.task(task_id))}
    assert other_tasks and not (other_tasks & changed)


def test_removed_enterprise_page_is_deleted(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    target = out / urls.output_file(urls.enterprise(USCC_A))
    assert target.is_file()
    folder.rows["results"] = [r for r in folder.rows["results"] if r["uscc"] != USCC_A]
    folder.rows["dispositions"] = [r for r in folder.rows["dispositions"]
                                   if r["uscc"] != USCC_A]
    counts = build(folder, out, cache)
    assert counts.deleted >= 1 and not target.exists()


def test_same_inputs_give_byte_identical_output(tmp_path):
    folder = DataFolder(tmp_path / "src")
    build(folder, tmp_path / "a", tmp_path / "ca")
    build(folder, tmp_path / "b", tmp_path / "cb")
    assert tree(tmp_path / "a") == tree(tmp_path / "b")


def test_changed_setting_rerenders_every_page(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out, cache = tmp_path / "out", tmp_path / "cache"
    build(folder, out, cache)
    model = folder.load()
    counts = build_pages(model, {**SETTINGS, "SITENAME": "另一个站点"}, out, [THEME],
                         cache_dir=cache)
    assert counts.skipped == 0 and counts.unchanged == 0
    page = (out / urls.output_file(urls.enterprise(USCC_A))).read_text(encoding="utf-8")
    assert "另一个站点" in page


def test_task_pages_rendered_by_worker_processes_match_the_serial_ones(tmp_path):
    """Task pages share the render pool; a forked worker must write what the parent would."""
    import numpy as np
    from sitebuild import ROOT, sample_site

    from generator.build.render import PageList, Renderer, make_environment, render_many
    from generator.site import views

    _, model = sample_site()
    data = views.SiteData.from_model(model, {})
    pages = views.task_pages(data, 10)  # ten rows a page: enough pages to share out
    env = make_environment([ROOT / "themes/gongkai/templates"], dict(model.settings))
    written = {}
    for name, processes in (("serial", 1), ("pool", 2)):
        out = tmp_path / name
        counts = render_many(Renderer(env, out, {}), PageList(pages), np.arange(len(pages)), processes,
                             min_parallel=0)
        assert counts.written == len(pages) > 50
        written[name] = {p.relative_to(out): p.read_bytes() for p in out.rglob("index.html")}
    assert written["serial"] == written["pool"]


def test_enterprise_pages_are_shared_between_a_worker_and_the_building_process(tmp_path):
    """Shards of pages go to whoever is free, the caller included: every page is rendered
    exactly once whoever takes it; a page that fails to render fails the build, and no
    worker is left running."""
    import numpy as np
    import psutil
    import pytest
    from sitebuild import ROOT, sample_site

    from generator.build.render import Renderer, make_environment, render_many
    from generator.site import views

    _, model = sample_site()
    data = views.SiteData.from_model(model, {})
    pages = views.EnterprisePages(data)
    env = make_environment([ROOT / "themes/gongkai/templates"], dict(model.settings))
    everything = np.arange(len(pages))
    counts = render_many(Renderer(env, tmp_path / "serial", {}), pages, everything, 1)
    assert counts.written == len(pages) > 100
    counts = render_many(Renderer(env, tmp_path / "shared", {}), pages, everything, 2,
                         min_parallel=0)
    assert counts.written == len(pages) and counts.unchanged == 0
    files = {name: {p.relative_to(tmp_path / name): p.read_bytes()
                    for p in (tmp_path / name).rglob("index.html")} for name in ("serial", "shared")}
    assert files["serial"] == files["shared"] and len(files["shared"]) == len(pages)
    again = render_many(Renderer(env, tmp_path / "shared", {}), pages, everything, 2,
                        min_parallel=0)
    assert again.unchanged == len(pages)  # same bytes: nothing rewritten

    broken = make_environment([ROOT / "themes/gongkai/templates"], dict(model.settings))
    calls = []

    def fails_after_a_few_pages(value):
        calls.append(value)
        return value if len(calls) < 5 else 1 / 0

    broken.filters["zh_date"] = fails_after_a_few_pages
    before = {child.pid for child in psutil.Process().children()}  # e.g. an earlier test's helpers
    with pytest.raises(ZeroDivisionError):
        render_many(Renderer(broken, tmp_path / "broken", {}), pages, everything, 2,
                    min_parallel=0)
    left = [child for child in psutil.Process().children() if child.pid not in before]
    assert not left  # the worker was stopped


def test_the_validated_model_is_cached_without_the_build_waiting_for_it(tmp_path):
    """The model pickle is written by a forked process while the build goes on; once the
    command has waited for it, the next load reads it back."""
    from generator.model import cache
    from generator.settings import load_settings

    data = DataFolder(tmp_path / "src").write()
    settings = load_settings(None)
    model = cache.load_model_cached(data, settings, tmp_path / "cache")
    target = tmp_path / "cache" / "gongkai-model.pickle"
    cache.finish_writing()
    assert target.is_file()
    calls = []
    real = cache.load_model
    try:
        cache.load_model = lambda *a: calls.append(a) or real(*a)
        again = cache.load_model_cached(data, settings, tmp_path / "cache")
    finally:
        cache.load_model = real
    assert calls == []  # read back, not validated again
    assert again["results"].equals(model["results"])
    assert not list((tmp_path / "cache").glob("*.tmp"))


def test_enterprise_pages_from_the_build_renderer_equal_plain_jinja(tmp_path):
    """The Renderer the build writes pages with (trimmed globals, cached templates) gives
    the bytes a plain Jinja environment with every setting in its globals gives."""
    from jinja2 import Environment, FileSystemLoader, select_autoescape
    from markupsafe import Markup
    from sitebuild import ROOT, sample_settings, sample_site

    from generator.build.render import FILTERS, Renderer, make_environment
    from generator.site import views

    _, model = sample_site()
    settings = {k: v for k, v in sample_settings().items() if k.isupper()}
    theme = ROOT / "themes/gongkai/templates"
    renderer = Renderer(make_environment([theme], settings), tmp_path, {})
    assert len(renderer.env.globals) < len(settings)  # settings no template reads are left out
    plain = Environment(loader=FileSystemLoader(str(theme)), trim_blocks=True, lstrip_blocks=True,
                        autoescape=select_autoescape(default=True, default_for_string=True))
    plain.globals.update(settings)
    plain.filters.update(FILTERS)
    plain.globals["partial"] = lambda name, **kw: Markup(plain.get_template(name).render(**kw))
    pages = views.EnterprisePages(views.SiteData.from_model(model, {}))
    load = getattr(pages, "load", None)
    if load is not None:
        import numpy as np

        load(np.arange(len(pages)))
    for i in range(0, len(pages), max(1, len(pages) // 40)):
        path = pages.path(i)
        expected = plain.get_template(pages.template).render(
            pages.context(i), root=urls.root_for(path), page_path=path)
        assert renderer.render_one(path, pages.template, pages.context(i)) == expected.encode()


def test_a_setting_reaches_the_templates_once_a_template_reads_it(tmp_path):
    """Settings no template reads stay out of the globals; the names read are found again
    from the templates as they are now, so an edited theme is never rendered with the
    globals of the theme before the edit."""
    from generator.build.render import make_environment

    theme = tmp_path / "templates"
    theme.mkdir()
    (theme / "page.html").write_text("{{ SITENAME }}", encoding="utf-8")
    settings = {"SITENAME": "青禾县", "FOOTER_NOTE": "本站数据每日更新"}
    env = make_environment([theme], settings)
    assert "SITENAME" in env.globals and "FOOTER_NOTE" not in env.globals
    (theme / "page.html").write_text("{{ SITENAME }}{{ FOOTER_NOTE }}", encoding="utf-8")
    edited = make_environment([theme], settings)
    assert edited.get_template("page.html").render() == "青禾县本站数据每日更新"
