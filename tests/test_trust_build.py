"""Crash-safe and reproducible builds, and the reconciliation line.

The crash test kills a real ``gongkai build`` process group with SIGKILL at several
moments of a build and checks the published folder is, byte for byte, the previous site.
Reproducibility covers every file, the Pagefind search bundle included.
"""

from __future__ import annotations

import contextlib
import copy
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

from generator.build import inputs
from generator.build.atomic import staging_path
from generator.cli import main
from generator.trust.reconcile import ReconciliationError, counts, reconciliation_line

ROOT = Path(__file__).resolve().parents[1]
GZIP = b"\x1f\x8b"


def tree(folder: Path) -> dict[str, str]:
    """Relative path → sha256 of every file under ``folder`` (the whole published tree),
    but the server index's (Whoosh names its segment files at random: it is compared by
    its answers, see :func:`finds`)."""
    return {p.relative_to(folder).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(folder.rglob("*"))
            if p.is_file() and not p.relative_to(folder).as_posix().startswith(".gongkai-search/")}


def finds(out: Path, code: str) -> bool:
    """Whether the server search of the site in ``out`` finds the enterprise ``code``."""
    found = run("search", code, "--json", "--output", str(out))
    return any(h["code"] == code for h in json.loads(found.stdout)["results"])


def codes(data: Path) -> set[str]:
    import pandas as pd

    return set(pd.concat([pd.read_csv(f, dtype=str, encoding="utf-8-sig")
                          for f in (data / "results").glob("*.csv")])["统一社会信用代码"])


def gongkai(*args: str, cwd: Path = ROOT, env: dict | None = None,
            module: str = "generator.cli") -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", module, *args], cwd=cwd,
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
                            start_new_session=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT), **(env or {})})


def run(*args: str, **kw) -> subprocess.CompletedProcess:
    proc = gongkai(*args, **kw)
    out, err = proc.communicate(timeout=600)
    assert proc.returncode == 0, err
    return subprocess.CompletedProcess(proc.args, proc.returncode, out, err)


def sample(tmp_path: Path, name: str, seed: int, results: int = 2500) -> Path:
    data = tmp_path / name
    assert main(["sample-data", "--results", str(results), "--seed", str(seed), "--out", str(data)]) == 0
    return data


# Lines a build prints on stderr as it enters each stage: a kill right after one lands in
# that stage (None: the moment the staging folder appears, seeded from the live site)
STAGES = {None: "staging", "  企业页面": "page stage", "数据页面：": "open-data stage",
          "开放数据：": "search stage", "搜索索引：": "swap"}


def kill_at(proc: subprocess.Popen, out: Path, marker: str | None) -> None:
    if marker is None:
        while not staging_path(out).exists() and proc.poll() is None:
            time.sleep(0.005)
    else:
        for line in proc.stderr:
            if line.startswith(marker):
                break
    if proc.poll() is None:
        os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()


def test_killed_build_leaves_the_previous_site_intact(tmp_path):
    old, new = sample(tmp_path, "old", 1), sample(tmp_path, "new", 2)
    # the same history (old data, then new data) built without interruption
    control = tmp_path / "control" / "output"
    run("build", "--data", str(old), "--output", str(control))
    run("build", "--data", str(new), "--output", str(control))
    finished = tree(control)

    out = tmp_path / "site" / "output"
    run("build", "--data", str(old), "--output", str(out))
    published = tree(out)
    assert "index.html" in published and len(published) > 500

    only_new, only_old = sorted(codes(new) - codes(old))[0], sorted(codes(old) - codes(new))[0]
    killed_while_building = []
    for marker, stage in STAGES.items():
        proc = gongkai("build", "--data", str(new), "--output", str(out))
        kill_at(proc, out, marker)
        assert proc.returncode == -signal.SIGKILL, f"the build ended before its {stage}"
        # whatever the moment, the published site is exactly the previous one, or (the kill
        # came after the swap) exactly the finished new one, never a mixture
        now = tree(out)
        assert now in (published, finished), f"site mixed by a build killed in its {stage}"
        if now == published:
            killed_while_building.append(stage)
        # and the server search answers for the site that is published, not the killed build
        assert finds(out, only_new) is (now == finished), f"search of a build killed in its {stage}"
        assert finds(out, only_old) is (now == published)
    # every kill before the last stage line left the old site (the last may land after the swap)
    assert killed_while_building[:4] == list(STAGES.values())[:4]

    # the next build finishes normally, and equals the uninterrupted one: the killed
    # builds left no trace
    run("build", "--data", str(new), "--output", str(out))
    assert not staging_path(out).exists()
    assert tree(out) == finished
    assert tree(out) != published
    assert finds(out, only_new) and not finds(out, only_old)


