"""``gongkai validate`` as agencies and CI run it: a subprocess, its exit code and output."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import CONTRACT, DataFolder
from test_ingest_corpus import CASES

KEYS = {"severity", "code", "file", "row", "column", "value", "message", "original"}


def command(*args: str) -> list[str]:
    return [sys.executable, "-m", "generator.cli", "validate", *args]


def run(*args: str, cwd: Path) -> subprocess.CompletedProcess:
    # cwd is a temporary folder: no pelicanconf.py or data/ of the project is picked up
    return subprocess.run(command(*args), cwd=cwd, capture_output=True, text=True,
                          encoding="utf-8", timeout=60)


def test_good_folder_exits_0(tmp_path: Path) -> None:
    root = DataFolder(tmp_path).write()
    done = run("--data", str(root), cwd=tmp_path)
    assert done.returncode == 0, done.stderr
    assert "合计：0 个错误，0 个警告。校验通过，可以发布。" in done.stdout
    assert done.stderr == ""


def test_default_data_folder_is_data(tmp_path: Path) -> None:
    DataFolder(tmp_path).write()  # writes tmp_path/data
    done = run(cwd=tmp_path)
    assert done.returncode == 0, done.stderr


def test_errors_exit_1(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    folder.edit("tasks", 1, selection="随便")
    done = run("--data", str(folder.write()), cwd=tmp_path)
    assert done.returncode == 1
    assert "[错误 E202] 第 3 行，“抽取方式”列" in done.stdout
    assert "有错误，改正之前不能发布。" in done.stdout
    assert "Traceback" not in done.stderr


def test_warnings_exit_0_unless_strict(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    folder.add_column("calendar", "备用", ["x"])
    root = folder.write()
    relaxed = run("--data", str(root), cwd=tmp_path)
    strict = run("--data", str(root), "--strict", cwd=tmp_path)
    assert relaxed.returncode == 0, relaxed.stdout
    assert "[警告 W101]" in relaxed.stdout
    assert strict.returncode == 1
    assert strict.stdout == relaxed.stdout


def test_strict_on_clean_folder_exits_0(tmp_path: Path) -> None:
    root = DataFolder(tmp_path).write()
    assert run("--data", str(root), "--strict", cwd=tmp_path).returncode == 0


@pytest.mark.parametrize("target", ["missing", "a-file.txt"])
def test_unreadable_folder_exits_2(tmp_path: Path, target: str) -> None:
    (tmp_path / "a-file.txt").write_text("x", encoding="utf-8")
    done = run("--data", str(tmp_path / target), cwd=tmp_path)
    assert done.returncode == 2
    assert done.stderr.startswith("错误：数据目录不存在或不是目录")
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args", [["--bogus"], ["--format", "xml"], ["--data"]])
def test_bad_flag_exits_2(tmp_path: Path, args: list[str]) -> None:
    done = run(*args, cwd=tmp_path)
    assert done.returncode == 2
    assert "用法：" in done.stderr and "错误：" in done.stderr
    assert "usage" not in done.stderr and "error:" not in done.stderr
    assert "Traceback" not in done.stderr


def test_missing_settings_file_exits_2(tmp_path: Path) -> None:
    root = DataFolder(tmp_path).write()
    done = run("--data", str(root), "--settings", str(tmp_path / "nope.py"), cwd=tmp_path)
    assert done.returncode == 2
    assert "Traceback" not in done.stderr


def test_json_output_shape(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    folder.edit("tasks", 1, selection="随便")
    folder.add_column("calendar", "备用", ["x"])
    (tmp_path / "data" / "foo.csv").parent.mkdir(parents=True, exist_ok=True)
    root = folder.write()
    (root / "foo.csv").write_text("a\n1\n", encoding="utf-8")
    done = run("--data", str(root), "--format", "json", cwd=tmp_path)
    assert done.returncode == 1
    report = json.loads(done.stdout)
    assert set(report) == {"problems", "summary"}
    assert set(report["summary"]) == {"tables"}
    assert set(report["summary"]["tables"]) == set(CONTRACT.tables)
    for name, counts in report["summary"]["tables"].items():
        assert set(counts) == {"rows_read", "rows_valid", "rows_rejected"}, name
        assert counts["rows_read"] == counts["rows_valid"] + counts["rows_rejected"], name
    assert report["summary"]["tables"]["tasks"] == {"rows_read": 2, "rows_valid": 1,
                                                    "rows_rejected": 1}
    found = {(p["code"], p["file"], p["row"], p["column"]) for p in report["problems"]}
    assert found == {("W101", "calendar.csv", 1, "备用"), ("E202", "tasks.csv", 3, "抽取方式"),
                     ("E311", "results/a.csv", 4, "任务编号"), ("W105", "foo.csv", None, None)}
    for p in report["problems"]:
        assert set(p) == KEYS
        assert p["severity"] in {"error", "warning"}
        assert isinstance(p["message"], str) and p["message"]
        assert p["row"] is None or isinstance(p["row"], int)
        assert isinstance(p["value"], str)
        assert p["original"] is None or isinstance(p["original"], str)


def test_json_output_on_good_folder(tmp_path: Path) -> None:
    folder = DataFolder(tmp_path)
    done = run("--data", str(folder.write()), "--format", "json", cwd=tmp_path)
    assert done.returncode == 0
    report = json.loads(done.stdout)
    assert report["problems"] == []
    assert report["summary"]["tables"]["results"] == {"rows_read": 3, "rows_valid": 3,
                                                      "rows_rejected": 0}


# Runs the command's entry point for many folders in one interpreter (a process per
# folder would take most of the test budget): exit code, stdout and stderr of each run,
# with anything that escapes main() printed as the traceback the real command would show.
DRIVER = """
import contextlib, io, json, sys, traceback
from generator.cli import main
runs = {}
for key, argv in json.loads(sys.stdin.read()):
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        try:
            code = main(["validate", *argv])
        except SystemExit as exc:
            code = exc.code
        except BaseException:
            traceback.print_exc()
            code = None
    runs[key] = [code, out.getvalue(), err.getvalue()]
