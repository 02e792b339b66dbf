"""The DCAT-AP_IT catalogue of the open data (:mod:`patto.api.opendata`), as RDF: Turtle and
JSON-LD, serialized once per data version and site address (patto.core.cache.versioned)."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.urls import reverse
from django.utils import translation
from rdflib import BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, XSD

from patto.core.cache import versioned

from . import opendata

DCATAPIT = Namespace("http://dati.gov.it/onto/dcatapit#")
VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
FREQUENCY = Namespace("http://publications.europa.eu/resource/authority/frequency/")
LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
COUNTRY = Namespace("http://publications.europa.eu/resource/authority/country/")
ISTAT_CITY = Namespace("https://w3id.org/italia/controlled-vocabulary/territorial-classifications/cities/")
LICENCE_KIND = URIRef("https://w3id.org/italia/controlled-vocabulary/licences/A21_CCBY40")
#: The metropolitan city of Bologna's ISTAT code (PATTO_OPEN_DATA_GEONAME overrides it).
DEFAULT_GEONAME = "http://www.geonames.org/3181927"
FORMATS = {"csv": "CSV", "xlsx": "XLSX", "zip": "ZIP"}


def _graph(base: str) -> Graph:
    graph = Graph()
    for prefix, space in (("dcat", DCAT), ("dct", DCTERMS), ("dcatapit", DCATAPIT),
                          ("foaf", FOAF), ("vcard", VCARD), ("xsd", XSD)):
        graph.bind(prefix, space)
    it = "it"
    who = opendata.publisher()
    modified = Literal(opendata.updated_at().date(), datatype=XSD.date)
    catalogue = URIRef(f"{base}/dati/")
    agent = URIRef(f"{base}/dati/#publisher")
    contact = URIRef(f"{base}/dati/#contact")
    licence_url, licence_title = opendata.licence()
    licence = URIRef(licence_url)

    graph.add((agent, RDF.type, DCATAPIT.Agent))
    graph.add((agent, RDF.type, FOAF.Agent))
    graph.add((agent, FOAF.name, Literal(who["name"], lang=it)))
    graph.add((agent, DCTERMS.identifier, Literal(who["ipa"])))

    graph.add((contact, RDF.type, DCATAPIT.Organization))
    graph.add((contact, RDF.type, VCARD.Organization))
    graph.add((contact, VCARD.fn, Literal(who["name"])))
    graph.add((contact, VCARD.hasEmail, URIRef(f"mailto:{who['email']}")))

    graph.add((licence, RDF.type, DCATAPIT.LicenseDocument))
    graph.add((licence, RDF.type, DCTERMS.LicenseDocument))
    graph.add((licence, DCTERMS.type, LICENCE_KIND))
    graph.add((licence, FOAF.name, Literal(licence_title)))

    with translation.override("it"):
        title = str(opendata._("Open data of the pact"))
        graph.add((catalogue, RDF.type, DCATAPIT.Catalog))
        graph.add((catalogue, RDF.type, DCAT.Catalog))
        graph.add((catalogue, DCTERMS.title, Literal(title, lang=it)))
        graph.add((catalogue, DCTERMS.description, Literal(
            str(opendata._("The public datasets of the pact for sustainable development: "
                           "parties, territory, projects, indicators, assessments and "
                           "funds.")), lang=it)))
        graph.add((catalogue, DCTERMS.publisher, agent))
        graph.add((catalogue, DCTERMS.modified, modified))
        graph.add((catalogue, DCTERMS.issued, modified))
        graph.add((catalogue, DCTERMS.language, LANGUAGE.ITA))
        graph.add((catalogue, FOAF.homepage, URIRef(f"{base}/dati/")))
        graph.add((catalogue, DCAT.themeTaxonomy,
                   URIRef("http://publications.europa.eu/resource/authority/data-theme")))

        location = URIRef(getattr(settings, "PATTO_OPEN_DATA_GEONAME", DEFAULT_GEONAME))
        graph.add((location, RDF.type, DCTERMS.Location))
        graph.add((location, RDF.type, DCATAPIT.Location))
        period = BNode("temporal")
        graph.add((period, RDF.type, DCTERMS.PeriodOfTime))
        graph.add((period, RDF.type, DCATAPIT.PeriodOfTime))
        graph.add((period, DCAT.startDate, Literal(dt.date(2021, 1, 1), datatype=XSD.date)))

        for dataset in opendata.DATASETS:
            node = URIRef(f"{base}/dati/#{dataset.slug}")
            graph.add((catalogue, DCAT.dataset, node))
            graph.add((node, RDF.type, DCATAPIT.Dataset))
            graph.add((node, RDF.type, DCAT.Dataset))
            graph.add((node, DCTERMS.identifier, Literal(f"{who['ipa']}:patto-{dataset.slug}")))
            graph.add((node, DCTERMS.title, Literal(str(dataset.title), lang=it)))
            graph.add((node, DCTERMS.description, Literal(str(dataset.description), lang=it)))
            graph.add((node, DCTERMS.modified, modified))
            graph.add((node, DCTERMS.publisher, agent))
            graph.add((node, DCTERMS.rightsHolder, agent))
            graph.add((node, DCAT.contactPoint, contact))
            graph.add((node, DCTERMS.accrualPeriodicity, FREQUENCY[dataset.periodicity]))
            graph.add((node, DCTERMS.spatial, location))
            graph.add((node, DCTERMS.temporal, period))
            graph.add((node, DCTERMS.language, LANGUAGE.ITA))
            graph.add((node, DCAT.landingPage, URIRef(f"{base}/dati/")))
            for theme in dataset.themes:
                graph.add((node, DCAT.theme, THEME[theme]))
            for fmt in opendata.TABLE_FORMATS:
                url = URIRef(base + reverse("opendata-table", args=[dataset.slug, fmt]))
                graph.add((node, DCAT.distribution,
                           _distribution(graph, url, fmt, dataset.title, licence,
                                         modified)))
        package = URIRef(f"{base}/dati/#package")
        graph.add((catalogue, DCAT.dataset, package))
        graph.add((package, RDF.type, DCATAPIT.Dataset))
        graph.add((package, RDF.type, DCAT.Dataset))
        graph.add((package, DCTERMS.identifier, Literal(f"{who['ipa']}:patto-datapackage")))
        graph.add((package, DCTERMS.title, Literal(
            str(opendata._("All the open data (Data Package)")), lang=it)))
        graph.add((package, DCTERMS.description, Literal(
            str(opendata._("Every dataset as a Frictionless Data Package: a ZIP with "
                           "datapackage.json and one CSV file each.")), lang=it)))
        for predicate, value in ((DCTERMS.modified, modified), (DCTERMS.publisher, agent),
                                 (DCTERMS.rightsHolder, agent), (DCAT.contactPoint, contact),
                                 (DCTERMS.accrualPeriodicity, FREQUENCY.IRREG),
                                 (DCTERMS.spatial, location), (DCTERMS.temporal, period),
                                 (DCAT.theme, THEME.GOVE)):
            graph.add((package, predicate, value))
        graph.add((package, DCAT.distribution, _distribution(
            graph, URIRef(base + reverse("opendata-package")), "zip",
            opendata._("All the open data (Data Package)"), licence, modified)))
    return graph


def _distribution(graph: Graph, url: URIRef, fmt: str, title, licence: URIRef,
                  modified: Literal) -> URIRef:
    node = URIRef(f"{url}#distribution")
    graph.add((node, RDF.type, DCATAPIT.Distribution))
    graph.add((node, RDF.type, DCAT.Distribution))
    graph.add((node, DCAT.accessURL, url))
    graph.add((node, DCAT.downloadURL, url))
    graph.add((node, DCTERMS.format, FILE_TYPE[FORMATS[fmt]]))
    graph.add((node, DCTERMS.license, licence))
    graph.add((node, DCTERMS.title, Literal(f"{title} ({FORMATS[fmt]})", lang="it")))
    graph.add((node, DCTERMS.modified, modified))
    return node


def site_base(request) -> str:
    found = getattr(settings, "PATTO_SITE_URL", "") or ""
    return (found or f"{request.scheme}://{request.get_host()}").rstrip("/")


def catalogue_graph(base: str) -> Graph:
    return _graph(base)


def catalogue_text(base: str, fmt: str) -> str:
    """The catalogue serialized, once per data version, site address and format."""
    rdf_format = {"ttl": "turtle", "jsonld": "json-ld"}[fmt]
    return versioned(f"opendata:catalogue:{fmt}:{base}",
                     lambda: _graph(base).serialize(format=rdf_format))
