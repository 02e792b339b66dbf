"""The Bologna package's economic-development records: loaded through the package section,
the end-of-term report's figures as sourced rows and the illustrative ones marked as example,
on the public page; a second load changes nothing."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patto.instruments.models import (
    DevelopmentService,
    Investment,
    PrizeEdition,
    Protocol,
    ServiceActivity,
)
from patto.instruments.selectors import development_figures

pytestmark = pytest.mark.django_db


def test_the_report_figures_are_sourced_and_the_others_example(bologna):
    advice = DevelopmentService.objects.get(pact=bologna, code="progetti-impresa")
    sourced = ServiceActivity.objects.filter(service=advice, is_example=False)
    assert sorted(sourced.values_list("kind", "count")) == [("consultation", 950), ("event", 50)]
    assert Investment.objects.filter(service__pact=bologna).exclude(is_example=True).count() == 0
    assert set(Protocol.objects.filter(pact=bologna).values_list("is_example", flat=True)) == {True}
    airport = Protocol.objects.get(pact=bologna, code="protocollo-sito-aeroporto")
    assert "aeroporto-bologna" in set(airport.signatories.values_list("code", flat=True))
    assert airport.other_signatory_list() == ["Prefettura di Bologna"]
    edition = PrizeEdition.objects.get(pact=bologna, prize="Premio Barresi", year=2019)
    assert [a.winner for a in edition.awards.all()] == [
        "Impresa esempio Alfa",
        "Impresa esempio Beta",
    ]


def test_the_stored_figures_carry_the_package_counts(bologna):
    services = {s["code"]: s for s in development_figures(pact=bologna)["services"]}
    assert services["progetti-impresa"]["totals"]["consultation"] == 950 + 74
    assert services["progetti-impresa"]["years"]["2021"]["event"] == 50
    assert len(services) == 6


def test_the_public_page_marks_example_records(client, bologna):
    page = client.get(reverse("instruments:development", args=[bologna.code])).content.decode()
    assert "Progetti d&#x27;impresa" in page and "Premio Barresi 2019" in page
    assert "Protocollo di sito per l&#x27;Interporto" in page
    assert page.count("badge bg-warning") >= 4  # protocols, prize, investors


def test_a_second_load_changes_nothing(bologna):
    from patto.pact.services import pact_load_package
    from tests.conftest import PACKAGE

    result = pact_load_package(path=PACKAGE)
    labels = {
        str(m._meta.verbose_name_plural)
        for m in (DevelopmentService, ServiceActivity, Investment, Protocol, PrizeEdition)
    }
    assert not labels & {k for k, v in result.created.items() if v}
    assert not labels & {k for k, v in result.updated.items() if v}
