"""gongkai diff: rows matched on natural keys, published results retracted or corrected,
new publications, plan versions, compliance, git revisions, and bad input without tracebacks."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from helpers import PLAN, TASK_BM, TASK_LH, USCC_A, USCC_B, USCC_C, DataFolder

from generator.agency.diff import compare_models
from generator.contract import load_contract
from generator.validate.report import as_markdown

BIN = Path(sys.executable).parent
CONTRACT = load_contract()


def two(tmp_path: Path) -> tuple[DataFolder, DataFolder]:
    return DataFolder(tmp_path / "old"), DataFolder(tmp_path / "new")


def compare(old: DataFolder, new: DataFolder):
    old.write()
    new.write()
    return compare_models(old.load(), new.load())


def test_identical_data_re_sorted_and_re_written_is_no_change(tmp_path):
    old, new = two(tmp_path)
    new.rows["results"].reverse()
    new.rows["tasks"].reverse()
    new.edit("results", 0, inspected_on="2026/4/20")  # same date, written differently
    new.rename_header("results", "uscc", "uscc")  # the English alias
    diff = compare(old, new)
    assert all(d.empty for d in diff.tables.values())
    assert len(diff.published) == 0 and len(diff.newly_published) == 0
    assert not diff.changed


def test_changed_added_and_removed_rows_per_table(tmp_path):
    old, new = two(tmp_path)
    new.edit("items", 1, name="企业年报公示信息检查")
    new.edit("results", 1, result="发现问题待后续处理")
    new.remove("strata", 0)
    new.add("items", like=0, item_id="QH-JR-009", name="典当行检查")
    diff = compare(old, new)
    items = diff.tables["items"]
    assert items.added["item_id"].tolist() == ["QH-JR-009"]
    change = items.changed.iloc[0]
    assert (change["item_id"], change["field"], change["old"], change["new"]) == \
        ("QH-SJ-001", "name", "企业公示信息检查", "企业年报公示信息检查")
    assert diff.tables["strata"].removed[["task_id", "risk_tier"]].values.tolist() == \
        [[TASK_LH, "A"]]
    result = diff.tables["results"].changed.iloc[0]
    assert (result["uscc"], result["field"], result["old"], result["new"]) == \
        (USCC_B, "result", "发现问题已责令改正", "发现问题待后续处理")
    assert (result["_file"], int(result["_row"])) == ("results/a.csv", 3)


def test_published_result_removed_or_changed_is_a_retraction_or_correction(tmp_path):
    old, new = two(tmp_path)
    new.remove("dispositions", 0)
    new.remove("results", 1)  # USCC_B, public since 2026-06-01
    new.edit("results", 0, entity_name="青禾县汇通小贷有限公司")  # USCC_A, public
    new.edit("results", 1, result="发现问题已责令改正")  # USCC_C (now row 1), never public
    diff = compare(old, new)
    published = diff.published.set_index("uscc")
    assert set(published.index) == {USCC_A, USCC_B}
    assert published.loc[USCC_B, "kind"] == "retracted"
    assert published.loc[USCC_B, "old"] == "发现问题已责令改正"
    assert published.loc[USCC_B, "old_published_on"] == "2026-06-01"
    assert (published.loc[USCC_B, "_file"], int(published.loc[USCC_B, "_row"])) == \
        ("results/a.csv", 3)
    assert published.loc[USCC_A, "kind"] == "corrected"
    assert (published.loc[USCC_A, "old"], published.loc[USCC_A, "new"]) == \
        ("青禾县汇通小额贷款有限公司", "青禾县汇通小贷有限公司")


def test_newly_published_results_and_plan_versions(tmp_path):
    old, new = two(tmp_path)
    new.edit("results", 2, published_on="2026-06-05")  # USCC_C goes public
    new.add("plans", like=2, version="3", published_on="2026-09-01",
            adjustment_note="按市级部署调整抽查比例")
    new.add("plans", like=1, version="3", published_on="2026-09-01",
            adjustment_note="按市级部署调整抽查比例")
    diff = compare(old, new)
    assert diff.newly_published[["task_id", "uscc", "published_on"]].values.tolist() == \
        [[TASK_BM, USCC_C, "2026-06-05"]]
    versions = diff.plan_versions
    assert versions[["plan_id", "version"]].values.tolist() == [[PLAN, 3]]
    assert versions.iloc[0]["adjustment_note"] == "按市级部署调整抽查比例"


def test_tasks_whose_publication_status_changes(tmp_path):
    old, new = two(tmp_path)
    new.edit("results", 2, published_on="2026-06-05")
    diff = compare(old, new)
    from generator.rules import figures

    before = figures(old.load()).tasks.set_index("task_id")["status"]
    after = figures(new.load()).tasks.set_index("task_id")["status"]
    expected = sorted(t for t in after.index if before.get(t) != after[t])
    assert expected, "the edit must change a status for this test to mean anything"
    assert diff.compliance is not None
    assert sorted(diff.compliance["task_id"]) == expected
    row = diff.compliance.set_index("task_id").loc[TASK_BM]
    assert (row["old"], row["new"]) == (before[TASK_BM], after[TASK_BM])


def test_text_markdown_and_json_reports(tmp_path):
    from generator.agency.diff import as_json, as_markdown, as_text

    old, new = two(tmp_path)
    new.remove("dispositions", 0)
    new.remove("results", 1)
    diff = compare(old, new)
    text = as_text(diff, CONTRACT)
    assert "抽查结果（results）：新增 0 行，修改 0 行，删除 1 行" in text
    assert f"撤回：任务 {TASK_LH}，青禾县兴业典当有限公司（{USCC_B}）" in text
    markdown = as_markdown(diff, CONTRACT)
    assert "| 抽查结果（results） | 0 | 0 | 1 |" in markdown
    data = json.loads(as_json(diff))
    assert data["published_changes"][0]["uscc"] == USCC_B
    assert data["tables"]["results"]["removed"][0]["_row"] == 3


# --- git revisions and the command --------------------------------------------------------


def git_env(tmp_path: Path) -> dict[str, str]:
    env = dict(os.environ)
    env.update({"GIT_AUTHOR_NAME": "t", "GIT_AUTHOR_EMAIL": "t@example.gov.cn",
                "GIT_COMMITTER_NAME": "t", "GIT_COMMITTER_EMAIL": "t@example.gov.cn",
                "GIT_AUTHOR_DATE": "2026-11-01T10:00:00+08:00",
                "GIT_COMMITTER_DATE": "2026-11-01T10:00:00+08:00",
                "GIT_CONFIG_NOSYSTEM": "1", "GIT_CONFIG_GLOBAL": str(tmp_path / "gitconfig")})
    return env


def gongkai(args: list[str], cwd: Path, env: dict[str, str]) -> subprocess.CompletedProcess:
    return subprocess.run([str(BIN / "gongkai"), *args], cwd=cwd, env=env, capture_output=True,
                          text=True)


@pytest.fixture
def repo(tmp_path) -> tuple[Path, DataFolder, dict[str, str]]:
    env = git_env(tmp_path)
    folder = DataFolder(tmp_path / "repo")
    folder.write()
    root = tmp_path / "repo"
    for args in (["init", "-q", "-b", "main"], ["add", "-A"], ["commit", "-qm", "v1"]):
        subprocess.run(["git", *args], cwd=root, env=env, check=True)
    return root, folder, env


def test_revisions_default_to_last_commit_against_working_tree(repo):
    root, folder, env = repo
    folder.edit("results", 0, result="发现问题已责令改正").write()
    done = gongkai(["diff", "--format", "json"], root, env)
    assert done.returncode == 0, done.stderr
    data = json.loads(done.stdout)
    assert data["from"].startswith("HEAD") and "工作区" in data["to"]
    assert [(c["uscc"], c["field"]) for c in data["published_changes"]] == [(USCC_A, "result")]
    subprocess.run(["git", "commit", "-qam", "v2"], cwd=root, env=env, check=True)
    done = gongkai(["diff", "--from", "HEAD~1", "--to", "HEAD", "--format", "markdown"], root, env)
    assert done.returncode == 0, done.stderr
    assert "### 已公示结果的撤回和更正：1 条" in done.stdout
    same = gongkai(["diff", "--format", "json"], root, env)  # HEAD against a clean tree
    assert json.loads(same.stdout)["published_changes"] == []


@pytest.mark.parametrize("args, message", [
    (["diff", "--from", "no-such-rev"], "版本“no-such-rev”不存在"),
    (["diff", "--from", "HEAD", "--to", "HEAD~5"], "版本“HEAD~5”不存在"),
])
def test_bad_revisions_exit_2_with_a_message(repo, args, message):
    root, _, env = repo
    done = gongkai(args, root, env)
    assert done.returncode == 2 and message in done.stderr
    assert "Traceback" not in done.stderr


def test_outside_a_repository_revisions_are_refused_but_folders_compare(tmp_path):
    env = git_env(tmp_path)
    env["GIT_CEILING_DIRECTORIES"] = str(tmp_path)
    old, new = two(tmp_path)
    old.write()
    new.remove("results", 0).write()
    done = gongkai(["diff", "--data", str(new.root)], tmp_path, env)
    assert done.returncode == 2 and "不在 git 仓库中" in done.stderr
    done = gongkai(["diff", str(old.root), str(new.root)], tmp_path, env)
    assert done.returncode == 0 and "删除 1 行" in done.stdout


# --- bad input reaches diff as located messages ----------------------------------------


def test_renamed_header_in_the_new_data_is_reported_by_diff(tmp_path):
    old, new = two(tmp_path)
    old.write()
    new.rename_header("results", "uscc", "信用代码").write()
    done = gongkai(["diff", str(old.root), str(new.root)], tmp_path, git_env(tmp_path))
    assert done.returncode == 0, done.stderr
    assert "[错误 E105] results/a.csv 第 1 行，“统一社会信用代码”列" in done.stdout
    assert "撤回：" in done.stdout  # the rows that are no longer readable were public
    assert "Traceback" not in done.stdout + done.stderr


def test_deleted_file_is_named(tmp_path):
    old, new = two(tmp_path)
    old.write()
    new.write()
    (new.root / "results/a.csv").unlink()
    done = gongkai(["diff", "--format", "markdown", str(old.root), str(new.root)], tmp_path,
                   git_env(tmp_path))
    assert "文件被删除：results/a.csv（上一版本中有 3 行有效数据）" in done.stdout
    assert "E109" in done.stdout  # and the table is now missing


def test_validate_markdown_report(tmp_path):
    folder = DataFolder(tmp_path)
    folder.edit("results", 0, result="正常经营吧")
    model = folder.load()
    text = as_markdown(model)
    assert "❌ 有错误" in text
    assert "| 错误 | E209 | results/a.csv | 第 2 行，“检查结果”列 |" in text
    done = gongkai(["validate", "--data", str(folder.root), "--format", "markdown"], tmp_path,
                   git_env(tmp_path))
    assert done.returncode == 1 and done.stdout.strip() == text.strip()


def _items_text(rows: list[tuple[str, str]]):
    import pyarrow as pa

    columns = {f.name: [""] * len(rows) for f in CONTRACT["items"].fields}
    columns["item_id"] = [r[0] for r in rows]
    columns["name"] = [r[1] for r in rows]
    columns["_file"] = ["items.csv"] * len(rows)
    columns["_row"] = list(range(2, len(rows) + 2))
    return pa.table(columns)


def test_rows_sharing_a_key_pair_up_in_order_and_unique_keys_match_directly():
    from generator.agency.diff import compare_text

    table = CONTRACT["items"]
    # a key written twice (an invalid state kept out of models, but text tables allow it)
    d = compare_text(table, _items_text([("A", "x"), ("A", "y"), ("B", "z")]),
                     _items_text([("B", "z"), ("A", "x"), ("A", "w"), ("A", "v"), ("C", "c")]))
    assert d.changed[["item_id", "field", "old", "new"]].values.tolist() == [["A", "name", "y", "w"]]
    assert d.added[["item_id", "name"]].values.tolist() == [["A", "v"], ["C", "c"]]
    assert d.removed.empty and d.changed_rows == 1
    # every key once: re-sorted rows are no change, and removed rows are found
    d = compare_text(table, _items_text([("A", "x"), ("B", "y"), ("C", "z")]),
                     _items_text([("C", "z"), ("A", "x2")]))
    assert d.removed["item_id"].tolist() == ["B"] and d.added.empty
    assert d.changed[["item_id", "old", "new"]].values.tolist() == [["A", "x", "x2"]]
    assert (d.changed["_file"].iloc[0], int(d.changed["_row"].iloc[0])) == ("items.csv", 3)


def test_a_committed_state_is_validated_once_and_read_back_by_its_tree(tmp_path):
    from generator.model.cache import KEPT_REVISIONS, load_model_at_tree
    from generator.settings import load_settings

    folder = DataFolder(tmp_path / "v1")
    folder.write()
    settings = load_settings()
    cache = tmp_path / "cache"
    first = load_model_at_tree(folder.root, "tree-1", settings, cache)
    assert len(first["results"]) == 3 and first.settings is settings
    # the same tree id again: read back, not validated (this folder is empty)
    empty = tmp_path / "empty"
    empty.mkdir()
    again = load_model_at_tree(empty, "tree-1", settings, cache)
    assert again["results"].equals(first["results"]) and again.data_dir == empty
    assert again.settings is settings
    # other settings are another state; and only the newest few states are kept
    changed = dict(settings, GONGKAI_PII="mask")
    assert len(load_model_at_tree(empty, "tree-1", changed, cache)["results"]) == 0
    for n in range(2, KEPT_REVISIONS + 3):
        load_model_at_tree(empty, f"tree-{n}", settings, cache)
    assert len(list((cache / "revisions").glob("*.pickle"))) == KEPT_REVISIONS


def test_diff_of_revisions_is_the_same_when_read_back_from_the_cache(repo):
    root, folder, env = repo
    folder.edit("results", 0, result="发现问题已责令改正").write()
    first = gongkai(["diff", "--format", "json"], root, env)
    assert first.returncode == 0, first.stderr
    assert len(list((root / "cache" / "revisions").glob("*.pickle"))) == 1
    second = gongkai(["diff", "--format", "json"], root, env)
    assert second.stdout == first.stdout
    assert [(c["uscc"], c["field"]) for c in json.loads(second.stdout)["published_changes"]] == \
        [(USCC_A, "result")]
