"""``gongkai build --scheduler``: the enterprise partitions as tasks of a real Dask cluster.

A ``distributed.LocalCluster`` of two worker processes on 127.0.0.1 stands in for the
machines of a real one: the same scheduler, workers, pickling and retries.
"""

from __future__ import annotations

import hashlib
import os
from pathlib import Path

import pytest
from sitebuild import ROOT

from generator.cli import main

distributed = pytest.importorskip("distributed")


class KillFirstPartition(distributed.WorkerPlugin):
    """Ends the worker process that starts the first enterprise partition, once (the
    marker file says it happened): a machine lost in the middle of a build."""

    def __init__(self, marker: str) -> None:
        self.marker = marker

    def transition(self, key, start, finish, **kwargs) -> None:
        name = key if isinstance(key, str) else str(key)
        if finish == "executing" and name.startswith("render_partition"):
            try:
                fd = os.open(self.marker, os.O_CREAT | os.O_EXCL | os.O_WRONLY)
            except FileExistsError:
                return
            os.close(fd)
            os._exit(1)


class NoteTasks(distributed.WorkerPlugin):
    """Appends the name of every task a worker starts to a file: which stages really
    ran on the cluster."""

    def __init__(self, path: str) -> None:
        self.path = path

    def transition(self, key, start, finish, **kwargs) -> None:
        if finish == "executing":
            name = key if isinstance(key, str) else str(key)
            with open(self.path, "a", encoding="utf-8") as fh:
                fh.write(name.rsplit("-", 2)[0] + "\n")


@pytest.fixture(scope="module")
def cluster():
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                  host="127.0.0.1", dashboard_address=":0") as found:
        yield found


def settings_file(folder: Path, extra: str = "") -> Path:
    """The project's settings with small partitions (so the sample makes many), the
    cache in ``folder``."""
    conf = folder / "pelicanconf.py"
    conf.write_text("import runpy\n"
                    f"globals().update({{k: v for k, v in runpy.run_path({str(ROOT / 'pelicanconf.py')!r})"
                    ".items() if k.isupper()})\n"
                    f"PATH = {str(ROOT / 'content')!r}\nTHEME = {str(ROOT / 'themes/gongkai')!r}\n"
                    f"GONGKAI_DATA_DIR = {str(ROOT / 'data')!r}\n"
                    f"CACHE_PATH = {str(folder / 'cache')!r}\n"
                    "GONGKAI_PARTITION_ROWS = 60\n" + extra, encoding="utf-8")
    return conf


def files(out: Path) -> dict[str, str]:
    """Every file of a site by its hash, less the server index (Whoosh names its segment
    files at random; its answers are compared instead)."""
    return {p.relative_to(out).as_posix(): hashlib.sha256(p.read_bytes()).hexdigest()
            for p in sorted(out.rglob("*"))
            if p.is_file() and ".gongkai-search" not in p.relative_to(out).parts}


def build(tmp: Path, name: str, *extra: str, settings: Path | None = None) -> tuple[int, Path]:
    """Build into ``tmp/name/output``; with the settings of ``tmp`` unless given others
    (one settings file for the builds compared: the state file holds its hash)."""
    if settings is None:
        settings = tmp / "pelicanconf.py"
        if not settings.is_file():
            settings_file(tmp)
    out = tmp / name / "output"
    cwd = os.getcwd()
    os.chdir(ROOT)
    try:
        code = main(["build", "--output", str(out), "--settings", str(settings), *extra])
    finally:
        os.chdir(cwd)
    return code, out


def search(out: Path, settings: Path, query: str) -> str:
    import contextlib
    import io

    from generator.search.commands import run_search
    from generator.settings import load_settings

    buffer = io.StringIO()
    with contextlib.redirect_stdout(buffer):
        run_search(load_settings(settings), query, str(out), 20, True, 1)
    return buffer.getvalue()


def test_a_cluster_build_gives_the_bytes_of_a_local_build(tmp_path, cluster, capsys):
    code, local = build(tmp_path, "local")
    assert code == 0
    capsys.readouterr()
    noted = tmp_path / "tasks.txt"
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        client.register_plugin(NoteTasks(str(noted)), name="note-tasks")
        code, remote = build(tmp_path, "cluster", "--scheduler", cluster.scheduler_address)
    finally:
        client.unregister_worker_plugin("note-tasks")
        client.close()
    said = capsys.readouterr().err
    # the enterprise pages, and the API's and feeds' per-enterprise files, ran as tasks
    assert {"render_partition", "write_part"} <= set(noted.read_text().split())
    assert code == 0
    assert f"Dask 集群：调度器 {cluster.scheduler_address}，2 个工作进程" in said
    assert "进度见 http" in said  # the dashboard's address
    mine, theirs = files(local), files(remote)
    assert len([p for p in mine if p.startswith("enterprises/")]) > 100
    assert mine == theirs
    for query in ("青禾", "91"):
        found = search(local, tmp_path / "pelicanconf.py", query)
        assert '"kind": "enterprise"' in found
        assert found == search(remote, tmp_path / "pelicanconf.py", query)