print(json.dumps(runs))
"""


def test_no_traceback_for_any_corpus_folder(tmp_path: Path) -> None:
    """Every corpus case, in text and JSON: exit 0 or 1, never a traceback."""
    jobs = []
    for name in sorted(CASES):
        root = CASES[name](DataFolder(tmp_path / name))
        for fmt in ("text", "json"):
            jobs.append((f"{name}/{fmt}", ["--data", str(root), "--format", fmt]))
    # two interpreters, half the runs each
    procs = [subprocess.Popen([sys.executable, "-c", DRIVER], cwd=tmp_path, text=True,
                              encoding="utf-8", stdin=subprocess.PIPE, stdout=subprocess.PIPE,
                              stderr=subprocess.PIPE) for _ in range(2)]
    runs = {}
    outputs = [proc.communicate(json.dumps(jobs[i::2]), timeout=300)
               for i, proc in enumerate(procs)]
    for proc, (out, err) in zip(procs, outputs, strict=True):
        assert proc.returncode == 0, err
        assert "Traceback" not in err
        runs.update(json.loads(out))
    assert len(runs) == 2 * len(CASES)
    failures = {key: (code, err[-500:]) for key, (code, _, err) in runs.items()
                if code not in (0, 1) or "Traceback" in err or err}
    assert failures == {}
    for key, (code, out, _) in runs.items():
        if key.endswith("/json"):
            report = json.loads(out)
            assert set(report) == {"problems", "summary"}, key
            has_error = any(p["severity"] == "error" for p in report["problems"])
            assert (code == 1) == has_error, key
        else:
            assert "合计：" in out, key


@pytest.mark.parametrize("name", ["invalid_bytes_gb18030", "xlsx_several_sheets"])
def test_corpus_folder_as_a_real_process(tmp_path: Path, name: str) -> None:
    root = CASES[name](DataFolder(tmp_path))
    done = run("--data", str(root), cwd=tmp_path)
    assert done.returncode == (1 if name.startswith("invalid") else 0)
    assert done.stderr == ""
