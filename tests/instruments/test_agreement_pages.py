"""The office's pages of the good-employment agreements: a new agreement with its commitments,
monitoring reports against them typed the Italian way, an addendum; roles; query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from patto.instruments import services
from patto.instruments.models import Agreement, CommitmentReport
from patto.pact.models import Territory

from .conftest import ARGELATO, VAT

pytestmark = pytest.mark.django_db

#: Queries of the office's agreement page (session, user, the role check, pact, agreement,
#: commitments, reports, the form's commitments, ...), the same with one commitment and many.
DETAIL_QUERIES = 10


def _login(client, people, role="agreement_officer"):
    client.force_login(people[role])


def _agreement(bologna, commitments=2):
    return services.agreement_create(
        user=None,
        pact=bologna,
        data={
            "code": "intesa-interporto",
            "company_name": "Logistica Emilia",
            "company_tax_code": VAT,
            "site": "Interporto",
            "municipality": Territory.objects.get(code=ARGELATO),
            "signed_on": dt.date(2022, 5, 1),
        },
        commitments=[
            {
                "kind": "hires",
                "description": f"Assunzioni {n}",
                "target": 40,
                "due_on": dt.date(2024, 12, 31),
            }
            for n in range(commitments)
        ],
    )


def test_the_office_records_an_agreement_with_its_commitments(client, bologna, people):
    _login(client, people)
    url = reverse("instruments:manage_agreements", args=[bologna.code])
    form = {
        "code": "intesa-nuova",
        "company_name": "Nuova Logistica",
        "company_tax_code": VAT,
        "site": "Polo di Altedo",
        "municipality": Territory.objects.get(code=ARGELATO).pk,
        "signed_on": "13/01/2023",
        "impegni-TOTAL_FORMS": "3",
        "impegni-INITIAL_FORMS": "0",
        "impegni-0-kind": "hires",
        "impegni-0-description": "Assunzioni a tempo indeterminato",
        "impegni-0-target": "120",
        "impegni-0-due_on": "31/12/2025",
        "impegni-1-kind": "training_hours",
        "impegni-1-description": "Ore di formazione",
        "impegni-1-target": "2.500",
        "impegni-1-due_on": "31/12/2025",
        "impegni-2-kind": "",
    }
    response = client.post(url, form)
    assert response.status_code == 302, response.content.decode()[:3000]
    made = Agreement.objects.get(code="intesa-nuova")
    assert made.signed_on == dt.date(2023, 1, 13)
    assert sorted(c.target for c in made.commitments.all()) == [120, 2500]


def test_an_agreement_without_commitments_is_refused(client, bologna, people):
    _login(client, people)
    url = reverse("instruments:manage_agreements", args=[bologna.code])
    response = client.post(
        url,
        {
            "code": "vuota",
            "company_name": "X",
            "company_tax_code": VAT,
            "municipality": Territory.objects.get(code=ARGELATO).pk,
            "signed_on": "13/01/2023",
            "impegni-TOTAL_FORMS": "1",
            "impegni-INITIAL_FORMS": "0",
            "impegni-0-kind": "",
        },
    )
    assert response.status_code == 400
    assert not Agreement.objects.filter(code="vuota").exists()


def test_a_monitoring_report_is_stored_against_its_commitment(client, bologna, people):
    agreement = _agreement(bologna)
    commitment = agreement.commitments.first()
    _login(client, people)
    url = reverse(
        "instruments:agreement_action", args=[bologna.code, agreement.code, "monitoraggio"]
    )
    response = client.post(
        url, {"commitment": commitment.pk, "reported_on": "30/06/2023", "value": "12"}
    )
    assert response.status_code == 302
    commitment.refresh_from_db()
    assert (commitment.achieved, commitment.reported_on) == (12, dt.date(2023, 6, 30))
    # A report before the signing is refused with its reason, and nothing is stored.
    refused = client.post(
        url, {"commitment": commitment.pk, "reported_on": "30/06/2021", "value": "3"}
    )
    assert refused.status_code == 400
    assert CommitmentReport.objects.count() == 1


def test_an_addendum_adds_a_commitment(client, bologna, people):
    agreement = _agreement(bologna, commitments=1)
    _login(client, people)
    url = reverse("instruments:agreement_action", args=[bologna.code, agreement.code, "impegno"])
    response = client.post(
        url,
        {
            "kind": "safety_measures",
            "description": "Formazione sulla sicurezza",
            "target": "4",
            "due_on": "31/12/2024",
        },
    )
    assert response.status_code == 302
    assert agreement.commitments.count() == 2


@pytest.mark.parametrize("count", [1, 5])
def test_the_agreement_page_has_a_fixed_query_count(
    client, bologna, people, count, django_assert_num_queries
):
    agreement = _agreement(bologna, commitments=count)
    for c in agreement.commitments.all():
        services.commitment_report(
            user=None, commitment=c, reported_on=dt.date(2023, 1, 1), value=5
        )
    _login(client, people)
    url = reverse("instruments:manage_agreement", args=[bologna.code, agreement.code])
    with django_assert_num_queries(DETAIL_QUERIES):
        response = client.get(url)
    assert response.status_code == 200
    assert response.content.decode().count("Assunzioni") >= count


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("agreement_officer", 200),
        ("secretariat", 200),
        ("register_officer", 403),
        ("development_officer", 403),
        ("stranger", 403),
    ],
)
def test_only_the_office_and_the_secretariat_reach_the_pages(client, bologna, people, role, status):
    _login(client, people, role)
    assert client.get(
        reverse("instruments:manage_agreements", args=[bologna.code])
    ).status_code == (status)
