"""The Bologna package's economic-development records: loaded through the package section,
the end-of-term report's figures as sourced rows and the illustrative ones marked as example,
on the public page; a second load changes nothing. Its crisis cases, agreements and register
entries are example records too, counted from the package's files, not from a number here."""

from __future__ import annotations

import csv

import pytest
from django.urls import reverse

from patto.instruments.models import (
    Agreement,
    Commitment,
    CrisisCase,
    DevelopmentService,
    Investment,
    PrizeEdition,
    Protocol,
    RegisterApplication,
    ServiceActivity,
)
from patto.instruments.selectors import development_figures
from tests.conftest import PACKAGE

pytestmark = pytest.mark.django_db
#: These tests read the package's own work records (see conftest).
KEEPS_PACKAGE_EXAMPLES = True


def _package_rows(resource: str) -> list[dict]:
    with (PACKAGE / f"{resource}.csv").open(encoding="utf-8", newline="") as handle:
        return [r for r in csv.DictReader(handle) if r["pact"] == "bologna-2021"]


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


def test_the_work_records_are_the_package_examples(bologna):
    cases, agreements = _package_rows("crisis_cases"), _package_rows("agreements")
    commitments, entries = _package_rows("agreement_commitments"), _package_rows("register_entries")
    assert cases and agreements and commitments and entries
    # Every row of these files is illustrative, and says so.
    assert {r["example"] for r in (*cases, *agreements, *entries)} == {"true"}
    loaded = CrisisCase.objects.filter(pact=bologna)
    assert sorted(loaded.values_list("code", flat=True)) == sorted(r["code"] for r in cases)
    assert not loaded.filter(confidential=True).exists()
    assert set(loaded.values_list("is_example", flat=True)) == {True}
    # Different sectors and areas, so that the dashboards have something to split.
    assert len(set(loaded.values_list("ateco_section", flat=True))) == len(cases)
    assert len({c.area_id or c.municipality_id for c in loaded}) == len(cases)
    for row in cases:
        case = loaded.get(code=row["code"])
        assert case.status == (row["status"] or "reported")
        assert case.workers_total == sum(
            int(item.split("=")[1]) for item in row["workers"].split(";")
        )
    assert set(
        Agreement.objects.filter(pact=bologna).values_list("code", "is_example")
    ) == {(r["code"], True) for r in agreements}
    assert Commitment.objects.filter(agreement__pact=bologna).count() == len(commitments)
    reported = [r for r in commitments if r["reported_on"]]
    assert sorted(
        Commitment.objects.filter(agreement__pact=bologna, reported_on__isnull=False)
        .values_list("agreement__code", "achieved")
    ) == sorted((r["agreement"], int(r["achieved"])) for r in reported)
    register = RegisterApplication.objects.filter(pact=bologna, status="registered")
    assert set(register.values_list("company_tax_code", "is_example")) == {
        (r["company_tax_code"], True) for r in entries
    }
    # A public package carries no contact: the entries are recorded without one.
    assert set(register.values_list("contact_email", flat=True)) == {""}


@pytest.mark.parametrize(
    "route, resource, name",
    [
        ("instruments:cases", "crisis_cases", "company_name"),
        ("instruments:agreements", "agreements", "company_name"),
        ("instruments:register", "register_entries", "company_name"),
    ],
)
def test_the_public_pages_mark_the_work_examples(client, bologna, route, resource, name):
    page = client.get(reverse(route, args=[bologna.code])).content.decode()
    rows = _package_rows(resource)
    for row in rows:
        assert row[name].replace("'", "&#x27;") in page
    assert page.count("badge bg-warning") >= len(rows)


def test_a_second_load_changes_nothing(bologna):
    from patto.pact.services import pact_load_package

    result = pact_load_package(path=PACKAGE)
    labels = {
        str(m._meta.verbose_name_plural)
        for m in (
            DevelopmentService,
            ServiceActivity,
            Investment,
            Protocol,
            PrizeEdition,
            CrisisCase,
            Agreement,
            RegisterApplication,
        )
    }
    assert not labels & {k for k, v in result.created.items() if v}
    assert not labels & {k for k, v in result.updated.items() if v}
