"""Personal data in published columns stops the build, or is masked when the setting says so."""

from __future__ import annotations

import pytest
from helpers import TASK_LH, only, problems
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
    ("电话＋86 １３９１２３４５６７８", "电话＋86 139****5678", ["mobile"]),  # country code as written
    ("邮箱 zhang.san@example.com", "邮箱 z***@example.com", ["email"]),
    (f"{ID}，13812345678", "1101**********002X，138****5678", ["resident_id", "mobile"]),
])
def test_personal_data_is_found_and_masked(text, masked, kinds):
    assert find(text) == (masked, kinds)


OLD_ID = "110105491231002"  # 15 digits (issued until 1999): area, 491231 = 1949-12-31, sequence

# the forms in which people write ID and telephone numbers, each with what is published
WRITTEN_FORMS = [
    # 18-digit ID numbers
    (ID, "1101**********002X", "resident_id"),
    ("110105 19491231 002X", "1101**********002X", "resident_id"),
    ("110105-19491231-002X", "1101**********002X", "resident_id"),
    ("1101 0519 4912 3100 2X", "1101**********002X", "resident_id"),
    ("11010519491231002x", "1101**********002X", "resident_id"),
    ("１１０１０５１９４９１２３１００２Ｘ", "1101**********002X", "resident_id"),
    ("１１０１０５　１９４９１２３１　００２Ｘ", "1101**********002X", "resident_id"),
    # 15-digit (old) ID numbers
    (OLD_ID, "1101*******1002", "resident_id"),
    ("110105 491231 002", "1101*******1002", "resident_id"),
    ("１１０１０５４９１２３１００２", "1101*******1002", "resident_id"),
    # mobile numbers
    ("13812345678", "138****5678", "mobile"),
    ("138 1234 5678", "138****5678", "mobile"),
    ("138-1234-5678", "138****5678", "mobile"),
    ("138 12345678", "138****5678", "mobile"),
    ("1381-234-5678", "138****5678", "mobile"),
    ("+86 138 1234 5678", "+86 138****5678", "mobile"),
    ("+86-13812345678", "+86-138****5678", "mobile"),
    ("(+86)13812345678", "(+86)138****5678", "mobile"),
    ("0086 13812345678", "0086 138****5678", "mobile"),
    ("１３８－１２３４－５６７８", "138****5678", "mobile"),
    # landline numbers
    ("0311-87654321", "0311-****4321", "landline"),
    ("0311 8765 4321", "0311 **** 4321", "landline"),
    ("(0311)87654321", "(0311)****4321", "landline"),
    ("（0311）87654321", "（0311)****4321", "landline"),
    ("010-65123456", "010-****3456", "landline"),
    ("0311-8765-4321", "0311-****-4321", "landline"),
    ("0311-87654321-801", "0311-****4321-801", "landline"),
    ("０３１１－８７６５４３２１", "0311-****4321", "landline"),
    ("电话031187654321", "电话0311****4321", "landline"),  # no break, but after 电话
]


@pytest.mark.parametrize(("written", "masked", "kind"), WRITTEN_FORMS)
def test_every_written_form_is_found(written, masked, kind):
    """Alone, and inside a sentence: the number is masked, the words around it kept."""
    assert find(written) == (masked, [kind])
    assert find(f"联系人王某，{written}，已核实") == (f"联系人王某，{masked}，已核实", [kind])


@pytest.mark.parametrize("text", [
    "110105194912310021",  # wrong check digit: not an ID number
    "110105 19491231 0021",  # the same, written in runs
    "110105491331002",  # 15 digits, but month 13: not an old ID number
    "990105491231002",  # 15 digits, but 99 is no province
    "注册号130123491231002",  # an enterprise's old registration number
    "031187654321",  # 12 digits starting with 0, no break and no 电话: a file number
    "12345、12315",  # government hotlines
    "400-123-4567",  # a service line
    "2026-03-01 至 2026-07-30",
    "20260301 20260401",
    "QH-2026-LH-10",
    "91130100MA07L8QX3X",  # a business credit code
    "抽查比例不低于3%，共 138123456789 元",  # twelve digits: not a mobile number
    "2026年第十次跨部门联合抽查",
    "",
])
def test_ordinary_text_is_left_alone(text):
    assert find(text) == (text, [])


def test_two_numbers_side_by_side_are_two_numbers():
    assert find("13812345678 13912345678") == ("138****5678 139****5678", ["mobile"])
    assert find(f"{ID} 0311-87654321") == ("1101**********002X 0311-****4321",
                                            ["resident_id", "landline"])


def test_public_numbers_are_left_alone():
    public = frozenset({"031186012315"})
    assert find("咨询电话 0311-86012315", public) == ("咨询电话 0311-86012315", [])
    assert find("咨询电话 0311-87654321", public)[1] == ["landline"]


def test_office_telephones_of_departments_are_not_personal_data(folder):
    """The departments table's phone column holds offices' public numbers (0311-8xxxxxxx); a
    landline in its address, or a listed office number in a note elsewhere, is public too."""
    folder.edit("departments", 1, phone="0311-86012315、(0311)86012316",
                address="青禾县禾兴大街88号（值班室 0311-86012399）")
    folder.edit("results", 2, note="如有异议请致电 0311-86012315")
    folder.edit("tasks", 1, scope="咨询电话（0311）86012316")
    model = folder.load()
    assert model.ok, problems(model).to_string()
    assert model["departments"]["phone"].iloc[1] == "0311-86012315、(0311)86012316"
    assert "如有异议请致电 0311-86012315" in set(model["results"]["note"].dropna())


def test_a_landline_not_listed_is_personal_data(folder):
    folder.edit("results", 2, note="法定代表人家中电话 0311-87654321")
    model = folder.load()
    hit = only(model, "E401")
    assert (hit["file"], hit["row"], hit["column"]) == ("results/a.csv", 4, "备注")
    assert "固定电话号码" in hit["message"] and "0311-****4321" in hit["message"]
    assert "87654321" not in hit["message"]
    assert "部门表" in hit["message"]  # says how an office number stops being flagged


def test_id_numbers_with_spaces_are_an_error(folder):
    folder.edit("results", 1, entity_name="个体户张三（110105 19491231 002X）")
    folder.edit("tasks", 1, scope=f"负责人身份证 {OLD_ID}")
    model = folder.load()
    found = problems(model)
    found = found[found["code"] == "E401"].sort_values("file")
    assert list(zip(found["file"], found["row"], found["column"], strict=True)) == [
        ("results/a.csv", 3, "市场主体名称"), ("tasks.csv", 3, "抽查对象范围")]


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
