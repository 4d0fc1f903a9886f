"""Per-record files: fingerprints that notice every change of a record's rows, and only its."""

import numpy as np
import pandas as pd

from generator.build.record_files import RecordFiles, group_fingerprints


def frame(index=None):
    return pd.DataFrame({
        "name": ["甲", "甲", "乙", "丙", "丙"],
        "result": [["未发现问题"], ["发现问题", "已责令整改"], [], ["未发现问题"], None],
        "day": pd.to_datetime(["2026-01-05", "2026-02-01", None, "2026-03-02", "2026-03-03"]),
    }, index=index)


GROUPS = np.array([0, 0, 1, 2, 2])


def test_a_changed_list_value_changes_only_its_group():
    before = group_fingerprints(frame(), GROUPS, 4)
    changed = frame()
    changed.at[1, "result"] = ["发现问题"]
    after = group_fingerprints(changed, GROUPS, 4)
    assert (before != after).tolist() == [True, False, False, False]
    assert after[3] == 0  # a group without rows


def test_the_order_of_rows_within_a_group_counts():
    swapped = frame().iloc[[1, 0, 2, 3, 4]]
    before = group_fingerprints(frame(), GROUPS, 3)
    after = group_fingerprints(swapped, GROUPS, 3)
    assert after[0] != before[0] and (after[1:] == before[1:]).all()


def test_the_row_labels_do_not_count():
    shuffled = frame(index=[40, 7, 13, 2, 99])
    assert (group_fingerprints(shuffled, GROUPS, 3) == group_fingerprints(frame(), GROUPS, 3)).all()


def test_record_files_make_only_what_changed_and_remove_what_is_gone(tmp_path):
    paths = ["r/a.json", "r/b.json", "r/c.json"]
    fps = np.array([1, 2, 3], dtype=np.uint64)
    first = RecordFiles(tmp_path, ".m.parquet", salt=7, folder="r")
    for i in first.todo(paths, fps):
        first.write(paths[i], paths[i].encode())
    first.write("r/index-1.json", b"index")
    assert sorted(first.finish(also=["r/index-1.json"]).written) == sorted(paths + ["r/index-1.json"])

    second = RecordFiles(tmp_path, ".m.parquet", salt=7, folder="r")
    assert second.todo(paths[:2], np.array([1, 5], dtype=np.uint64)).tolist() == [1]
    result = second.finish()  # c is gone, and so is the index page no longer listed
    assert result.removed == 2 and sorted(p.name for p in (tmp_path / "r").iterdir()) == ["a.json", "b.json"]

    third = RecordFiles(tmp_path, ".m.parquet", salt=8, folder="r")  # other code or settings: all again
    assert third.todo(paths[:2], np.array([1, 5], dtype=np.uint64)).tolist() == [0, 1]


def slowly(shared: str, rows: list[int]):
    """Files of some records, slow enough that a forked worker takes other partitions."""
    import os
    import time

    for i in rows:
        time.sleep(0.05)
        yield f"{shared}{i} {os.getpid()}".encode()


def test_records_made_by_two_forked_workers_are_all_written_and_reported(tmp_path, monkeypatch):
    import os

    from generator.build import record_files
    from generator.build.executor import LocalExecutor

    monkeypatch.setattr(record_files, "MIN_PER_WORKER", 1)
    paths = [f"r/{i}.txt" for i in range(10)]
    codes = [f"9111000000000000{i:02d}" for i in range(10)]
    files = RecordFiles(tmp_path, ".m.parquet", salt=1, folder="r")
    todo = files.todo(paths, np.arange(10, dtype=np.uint64))
    asked = []

    def rows_of(records):
        asked.append(records.tolist())
        return records.tolist()

    files.make(todo, codes, slowly, "record ", rows_of, LocalExecutor(2))
    result = files.finish()
    assert result.written == paths  # in record order, whichever worker wrote them
    writers = {(tmp_path / p).read_text().split()[2] for p in paths}
    assert len(writers) == 2 and str(os.getpid()) in writers
    assert [(tmp_path / p).read_text().split()[1] for p in paths] == [str(i) for i in range(10)]
    # this process asked for its own partitions' rows only, each in ascending order
    assert all(rows == sorted(rows) for rows in asked) and 0 < sum(map(len, asked)) < 10


def test_without_a_manifest_files_left_in_the_folder_are_removed(tmp_path):
    (tmp_path / "r" / "sub").mkdir(parents=True)
    for name in ("a.json", "old.json", "sub/older.json"):
        (tmp_path / "r" / name).write_bytes(b"x")
    files = RecordFiles(tmp_path, ".m.parquet", salt=1, folder="r")
    files.make(files.todo(["r/a.json"], np.array([1], dtype=np.uint64)), ["91110000000000000X"],
               lambda shared, rows: [b"new" for _ in rows], None, list)
    result = files.finish()
    assert result.removed == 2 and result.written == ["r/a.json"]
    assert [p.relative_to(tmp_path).as_posix() for p in tmp_path.rglob("*.json")] == ["r/a.json"]


def test_a_fingerprint_vouches_for_a_file_only_while_the_file_is_there(tmp_path):
    """Unchanged means the same fingerprint and the file still there; listings shared
    between the calls of one stage give the same answers as fresh ones."""
    from generator.build.render import Manifest

    paths = ["api/a.json", "api/b.json", "pages/x/", "api/c.json"]
    for made in ("api/a.json", "api/b.json", "pages/x/index.html"):
        (tmp_path / made).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / made).write_text("{}", encoding="utf-8")
    manifest = Manifest.of(paths, np.array([1, 2, 3, 4], dtype=np.uint64))
    now = np.array([1, 9, 3, 4], dtype=np.uint64)
    listed: dict[str, set[str]] = {}
    for shared in (None, listed, listed):
        assert manifest.unchanged(paths, now, tmp_path, shared).tolist() == [
            True, False, True, False]
    assert set(listed) == {"api", "pages"}