def test_a_direct_pelican_build_is_staged_and_swapped_in_too(tmp_path):
    """``pelican content`` (no gongkai command around it) is as crash-safe as ``gongkai build``,
    and publishes the same bytes."""
    old, new = sample(tmp_path, "old", 5, 1000), sample(tmp_path, "new", 6, 1000)
    out = tmp_path / "direct" / "output"

    def direct(data: Path, target: Path = out) -> list[str]:
        return ["content", "-s", "pelicanconf.py", "-o", str(target),
                "-e", f"GONGKAI_DATA_DIR={json.dumps(str(data))}"]

    # the same history uninterrupted: what a kill after the swap may leave, and how long
    # the rebuild takes
    finished_out = tmp_path / "finished" / "output"
    run(*direct(old, finished_out), module="pelican")
    started = time.monotonic()
    run(*direct(new, finished_out), module="pelican")
    duration = time.monotonic() - started
    finished = tree(finished_out)

    run(*direct(old), module="pelican")
    published = tree(out)
    assert ".gongkai-pages.parquet" in published  # the page manifest is swapped in with the pages
    assert not staging_path(out).exists()
    control = tmp_path / "control" / "output"
    run("build", "--data", str(old), "--output", str(control))
    # the same site; only gongkai build records the key of its inputs (to skip an identical rebuild)
    assert published == {k: v for k, v in tree(control).items() if k != inputs.STATE}

    proc = gongkai(*direct(new), module="pelican")
    while not staging_path(out).exists() and proc.poll() is None:
        time.sleep(0.005)
    time.sleep(duration * 0.3)
    assert proc.poll() is None, "the build should still be running"
    os.killpg(proc.pid, signal.SIGKILL)
    proc.communicate()
    assert tree(out) in (published, finished)  # never a mixture

    run(*direct(new), module="pelican")
    assert not staging_path(out).exists()
    assert tree(out) == finished


def test_a_live_file_is_never_written_in_place(tmp_path):
    """The files a staged build shares with the live site by hard links (pages, open data,
    search indexes) must each get a new file when they change: the live site keeps
    serving the bytes it had until the swap."""
    from generator.build.shared import linked_files

    old, new = sample(tmp_path, "old", 3, 1000), sample(tmp_path, "new", 4, 1000)
    out = tmp_path / "output"
    run("build", "--data", str(old), "--output", str(out))
    shared = sorted(linked_files(out))
    for folder in ("enterprises/", "data/", "api/", "feeds/", "search/words/", "search/codes/",
                   "pagefind/", ".gongkai-search/"):
        assert any(p.startswith(folder) for p in shared), folder
    handles = {p: open(out / p, "rb") for p in shared}  # noqa: SIM115 - the live inodes
    try:
        before = {p: (out / p).read_bytes() for p in shared}
        run("build", "--data", str(new), "--output", str(out))
        changed = [p for p in shared if (out / p).is_file() and (out / p).read_bytes() != before[p]]
        assert any(p.startswith("search/words/") for p in changed)  # the test can tell
        assert [p for p, h in handles.items() if h.read() != before[p]] == []
    finally:
        for h in handles.values():
            h.close()


def test_two_builds_are_byte_identical_and_dated_by_source_date_epoch(tmp_path):
    epoch = 1767225600  # 2026-01-01T00:00:00Z
    first, second = tmp_path / "a" / "output", tmp_path / "b" / "output"
    run("build", "--output", str(first), env={"SOURCE_DATE_EPOCH": str(epoch)})
    time.sleep(1.1)  # a wall-clock second passes between the builds
    run("build", "--output", str(second), env={"SOURCE_DATE_EPOCH": str(epoch)})
    a, b = tree(first), tree(second)
    assert len(a) > 100 and any(k.startswith("pagefind/filter/") for k in a)
    assert a == b
    assert {p.stat().st_mtime for p in second.rglob("*")} <= {float(epoch)}
    compressed = [p for p in sorted(second.rglob("*")) if p.is_file() and p.read_bytes()[:2] == GZIP]
    assert any(p.parent.name == "filter" for p in compressed)
    assert [p.name for p in compressed if p.read_bytes()[4:8] != bytes(4)] == []  # no gzip time


def test_the_build_ends_with_the_reconciliation_line(tmp_path):
    done = run("build", "--output", str(tmp_path / "output"))
    line = [x for x in done.stdout.splitlines() if x.startswith("核对：")]
    assert len(line) == 1
    from sitebuild import sample_site

    _, model = sample_site()
    for c in counts(model):
        assert f"{c.title} 读取 {c.read} = 发布 {c.published} + 未通过 {c.rejected}" in line[0]
    assert "读取 0 = 发布 0" not in line[0].split("；")[4]  # results are counted, not zero


def test_rows_that_do_not_add_up_stop_the_build(folder):
    model = folder.load()
    assert all(c.balanced for c in counts(model))
    broken = copy.copy(model)
    broken.summary = copy.deepcopy(model.summary)
    broken.summary["results"].rows_read += 1  # a row read but neither published nor rejected
    with pytest.raises(ReconciliationError, match="抽查结果 读取 4 = 发布 3 \\+ 未通过 0（不符）"):
        reconciliation_line(broken)


