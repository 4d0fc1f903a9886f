"""The ranking rule and name folding, as the server search applies them.

The same cases run in the browser (test_search_rank_browser.py): both sides must give
the same order, from the one definition in generator/search/rank.py and fold.py.
"""

from __future__ import annotations

import pandas as pd
import pytest
from search_cases import enterprises, ranking_cases
from sitebuild import ROOT, sample_index, sample_site

from generator.search import fold
from generator.search.rank import TIERS, clean_query, enterprise_tiers
from generator.search.server_index import search
from generator.settings import load_settings

REGIONS = fold.regions(load_settings(ROOT / "pelicanconf.py"))


@pytest.fixture(scope="module")
def folder():
    return sample_index()


def test_folding_makes_the_ways_a_name_is_typed_equal():
    assert fold.fold("權寨同創物流（青禾）有限責任公司") == "权寨同创物流青禾有限责任公司"
    assert fold.fold("ＡＢＣ　１２３（北京）") == fold.fold("abc 123 (北京)") == "abc123北京"
    assert fold.fold("代理記賬·服務") == "代理记账服务"
    assert fold.fold("") == ""


def test_suffix_and_leading_region_are_optional_in_a_query():
    assert fold.variants("青禾县和航會計服務有限公司", REGIONS) == [
        "青禾县和航会计服务有限公司", "青禾县和航会计服务", "和航会计服务"]
    # never cut below two characters: a query of the suffix alone stays as typed
    assert fold.variants("公司", REGIONS) == ["公司"]
    assert fold.variants("青禾", REGIONS) == ["青禾"]
    assert "青禾" in REGIONS and "青禾县" in REGIONS and "石家庄" in REGIONS


def test_the_browser_table_is_opencc_data_not_typed_by_hand():
    files = fold.browser_files({"GONGKAI_REGION": "青禾县"})
    head = files[fold.FILE]
    assert head["regions"] == ["青禾县", "青禾"] and "有限责任公司" in head["suffixes"]
    table = {}
    for n in range(head["shards"]):
        shard = files[f"{fold.SHARDS}/{n}.json"]
        assert len(shard["from"]) == len(shard["to"])
        assert all(ord(c) % head["shards"] == n for c in shard["from"])
        table.update(zip(shard["from"], shard["to"], strict=True))
    assert len(table) > 3000 and table["權"] == "权" and table["賬"] == "账"


def test_tiers_in_order():
    codes = pd.Series(["91130139MA8EFYTM3L", "91130139AAAAAAAAAA", "91130100BBBBBBBBBB", "X"])
    names = pd.Series(["和航会计服务有限公司", "会计 和航", "和航会计服务有限公司", "和平航运"])
    tiers = enterprise_tiers(clean_query("91130139MA8EFYTM3L"), codes, names, REGIONS)
    assert tiers.tolist() == [TIERS.index("code"), -1, -1, -1]
    tiers = enterprise_tiers("91130139", codes, names, REGIONS)
    assert tiers.tolist() == [TIERS.index("code_prefix")] * 2 + [-1, -1]
    # the whole query in one name; every word but in separate names; neither
    tiers = enterprise_tiers("和航 会计", codes, names, REGIONS)
    assert tiers.tolist() == [TIERS.index("name"), TIERS.index("enterprise"), TIERS.index("name"), -1]


@pytest.mark.parametrize("case", range(7))
def test_server_puts_the_enterprise_first(folder, case):
    _, model = sample_site()
    label, query, code = ranking_cases(model)[case]
    found = search(folder, query)
    assert found["results"] and found["results"][0]["code"] == code, (label, query, found["results"][:3])


def test_enterprises_come_before_tasks_items_and_plans(folder):
    _, model = sample_site()
    names = enterprises(model)["title"]
    # a piece of a task's name that a few enterprises' names hold too
    piece = next(p for t in model["tasks"]["name"] for p in (t[k:k + 2] for k in range(len(t) - 1))
                 if 0 < names.str.contains(p, regex=False).sum() <= 50)
    kinds = [h["kind"] for h in search(folder, piece, limit=100)["results"]]
    assert "enterprise" in kinds and "task" in kinds, piece
    assert kinds == sorted(kinds, key=lambda k: k != "enterprise")


def test_every_match_is_reachable_page_by_page_with_an_exact_total(folder):
    _, model = sample_site()
    ents = enterprises(model)
    expected = set(ents.loc[enterprise_tiers("青禾", ents["code"], ents["names"], REGIONS) >= 0, "code"])
    assert len(expected) > 100
    first = search(folder, "青禾", limit=20)
    seen, page = [], 1
    while page <= first["pages"]:
        found = search(folder, "青禾", limit=20, page=page)
        assert found["total"] == first["total"]
        seen += [h["code"] for h in found["results"] if h["kind"] == "enterprise"]
        page += 1
    assert len(seen) == len(set(seen)) and set(seen) == expected
    assert search(folder, "青禾", page=first["pages"] + 1)["results"] == []
