"""Good-employment agreements: commitments, monitoring reports against them, roles, page."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.instruments import services
from patto.instruments.models import Agreement
from patto.pact.models import Territory

from .conftest import ARGELATO, BAD_VAT, VAT

pytestmark = pytest.mark.django_db

PUBLIC_QUERIES = 3


def _agreement(pact, user=None, code="intesa-1", **changes):
    return services.agreement_create(
        user=user,
        pact=pact,
        data={
            "code": code,
            "company_name": f"Logistica {code}",
            "company_tax_code": VAT,
            "site": "Interporto",
            "municipality": Territory.objects.get(code=ARGELATO),
            "signed_on": dt.date(2022, 5, 1),
            **changes,
        },
        commitments=[
            {
                "kind": "hires",
                "description": "Assunzioni a tempo indeterminato",
                "target": 40,
                "due_on": dt.date(2024, 12, 31),
            },
            {
                "kind": "training_hours",
                "description": "Ore di formazione",
                "target": 2000,
                "due_on": dt.date(2024, 12, 31),
            },
        ],
    )


def test_an_agreement_is_monitored_against_its_commitments(bologna):
    agreement = _agreement(bologna)
    hires = agreement.commitments.get(kind="hires")
    services.commitment_report(
        user=None, commitment=hires, reported_on=dt.date(2023, 6, 30), value=12
    )
    services.commitment_report(
        user=None, commitment=hires, reported_on=dt.date(2023, 12, 31), value=30
    )
    hires.refresh_from_db()
    assert (hires.achieved, hires.reported_on, hires.share) == (30, dt.date(2023, 12, 31), 75)
    with pytest.raises(ApplicationError, match=r"^reported_on: "):
        services.commitment_report(
            user=None, commitment=hires, reported_on=dt.date(2023, 12, 31), value=31
        )
    with pytest.raises(ApplicationError, match=r"^reported_on: "):
        services.commitment_report(
            user=None, commitment=hires, reported_on=dt.date(2021, 1, 1), value=1
        )
    assert hires.history.count() == 3


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"company_tax_code": BAD_VAT}, "company_tax_code"),
        ({"ends_on": dt.date(2022, 1, 1)}, "ends_on"),
    ],
)
def test_bad_agreements_are_refused_whole(bologna, changes, field):
    with pytest.raises(ApplicationError) as caught:
        _agreement(bologna, **changes)
    assert caught.value.field == field
    assert not Agreement.objects.exists()


@pytest.mark.parametrize(
    "role",
    [
        "secretariat",
        "agreement_officer",
        "safeguard_clerk",
        "register_officer",
        "inclusion_operator",
        "stranger",
    ],
)
def test_permission_matrix_of_agreement_writes(bologna, people, role):
    agreement = _agreement(bologna)
    user = people[role]
    allowed = role in ("secretariat", "agreement_officer")
    writes = [
        lambda: _agreement(bologna, user, code="intesa-2"),
        lambda: services.commitment_report(
            user=user,
            commitment=agreement.commitments.first(),
            reported_on=dt.date(2023, 1, 1),
            value=5,
        ),
    ]
    for write in writes:
        if allowed:
            write()
        else:
            with pytest.raises(ApplicationError) as caught:
                write()
            assert caught.value.code == "forbidden"


@pytest.mark.parametrize("count", [1, 5])
def test_public_page_has_a_fixed_query_count(client, bologna, count, django_assert_num_queries):
    for n in range(count):
        _agreement(bologna, code=f"intesa-{n}")
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(reverse("instruments:agreements", args=[bologna.code]))
    assert response.status_code == 200
    assert response.content.decode().count("Ore di formazione") == count
