"""Change keys: every stage names its inputs through one StageKey, and a key changes
exactly when one of those inputs does."""

from __future__ import annotations

import os

from generator.build.keys import RUNTIME_SETTINGS, StageKey


def test_settings_that_only_say_how_a_build_runs_never_change_a_key():
    base = {"SITENAME": "站点", "GONGKAI_REGION": "青禾县"}
    key = StageKey("pages").settings(base, ["SITENAME"], ["GONGKAI_"]).hexdigest()
    for name in RUNTIME_SETTINGS:
        again = StageKey("pages").settings({**base, name: "other"}, ["SITENAME"], ["GONGKAI_"])
        assert again.hexdigest() == key, name
    changed = StageKey("pages").settings({**base, "GONGKAI_REGION": "别的县"}, ["SITENAME"],
                                         ["GONGKAI_"])
    assert changed.hexdigest() != key
    unnamed = StageKey("pages").settings({**base, "AUTHOR": "x"}, ["SITENAME"], ["GONGKAI_"])
    assert unnamed.hexdigest() == key  # a setting the stage does not read


def test_parts_are_labelled_so_one_cannot_pass_for_another():
    assert StageKey("a").value("xy").hexdigest() != StageKey("b").value("xy").hexdigest()
    assert (StageKey("a").value("x").value("y").hexdigest()
            != StageKey("a").value("xy").hexdigest())
    assert StageKey("a").value(b"1").hexdigest() != StageKey("a").value(1).hexdigest()


def test_files_by_stat_and_trees_by_bytes(tmp_path):
    data = tmp_path / "data"
    data.mkdir()
    table = data / "results.csv"
    table.write_text("a,b\n", encoding="utf-8")
    by_stat = StageKey("model").files(data).hexdigest()
    by_bytes = StageKey("build").tree(data).hexdigest()
    stat = table.stat()
    os.utime(table, ns=(stat.st_atime_ns, stat.st_mtime_ns + 10**9))
    assert StageKey("model").files(data).hexdigest() != by_stat  # touched: looked at again
    assert StageKey("build").tree(data).hexdigest() == by_bytes  # same bytes: same build
    table.write_text("a,c\n", encoding="utf-8")
    assert StageKey("build").tree(data).hexdigest() != by_bytes
    assert StageKey("build").tree(None).hexdigest() == StageKey("build").tree(tmp_path / "none").hexdigest()


def test_code_keys_follow_the_package_sources():
    whole = StageKey("x").code("").hexdigest()
    part = StageKey("x").code("urls.py").hexdigest()
    assert whole != part
    assert StageKey("x").code("urls.py").hexdigest() == part
    missing = StageKey("x").code("no_such_module.py").hexdigest()
    assert missing != part
