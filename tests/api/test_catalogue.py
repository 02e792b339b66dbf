"""The DCAT-AP_IT catalogue: Turtle and JSON-LD at /dati/catalogo.*, the same graph, every
dataset with its distributions, and valid by SEMIC's DCAT-AP 2.1.1 SHACL shapes (no SHACL file
of DCAT-AP_IT itself could be found), the harness checked on a real DCAT-AP_IT catalogue of
another publisher (one real finding, named) and on a broken one. Sources: files/SOURCE.md."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef
from rdflib.namespace import DCAT, DCTERMS, RDF

from patto.api import catalogue, opendata

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"
SEMIC_SHAPES = FILES / "dcat-ap_2.1.1_shacl_shapes.ttl"
OTHER_PUBLISHER = FILES / "csi_piemonte_smartdata_catalog.ttl"


def _conforms(data: Graph, shapes: Path) -> tuple[bool, str]:
    import pyshacl

    conforms, _report, text = pyshacl.validate(data, shacl_graph=str(shapes),
                                               inference="none")
    return conforms, text


@pytest.fixture
def graphs(bologna, client) -> dict[str, Graph]:
    found = {}
    for fmt, rdf_format, content_type in (("ttl", "turtle", "text/turtle"),
                                          ("jsonld", "json-ld", "application/ld+json")):
        response = client.get(f"/dati/catalogo.{fmt}")
        assert response.status_code == 200
        assert response["Content-Type"].startswith(content_type)
        found[fmt] = Graph().parse(data=response.content.decode(), format=rdf_format)
    return found


def test_turtle_and_json_ld_hold_the_same_catalogue(graphs):
    from rdflib.compare import isomorphic

    assert isomorphic(graphs["ttl"], graphs["jsonld"])
    graph = graphs["ttl"]
    dcatapit = catalogue.DCATAPIT
    catalogues = list(graph.subjects(RDF.type, dcatapit.Catalog))
    assert len(catalogues) == 1
    datasets = set(graph.objects(catalogues[0], DCAT.dataset))
    assert len(datasets) == len(opendata.DATASETS) + 1  # and the whole package
    publisher = graph.value(catalogues[0], DCTERMS.publisher)
    assert (publisher, RDF.type, dcatapit.Agent) in graph
    assert str(graph.value(publisher, DCTERMS.identifier)) == "cm_bo"
    for dataset in datasets:
        for predicate in (DCTERMS.title, DCTERMS.description, DCTERMS.modified,
                          DCTERMS.accrualPeriodicity, DCTERMS.spatial, DCTERMS.temporal,
                          DCAT.theme, DCAT.contactPoint, DCTERMS.rightsHolder,
                          DCTERMS.identifier):
            assert graph.value(dataset, predicate) is not None, (dataset, predicate)
        for distribution in graph.objects(dataset, DCAT.distribution):
            assert (distribution, RDF.type, dcatapit.Distribution) in graph
            assert str(graph.value(distribution, DCTERMS.format)).startswith(
                "http://publications.europa.eu/resource/authority/file-type/")
            assert graph.value(distribution, DCAT.downloadURL) is not None
            assert graph.value(distribution, DCTERMS.license) == URIRef(
                opendata.DEFAULT_LICENCE)
    projects = URIRef("http://testserver/dati/#projects")
    formats = {str(graph.value(d, DCTERMS.format)).rsplit("/", 1)[1]
               for d in graph.objects(projects, DCAT.distribution)}
    assert formats == {"CSV", "XLSX"}
    assert {str(t).rsplit("/", 1)[1] for t in graph.objects(projects, DCAT.theme)} == {
        "GOVE", "SOCI"}


def test_the_distributions_download(graphs, client):
    for url in sorted({str(u) for u in graphs["ttl"].objects(None, DCAT.downloadURL)}):
        path = url.removeprefix("http://testserver")
        assert client.get(path).status_code == 200, path


def test_the_catalogue_conforms_to_the_shapes(graphs):
    conforms, text = _conforms(graphs["ttl"], SEMIC_SHAPES)
    assert conforms, text[:3000]


def test_the_harness_accepts_a_real_catalogue_and_refuses_a_broken_one(graphs):
    import pyshacl

    other = Graph().parse(OTHER_PUBLISHER)
    conforms, _report, text = pyshacl.validate(other, shacl_graph=str(SEMIC_SHAPES),
                                              inference="none")
    # CSI Piemonte's catalogue holds every mandatory element; its one violation is real: it
    # types the EU theme EDUC as a skos:Concept without the skos:prefLabel DCAT-AP requires.
    assert not conforms
    assert text.count("Constraint Violation") == 1
    assert "data-theme/EDUC" in text and "prefLabel" in text
    broken = Graph()
    for triple in graphs["ttl"]:
        broken.add(triple)
    for node in broken.subjects(RDF.type, catalogue.DCATAPIT.Catalog):
        broken.remove((node, DCTERMS.title, None))
        broken.remove((node, DCTERMS.publisher, None))
    conforms, text = _conforms(broken, SEMIC_SHAPES)
    assert not conforms
    assert "dct:publisher" in text.replace(str(DCTERMS), "dct:")
    assert "dct:title" in text.replace(str(DCTERMS), "dct:")


def test_built_once_per_data_version(bologna, django_assert_num_queries):
    from django.core.cache import cache

    cache.clear()
    first = catalogue.catalogue_text("http://x.test", "ttl")
    with django_assert_num_queries(0):
        assert catalogue.catalogue_text("http://x.test", "ttl") == first
