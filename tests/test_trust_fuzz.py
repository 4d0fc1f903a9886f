"""Fuzzing the readers: random bytes and near-valid rows never crash a load, nothing is dropped.

Every load must keep the summary invariants (:func:`helpers.check_summary`), and every
record of a fuzzed file must be accounted for: published, or named in a problem.
"""

from __future__ import annotations

import csv
import io
import shutil
import tempfile
from pathlib import Path

import pandas as pd
from helpers import DataFolder, check_summary
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from generator.model import load_model

FUZZ = settings(max_examples=60, deadline=None, derandomize=True,
                suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
BASE = DataFolder(Path(tempfile.mkdtemp(prefix="gongkai-fuzz-base-")))
BASE_DIR = BASE.write()


def _load_with(files: dict[str, bytes]):
    work = Path(tempfile.mkdtemp(prefix="gongkai-fuzz-"))
    try:
        data = work / "data"
        shutil.copytree(BASE_DIR, data)
        for rel, content in files.items():
            target = data / rel
            target.parent.mkdir(parents=True, exist_ok=True)
            target.write_bytes(content)
        model = load_model(data)
        model.problems.frame()  # every message can be formatted
        check_summary(model)
        return model
    finally:
        shutil.rmtree(work, ignore_errors=True)


def _accounted_for(model, rel: str) -> None:
    """Every row rejected from ``rel`` has an error located on it (or the whole file was refused)."""
    frame = model.problems.frame()
    on_file = frame[frame["file"] == rel]
    if on_file["row"].isna().any() and (on_file["severity"] == "error").any():
        return  # refused as a whole, with the reason
    table = "results" if rel.startswith("results/") else rel.split(".")[0]
    published = model[table]
    published = set(published.loc[published["_file"].astype(str) == rel, "_row"].astype(int))
    errors = on_file[(on_file["severity"] == "error") & on_file["row"].notna()]
    flagged = set(errors["row"].astype(int))
    assert not (published & flagged)
    if table == "results":  # the only fuzzed table whose other files stay valid
        assert model.summary[table].rows_rejected <= len(flagged), (model.summary[table], flagged)


@FUZZ
@given(st.binary(max_size=2048), st.sampled_from(["results/a.csv", "calendar.csv", "items.csv"]))
def test_random_bytes_never_crash_a_load(content, rel):
    model = _load_with({rel: content})
    frame = model.problems.frame()
    table = "results" if rel.startswith("results/") else rel.split(".")[0]
    rows = model[table]
    from_file = rows[rows["_file"].astype(str) == rel]
    # the file's rows were published, or the file is named in a problem: never silently nothing
    assert len(from_file) > 0 or (frame["file"] == rel).any(), content
    _accounted_for(model, rel)


@FUZZ
@given(st.binary(min_size=1, max_size=4096))
def test_random_bytes_named_xlsx_are_reported(content):
    model = _load_with({"calendar.xlsx": content})
    frame = model.problems.frame()
    assert (frame.loc[frame["file"] == "calendar.xlsx", "severity"] == "error").any()
    assert not model.ok


_cell = st.one_of(
    st.text(max_size=40),
    st.sampled_from(["", " ", "\n", "；", ",", '"', "2026-02-30", "99999999999999999999", "-1",
                     "0", "不低于3%", "300%", "未发现问题；已注销", "=cmd|' /C calc'!A0",
                     "\x00", "\ufeff", "\u202e", "１２３"]),
)


@FUZZ
@given(st.data())
def test_near_valid_result_rows_are_published_or_reported(data):
    rows = [dict(r) for r in BASE.rows["results"]]
    n_extra = data.draw(st.integers(0, 4))
    rows += [dict(rows[i % len(rows)]) for i in range(n_extra)]
    for row in rows:
        for name in list(row):
            if data.draw(st.integers(0, 5)) == 0:
                row[name] = data.draw(_cell)
    headers = [f.title for f in BASE_FIELDS]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    for row in rows:
        writer.writerow([row.get(f.name, "") for f in BASE_FIELDS])
    encoding = data.draw(st.sampled_from(["utf-8", "utf-8-sig", "gb18030"]))
    try:
        content = buffer.getvalue().encode(encoding)
    except UnicodeEncodeError:
        content = buffer.getvalue().encode("utf-8")
    model = _load_with({"results/a.csv": content})
    summary = model.summary["results"]
    frame = model.problems.frame()
    # nothing silently dropped: every record written was read, or the file is reported
    file_problems = frame[(frame["file"] == "results/a.csv") & frame["row"].isna()]
    if file_problems.empty:
        expected = sum(1 for r in csv.reader(io.StringIO(buffer.getvalue()))) - 1
        blank = sum(1 for r in rows if all(not str(v).strip() for v in r.values()))
        assert summary.rows_read >= expected - blank - _multiline_slack(rows), (summary, expected)
    _accounted_for(model, "results/a.csv")
    assert isinstance(model["results"], pd.DataFrame)


def _multiline_slack(rows: list[dict[str, str]]) -> int:
    return sum(1 for r in rows for v in r.values() if "\x00" in str(v))


BASE_FIELDS = [f for t in __import__("helpers").CONTRACT for f in t.fields if t.name == "results"]
