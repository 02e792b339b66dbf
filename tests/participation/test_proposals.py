"""Proposals: eligibility, places of the proposer, drafts, the deadline, amendments with
history, co-financing, partners and contributions with consent."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from patto.pact.models import Party, Territory
from patto.participation import services
from patto.participation.models import Call, Proposal
from patto.participation.services import ParticipationError

from .conftest import close, savena_places


def test_a_union_proposes_only_in_its_own_municipalities(call, people):
    places = savena_places(people)
    # Loiano, Monghidoro, Monterenzio, Pianoro, and Ozzano dell'Emilia since 2015.
    assert sorted(p.code for p in places) == ["037034", "037040", "037041", "037046", "037047"]
    outside = Territory.objects.get(code="037006")  # Bologna, not in the union
    with pytest.raises(ParticipationError, match="is not a municipality of") as exc:
        services.proposal_create(
            call=call,
            proposer=people["savena"],
            user=people["union"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("10"),
            places=[outside],
        )
    assert exc.value.field == "places"
    assert not Proposal.objects.exists()


def test_only_the_proposers_of_a_territory_write_its_proposals(call, people):
    for name in ("city", "manager", "evaluator", "other"):
        with pytest.raises(PermissionDenied):
            services.proposal_create(
                call=call,
                proposer=people["savena"],
                user=people[name],
                title="x",
                objectives="x",
                content="x",
                budget=Decimal("10"),
            )


def test_a_call_for_unions_only_refuses_municipalities(bologna, people, call_fields):
    call = services.call_create(
        pact=bologna, user=people["manager"], **call_fields, municipalities_may_propose=False
    )
    services.criterion_save(call=call, user=people["manager"], title="Q", weight="1")
    services.call_publish(call=call, user=people["manager"])
    with pytest.raises(ParticipationError, match="unions and districts only"):
        services.proposal_create(
            call=call,
            proposer=people["bologna"],
            user=people["city"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("10"),
        )


def test_fragility_threshold_limits_who_proposes_and_where(bologna, people, call_fields):
    from patto.funds.models import AllocationRule
    from patto.funds.services import simulation_adopt, simulation_run

    rule = AllocationRule.objects.get(fund__pact=bologna, code="perequazione-2025-pesata")
    adopted = simulation_run(rule=rule, user=people["staff"])
    simulation_adopt(simulation=adopted, user=people["staff"])
    adopted.refresh_from_db()
    fragile = {line["territory"] for line in adopted.lines if line["eligible"]}
    call = services.call_create(
        pact=bologna, user=people["manager"], **call_fields, fragility=adopted
    )
    assert services.fragile_municipalities(call) == fragile
    places = savena_places(people)
    below = [p for p in places if p.pk not in fragile]
    above = [p for p in places if p.pk in fragile]
    city_fragile = people["bologna"].pk in fragile
    problem = services.eligibility_problem(call, people["bologna"])
    assert (problem is None) == city_fragile
    if below and above:
        services.criterion_save(call=call, user=people["manager"], title="Q", weight="1")
        services.call_publish(call=call, user=people["manager"])
        with pytest.raises(ParticipationError, match="below the call's fragility threshold"):
            services.proposal_create(
                call=call,
                proposer=people["savena"],
                user=people["union"],
                title="x",
                objectives="x",
                content="x",
                budget=Decimal("10"),
                places=below[:1],
            )
        made = services.proposal_create(
            call=call,
            proposer=people["savena"],
            user=people["union"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("10"),
            places=above[:1],
        )
        assert list(made.places.all()) == above[:1]


def test_submission_before_the_deadline_and_refused_after(call, people, proposal):
    assert proposal.status == Proposal.Status.DRAFT
    submitted = services.proposal_submit(proposal=proposal, user=people["union"])
    assert submitted.status == Proposal.Status.SUBMITTED and submitted.submitted_at
    with pytest.raises(ParticipationError, match="already submitted"):
        services.proposal_submit(proposal=submitted, user=people["union"])
    close(call)
    other = Proposal.objects.create(
        call=call,
        proposer=people["bologna"],
        title="tardi",
        objectives="x",
        content="x",
        budget=Decimal("10"),
    )
    other.places.set([people["bologna"]])
    with pytest.raises(ParticipationError, match="deadline") as exc:
        services.proposal_submit(proposal=other, user=people["city"])
    assert exc.value.code == "deadline"
    assert Proposal.objects.get(pk=other.pk).status == Proposal.Status.DRAFT


def test_amendments_need_a_reason_and_are_kept_in_history(call, people, proposal):
    union = people["union"]
    services.proposal_submit(proposal=proposal, user=union)
    proposal.refresh_from_db()
    with pytest.raises(ParticipationError, match="Say what the amendment changes"):
        services.proposal_change(
            proposal=proposal, user=union, expected_version=proposal.version, title="Borghi vivi 2"
        )
    services.proposal_change(
        proposal=proposal,
        user=union,
        expected_version=proposal.version,
        reason="titolo più chiaro",
        title="Borghi vivi 2",
    )
    proposal.refresh_from_db()
    assert proposal.title == "Borghi vivi 2" and proposal.version == 2
    reasons = list(proposal.history.values_list("history_change_reason", flat=True))
    assert "amendment: titolo più chiaro" in reasons
    assert proposal.history.filter(title="Borghi vivi").exists()
    with pytest.raises(ParticipationError, match="Someone else changed"):
        services.proposal_change(
            proposal=proposal, user=union, expected_version=1, reason="vecchia pagina", title="x"
        )
    close(call)
    with pytest.raises(ParticipationError, match="deadline"):
        services.proposal_change(
            proposal=proposal,
            user=union,
            expected_version=proposal.version,
            reason="tardi",
            title="y",
        )


def test_cofinancing_and_maximum_grant(bologna, people, call_fields):
    call = services.call_create(
        pact=bologna,
        user=people["manager"],
        **call_fields,
        minimum_cofinancing=Decimal("20"),
        max_request=Decimal("30000.00"),
    )
    services.criterion_save(call=call, user=people["manager"], title="Q", weight="1")
    services.call_publish(call=call, user=people["manager"])
    places = savena_places(people)
    with pytest.raises(ParticipationError, match="less than the budget"):
        services.proposal_create(
            call=call,
            proposer=people["savena"],
            user=people["union"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("100"),
            cofinancing=Decimal("100"),
        )
    draft = services.proposal_create(
        call=call,
        proposer=people["savena"],
        user=people["union"],
        title="x",
        objectives="x",
        content="x",
        budget=Decimal("40000"),
        cofinancing=Decimal("4000"),
        places=places[:1],
    )
    with pytest.raises(ParticipationError, match="at least 20") as exc:
        services.proposal_submit(proposal=draft, user=people["union"])
    assert exc.value.field == "cofinancing"
    services.proposal_change(
        proposal=draft, user=people["union"], expected_version=1, cofinancing=Decimal("9000")
    )
    with pytest.raises(ParticipationError, match="over the call's maximum"):
        services.proposal_submit(proposal=draft, user=people["union"])
    services.proposal_change(
        proposal=draft, user=people["union"], expected_version=2, cofinancing=Decimal("10000")
    )
    assert services.proposal_submit(proposal=draft, user=people["union"]).status == "submitted"


def test_one_live_proposal_per_proposer_and_call(call, people, proposal):
    with pytest.raises(ParticipationError, match="already has a proposal"):
        services.proposal_create(
            call=call,
            proposer=people["savena"],
            user=people["union"],
            title="bis",
            objectives="x",
            content="x",
            budget=Decimal("10"),
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Proposal.objects.create(
            call=call,
            proposer=people["savena"],
            title="ter",
            objectives="x",
            content="x",
            budget=Decimal("10"),
        )


def test_partners_must_be_parties_of_the_pact(call, people, proposal):
    stranger = Party.objects.exclude(pacts=call.pact).first()
    partner = Party.objects.filter(pacts=call.pact).first()
    if stranger is not None:
        with pytest.raises(ParticipationError, match="not a party of the pact"):
            services.proposal_change(
                proposal=proposal, user=people["union"], expected_version=1, partners=[stranger]
            )
    services.proposal_change(
        proposal=proposal, user=people["union"], expected_version=1, partners=[partner]
    )
    assert list(proposal.partners.all()) == [partner]


def test_contributions_keep_consent_and_are_dated(proposal, people):
    kept = services.contribution_add(
        proposal=proposal,
        user=people["union"],
        kind="citizen",
        author_name="Maria Rossi",
        author_email="m@example.org",
        public_name="Maria",
        text="Un orto comune.",
        consent_public=True,
    )
    assert kept.consent_on is not None
    private = services.contribution_add(
        proposal=proposal,
        user=people["union"],
        kind="company",
        author_name="Ditta Bianchi",
        text="Riuso del capannone.",
    )
    assert private.consent_on is None
    with pytest.raises(PermissionDenied):
        services.contribution_add(
            proposal=proposal, user=people["city"], kind="citizen", author_name="x", text="x"
        )


def test_a_draft_withdrawn_is_deleted_a_submitted_one_kept_as_withdrawn(call, people, proposal):
    services.proposal_submit(proposal=proposal, user=people["union"])
    proposal.refresh_from_db()
    services.proposal_withdraw(proposal=proposal, user=people["union"])
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.WITHDRAWN
    again = services.proposal_create(
        call=call,
        proposer=people["savena"],
        user=people["union"],
        title="di nuovo",
        objectives="x",
        content="x",
        budget=Decimal("10"),
    )
    services.proposal_withdraw(proposal=again, user=people["union"])
    assert not Proposal.objects.filter(pk=again.pk).exists()


def test_no_proposal_to_a_draft_or_future_call(draft, people):
    with pytest.raises(ParticipationError, match="not open"):
        services.proposal_create(
            call=draft,
            proposer=people["savena"],
            user=people["union"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("10"),
        )
    Call.objects.filter(pk=draft.pk).update(
        status="published",
        published_at=draft.created_at,
        opens_at=draft.deadline - dt.timedelta(days=1),
    )
    draft.refresh_from_db()
    with pytest.raises(ParticipationError, match="not open"):
        services.proposal_create(
            call=draft,
            proposer=people["savena"],
            user=people["union"],
            title="x",
            objectives="x",
            content="x",
            budget=Decimal("10"),
        )
