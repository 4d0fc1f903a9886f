"""The static JSON API: a valid OpenAPI 3.1 file, every file valid against its schema,
one file per record of the model, and a rebuild that rewrites only what changed."""

from __future__ import annotations

import json
import tempfile
from pathlib import Path

import pytest
from jsonschema import Draft202012Validator, FormatChecker
from openapi_spec_validator import validate
from publishing import published

from generator import urls
from generator.api import build, schema


@pytest.fixture(scope="module")
def site():
    return published()


@pytest.fixture(scope="module")
def spec(site):
    out, _, _ = site
    return json.loads((out / build.OPENAPI).read_text(encoding="utf-8"))


def api_files(out: Path) -> list[Path]:
    root = out / build.FOLDER
    return sorted(p for p in root.rglob("*.json") if p.name != "openapi.json")


def test_openapi_file_is_valid_openapi_3_1(spec):
    validate(spec)
    assert spec["openapi"] == "3.1.0"


def test_schemas_come_from_the_contract(site, spec):
    _, model, _ = site
    for table, name in (("tasks", "Task"), ("items", "Item")):
        props = spec["components"]["schemas"][name]["properties"]
        for f in model.contract[table].fields:
            assert props[f.name]["title"] == f.title


def test_every_api_file_validates_against_its_schema(site, spec):
    out, _, _ = site
    files = api_files(out)
    assert files
    for path in files:
        rel = path.relative_to(out / build.FOLDER).as_posix()
        validator = Draft202012Validator(
            {"components": spec["components"],
             "$ref": f"#/components/schemas/{schema.schema_for(rel)}"},
            format_checker=FormatChecker())
        errors = list(validator.iter_errors(json.loads(path.read_text(encoding="utf-8"))))
        assert not errors, (rel, errors[0].message)


def test_one_file_per_record_and_indexes_list_them_all(site):
    out, model, _ = site
    root = out / build.FOLDER
    codes = set(model["results"]["uscc"])
    for kind, ids in (("enterprises", codes), ("tasks", set(model["tasks"]["task_id"])),
                      ("items", set(model["items"]["item_id"])),
                      ("plans", set(model["plans"]["plan_id"]))):
        listed, page = [], root / kind / "index-1.json"
        while True:
            data = json.loads(page.read_text(encoding="utf-8"))
            listed += [e["id"] for e in data["items"]]
            if not data["next"]:
                break
            page = page.with_name(data["next"])
        assert set(listed) == ids and len(listed) == len(ids), kind
        for ident in ids:
            assert (root / kind / f"{urls.segment(ident)}.json").is_file()


def test_enterprise_file_has_every_result_and_follow_up(site):
    out, model, _ = site
    results, disp = model["results"], model["dispositions"]
    code = results["uscc"].value_counts().index[0]
    data = json.loads((out / build.FOLDER / "enterprises" / f"{code}.json")
                      .read_text(encoding="utf-8"))
    assert len(data["results"]) == (results["uscc"] == code).sum()
    assert len(data["follow_ups"]) == (disp["uscc"] == code).sum()
    assert set(data["names"]) == set(results.loc[results["uscc"] == code, "entity_name"])


def test_every_enterprise_file_holds_its_rows_as_the_plain_json_encoder_reads_them(site):
    """Enterprise files are written row by row by pandas' encoder; read back, each equals
    what ``json.dumps`` of its rows in data order gives."""
    out, model, _ = site
    results, disp = model["results"], model["dispositions"]
    latest = dict(zip(model.enterprise_index.codes, model.enterprises["name"], strict=True))
    checked = 0
    for code, own in results.sort_values("_row", kind="stable").groupby("uscc", sort=False):
        expected = build.records({
            **build.columns(model.contract["results"], own, skip=("uscc", "entity_name")),
            "category": own["category"].astype(object).tolist()})
        follow = disp[disp["uscc"] == code].sort_values("_row", kind="stable")
        data = json.loads((out / build.FOLDER / "enterprises" / f"{urls.segment(code)}.json")
                          .read_text(encoding="utf-8"))
        assert data["results"] == json.loads(build.dumps(expected)), code
        assert data["follow_ups"] == json.loads(build.dumps(build.records(build.columns(
            model.contract["dispositions"], follow, skip=("uscc",))))), code
        assert data["uscc"] == code and data["name"] == latest[code]
        checked += 1
    assert checked == results["uscc"].nunique() > 100


