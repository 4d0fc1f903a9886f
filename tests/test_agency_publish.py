"""Publishing by commit, end to end, with the real tools: gongkai init → fill a template with
openpyxl → git commit through the real pre-commit hook (refused, then accepted) → the CI
workflow's own steps run locally → a second commit retracting a published result shows in
gongkai diff, in the build's warning and on the 更新记录 page. The written CI files pass
actionlint and check-jsonschema's bundled GitLab CI schema."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import openpyxl
import pytest
import yaml
from bs4 import BeautifulSoup
from helpers import CONTRACT, USCC_A, USCC_B, base_rows

BIN = Path(sys.executable).parent


def env(tmp: Path) -> dict[str, str]:
    e = dict(os.environ)
    e.update({
        "PATH": f"{BIN}{os.pathsep}{e.get('PATH', '')}",
        "GIT_AUTHOR_NAME": "青禾县市场监督管理局", "GIT_AUTHOR_EMAIL": "data@example.gov.cn",
        "GIT_COMMITTER_NAME": "青禾县市场监督管理局", "GIT_COMMITTER_EMAIL": "data@example.gov.cn",
        "GIT_AUTHOR_DATE": "2026-11-02T10:00:00+08:00",
        "GIT_COMMITTER_DATE": "2026-11-02T10:00:00+08:00",
        "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp / "gitconfig"),
        "PRE_COMMIT_HOME": str(tmp / "pre-commit-home"),
        "GITHUB_STEP_SUMMARY": str(tmp / "summary.md"),
    })
    return e


def run(args: list[str], cwd: Path, environ: dict[str, str], check: bool = True
        ) -> subprocess.CompletedProcess:
    done = subprocess.run(args, cwd=cwd, env=environ, capture_output=True, text=True)
    if check and done.returncode != 0:
        raise AssertionError(f"{args} → {done.returncode}\n{done.stdout}\n{done.stderr}")
    return done


def fill(path: Path, table: str, rows: list[dict[str, str]]) -> None:
    """Type rows into a template's first sheet the way staff would (text cells)."""
    book = openpyxl.load_workbook(path)
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    titles = {f.title: f.name for f in CONTRACT[table].fields}
    for r, row in enumerate(rows, start=2):
        for c, header in enumerate(headers, start=1):
            value = row.get(titles[header], "")
            if value != "":
                sheet.cell(row=r, column=c, value=value)
    book.save(path)


@pytest.fixture(scope="module")
def agency(tmp_path_factory) -> tuple[Path, dict[str, str]]:
    tmp = tmp_path_factory.mktemp("agency")
    environ = env(tmp)
    repo = tmp / "qinghe"
    run([str(BIN / "gongkai"), "init", str(repo), "--region", "青禾县",
         "--department", "青禾县人民政府办公室", "--department", "青禾县市场监督管理局",
         "--site-url", "https://www.example.gov.cn", "--base-path", "/sjsgk"], tmp, environ)
    return repo, environ


def test_init_writes_a_complete_repository(agency):
    repo, _ = agency
    for name in ("pelicanconf.py", "publishconf.py", "Makefile", ".gitignore", "README.md",
                 ".pre-commit-config.yaml", ".gitlab-ci.yml", ".github/workflows/gongkai.yml",
                 "content/pages/about.md", "requirements.txt"):
        assert (repo / name).is_file(), name
    for table in CONTRACT:
        name = f"{table.source}/{table.source}.xlsx" if table.multi_file else f"{table.source}.xlsx"
        assert (repo / "data" / name).is_file(), name
    conf = (repo / "pelicanconf.py").read_text(encoding="utf-8")
    assert 'GONGKAI_REGION = "青禾县"' in conf
    assert '"https://www.example.gov.cn/sjsgk"' in (repo / "publishconf.py").read_text("utf-8")
    readme = (repo / "README.md").read_text(encoding="utf-8")
    assert "青禾县人民政府办公室、青禾县市场监督管理局" in readme and "pre-commit install" in readme


def test_init_refuses_a_non_empty_folder_without_a_traceback(agency, tmp_path):
    repo, environ = agency
    done = run([str(BIN / "gongkai"), "init", str(repo), "--region", "x", "--department", "y"],
               tmp_path, environ, check=False)
    assert done.returncode == 2
    assert "不是空的" in done.stderr and "Traceback" not in done.stderr


