"""The browser's word index of enterprises (search/words/), read back as search.js reads it."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest
from sitebuild import sample_site

from generator.search import fold, word_index
from generator.search.code_index import by_code
from generator.search.records import FILTERS, filter_options, search_records

SIZE = 8


@pytest.fixture(scope="module")
def records() -> pd.DataFrame:
    _, model = sample_site()
    records = search_records(model)
    # a department only a plan names, sorting first: every filter position must count it
    extra = records[records["kind"] == "plan"].head(1).assign(department=[["一号部门"]], url="plans/x/")
    return pd.concat([records, extra], ignore_index=True)


@pytest.fixture(scope="module")
def built(records) -> tuple[dict[str, str], dict[str, list[str]]]:
    options = filter_options(records)
    assert options["department"][0] == "一号部门"
    return word_index.files(records, options, SIZE), options


def blocks_of(posting) -> list[int]:
    if isinstance(posting, list):
        return posting
    bits = np.unpackbits(np.frombuffer(base64.b64decode(posting), dtype=np.uint8), bitorder="little")
    return np.flatnonzero(bits).tolist()


def test_keys_are_characters_and_pairs_of_names_and_prefixes_of_codes():
    assert word_index.keys("青禾商贸") == {"青", "禾", "商", "贸", "青禾", "禾商", "商贸"}
    # whatever the script: a piece of a name in letters or digits finds it too
    assert word_index.keys("ab20年") == {"a", "b", "2", "0", "年", "ab", "b2", "20", "0年"}
    assert word_index.code_keys("91130139MA8EFYTM3L") == {"91130139"[:k] for k in range(1, 9)}


def test_key_hash_is_fnv1a_over_utf16_units():
    assert word_index.key_hash("a") == 0xE40C292C  # the published FNV-1a 32 test vector
    assert word_index.key_hash("") == 0x811C9DC5
    assert word_index.key_hash("科技") != word_index.key_hash("技科")


def test_blocks_decode_to_their_enterprises(records, built):
    files, options = built
    manifest = json.loads(files[word_index.MANIFEST])
    ents = records[records["kind"] == "enterprise"].set_index("code")
    seen, spelled = [], 0
    for n in range(manifest["blocks"]):
        block = json.loads(files[f"b{n}.json"])
        assert 0 < len(block) <= SIZE
        for code, title, summary, date, url, names, *filters in block:
            row = ents.loc[code]
            seen.append(code)
            # left out where a reader works them out: the address, names that are the title
            spelled += bool(url) + bool(names)
            url = url or manifest["url"].format(code=code)
            names = names or fold.plain(title)
            assert [title, summary, date, url, names] == [row["title"], row["summary"], row["date"],
                                                          row["url"], row["names"]]
            for name, places in zip(FILTERS, filters, strict=True):
                assert sorted(options[name][p] for p in places) == sorted(row[name])
    assert seen == sorted(ents.index) and manifest["count"] == len(seen)
    assert spelled < len(seen) // 4  # most members need neither


def test_every_key_lists_exactly_the_blocks_holding_it(records, built):
    """Worked out one member and one name at a time, as a reader would, and compared with
    the column-wise build: folded names, credit-code prefixes and filter values."""
    files, options = built
    manifest = json.loads(files[word_index.MANIFEST])
    expected: dict[str, set[int]] = {}
    ents = by_code(records)
    for m, row in enumerate(ents.itertuples()):
        for key in set().union(*map(word_index.keys, row.names.split()), word_index.code_keys(row.code)):
            expected.setdefault(key, set()).add(m // SIZE)
        for k, name in enumerate(FILTERS):
            for value in getattr(row, name):
                expected.setdefault(f"#{k}:{options[name].index(value)}", set()).add(m // SIZE)
    found: dict[str, set[int]] = {}
    for h in range(manifest["files"]):
        for key, posting in json.loads(files[f"k{h}.json"]).items():
            assert word_index.key_hash(key) % manifest["files"] == h, key
            found[key] = set(blocks_of(posting))
    assert found == expected
    assert any(isinstance(v, str) for shelf in (json.loads(files[f"k{h}.json"])
               for h in range(manifest["files"])) for v in shelf.values())  # bitmaps are used


def test_block_dates_are_each_blocks_latest(records, built):
    files, _ = built
    days = np.frombuffer(base64.b64decode(json.loads(files[word_index.DATES])), dtype="<u2")
    ents = by_code(records)
    latest = ents["date"].replace("", None).groupby(np.arange(len(ents)) // SIZE).max()
    decoded = [(pd.Timestamp(word_index.EPOCH) + pd.Timedelta(days=int(d) - 1)).strftime("%Y-%m-%d")
               if d else None for d in days]
    assert decoded == latest.tolist()


def test_rewriting_keeps_unchanged_files_and_removes_stale_ones(records, tmp_path):
    options = filter_options(records)
    folder = word_index.write_words(records, tmp_path, options, SIZE)
    stale = folder / "b9999.json"
    stale.write_text("{}", encoding="utf-8")
    inodes = {p.name: p.stat().st_ino for p in folder.iterdir()}
    again = word_index.write_words(records, tmp_path, options, SIZE)
    assert not stale.exists()
    assert {p.name: p.stat().st_ino for p in again.iterdir()} == {
        k: v for k, v in inodes.items() if k != stale.name}
    other = word_index.write_words(records, tmp_path / "b", options, SIZE)
    assert all((other / p.name).read_bytes() == p.read_bytes() for p in again.iterdir())


@pytest.mark.parametrize("chunk", [SIZE, 3 * SIZE + 5])
def test_working_in_runs_of_blocks_gives_the_same_files(records, built, chunk):
    """A provincial index is worked out a run of blocks at a time, to bound its memory:
    the files are those of the whole set worked out at once."""
    whole, options = built
    assert len(by_code(records)) > 4 * chunk  # several runs, the last one short
    assert word_index.files(records, options, SIZE, chunk=chunk) == whole
