"""Crisis cases of the safeguard table: validation, workflow, history, stored figures, roles."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import IntegrityError, transaction

from patto.core.errors import ApplicationError
from patto.instruments import selectors, services
from patto.instruments.models import CaseWorkers, CrisisCase, StoredFigures
from patto.pact.models import Party, Territory

from .conftest import BAD_VAT, BOLOGNA

pytestmark = pytest.mark.django_db


def test_a_case_records_its_sector_area_and_history(make_case):
    case = make_case()
    assert case.ateco_section == "C"
    assert case.area.code == "unione-reno-galliera"
    assert case.status == "reported"
    assert case.history.count() == 1
    assert case.history.first().history_change_reason
    assert sum(w.count for w in case.workers.all()) == 46


def test_a_municipality_without_union_is_its_own_area(make_case):
    case = make_case(municipality=BOLOGNA)
    assert case.area is None
    figures = selectors.crisis_figures(pact=case.pact)
    assert figures["by_area"] == {"Bologna": [1]}


@pytest.mark.parametrize(
    ("field", "value", "match"),
    [
        ("company_tax_code", BAD_VAT, "company_tax_code"),
        ("company_tax_code", "1234", "company_tax_code"),
        ("ateco_code", "34.10", "ateco_code"),
        ("ateco_code", "manifattura", "ateco_code"),
    ],
)
def test_bad_company_data_is_refused_and_nothing_is_written(make_case, field, value, match):
    with pytest.raises(ApplicationError, match=match) as caught:
        make_case(**{field: value})
    assert caught.value.field == field
    assert not CrisisCase.objects.exists()


def test_a_sixteen_character_codice_fiscale_is_accepted(make_case):
    assert make_case(company_tax_code="rssmra85t10a562s").company_tax_code == "RSSMRA85T10A562S"


def test_a_municipality_outside_the_pact_is_refused(make_case):
    Territory.objects.create(code="058091", name="Roma", kind="municipality")
    with pytest.raises(ApplicationError) as caught:
        make_case(municipality="058091")
    assert caught.value.field == "municipality"
    assert not CrisisCase.objects.exists()


def test_unions_must_be_parties_of_the_pact(bologna, make_case, django_user_model):
    from patto.pact.models import PartyCategory

    case = make_case()
    cgil = Party.objects.get(code="cgil-bologna")
    services.crisis_case_update(user=None, case=case, data={}, unions=[cgil])
    assert list(case.unions.all()) == [cgil]
    outsider = Party.objects.create(
        code="altro-sindacato", name="Altro", category=PartyCategory.objects.first()
    )
    with pytest.raises(ApplicationError) as caught:
        services.crisis_case_update(user=None, case=case, data={}, unions=[outsider])
    assert caught.value.field == "unions"
    assert list(case.unions.all()) == [cgil]


def test_the_workflow_moves_forward_and_closing_needs_an_outcome(make_case):
    case = make_case()
    with pytest.raises(ApplicationError, match=r"^status: "):
        services.crisis_case_transition(
            user=None, case=case, status="agreement", on=dt.date(2023, 4, 1)
        )
    services.crisis_case_transition(user=None, case=case, status="open", on=dt.date(2023, 3, 10))
    services.crisis_case_transition(
        user=None, case=case, status="agreement", on=dt.date(2023, 6, 1)
    )
    with pytest.raises(ApplicationError, match=r"^outcome: "):
        services.crisis_case_transition(
            user=None, case=case, status="closed", on=dt.date(2023, 9, 1)
        )
    with pytest.raises(ApplicationError, match=r"^on: "):
        services.crisis_case_transition(
            user=None, case=case, status="closed", on=dt.date(2020, 1, 1), outcome="jobs_kept"
        )
    services.crisis_case_transition(
        user=None, case=case, status="closed", on=dt.date(2023, 9, 1), outcome="partly_kept"
    )
    case.refresh_from_db()
    assert (case.status, case.outcome, case.closed_on) == (
        "closed",
        "partly_kept",
        dt.date(2023, 9, 1),
    )
    assert [h.status for h in case.history.order_by("history_date")] == [
        "reported",
        "open",
        "agreement",
        "closed",
    ]
    with pytest.raises(ApplicationError, match=r"^status: "):
        services.crisis_case_transition(
            user=None, case=case, status="open", on=dt.date(2023, 10, 1)
        )
    figures = selectors.crisis_figures(pact=case.pact)
    assert figures["outcome"] == {"partly_kept": 1}


def test_the_database_refuses_an_outcome_on_an_open_case_and_a_closed_case_without_one(make_case):
    case = make_case()
    with pytest.raises(IntegrityError), transaction.atomic():
        CrisisCase.objects.filter(pk=case.pk).update(outcome="closure")
    with pytest.raises(IntegrityError), transaction.atomic():
        CrisisCase.objects.filter(pk=case.pk).update(status="closed", closed_on=dt.date(2023, 5, 1))
    with pytest.raises(IntegrityError), transaction.atomic():
        CaseWorkers.objects.create(case=case, sex="x", contract="permanent", count=1)


def test_meetings_and_safety_nets_are_recorded_with_their_checks(make_case):
    case = make_case()
    meeting = services.crisis_case_add_meeting(
        user=None,
        case=case,
        held_on=dt.date(2023, 3, 20),
        subject="Primo incontro",
        outcome="L'azienda presenta il piano",
    )
    assert meeting.governance_meeting_id is None
    with pytest.raises(ApplicationError, match=r"^held_on: "):
        services.crisis_case_add_meeting(
            user=None, case=case, held_on=dt.date(2022, 1, 1), subject="Prima della segnalazione"
        )
    services.crisis_case_add_safety_net(
        user=None,
        case=case,
        kind="cigs",
        workers=40,
        start_on=dt.date(2023, 4, 1),
        end_on=dt.date(2023, 12, 31),
    )
    with pytest.raises(ApplicationError, match=r"^end_on: "):
        services.crisis_case_add_safety_net(
            user=None,
            case=case,
            kind="fis",
            workers=5,
            start_on=dt.date(2023, 4, 1),
            end_on=dt.date(2023, 3, 1),
        )
    assert selectors.crisis_figures(pact=case.pact)["safety_nets"] == {"cigs": 40}


def test_confidential_cases_stay_out_of_public_figures(make_case, people):
    make_case("pubblico", ateco="47.11")
    secret = make_case("riservato", confidential=True, ateco="25.11")
    public = selectors.crisis_figures(pact=secret.pact)
    assert public["cases"] == 1 and set(public["by_sector"]) == {"G"}
    everything = selectors.crisis_figures(
        pact=secret.pact, user=people["safeguard_member"], everything=True
    )
    assert everything["cases"] == 2 and set(everything["by_sector"]) == {"C", "G"}
    # Asking for everything without the role gives the public figures.
    assert (
        selectors.crisis_figures(
            pact=secret.pact, user=people["inclusion_operator"], everything=True
        )
        == public
    )
    assert StoredFigures.objects.filter(pact=secret.pact, kind__startswith="crisis").count() == 2
    assert [c.code for c in selectors.crisis_case_list(pact=secret.pact)] == ["pubblico"]
    assert {
        c.code
        for c in selectors.crisis_case_list(pact=secret.pact, user=people["safeguard_member"])
    } == {"pubblico", "riservato"}


WRITES = {
    "create": lambda user, case: services.crisis_case_create(
        user=user,
        pact=case.pact,
        data={
            "code": "nuovo-caso",
            "company_name": "Nuova",
            "company_tax_code": case.company_tax_code,
            "ateco_code": "10",
            "municipality": case.municipality,
            "reported_on": dt.date(2024, 1, 1),
        },
    ),
    "update": lambda user, case: services.crisis_case_update(
        user=user, case=case, data={"summary": "Aggiornato"}
    ),
    "workers": lambda user, case: services.crisis_case_set_workers(
        user=user, case=case, workers={("f", "fixed_term"): 3}
    ),
    "transition": lambda user, case: services.crisis_case_transition(
        user=user, case=case, status="open", on=dt.date(2023, 4, 1)
    ),
    "meeting": lambda user, case: services.crisis_case_add_meeting(
        user=user, case=case, held_on=dt.date(2023, 4, 1), subject="Incontro"
    ),
    "safety_net": lambda user, case: services.crisis_case_add_safety_net(
        user=user, case=case, kind="cigo", workers=3, start_on=dt.date(2023, 4, 1)
    ),
}
ALLOWED = {"secretariat", "safeguard_clerk"}
ROLES = [
    "secretariat",
    "safeguard_clerk",
    "safeguard_member",
    "inclusion_operator",
    "register_officer",
    "agreement_officer",
    "stranger",
]


@pytest.mark.parametrize("write", sorted(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_permission_matrix_of_crisis_case_writes(make_case, people, role, write):
    case = make_case()
    before = case.history.count()
    if role in ALLOWED:
        WRITES[write](people[role], case)
    else:
        with pytest.raises(ApplicationError) as caught:
            WRITES[write](people[role], case)
        assert caught.value.code == "forbidden"
        assert case.history.count() == before
        assert CrisisCase.objects.count() == 1


def test_a_role_in_another_pact_gives_nothing(make_case, people, django_user_model):
    from patto.instruments.models import InstrumentRole
    from patto.pact.models import Pact

    other = Pact.objects.get(code="bologna-2015")
    clerk = django_user_model.objects.create_user("altro", "a@example.org", "x-long-password")
    InstrumentRole.objects.create(pact=other, user=clerk, role="safeguard_clerk")
    case = make_case(confidential=True)
    with pytest.raises(ApplicationError):
        WRITES["update"](clerk, case)
    assert not selectors.may_see_confidential(clerk, case.pact)


def test_roles_are_granted_in_the_back_office_by_the_secretariat_only(client, bologna, people):
    from patto.instruments.models import InstrumentRole

    url = "/gestione/admin/instruments/instrumentrole/add/"
    data = {"pact": bologna.pk, "user": people["stranger"].pk, "role": "safeguard_member"}
    client.force_login(people["safeguard_clerk"])
    assert client.post(url, data).status_code in (302, 403)
    assert not InstrumentRole.objects.filter(user=people["stranger"]).exists()
    client.force_login(people["secretariat"])
    assert client.post(url, data).status_code == 302
    role = InstrumentRole.objects.get(user=people["stranger"])
    assert role.history.get().history_user == people["secretariat"]
