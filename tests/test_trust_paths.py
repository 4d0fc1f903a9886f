"""Identifiers that become paths stay inside the output folder and never share one."""

from __future__ import annotations

import pytest
from helpers import TASK_BM, TASK_LH, problems
from hypothesis import given, settings
from hypothesis import strategies as st

from generator import urls


@pytest.mark.parametrize("identifier", [
    "..", ".", "../../etc/passwd", "a/b", "a\\b", "a\x00b", "CON", "nul.txt", "Com1", "lpt9.csv",
    ".hidden", "x.", " ", "", "a" * 300, "任务/一", "\u202eevil", "%2e%2e", "T1\n", "T1\r\n",
])
def test_a_segment_is_one_harmless_folder_name(identifier):
    seg = urls.segment(identifier)
    assert seg not in ("", ".", "..")
    assert "/" not in seg and "\\" not in seg and "\x00" not in seg
    assert not any(c.isspace() for c in seg)
    assert not seg.startswith(".") and not seg.endswith((".", " "))
    assert seg.split(".")[0].lower() not in {"con", "prn", "aux", "nul", "com1", "lpt9"}
    assert 0 < len(seg) <= 128
    assert seg.isascii()


@settings(max_examples=300)
@given(st.text(alphabet=st.sampled_from("aCo0n9lptM1._-中 /"), max_size=140))
def test_the_quick_path_for_credit_codes_keeps_the_rule(identifier):
    """Letters and digits only take a shortcut; every identifier still gets the segment
    the full rule gives (verbatim when safe and not a reserved name, else a slug)."""
    text = str(identifier)
    safe = (urls.SAFE.fullmatch(text) and not text.endswith(".")
            and text.split(".")[0].lower() not in urls.RESERVED)
    assert (urls.segment(text) == text) == bool(safe)


def test_safe_identifiers_appear_verbatim():
    assert urls.task(TASK_LH) == f"tasks/{TASK_LH}/"


def test_two_ids_differing_only_in_case_are_an_error(folder):
    folder.edit("tasks", 1, task_id=TASK_BM.lower())
    folder.edit("results", 2, task_id=TASK_BM.lower())
    folder.edit("plans", 2, task_id=TASK_BM.lower())
    folder.edit("tasks", 0, task_id=TASK_BM)
    for i in (0, 1):
        folder.edit("results", i, task_id=TASK_BM)
    for i in (0, 1):
        folder.edit("plans", i, task_id=TASK_BM)
    folder.edit("strata", 0, task_id=TASK_BM)
    folder.edit("strata", 1, task_id=TASK_BM)
    folder.edit("dispositions", 0, task_id=TASK_BM)
    model = folder.load()
    found = problems(model)
    clash = found[found["code"] == "E402"]
    assert {("tasks.csv", 2), ("tasks.csv", 3)} <= set(zip(clash["file"], clash["row"], strict=True))
    assert not model.ok
    assert any(TASK_BM.lower() in m and TASK_BM in m for m in clash["message"])


def test_an_id_written_like_another_ids_slug_is_an_error(folder):
    slug = urls.segment("QH/XX 1")  # what an unsafe item code becomes
    one = folder.spare("items", 1, item_id="QH/XX 1")
    other = folder.spare("items", 2, item_id=slug)
    model = folder.load()
    clash = problems(model)
    clash = clash[clash["code"] == "E402"]
    assert set(clash["value"]) == {"QH/XX 1", slug}
    assert set(zip(clash["file"], clash["row"], strict=True)) == {("items.csv", one),
                                                                   ("items.csv", other)}


def test_departments_that_read_alike_each_keep_a_page_of_their_own(folder):
    """Department slugs are made distinct when they are made (pinyin alike, or like another's
    short code): nothing to reject, two pages."""
    folder.edit("items", 0, department="青禾县工安局")  # reads like 青禾县公安局
    folder.edit("items", 1, department="青禾县公安局")
    model = folder.load()
    assert model.ok and not (problems(model)["code"] == "E402").any()
    slugs = urls.department_slugs(["青禾县工安局", "青禾县公安局"])
    assert len(set(slugs.values())) == 2
    assert all(s.startswith("qinghexiangonganju-") for s in slugs.values())


@settings(max_examples=300, deadline=None)
@given(st.lists(st.lists(st.sampled_from(list("aZ09._-/ 青\x00") + ["con", "LPT1", "..", "Nul."]),
                         max_size=6).map("".join), min_size=1, max_size=30))
def test_column_wise_paths_equal_one_by_one(values):
    import pandas as pd

    from generator import urls
    from generator.trust.paths import _paths

    series = pd.Series(values, dtype=object)
    for url in (urls.enterprise, urls.task, urls.items_by_department):
        assert _paths(series, url).tolist() == [url(v) for v in values]
