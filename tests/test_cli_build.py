"""`gongkai build` publishes only validated data."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from helpers import DataFolder

ROOT = Path(__file__).resolve().parents[1]


def build(data: Path, out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--data", str(data),
                           "--output", str(out)], cwd=ROOT, capture_output=True, text=True,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def test_build_refuses_data_with_errors(tmp_path):
    folder = DataFolder(tmp_path / "src")
    folder.edit("tasks", 0, end="2020-01-01")  # ends before it starts
    out = tmp_path / "out"
    done = build(folder.write(), out)
    assert done.returncode == 1
    assert "E305" in done.stderr and "未发布" in done.stderr
    assert "Traceback" not in done.stderr
    assert not out.exists()


def test_build_publishes_valid_data_and_reports_pages(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    done = build(folder.write(), out)
    assert done.returncode == 0, done.stderr
    assert (out / "index.html").is_file()
    assert "数据页面：写入" in done.stderr
    # each part of the open data says when it ends and how long it took, in build order
    parts = [line.split("：")[0] for line in done.stderr.splitlines() if line.startswith("开放数据·")]
    assert parts == ["开放数据·数据集", "开放数据·Excel 工作簿", "开放数据·订阅源和页面",
                     "开放数据·数据接口", "开放数据·企业订阅源"]


def test_build_with_missing_data_folder_is_a_usage_error(tmp_path):
    done = build(tmp_path / "nowhere", tmp_path / "out")
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_missing_implementation_plan_page_is_a_warning(tmp_path):
    folder = DataFolder(tmp_path / "src")
    folder.edit("tasks", 0, plan_document="no-such-page")
    done = build(folder.write(), tmp_path / "out")
    assert done.returncode == 0, done.stderr
    assert "W304" in done.stderr and "no-such-page" in done.stderr


def test_a_changed_file_is_validated_again(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    assert build(folder.write(), out).returncode == 0
    assert build(folder.write(), out).returncode == 0  # unchanged: the last model is reused
    folder.edit("tasks", 0, end="2020-01-01")
    done = build(folder.write(), out)
    assert done.returncode == 1 and "E305" in done.stderr


def test_identical_inputs_publish_nothing_new_and_any_change_rebuilds(tmp_path):
    folder = DataFolder(tmp_path / "src")
    out = tmp_path / "out"
    data = folder.write()
    first = build(data, out)
    assert first.returncode == 0, first.stderr
    before = {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()}

    again = build(data, out)
    assert again.returncode == 0, again.stderr
    assert "无变化" in again.stdout and "数据页面" not in again.stderr
    assert "核对：" in again.stdout  # the last build's reconciliation is repeated
    assert {p: (p.stat().st_ino, p.stat().st_mtime_ns) for p in out.rglob("*") if p.is_file()} == before

    forced = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--data", str(data),
                             "--output", str(out), "--force"], cwd=ROOT, capture_output=True, text=True,
                            env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert forced.returncode == 0 and "数据页面：写入" in forced.stderr

    folder.edit("tasks", 0, name="澄湖镇食品经营者专项抽查")  # one value: a real build again
    changed = build(folder.write(), out)
    assert changed.returncode == 0, changed.stderr
    assert "无变化" not in changed.stdout and "数据页面：写入" in changed.stderr
    assert any("澄湖镇食品经营者专项抽查" in p.read_text(encoding="utf-8")
               for p in (out / "tasks").rglob("*.html"))


def test_without_a_settings_file_the_site_is_gongkais_not_pelicans(tmp_path):
    """Run in a folder with no pelicanconf.py: gongkai's own defaults, said so, and no
    blog indexes; the folders are those of the folder the command runs in."""
    folder = DataFolder(tmp_path / "src").write()
    here = tmp_path / "here"
    here.mkdir()

    def build_here() -> subprocess.CompletedProcess:
        return subprocess.run([sys.executable, "-m", "generator.cli", "build", "--data", str(folder),
                               "--output", "out"], cwd=here, capture_output=True, text=True,
                              env={**os.environ, "PYTHONPATH": str(ROOT)})

    done = build_here()
    assert done.returncode == 0, done.stderr
    assert "使用 gongkai 的默认设置" in done.stderr
    home = (here / "out" / "index.html").read_text(encoding="utf-8")
    assert "<title>双随机、一公开信息公示" in home and "Pelican" not in home
    assert not any((here / "out" / name).exists()
                   for name in ("archives.html", "tags.html", "authors.html", "categories.html"))
    assert (here / "cache").is_dir()  # beside the output, not inside the package
    again = build_here()
    assert again.returncode == 0 and "无变化" in again.stdout


def test_a_plugin_that_cannot_be_imported_stops_the_build_by_name(tmp_path):
    """Pelican would log the failed import and build a site without the plugin."""
    folder = DataFolder(tmp_path / "src").write()
    settings = tmp_path / "conf.py"
    settings.write_text(f"from pelicanconf import *\nPLUGINS = PLUGINS + ['gongkai_missing_plugin']\n"
                        f"import sys; sys.path.insert(0, {str(ROOT)!r})\n", encoding="utf-8")
    done = subprocess.run([sys.executable, "-m", "generator.cli", "build", "--settings", str(settings),
                           "--data", str(folder), "--output", str(tmp_path / "out")], cwd=ROOT,
                          capture_output=True, text=True, env={**os.environ, "PYTHONPATH": str(ROOT)})
    assert done.returncode == 2, done.stderr
    assert "插件 gongkai_missing_plugin 无法加载" in done.stderr and "Traceback" not in done.stderr
    assert not (tmp_path / "out").exists()


def test_a_second_build_on_the_same_output_stops_with_a_message(tmp_path):
    """While one build holds the output, another says so and leaves everything alone;
    the first publishes as usual."""
    import time

    folder = DataFolder(tmp_path / "src").write()
    out = tmp_path / "out"
    args = [sys.executable, "-m", "generator.cli", "build", "--data", str(folder), "--output", str(out)]
    env = {**os.environ, "PYTHONPATH": str(ROOT)}
    first = subprocess.Popen(args, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True)
    lock = tmp_path / ".out.build.lock"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not (lock.is_file() and lock.read_text().strip()):
        time.sleep(0.05)
    second = subprocess.run(args, cwd=ROOT, env=env, capture_output=True, text=True)
    _, first_err = first.communicate(timeout=300)
    assert first.returncode == 0, first_err
    assert second.returncode == 2, second.stderr
    assert "另一次生成正在输出到" in second.stderr and f"进程 {first.pid}" in second.stderr
    assert "Traceback" not in second.stderr
    assert (out / "index.html").is_file()
    assert build(folder, out).returncode == 0  # the lock is free again
