"""data/catalog.jsonld: rdflib reads it as DCAT, and its figures match the files."""

from __future__ import annotations

import hashlib

import pytest
from publishing import published
from rdflib import RDF, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF

from generator.publish import dcat

SPDX = Namespace("http://spdx.org/rdf/terms#")
BASE = "https://example.org/gongkai/"


@pytest.fixture(scope="module")
def site():
    return published()


@pytest.fixture(scope="module")
def graph(site):
    out, _, _ = site
    g = Graph()
    g.parse(data=(out / dcat.CATALOG).read_text(encoding="utf-8"), format="json-ld",
            publicID=BASE)
    return g


def test_one_catalog_with_every_dataset(site, graph):
    _, _, result = site
    catalogs = list(graph.subjects(RDF.type, DCAT.Catalog))
    assert len(catalogs) == 1
    datasets = set(graph.objects(catalogs[0], DCAT.dataset))
    assert {str(graph.value(d, DCTERMS.identifier)) for d in datasets} == {
        ds.name for ds in result.datasets}
    for term in (DCTERMS.title, DCTERMS.publisher, DCTERMS.license):
        assert graph.value(catalogs[0], term) is not None, term


def test_datasets_have_the_required_properties(site, graph):
    _, model, _ = site
    for d in graph.subjects(RDF.type, DCAT.Dataset):
        for term in (DCTERMS.title, DCTERMS.description, DCTERMS.publisher, DCTERMS.license,
                     DCTERMS.spatial, DCAT.distribution):
            assert graph.value(d, term) is not None, (d, term)
        assert graph.value(graph.value(d, DCTERMS.publisher), FOAF.name) == Literal(
            model.settings["AUTHOR"])
    results = URIRef(BASE + "data/#results")
    period = graph.value(results, DCTERMS.temporal)
    assert str(graph.value(period, DCAT.startDate)) == \
        model["results"]["inspected_on"].min().date().isoformat()
    assert str(graph.value(period, DCAT.endDate)) == \
        model["results"]["inspected_on"].max().date().isoformat()


def test_distributions_match_the_downloads(site, graph):
    out, _, _ = site
    dists = list(graph.subjects(RDF.type, DCAT.Distribution))
    assert dists
    for dist in dists:
        url = str(graph.value(dist, DCAT.downloadURL))
        assert url.startswith(BASE)
        data = (out / url.removeprefix(BASE)).read_bytes()
        assert int(graph.value(dist, DCAT.byteSize)) == len(data)
        checksum = graph.value(dist, SPDX.checksum)
        assert str(graph.value(checksum, SPDX.checksumValue)) == hashlib.sha256(data).hexdigest()
        media = str(graph.value(dist, DCAT.mediaType))
        assert media.endswith(dcat.MEDIA_TYPES[url.rsplit(".", 1)[-1]])
        assert graph.value(dist, DCTERMS.license) is not None
