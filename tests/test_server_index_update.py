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
    assert len(pd.read_parquet(index / server_index.RECORD_HASHES)) == len(records)


def test_server_index_is_written_with_the_filter_lists_or_fails_in_words(tmp_path):
    from generator.search.build import OPTIONS, _write_server_index

    _, model = sample_site()
    records = search_records(model)
    assert _write_server_index(records, tmp_path / "index", {"year": ["2026"]}, 2) == "written"
    code = records[records["kind"] == "enterprise"]["code"].iloc[0]
    assert server_index.search(tmp_path / "index", code)["results"][0]["code"] == code
    assert (tmp_path / "index" / OPTIONS).is_file()

    blocked = tmp_path / "blocked"
    blocked.write_text("a file where the index folder should go")
    with pytest.raises(RuntimeError, match="服务器搜索索引生成失败"):
        _write_server_index(records, blocked / "index", {}, 2)


def test_enterprise_records_are_hashed_by_what_they_are_made_from():
    """An enterprise record's hash follows its record fingerprint and the salt (what else
    records depend on); other records are hashed by their text. A fingerprint list that
    does not match the records is not used."""
    from generator.search.records import record_fingerprints, record_salt

    _, model = sample_site()
    records = search_records(model)
    fingerprints, salt = record_fingerprints(model["results"]), record_salt(model)
    hashes = server_index.record_hashes(records, (fingerprints, salt))
    by_text = server_index.record_hashes(records)
    ents = (records["kind"] == "enterprise").to_numpy()
    assert ents.any() and (~ents).any()
    assert (hashes[~ents] == by_text[~ents]).all()
    assert hashes[ents].is_unique

    first = fingerprints.index[0]
    url = records.loc[records["code"] == first, "url"].iloc[0]
    moved = fingerprints.copy()
    moved.iloc[0] += 1  # that enterprise's rows changed
    again = server_index.record_hashes(records, (moved, salt))
    assert again[url] != hashes[url]
    assert (again.drop(url) == hashes.drop(url)).all()
    resalted = server_index.record_hashes(records, (fingerprints, salt + "x"))
    assert (resalted[ents] != hashes[ents]).all()
    short = server_index.record_hashes(records, (fingerprints.iloc[1:], salt))
    assert (short == by_text).all()
