"""Job-inclusion pathways: no personal data stored, stages in order, operators see their own,
the public sees aggregates with small cells suppressed."""

from __future__ import annotations

import datetime as dt
import json
import re

import pytest
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.instruments import selectors, services
from patto.instruments.models import Pathway, PathwayStep, Placement, StoredFigures

from .conftest import VAT

pytestmark = pytest.mark.django_db

PUBLIC_QUERIES = 2
#: Words that would name a person or reach them; a company's name and tax code are allowed
#: on a placement (an organisation, not the person).
PERSONAL = re.compile(r"name|tax|fiscal|email|mail|phone|tel|address|birth|contact|surname")


@pytest.mark.parametrize("model", [Pathway, PathwayStep, Placement])
def test_no_field_can_hold_a_persons_name_tax_code_or_contact(model):
    allowed = {"company_name", "company_tax_code"} if model is Placement else set()
    for m in (model, model.history.model):
        names = {f.name for f in m._meta.get_fields()} - allowed
        assert [n for n in names if PERSONAL.search(n)] == []


@pytest.mark.parametrize(
    "code",
    [
        "RSSMRA85T10A562S",
        "rss-mra-85t10-a562s",
        "mario@example.org",
        "3331234567",
        "+39 333 1234567",
        "ab",
        "Mario Rossi",
    ],
)
def test_a_code_that_names_or_reaches_the_person_is_refused(bologna, people, code):
    with pytest.raises(ApplicationError) as caught:
        _open(bologna, people["inclusion_operator"], code)
    assert caught.value.field == "person_code"
    assert not Pathway.objects.exists()


def _open(pact, user, code="IPL-001", *, sex="f", target="neet", started_on=dt.date(2023, 1, 10)):
    return services.pathway_open(
        user=user,
        pact=pact,
        data={
            "person_code": code,
            "sex": sex,
            "age_band": "15-24",
            "target": target,
            "started_on": started_on,
        },
    )


def _placed(pact, user, code, *, contract="fixed_term", started_on=dt.date(2023, 3, 1)):
    pathway = _open(pact, user, code)
    services.pathway_advance(
        user=user, pathway=pathway, stage="orientation", on=dt.date(2023, 2, 1)
    )
    services.pathway_place(
        user=user,
        pathway=pathway,
        company_name="Coop Esempio",
        company_tax_code=VAT,
        contract=contract,
        started_on=started_on,
    )
    return pathway


def test_a_pathway_goes_through_its_stages_in_order(bologna, people):
    operator = people["inclusion_operator"]
    pathway = _open(bologna, operator)
    assert (pathway.operator, pathway.stage) == (operator, "intake")
    with pytest.raises(ApplicationError, match=r"^stage: "):
        services.pathway_place(
            user=operator,
            pathway=pathway,
            company_name="X",
            contract="permanent",
            started_on=dt.date(2023, 2, 1),
        )
    services.pathway_advance(
        user=operator, pathway=pathway, stage="training", on=dt.date(2023, 2, 1)
    )
    with pytest.raises(ApplicationError, match=r"^stage: "):
        services.pathway_advance(
            user=operator, pathway=pathway, stage="orientation", on=dt.date(2023, 2, 2)
        )
    with pytest.raises(ApplicationError, match=r"^on: "):
        services.pathway_place(
            user=operator,
            pathway=pathway,
            company_name="X",
            contract="permanent",
            started_on=dt.date(2023, 1, 1),
        )
    services.pathway_place(
        user=operator,
        pathway=pathway,
        company_name="Coop Esempio",
        contract="apprenticeship",
        started_on=dt.date(2023, 3, 1),
    )
    with pytest.raises(ApplicationError, match=r"^on: "):
        services.pathway_follow_up(
            user=operator, pathway=pathway, on=dt.date(2023, 6, 1), employed=True
        )
    services.pathway_follow_up(
        user=operator, pathway=pathway, on=dt.date(2023, 9, 1), employed=True
    )
    pathway.refresh_from_db()
    assert pathway.stage == "follow_up"
    assert [s.stage for s in pathway.steps.all()] == [
        "intake",
        "training",
        "placement",
        "follow_up",
    ]
    assert pathway.placements.get().employed_at_follow_up is True
    assert pathway.history.count() == 4
    assert pathway.history.first().history_user == operator