def test_written_ci_files_pass_actionlint_and_the_gitlab_schema(agency):
    repo, environ = agency
    done = run([str(BIN / "actionlint"), ".github/workflows/gongkai.yml"], repo, environ,
               check=False)
    assert done.returncode == 0, done.stdout + done.stderr
    for schema, path in (("vendor.gitlab-ci", ".gitlab-ci.yml"),
                         ("vendor.github-workflows", ".github/workflows/gongkai.yml")):
        done = run([str(BIN / "check-jsonschema"), "--builtin-schema", schema, path], repo,
                   environ, check=False)
        assert done.returncode == 0, done.stdout + done.stderr


def test_actionlint_does_fail_on_a_broken_workflow(agency, tmp_path):
    """The check above can fail: an unknown job key is reported."""
    repo, environ = agency
    broken = tmp_path / ".github" / "workflows" / "x.yml"
    broken.parent.mkdir(parents=True)
    text = (repo / ".github/workflows/gongkai.yml").read_text(encoding="utf-8")
    broken.write_text(text.replace("runs-on: ubuntu-latest", "runs-onn: ubuntu-latest", 1),
                      encoding="utf-8")
    assert run([str(BIN / "actionlint"), str(broken)], tmp_path, environ, check=False).returncode


def ci_steps(repo: Path) -> list[str]:
    """The shell steps of the GitHub workflow's build job, minus installing gongkai."""
    workflow = yaml.safe_load((repo / ".github/workflows/gongkai.yml").read_text("utf-8"))
    steps = workflow["jobs"]["build"]["steps"]
    return [s["run"] for s in steps if "run" in s and s.get("id") != "install"]


def test_commit_hook_ci_steps_and_a_retraction(agency):
    repo, environ = agency
    gongkai = str(BIN / "gongkai")
    run(["git", "init", "-q", "-b", "main"], repo, environ)
    run([str(BIN / "pre-commit"), "install"], repo, environ)

    rows = base_rows()
    for table in CONTRACT:
        name = f"{table.source}/{table.source}.xlsx" if table.multi_file else f"{table.source}.xlsx"
        filled = [dict(r) for r in rows[table.name]]
        if table.name == "results":
            filled[1]["result"] = "发现问题经责令改正了"  # a hand-typed variant: not a word
        fill(repo / "data" / name, table.name, filled)
    # the task names a 实施方案 page: give it one
    (repo / "content/pages/qh-2026-lh-10.md").write_text(
        "Title: 实施方案\nSlug: qh-2026-lh-10\n\n正文。\n", encoding="utf-8")

    run(["git", "add", "-A"], repo, environ)
    refused = run(["git", "commit", "-m", "首次发布"], repo, environ, check=False)
    assert refused.returncode != 0
    out = refused.stdout + refused.stderr
    assert "results/results.xlsx" in out and "第 3 行" in out and "E209" in out
    assert "Traceback" not in out
    assert run(["git", "rev-parse", "-q", "--verify", "HEAD"], repo, environ,
               check=False).returncode != 0  # nothing was committed

    fixed = [dict(r) for r in rows["results"]]
    fill(repo / "data/results/results.xlsx", "results", fixed)
    run(["git", "add", "-A"], repo, environ)
    run(["git", "commit", "-m", "首次发布"], repo, environ)

    # the CI workflow's steps, as written, on this checkout
    for step in ci_steps(repo):
        run(["bash", "-e", "-c", step], repo, environ)
    summary = Path(environ["GITHUB_STEP_SUMMARY"]).read_text(encoding="utf-8")
    assert "数据校验报告" in summary and "校验通过" in summary
    assert (repo / "output/index.html").is_file()
    assert (repo / f"output/enterprises/{USCC_A}/index.html").is_file()
    page = BeautifulSoup((repo / "output/changes/index.html").read_text("utf-8"), "html.parser")
    assert "没有被更正或撤回过" in page.get_text()

    # second commit: one published result removed, one corrected
    later = dict(environ, GIT_AUTHOR_DATE="2026-11-20T09:00:00+08:00",
                 GIT_COMMITTER_DATE="2026-11-20T09:00:00+08:00")
    book = openpyxl.load_workbook(repo / "data/results/results.xlsx")
    sheet = book.worksheets[0]
    headers = [c.value for c in sheet[1]]
    result_col = headers.index(CONTRACT["results"].field("result").title) + 1
    sheet.cell(row=3, column=result_col, value="发现问题待后续处理")  # USCC_B: corrected
    sheet.delete_rows(2)  # USCC_A: retracted
    book.save(repo / "data/results/results.xlsx")
    run(["git", "commit", "-qam", "更正"], repo, later)  # the hook warns, but accepts

    diff = run([gongkai, "diff", "--from", "HEAD~1", "--to", "HEAD"], repo, later).stdout
    assert "已公示结果的撤回和更正：2 条" in diff
    assert f"撤回：任务 QH-2026-LH-10，青禾县汇通小额贷款有限公司（{USCC_A}）" in diff
    assert "“检查结果”由“发现问题已责令改正”改为“发现问题待后续处理”" in diff

    build = run([gongkai, "build", "--settings", "publishconf.py"], repo, later)
    assert "本次发布撤回或更正了 2 条已公示的检查结果" in build.stderr
    assert USCC_A in build.stderr

    page = BeautifulSoup((repo / "output/changes/index.html").read_text("utf-8"), "html.parser")
    cells = [[td.get_text(" ", strip=True) for td in tr.find_all(["td", "th"])]
             for tr in page.select("tbody tr")]
    assert len(cells) == 2
    retracted = next(c for c in cells if c[1] == "撤回")
    corrected = next(c for c in cells if c[1] == "更正")
    assert retracted[0] == "2026-11-20" and USCC_A in retracted[3]
    assert retracted[6] == "未发现问题" and retracted[8] == "2026-06-01"
    assert corrected[5] == "检查结果" and corrected[6] == "发现问题已责令改正"
    assert corrected[7] == "发现问题待后续处理" and USCC_B in corrected[3]

    # the all-updates feed carries both, dated by the commit
    import feedparser

    feed = feedparser.parse((repo / "output/feeds/all.atom.xml").read_bytes())
    titles = {e.title: e for e in feed.entries if "已公示的检查结果" in e.title}
    assert sorted(t[:2] for t in titles) == ["撤回", "更正"]
    assert all(e.updated.startswith("2026-11-20") for e in titles.values())

    # and the setting can make it an error: the same build is refused
    conf = repo / "publishconf.py"
    conf.write_text(conf.read_text("utf-8") + '\nGONGKAI_RETRACTIONS = "error"\n', "utf-8")
    refused = run([gongkai, "build", "--settings", "publishconf.py"], repo, later, check=False)
    assert refused.returncode == 1 and "未发布" in refused.stderr
    assert "Traceback" not in refused.stderr

    # builds leave nothing an agency's `git add .` would commit: the site, its staging
    # folders and lock, the cache are all ignored
    assert any(p.name.startswith(".output.") for p in repo.iterdir())
    status = run(["git", "status", "--porcelain", "--untracked-files=all"], repo, later).stdout
    assert [line for line in status.splitlines() if "publishconf.py" not in line] == []


