"""gongkai diff loading the two versions in two processes reports exactly what one process does."""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest
from helpers import TASK_BM, USCC_A, USCC_B, DataFolder

from generator.agency.diff import DiffError, as_json, as_markdown, as_text
from generator.agency.revisions import diff_revisions
from generator.contract import load_contract
from generator.settings import load_settings

CONTRACT = load_contract()


def reports(old: Path, new: Path, parallel: bool, settings: dict | None = None) -> dict[str, str]:
    diff = diff_revisions(Path("data"), settings or load_settings(), folders=(str(old), str(new)),
                          parallel=parallel)
    return {"text": as_text(diff, CONTRACT), "markdown": as_markdown(diff, CONTRACT),
            "json": as_json(diff)}


def pair(tmp_path: Path) -> tuple[DataFolder, DataFolder]:
    return DataFolder(tmp_path / "old"), DataFolder(tmp_path / "new")


def test_two_processes_report_what_one_process_reports(tmp_path):
    old, new = pair(tmp_path)
    new.rows["results"].reverse()
    new.edit("results", 0, published_on="2026-06-05")  # USCC_C goes public: a status changes
    new.edit("results", 2, entity_name="青禾县汇通小贷有限公司")  # USCC_A corrected
    new.remove("results", 1)  # USCC_B retracted
    new.remove("dispositions", 0)
    new.add("items", like=0, item_id="QH-JR-009", name="典当行检查")
    old.write()
    new.write()
    one, two = reports(old.root, new.root, False), reports(old.root, new.root, True)
    assert one == two
    data = json.loads(two["json"])
    assert {(c["kind"], c["uscc"]) for c in data["published_changes"]} == \
        {("retracted", USCC_B), ("corrected", USCC_A)}
    assert [c["task_id"] for c in data["compliance_changes"]] == [TASK_BM]
    assert [r["item_id"] for r in data["tables"]["items"]["added"]] == ["QH-JR-009"]


def test_problems_on_either_side_are_located_in_both_ways(tmp_path):
    old, new = pair(tmp_path)
    old.edit("results", 0, uscc=USCC_A[:-1] + ("0" if USCC_A[-1] != "0" else "1"))  # E208
    new.rename_header("results", "uscc", "信用代码")  # E105: the whole file refused
    old.write()
    new.write()
    one, two = reports(old.root, new.root, False), reports(old.root, new.root, True)
    assert one == two
    assert "[错误 E105] results/a.csv 第 1 行，“统一社会信用代码”列" in two["text"]
    assert "Traceback" not in two["text"]


def test_unreadable_folder_is_the_same_message_in_both_ways(tmp_path):
    new = DataFolder(tmp_path / "new")
    new.write()
    messages = []
    for parallel in (False, True):
        with pytest.raises(DiffError) as caught:
            reports(tmp_path / "missing", new.root, parallel)
        messages.append(str(caught.value))
    assert messages[0] == messages[1] and "数据目录不存在或不是目录" in messages[0]


def test_settings_a_second_process_cannot_receive_are_kept_here(tmp_path):
    old, new = pair(tmp_path)
    new.edit("results", 1, result="发现问题待后续处理")
    old.write()
    new.write()
    settings = dict(load_settings(), JINJA_FILTERS={"shout": lambda text: text.upper()})
    one = reports(old.root, new.root, False, settings)
    assert reports(old.root, new.root, True, settings) == one
    assert "“发现问题已责令改正” → “发现问题待后续处理”" in one["text"]


def test_the_old_version_is_really_loaded_by_a_second_process(tmp_path):
    from generator.agency.sides import Located, both_versions

    old, new = pair(tmp_path)
    new.edit("results", 0, published_on="2026-06-05")
    old.write()
    new.write()
    settings = load_settings()
    with both_versions(Located(old.root, "old"), Located(new.root, "new"), settings,
                       parallel=True) as (before, after, statuses):
        assert before.process not in (0, os.getpid()) and after.process == os.getpid()
        assert before.text["results"].num_rows == 3 and after.text["results"].num_rows == 3
        found = statuses({TASK_BM})
        assert not isinstance(found, str)
        assert found[0]["task_id"].tolist() == [TASK_BM] == found[1]["task_id"].tolist()
