"""Personal data in published columns stops the build, or is masked when the setting says so."""

from __future__ import annotations

import pytest
from helpers import TASK_LH, problems
from hypothesis import given, settings
from hypothesis import strategies as st
from stdnum.cn import ric

from generator.settings import load_settings
from generator.trust.pii import find

ID = "11010519491231002X"  # a valid GB 11643 number (check digit X)
assert ric.is_valid(ID)


@pytest.mark.parametrize(("text", "masked", "kinds"), [
    (f"负责人身份证{ID}", "负责人身份证1101**********002X", ["resident_id"]),
    ("联系电话13812345678", "联系电话138****5678", ["mobile"]),
    ("电话 138-1234-5678。", "电话 138****5678。", ["mobile"]),
    ("电话＋86 １３９１２３４５６７８", "电话+86 139****5678", ["mobile"]),
    ("邮箱 zhang.san@example.com", "邮箱 z***@example.com", ["email"]),
    (f"{ID}，13812345678", "1101**********002X，138****5678", ["resident_id", "mobile"]),
])
def test_personal_data_is_found_and_masked(text, masked, kinds):
    assert find(text) == (masked, kinds)


@pytest.mark.parametrize("text", [
    "110105194912310021",  # wrong check digit: not an ID number
    "91130100MA07L8QX3X",  # a business credit code
    "抽查比例不低于3%，共 138123456789 元",  # twelve digits: not a mobile number
    "2026年第十次跨部门联合抽查",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert find(text) == (text, [])


def test_personal_data_is_an_error_naming_file_row_and_column(folder):
    folder.edit("results", 2, note=f"法定代表人身份证号 {ID}，电话13812345678")
    folder.edit("tasks", 1, scope="联系人邮箱 li@example.cn")
    model = folder.load()
    found = problems(model)
    found = found[found["code"] == "E401"].sort_values("file")
    assert list(zip(found["file"], found["row"], found["column"], strict=True)) == [
        ("results/a.csv", 4, "备注"), ("tasks.csv", 3, "抽查对象范围")]
    assert not model.ok
    # the report itself never repeats the personal data
    assert all(ID not in m and "13812345678" not in m for m in found["message"])
    assert "1101**********002X" in found["message"].iloc[0]


def test_mask_setting_publishes_masked_values_with_a_warning(folder):
    folder.edit("results", 2, note=f"法定代表人身份证号 {ID}，电话13812345678")
    folder.edit("tasks", 0, joint_departments="青禾县市场监督管理局；联系人13912345678")
    model = folder.load(load_settings(None, GONGKAI_PII="mask"))
    assert model.ok
    found = problems(model)
    assert set(found.loc[found["code"] == "W401", "row"]) == {4, 2}
    notes = model["results"]["note"].dropna().tolist()
    assert "法定代表人身份证号 1101**********002X，电话138****5678" in notes
    assert not any(ID in str(n) for n in notes)
    joint = model["tasks"].set_index("task_id").loc[TASK_LH, "joint_departments"]
    assert list(joint) == ["青禾县市场监督管理局", "联系人139****5678"]


def test_an_unknown_mode_is_refused():
    with pytest.raises(ValueError, match="GONGKAI_PII"):
        load_settings(None, GONGKAI_PII="ignore")



def test_columns_outside_the_contract_are_never_published(folder):
    folder.add_column("results", "法定代表人身份证号", [ID, ID, ID])
    model = folder.load()
    found = problems(model)
    assert "W101" in set(found["code"]) and "E401" not in set(found["code"])
    assert model.ok
    for frame in model.tables.values():
        text = frame.astype(str).to_string()
        assert ID not in text


def test_masked_values_are_all_any_output_carries(folder, tmp_path):
    """Pages, feeds, datasets (CSV, JSON, Parquet) and search files: only the masked form."""
    import os
    from pathlib import Path

    import pyarrow.parquet as pq

    from generator.cli import main

    root = Path(__file__).resolve().parents[1]
    folder.edit("results", 0, note=f"身份证号 {ID}，电话13812345678")
    folder.edit("results", 1, entity_name="个体户张三（13912345678）")
    conf = tmp_path / "conf.py"
    conf.write_text(f"import sys\nsys.path.insert(0, {str(root)!r})\nfrom pelicanconf import *\n"
                    f"PATH = {str(root / 'content')!r}\nTHEME = {str(root / 'themes/gongkai')!r}\n"
                    f"CACHE_PATH = {str(tmp_path / 'cache')!r}\nGONGKAI_PII = 'mask'\n")
    out = tmp_path / "output"
    cwd = os.getcwd()
    os.chdir(tmp_path)
    try:
        assert main(["build", "--settings", str(conf), "--data", str(folder.write()),
                     "--output", str(out)]) == 0
    finally:
        os.chdir(cwd)
    raw = (ID, "13812345678", "13912345678")
    masked_seen = 0
    for path in out.rglob("*"):
        if not path.is_file():
            continue
        if path.suffix == ".parquet":
            text = pq.read_table(path).to_pandas().astype(str).to_string()
        else:
            text = path.read_bytes().decode("utf-8", errors="replace")
        assert not any(r in text for r in raw), path
        masked_seen += "139****5678" in text
    assert masked_seen >= 2  # the masked name is published (at least its page and a dataset)


_PIECES = st.sampled_from(["1", "3", "8", "0", "５", "１", "٣", "@", "＠", "-", " ", "－", "　", "x",
                           "青", "禾", "公司", ".cn", "86", "+"])


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(_PIECES, max_size=30).map("".join), min_size=1, max_size=20))
def test_column_prefilter_never_skips_a_cell_the_scan_would_flag(texts):
    """The whole-column pre-filter may pass too much, never too little."""
    import numpy as np

    from generator.ingest.normalize import fold_width
    from generator.trust.pii import _QUICK, candidates, find

    kept = set(candidates(np.array(texts, dtype=object)))
    for text in texts:
        if text and (_QUICK.search(fold_width(text)) or find(text)[1]):
            assert text in kept, text