def test_a_worker_lost_mid_build_does_not_lose_pages(tmp_path, cluster, capsys):
    code, local = build(tmp_path, "local")
    assert code == 0
    marker = tmp_path / "killed"
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        client.register_plugin(KillFirstPartition(str(marker)), name="kill-first-partition")
        code, remote = build(tmp_path, "cluster", "--scheduler", cluster.scheduler_address)
        assert marker.is_file()  # a worker really was ended with a partition under way
        assert code == 0
        assert files(local) == files(remote)
    finally:
        client.unregister_worker_plugin("kill-first-partition")
        client.close()
        cluster.wait_for_workers(2)


@pytest.mark.parametrize(("timeout", "expected"), [
    ("2", "E901 无法连接 Dask 调度器 tcp://127.0.0.1:9"),  # nothing listens there
    ("'二十秒'", "E905 GONGKAI_SCHEDULER_TIMEOUT 应是秒数（如 20），现在是 '二十秒'"),
    ("-1", "E905 GONGKAI_SCHEDULER_TIMEOUT 应是大于 0 的秒数"),
])
def test_a_cluster_that_cannot_be_used_stops_the_build_with_a_clear_message(
        tmp_path, capsys, timeout, expected):
    folder = tmp_path / "s"
    folder.mkdir()
    conf = settings_file(folder, "GONGKAI_SCHEDULER = 'tcp://127.0.0.1:9'\n"
                                 f"GONGKAI_SCHEDULER_TIMEOUT = {timeout}\n")
    code, out = build(tmp_path, "nowhere", settings=conf)
    said = capsys.readouterr().err
    assert code == 2
    assert expected in said
    assert "Traceback" not in said
    assert not out.exists()  # nothing built on this machine instead


def test_workers_running_another_gongkai_are_refused(tmp_path, cluster, capsys):
    """A worker whose gongkai differs (here: its version changed in the worker process)
    would make other bytes: the build stops before anything runs, naming the workers."""
    import generator

    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    real = generator.__version__

    def set_version(value: str) -> None:
        import generator

        generator.__version__ = value

    try:
        client.run(set_version, "0.0.0-other")
        code, out = build(tmp_path, "mismatch", "--scheduler", cluster.scheduler_address)
    finally:
        client.run(set_version, real)
        client.close()
    said = capsys.readouterr().err
    assert code == 2
    assert "E904 工作进程" in said and "运行的 gongkai 版本与本机" in said
    assert all(w in said for w in cluster.scheduler_info["workers"])
    assert "Traceback" not in said and not out.exists()


def pelican_content(settings: Path, out: Path, *extra: str):
    """``pelican content`` with these settings, run as a user runs it (its own process)."""
    import subprocess
    import sys

    return subprocess.run([sys.executable, "-m", "pelican", "content", "-s", str(settings),
                           "-o", str(out), *extra], cwd=ROOT, capture_output=True, text=True,
                          timeout=600)


def test_pelican_content_runs_on_the_cluster_of_its_settings(tmp_path, cluster):
    """GONGKAI_SCHEDULER in the settings sends ``pelican content``'s partitions to the
    cluster as ``gongkai build --scheduler`` does, with the same site."""
    from generator.build import inputs

    code, local = build(tmp_path, "local")
    assert code == 0
    folder = tmp_path / "direct"
    folder.mkdir()
    conf = settings_file(folder, f"GONGKAI_SCHEDULER = {cluster.scheduler_address!r}\n")
    noted = tmp_path / "tasks.txt"
    client = distributed.Client(cluster.scheduler_address, set_as_default=False)
    try:
        client.register_plugin(NoteTasks(str(noted)), name="note-tasks")
        done = pelican_content(conf, folder / "output")
    finally:
        client.unregister_worker_plugin("note-tasks")
        client.close()
    assert done.returncode == 0, done.stderr[-2000:]
    assert f"Dask 集群：调度器 {cluster.scheduler_address}" in done.stderr
    assert "render_partition" in noted.read_text().split()
    mine = {k: v for k, v in files(local).items() if k != inputs.STATE}
    assert files(folder / "output") == mine


def test_pelican_content_with_an_unreachable_scheduler_stops_with_a_message(tmp_path):
    folder = tmp_path / "s"
    folder.mkdir()
    conf = settings_file(folder, "GONGKAI_SCHEDULER = 'tcp://127.0.0.1:9'\n"
                                 "GONGKAI_SCHEDULER_TIMEOUT = 2\n")
    done = pelican_content(conf, folder / "output")
    assert done.returncode == 2
    assert "E901 无法连接 Dask 调度器 tcp://127.0.0.1:9" in done.stderr
    assert "Traceback" not in done.stderr
    assert not (folder / "output").exists()  # nothing built on this machine instead

