"""The one writer: a file shared by hard link with the live site never changes under it."""

import os

import pytest

from generator.build.writer import put_file, replace_file


@pytest.mark.parametrize("said_new", [False, True])
def test_put_file_replaces_a_hard_linked_file_instead_of_writing_through_it(tmp_path, said_new):
    live, staged = tmp_path / "live.html", tmp_path / "staging" / "page.html"
    live.write_bytes(b"old page")
    staged.parent.mkdir()
    os.link(live, staged)  # how a staged build starts: every file shared with the live site
    # even told wrongly that the last build did not write it, the file is not truncated
    assert put_file(staged, b"new page", new=said_new)
    assert live.read_bytes() == b"old page"
    assert staged.read_bytes() == b"new page"
    assert os.stat(staged).st_nlink == 1


def test_put_file_writes_nothing_when_the_bytes_are_the_same(tmp_path):
    target = tmp_path / "a" / "b" / "index.html"
    assert put_file(target, "页面".encode())  # folders made on the way
    before = target.stat().st_ino
    assert not put_file(target, "页面".encode())
    assert target.stat().st_ino == before


def test_replace_file_keeps_the_old_bytes_for_a_reader_holding_a_link(tmp_path):
    target, snapshot = tmp_path / "data.csv", tmp_path / "snapshot.csv"
    replace_file(target, b"v1")
    os.link(target, snapshot)
    assert replace_file(target, b"v2") and not replace_file(target, b"v2")
    assert snapshot.read_bytes() == b"v1" and target.read_bytes() == b"v2"