@pytest.mark.parametrize(
    "role",
    [
        "secretariat",
        "inclusion_operator",
        "safeguard_clerk",
        "safeguard_member",
        "register_officer",
        "stranger",
    ],
)
def test_permission_matrix_of_pathway_writes(bologna, people, role):
    operator = people["inclusion_operator"]
    mine = _open(bologna, operator, "IPL-100")
    user = people[role]
    writes = {
        "open": lambda: services.pathway_open(
            user=user,
            pact=bologna,
            operator=operator,
            data={
                "person_code": "IPL-200",
                "sex": "m",
                "age_band": "50+",
                "target": "other",
                "started_on": dt.date(2023, 1, 1),
            },
        ),
        "advance": lambda: services.pathway_advance(
            user=user, pathway=mine, stage="orientation", on=dt.date(2023, 2, 1)
        ),
    }
    may = {"secretariat": {"open", "advance"}, "inclusion_operator": {"open", "advance"}}
    for name, write in writes.items():
        if name in may.get(role, set()):
            write()
        else:
            with pytest.raises(ApplicationError) as caught:
                write()
            assert caught.value.code == "forbidden"


def test_an_operator_cannot_touch_or_see_another_operators_pathway(
    bologna, people, django_user_model
):
    from patto.instruments.models import InstrumentRole

    other = django_user_model.objects.create_user("altro-operatore", "o@example.org", "x" * 20)
    InstrumentRole.objects.create(pact=bologna, user=other, role="inclusion_operator")
    theirs = _open(bologna, people["inclusion_operator"])
    with pytest.raises(ApplicationError):
        services.pathway_advance(
            user=other, pathway=theirs, stage="orientation", on=dt.date(2023, 2, 1)
        )
    assert list(selectors.pathway_list(pact=bologna, user=other)) == []
    assert list(selectors.pathway_list(pact=bologna, user=people["safeguard_member"])) == []
    assert list(selectors.pathway_list(pact=bologna, user=people["secretariat"])) == [theirs]


def test_public_figures_suppress_small_cells_and_store_no_raw_small_count(bologna, people):
    operator = people["inclusion_operator"]
    for n in range(6):
        _placed(bologna, operator, f"IPL-F{n}")
    for n in range(3):
        _placed(bologna, operator, f"IPL-M{n}", contract="permanent")
    _open(bologna, operator, "IPL-NEW")
    data = StoredFigures.objects.get(pact=bologna, kind="pathways-public").data
    placements = data["placements"]
    by_contract = dict(zip(placements["rows"], placements["cells"], strict=False))
    assert by_contract["fixed_term"] == [6, 6]
    assert by_contract["permanent"] == [None, None]  # 3 people: hidden
    # No hidden cell alone in its row or column: the totals would give it away.
    grid = placements["cells"]
    for line in [*grid, *zip(*grid, strict=True)]:
        assert sum(v is None for v in line) != 1
    stored = json.dumps(data)
    for table in ("stages", "targets", "placements", "followed_up"):
        for row in data[table]["cells"]:
            assert all(v is None or v == 0 or v >= 5 for v in row), (table, row)
    assert "IPL-" not in stored


def test_public_page_shows_aggregates_only_with_a_fixed_query_count(
    client, bologna, people, django_assert_num_queries
):
    operator = people["inclusion_operator"]
    for n in range(6):
        _placed(bologna, operator, f"IPL-F{n}")
    url = reverse("instruments:pathways_public", args=[bologna.code])
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(url)
    page = response.content.decode()
    assert response.status_code == 200
    assert "IPL-F" not in page and "Coop Esempio" not in page
    assert 'data-testid="suppression-note"' in page


def test_staff_pages_for_operators_only(client, bologna, people):
    operator = people["inclusion_operator"]
    mine = _open(bologna, operator, "IPL-777")
    pathways = reverse("instruments:pathways", args=[bologna.code])
    detail = reverse("instruments:pathway", args=[bologna.code, mine.pk])
    client.force_login(people["stranger"])
    assert client.get(pathways).status_code == 403
    assert client.get(detail).status_code == 404
    client.force_login(people["safeguard_member"])
    assert client.get(detail).status_code == 404
    client.force_login(operator)
    assert b"IPL-777" in client.get(pathways).content
    response = client.post(
        pathways,
        {
            "person_code": "RSSMRA85T10A562S",
            "sex": "m",
            "age_band": "25-34",
            "target": "other",
            "started_on": "2024-01-01",
            "municipality": "",
        },
    )
    assert response.status_code == 200 and Pathway.objects.count() == 1
    response = client.post(
        pathways,
        {
            "person_code": "IPL-778",
            "sex": "m",
            "age_band": "25-34",
            "target": "other",
            "started_on": "2024-01-01",
            "municipality": "",
        },
    )
    assert response.status_code == 302
    action = reverse("instruments:pathway_action", args=[bologna.code, mine.pk, "fase"])
    assert client.post(action, {"stage": "orientation", "on": "2023-02-01"}).status_code == 302
    bad = reverse("instruments:pathway_action", args=[bologna.code, mine.pk, "verifica"])
    assert client.post(bad, {"on": "2023-09-01", "employed": "si"}).status_code == 400
    mine.refresh_from_db()
    assert mine.stage == "orientation"
    assert client.get(detail).status_code == 200