def test_deleted_data_file_is_named_by_the_hook_and_diff(agency, tmp_path):
    repo, environ = agency
    copy = tmp_path / "copy"
    shutil.copytree(repo, copy, ignore=shutil.ignore_patterns("output", "cache"))
    if not (copy / ".git").is_dir():  # run on its own: commit the templates first
        fill(copy / "data/results/results.xlsx", "results", base_rows()["results"])
        for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "v1"]):
            run(["git", *args], copy, dict(environ, PRE_COMMIT_ALLOW_NO_CONFIG="1"))
    (copy / "data/results/results.xlsx").unlink()
    hook = run([str(BIN / "gongkai"), "diff", "--published"], copy, environ)
    assert "文件被删除：results/results.xlsx" in hook.stdout
    diff = run([str(BIN / "gongkai"), "diff", "--format", "markdown"], copy, environ).stdout
    assert "文件被删除：results/results.xlsx" in diff and "Traceback" not in diff


def test_what_init_writes_builds_at_once(tmp_path):
    environ = env(tmp_path)
    environ["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    repo = tmp_path / "fresh"
    run([str(BIN / "gongkai"), "init", str(repo), "--region", "青禾县", "--department",
         "青禾县财政局"], tmp_path, environ)
    run([str(BIN / "gongkai"), "validate"], repo, environ)
    run([str(BIN / "gongkai"), "build", "--settings", "publishconf.py"], repo, environ)
    assert (repo / "output/index.html").is_file()
    page = (repo / "output/changes/index.html").read_text(encoding="utf-8")
    assert "数据目录不在 git 仓库中" in page  # said, not silently empty


def test_pre_commit_files_are_valid(agency, tmp_path):
    repo, environ = agency
    root = Path(__file__).resolve().parents[1]
    run([str(BIN / "pre-commit"), "validate-manifest", str(root / ".pre-commit-hooks.yaml")],
        tmp_path, environ)
    run([str(BIN / "pre-commit"), "validate-config", str(repo / ".pre-commit-config.yaml")],
        tmp_path, environ)
    broken = tmp_path / "hooks.yaml"
    broken.write_text("- id: x\n  name: x\n", encoding="utf-8")  # no entry, no language
    assert run([str(BIN / "pre-commit"), "validate-manifest", str(broken)], tmp_path, environ,
               check=False).returncode != 0
