"""The server index follows the data record by record: a small change updates it in place
of a rebuild, and the updated index answers exactly like one written from scratch."""

from __future__ import annotations

import pandas as pd
import pytest
from sitebuild import sample_site

from generator.search import server_index
from generator.search.records import search_records


def answers(folder, queries):
    return {q: sorted(h["url"] for h in server_index.search(folder, q, limit=100)["results"])
            for q in queries}


def test_few_changes_update_the_index_and_answer_like_a_fresh_one(tmp_path):
    _, model = sample_site()
    records = search_records(model)
    index = tmp_path / "index"
    assert server_index.write_index(records, index) == "written"
    assert server_index.write_index(records, index) == "updated"  # nothing changed: nothing lost

    ents = records.index[records["kind"] == "enterprise"]
    renamed, gone = ents[0], ents[1]
    changed = records.drop(index=gone).copy()
    old_title = records.at[renamed, "title"]
    changed.at[renamed, "title"] = "澄湖镇新开张的蓝莓农场"
    changed.at[renamed, "text"] = "澄湖镇新开张的蓝莓农场"
    changed.at[renamed, "grams"] = "蓝莓 莓农 农场"
    changed.at[renamed, "names"] = "澄湖镇新开张的蓝莓农场"
    assert server_index.write_index(changed, index) == "updated"
    fresh = tmp_path / "fresh"
    assert server_index.write_index(changed, fresh) == "written"

    queries = ["蓝莓农场", old_title, records.at[gone, "title"], records.at[gone, "code"],
               records.at[ents[5], "code"][:9], records.at[ents[9], "title"][:2]]
    updated = answers(index, queries)
    assert updated == answers(fresh, queries)
    assert updated["蓝莓农场"] == [records.at[renamed, "url"]]
    assert records.at[gone, "url"] not in updated[records.at[gone, "code"]]
    assert records.at[renamed, "url"] not in updated[old_title]


def test_many_changes_rewrite_the_index(tmp_path):
    _, model = sample_site()
    records = search_records(model)
    index = tmp_path / "index"
    server_index.write_index(records, index)
    half = records.iloc[: len(records) // 2]
    assert server_index.write_index(half, index) == "written"
    code = half[half["kind"] == "enterprise"]["code"].iloc[0]
    assert server_index.search(index, code)["results"][0]["code"] == code


def test_damaged_state_means_a_fresh_index(tmp_path):
    _, model = sample_site()
    records = search_records(model)
    index = tmp_path / "index"
    server_index.write_index(records, index)
    (index / server_index.RECORD_HASHES).write_bytes(b"not parquet")
    assert server_index.write_index(records, index) == "written"
    # a hash per Whoosh document: the tasks, items, plans and documents
    assert len(pd.read_parquet(index / server_index.RECORD_HASHES)) == (records["kind"] != "enterprise").sum()


def test_server_index_is_written_with_the_filter_lists_or_fails_in_words(tmp_path):
    from generator.search.build import OPTIONS, _write_server_index

    _, model = sample_site()
    records = search_records(model)
    assert _write_server_index(records, tmp_path / "index", {"year": ["2026"]}) == "written"
    code = records[records["kind"] == "enterprise"]["code"].iloc[0]
    assert server_index.search(tmp_path / "index", code)["results"][0]["code"] == code
    assert (tmp_path / "index" / OPTIONS).is_file()

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the index folder should go")
    with pytest.raises(RuntimeError, match="服务器搜索索引生成失败"):
        _write_server_index(records, blocked / "index", {})