def test_awkward_text_survives_the_row_encoder():
    awkward = ["a/b", "a\\/b", "\\", '引"号', "换\n行\r", "\u2028", "\x00\x1f", "😀", "</script>", ""]
    rows = build.json_rows({"text": awkward, "list": [[v] for v in awkward],
                            "none": [None] * len(awkward)})
    assert [json.loads(r) for r in rows] == [{"list": [v], "none": None, "text": v}
                                            for v in awkward]
    assert all(list(json.loads(r)) == ["list", "none", "text"] for r in rows)  # sorted keys


def test_rebuild_rewrites_only_the_changed_enterprise(site):
    _, model, _ = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-api-"))
    first = build.write_api(model, {}, out)
    again = build.write_api(model, {}, out)
    assert first.paths == again.paths and again.written == []
    assert again.skipped == model["results"]["uscc"].nunique()  # not even serialized
    before = {p: (out / p).read_bytes() for p in first.paths}
    results = model.tables["results"]
    changed = results.copy()
    row = changed.index[0]
    changed.loc[row, "note"] = "复核后更正"
    model.tables["results"] = changed
    try:
        third = build.write_api(model, {}, out)
    finally:
        model.tables["results"] = results
    code = results.loc[row, "uscc"]
    changed_file = f"{build.FOLDER}/enterprises/{urls.segment(code)}.json"
    assert third.written == [changed_file]
    assert "复核后更正" in (out / changed_file).read_text(encoding="utf-8")
    fourth = build.write_api(model, {}, out)  # the old data again: the old bytes again
    assert fourth.written == [changed_file]
    assert {p: (out / p).read_bytes() for p in fourth.paths} == before


def test_a_gone_enterprise_loses_its_file_and_its_index_entry(site):
    _, model, _ = site
    out = Path(tempfile.mkdtemp(prefix="gongkai-api-"))
    first = build.write_api(model, {}, out)
    results = model.tables["results"]
    gone = results["uscc"].iloc[0]
    model.tables["results"] = results[results["uscc"] != gone]
    try:
        second = build.write_api(model, {}, out)
    finally:
        model.tables["results"] = results
    path = f"{build.FOLDER}/enterprises/{urls.segment(gone)}.json"
    assert path in first.paths and path not in second.paths and not (out / path).exists()
    index = json.loads((out / build.FOLDER / "enterprises" / "index-1.json").read_text("utf-8"))
    assert gone not in {e["id"] for e in index["items"]}
    assert index["total"] == len(index["items"]) if index["pages"] == 1 else index["total"]
    on_disk = {p.relative_to(out).as_posix() for p in (out / build.FOLDER).rglob("*.json")}
    assert on_disk == set(second.paths)


def test_api_page_shows_every_kind_and_three_examples(site):
    from bs4 import BeautifulSoup

    out, model, _ = site
    soup = BeautifulSoup((out / build.PAGE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    assert soup.h1.get_text(strip=True) == "数据接口（JSON）"
    assert [h.get_text(strip=True) for h in soup.find_all("h3")] == ["curl", "Python",
                                                                   "JavaScript"]
    links = {a["href"] for a in soup.find_all("a", href=True)}
    root = soup.find("a", href=lambda h: h and h.endswith(build.OPENAPI))["href"]
    prefix = root.removesuffix(build.OPENAPI)
    for href in links:
        if href.startswith(prefix + build.FOLDER):
            assert (out / href.removeprefix(prefix)).is_file(), href
    counts = [int(td.get_text(strip=True)) for td in soup.select("td.num")]
    assert counts[0] == len(model.enterprise_index)