def test_nothing_outlives_the_build_and_leftovers_go_next_time(tmp_path):
    """When ``gongkai build`` returns, no process of it is left, and beside the site
    there is only the site it replaced (the next build's starting point) and the lock;
    a deletion cut short by a crash or a reboot is finished by the next build."""
    import psutil

    old, new = sample(tmp_path, "old", 7, 500), sample(tmp_path, "new", 8, 500)
    out = tmp_path / "site" / "output"
    run("build", "--data", str(old), "--output", str(out))
    cut_short = out.parent / ".output.removing-cutshort"
    shutil.copytree(out / "enterprises", cut_short / "enterprises")
    proc = gongkai("build", "--data", str(new), "--output", str(out))
    children = []
    while proc.poll() is None:
        with contextlib.suppress(psutil.Error):
            children += psutil.Process(proc.pid).children(recursive=True)
        time.sleep(0.05)
    assert proc.returncode == 0, proc.communicate()[1]
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in out.parent.iterdir()) == [
        ".output.build.lock", ".output.previous", "output"]
    assert not [c for c in children if c.is_running() and c.status() != psutil.STATUS_ZOMBIE]


def test_the_replaced_site_is_caught_up_and_builds_the_same_bytes(tmp_path):
    """The site a build replaces is kept and becomes the next build's folder: brought up
    to date with the published site first (only what changed is touched; unchanged
    data pages stay hard links of the live ones), it publishes exactly what a build
    from a fresh copy publishes, also after files were meddled with by hand."""
    from generator.build.atomic import catch_up
    from generator.build.shared import linked_files

    a, b, c = (sample(tmp_path, name, seed, 500) for name, seed in (("a", 3), ("b", 4), ("c", 5)))
    out = tmp_path / "x" / "output"
    run("build", "--data", str(a), "--output", str(out))
    run("build", "--data", str(b), "--output", str(out))
    previous = out.parent / ".output.previous"
    assert tree(previous) != tree(out)  # the site of data a, as it was
    (previous / "about" / "index.html").write_text("changed by hand", encoding="utf-8")
    (previous / "enterprises" / "stray.html").write_text("not published", encoding="utf-8")
    shutil.rmtree(next(p for p in (previous / "tasks").iterdir() if p.is_dir()))

    catch_up(previous, out, linked_files(out))
    assert tree(previous) == tree(out)
    page = next((out / "enterprises").rglob("index.html"))
    assert (previous / page.relative_to(out)).stat().st_ino == page.stat().st_ino
    assert catch_up(previous, out, linked_files(out)) == 0  # nothing left to do

    previous_inode = previous.stat().st_ino
    run("build", "--data", str(c), "--output", str(out))
    assert out.stat().st_ino == previous_inode  # the kept folder became the new site
    control = tmp_path / "y" / "output"
    run("build", "--data", str(b), "--output", str(control))
    assert not (control.parent / ".output.previous").exists()  # a first build replaced nothing
    run("build", "--data", str(c), "--output", str(control))  # so this one starts from a copy
    assert tree(out) == tree(control)


def test_stages_beside_the_pages_publish_what_stages_after_them_do(tmp_path):
    """A rebuild runs the search and open-data stages in processes of their own beside
    the data pages; the site, its datasets, its indexes and the server index's answers
    are those of a build that runs them afterwards."""
    old, new = sample(tmp_path, "old", 9, 800), sample(tmp_path, "new", 10, 800)
    sites = {}
    for beside in (True, False):
        conf = tmp_path / f"conf-{beside}.py"
        conf.write_text("import runpy\n"
                        f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r}).items()"
                        " if k.isupper()})\n"
                        f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'themes/gongkai')!r}\n"
                        f"CACHE_PATH = {str(tmp_path / f'cache-{beside}')!r}\n"
                        f"GONGKAI_SEARCH_BESIDE = {beside}\n"
                        f"GONGKAI_OPEN_DATA_BESIDE = {beside}\n", encoding="utf-8")
        out = tmp_path / f"beside-{beside}" / "output"
        run("build", "--data", str(old), "--output", str(out), "--settings", str(conf))
        rebuilt = run("build", "--data", str(new), "--output", str(out), "--settings", str(conf))
        said = [line for line in rebuilt.stderr.splitlines() if "与数据页面并行" in line]
        assert sorted(line[:4] for line in said) == (["开放数据", "搜索索引"] if beside else [])
        found = run("search", "--settings", str(conf), "--output", str(out), "--json", "有限公司")
        # the build records (.gongkai-*) name the settings; every published file is compared
        sites[beside] = ({k: v for k, v in tree(out).items() if not k.startswith(".gongkai-")},
                         found.stdout)
    assert sites[True][0] == sites[False][0]
    assert sites[True][1] == sites[False][1] and "enterprises/" in sites[True][1]
