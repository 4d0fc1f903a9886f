"""What an agency reads on the console is Chinese, and ``gongkai build`` shows every warning.

Real processes, as agencies and CI run them: ``gongkai build`` (what ``make html`` runs)
prints the same grouped warnings as ``gongkai validate``, ``--strict`` refuses them in
both, and no English line of argparse, Pelican or Docutils reaches the screen.
"""

from __future__ import annotations

import json
import os
import re
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import DataFolder

ROOT = Path(__file__).resolve().parents[1]
# an English word of three letters or more (names like gongkai, Excel or file names aside)
ENGLISH = re.compile(r"\b(?!gongkai\b|Excel\b|WPS\b|CSV\b|UTF\b|GB\d|Pelican\b|json\b|text\b|"
                     r"markdown\b|git\b|data\b|content\b|output\b|pelicanconf\b|settings\b|force\b|"
                     r"strict\b|format\b|help\b|version\b|results\b|calendar\b|csv\b|xlsx\b|"
                     r"SITEURL\b|GONGKAI_\w+|DIR\b|DATA\b|SETTINGS\b|CONTENT\b|OUTPUT\b|"
                     r"FORMAT\b|sitemap\b|xml\b|tmp\b|pytest\w*\b|src\b|out\b|work\b|main\b)"
                     r"[A-Za-z]{3,}\b")


def gongkai(*args: str, cwd: Path = ROOT) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "generator.cli", *args], cwd=cwd,
                          capture_output=True, text=True, encoding="utf-8", timeout=300,
                          env={**os.environ, "PYTHONPATH": str(ROOT)})


def english_lines(text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        # paths are the user's own words
        visible = re.sub(r"(/[\w.\-]+)+/?", "", line)
        if ENGLISH.search(visible):
            lines.append(line)
    return lines


def warned_folder(tmp_path: Path) -> Path:
    """Valid data with three kinds of warnings a build used to keep quiet about."""
    folder = DataFolder(tmp_path / "src")
    folder.add_column("results", "法定代表人身份证号", ["x", "y", "z"])  # W101
    folder.edit("results", 1, entity_name="青禾县\u202egnp.exe公司")  # W402
    folder.edit("results", 0, inspected_on="2026-02-20")  # W302: before task LH starts
    folder.edit("tasks", 0, plan_document="no-such-page")  # W304, found while building
    return folder.write()


def test_build_prints_every_warning_grouped_as_validate_does(tmp_path):
    data = warned_folder(tmp_path)
    done = gongkai("build", "--data", str(data), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    err = done.stderr
    assert "警告汇总：共 4 个警告（4 种）：" in err
    for code, where in [("W101", "results/a.csv 第 1 行，“法定代表人身份证号”列"),
                        ("W302", "results/a.csv 第 2 行，“检查日期”列"),
                        ("W304", "tasks.csv 第 2 行，“实施方案”列"),
                        ("W402", "results/a.csv 第 3 行，“市场主体名称”列")]:
        assert f"[警告 {code}] 1 处：" in err, code
        assert where in err, where
    assert f"完整报告：gongkai validate --data {data}" in err
    validated = gongkai("validate", "--data", str(data))
    assert validated.returncode == 0
    assert "[警告 W101] 1 处：" in validated.stdout  # the same grouping in the report


def test_strict_refuses_warnings_in_build_as_in_validate(tmp_path):
    data = warned_folder(tmp_path)
    out = tmp_path / "out"
    assert gongkai("validate", "--data", str(data), "--strict").returncode == 1
    done = gongkai("build", "--data", str(data), "--output", str(out), "--strict")
    assert done.returncode == 1
    assert "--strict" in done.stderr and "未发布" in done.stderr
    assert "[警告 W101]" in done.stderr
    assert not out.exists()


def test_strict_refuses_warnings_found_only_while_building(tmp_path):
    """W304 is known only once the content pages are read: the staged site is dropped."""
    folder = DataFolder(tmp_path / "src")
    folder.edit("tasks", 0, plan_document="no-such-page")
    data = folder.write()
    assert gongkai("validate", "--data", str(data), "--strict").returncode == 0
    out = tmp_path / "out"
    done = gongkai("build", "--data", str(data), "--output", str(out), "--strict")
    assert done.returncode == 1, done.stderr
    assert "[警告 W304] 1 处：" in done.stderr and "未发布" in done.stderr
    assert not (out / "index.html").exists()
    # without --strict it is published, and an unchanged rebuild still shows the warning
    assert gongkai("build", "--data", str(data), "--output", str(out)).returncode == 0
    again = gongkai("build", "--data", str(data), "--output", str(out))
    assert "无变化" in again.stdout and "[警告 W304] 1 处：" in again.stderr
    assert gongkai("build", "--data", str(data), "--output", str(out), "--strict"
                   ).returncode == 1


def test_a_build_prints_no_english_line(tmp_path):
    data = DataFolder(tmp_path / "src").write()
    done = gongkai("build", "--data", str(data), "--output", str(tmp_path / "out"))
    assert done.returncode == 0, done.stderr
    output = done.stdout + done.stderr
    assert "Docutils" not in output and "Done: Processed" not in output
    assert english_lines(output) == []


@pytest.mark.parametrize("args", [["--help"], ["validate", "--help"], ["build", "--help"],
                                  ["sample-data", "--help"]])
def test_help_is_chinese(args):
    done = gongkai(*args)
    assert done.returncode == 0
    assert done.stdout.startswith("用法：")
    assert "选项" in done.stdout
    for heading in ("usage:", "options:", "positional arguments", "show this help"):
        assert heading not in done.stdout


@pytest.mark.parametrize(("args", "said"), [
    (["bogus"], "无效的选项 'bogus'"),
    ([], "缺少必需的参数：命令"),
    (["validate", "--format", "xml"], "参数 --format：无效的选项 'xml'"),
    (["validate", "--nope"], "无法识别的参数：--nope"),
    (["validate", "--data"], "参数 --data：后面需要一个值"),
    (["sample-data", "--out", "x", "--results", "many"], "'many' 不是有效的整数"),
])
def test_usage_errors_are_chinese(args, said):
    done = gongkai(*args)
    assert done.returncode == 2
    assert said in done.stderr, done.stderr
    assert "error:" not in done.stderr and "usage:" not in done.stderr


def test_library_error_text_is_only_in_the_json_report(tmp_path):
    folder = DataFolder(tmp_path)
    root = folder.without("calendar").write()
    (root / "calendar.xlsx").write_bytes(b"PK\x03\x04 this is not really a zip archive")
    text = gongkai("validate", "--data", str(root), cwd=tmp_path)
    assert text.returncode == 1
    assert "不是有效的 Excel 工作簿" in text.stdout
    assert "EOCD" not in text.stdout and "Zip" not in text.stdout
    report = json.loads(gongkai("validate", "--data", str(root), "--format", "json",
                                cwd=tmp_path).stdout)
    broken = [p for p in report["problems"] if p["code"] == "E101"]
    assert len(broken) == 1 and "zip" in broken[0]["original"].lower()
