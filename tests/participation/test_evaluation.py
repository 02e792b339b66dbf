"""Evaluation: assignment, the conflict-of-interest declaration before scoring, scores per
criterion, and the published ranking that funds programmes as projects and fund commitments."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.db import IntegrityError, transaction

from patto.funds.models import Movement
from patto.participation import services
from patto.participation.models import Call, Proposal, RankingLine, Score
from patto.participation.services import ParticipationError
from patto.projects.models import Project

from .conftest import close


@pytest.fixture
def two_proposals(call, people, proposal):
    """The union's proposal (asks 40,000) and Bologna's (asks 70,000), both submitted."""
    services.proposal_submit(proposal=proposal, user=people["union"])
    city = services.proposal_create(
        call=call,
        proposer=people["bologna"],
        user=people["city"],
        title="Piazze aperte",
        objectives="Piazze per tutti.",
        content="Cinque piazze.",
        budget=Decimal("80000"),
        cofinancing=Decimal("10000"),
        places=[people["bologna"]],
    )
    services.proposal_submit(proposal=city, user=people["city"])
    return Proposal.objects.get(pk=proposal.pk), Proposal.objects.get(pk=city.pk)


@pytest.fixture
def evaluator(call, people):
    return services.evaluator_assign(call=call, person=people["evaluator"], user=people["manager"])


def _score_all(call, people, marks):
    """``marks``: proposal -> (quality, participation), after a no-conflict declaration."""
    criteria = list(call.criteria.all())
    for proposal, values in marks.items():
        services.declaration_make(proposal=proposal, user=people["evaluator"], has_conflict=False)
        for criterion, value in zip(criteria, values, strict=True):
            services.score_save(
                proposal=proposal,
                criterion=criterion,
                user=people["evaluator"],
                value=value,
                comment=f"motivazione {value}",
            )


def test_only_managers_assign_evaluators_and_proposers_cannot_evaluate(call, people, two_proposals):
    with pytest.raises(PermissionDenied):
        services.evaluator_assign(call=call, person=people["evaluator"], user=people["union"])
    with pytest.raises(ParticipationError, match="cannot evaluate"):
        services.evaluator_assign(call=call, person=people["union"], user=people["manager"])


def test_scoring_waits_for_the_deadline_and_a_declaration(call, people, two_proposals, evaluator):
    union_proposal, _city = two_proposals
    criterion = call.criteria.first()
    with pytest.raises(ParticipationError, match="after the deadline"):
        services.declaration_make(
            proposal=union_proposal, user=people["evaluator"], has_conflict=False
        )
    close(call)
    with pytest.raises(ParticipationError, match="Declare whether") as exc:
        services.score_save(
            proposal=union_proposal,
            criterion=criterion,
            user=people["evaluator"],
            value=7,
            comment="buono",
        )
    assert exc.value.code == "no-declaration"
    with pytest.raises(PermissionDenied):
        services.declaration_make(proposal=union_proposal, user=people["other"], has_conflict=False)
    services.declaration_make(proposal=union_proposal, user=people["evaluator"], has_conflict=False)
    with pytest.raises(ParticipationError, match="already declared"):
        services.declaration_make(
            proposal=union_proposal,
            user=people["evaluator"],
            has_conflict=True,
            note="ripensamento",
        )
    with pytest.raises(ParticipationError, match="from 0 to 10"):
        services.score_save(
            proposal=union_proposal,
            criterion=criterion,
            user=people["evaluator"],
            value=11,
            comment="troppo",
        )
    with pytest.raises(ParticipationError, match="comment"):
        services.score_save(
            proposal=union_proposal,
            criterion=criterion,
            user=people["evaluator"],
            value=7,
            comment=" ",
        )
    services.score_save(
        proposal=union_proposal,
        criterion=criterion,
        user=people["evaluator"],
        value=7,
        comment="buono",
    )
    services.score_save(
        proposal=union_proposal,
        criterion=criterion,
        user=people["evaluator"],
        value=8,
        comment="meglio",
    )
    score = Score.objects.get()
    assert (score.value, score.comment) == (8, "meglio")
    assert score.history.count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Score.objects.create(
            evaluator=evaluator,
            proposal=union_proposal,
            criterion=criterion,
            value=1,
            comment="doppio",
        )


def test_a_declared_conflict_stops_scoring(call, people, two_proposals, evaluator):
    union_proposal, _city = two_proposals
    close(call)
    with pytest.raises(ParticipationError, match="Say what the conflict is"):
        services.declaration_make(
            proposal=union_proposal, user=people["evaluator"], has_conflict=True
        )
    services.declaration_make(
        proposal=union_proposal,
        user=people["evaluator"],
        has_conflict=True,
        note="consulente del comune",
    )
    with pytest.raises(ParticipationError, match="conflict of interest") as exc:
        services.score_save(
            proposal=union_proposal,
            criterion=call.criteria.first(),
            user=people["evaluator"],
            value=5,
            comment="x",
        )
    assert exc.value.code == "conflict"


def test_ranking_publish_refuses_an_incomplete_evaluation(call, people, two_proposals, evaluator):
    union_proposal, _city = two_proposals
    close(call)
    _score_all(call, people, {union_proposal: (9, 8)})
    with pytest.raises(ParticipationError, match="miss a score"):
        services.ranking_publish(call=call, user=people["staff"])
    assert not RankingLine.objects.exists()
    assert Call.objects.get(pk=call.pk).status == Call.Status.PUBLISHED


def test_published_ranking_funds_projects_and_commits_the_fund(
    call, people, two_proposals, evaluator
):
    from patto.funds.selectors import purpose_available
    from patto.participation.models import ProposalPoint

    union_proposal, city = two_proposals
    town = union_proposal.places.first()
    ProposalPoint.objects.create(proposal=union_proposal, name="Piazza del mercato",
                                 latitude=Decimal("44.40000"), longitude=Decimal("11.40000"),
                                 territory=town)
    close(call)
    # Union: 100 * (60 * 0.9 + 40 * 0.8) / 100 = 86; Bologna: 100 * (60 * 0.7 + 40 * 1) = 82.
    _score_all(call, people, {union_proposal: (9, 8), city: (7, 10)})
    before = purpose_available(call.fund_purpose)
    assert before >= Decimal("40000"), "the example fund has money for the test's grant"
    with pytest.raises(PermissionDenied):
        services.ranking_publish(call=call, user=people["union"])
    # A call manager without the fund's and the cluster's rights cannot fund: nothing stays.
    with pytest.raises(PermissionDenied):
        services.ranking_publish(call=call, user=people["manager"])
    assert (
        not RankingLine.objects.exists()
        and not Project.objects.filter(code__startswith=call.code).exists()
    )
    funded = services.ranking_publish(call=call, user=people["staff"])
    assert [p.pk for p in funded] == [union_proposal.pk]
    lines = {line.proposal_id: line for line in RankingLine.objects.filter(call=call)}
    assert lines[union_proposal.pk].position == 1
    assert lines[union_proposal.pk].total == Decimal("86.000")
    assert lines[union_proposal.pk].grant == Decimal("40000.00")
    # 100,000 - 40,000 leaves 60,000: Bologna asks 70,000 and is skipped.
    assert (lines[city.pk].position, lines[city.pk].reason) == (2, "no_money")
    union_proposal.refresh_from_db()
    city.refresh_from_db()
    assert union_proposal.status == Proposal.Status.FUNDED
    assert city.status == Proposal.Status.NOT_FUNDED
    project = union_proposal.project
    assert project.cluster == call.cluster and project.status == Project.Status.PROPOSED
    assert project.lead_party.territory == people["savena"]
    assert set(project.territories.all()) == set(union_proposal.places.all())
    # The points drawn on the proposal are the project's places, with their history.
    assert [(p.name, p.latitude, p.longitude, p.territory_id) for p in project.places.all()
            ] == [("Piazza del mercato", Decimal("44.40000"), Decimal("11.40000"), town.pk)]
    assert project.places.get().history.get().history_user == people["staff"]
    commitment = union_proposal.commitment
    assert commitment.kind == Movement.Kind.COMMITMENT and commitment.project == project
    assert commitment.amount == Decimal("40000.00")
    assert purpose_available(call.fund_purpose) == before - Decimal("40000.00")
    call.refresh_from_db()
    assert call.status == Call.Status.RANKED and call.ranked_at
    with pytest.raises(ParticipationError):
        services.ranking_publish(call=call, user=people["staff"])


def test_evaluator_declares_and_scores_through_the_page(
    client, call, people, two_proposals, evaluator
):
    from django.urls import reverse

    union_proposal, _city = two_proposals
    close(call)
    url = reverse("participation:evaluate", args=[union_proposal.pk])
    client.force_login(people["city"])
    assert client.get(url).status_code == 403
    client.force_login(people["evaluator"])
    page = client.get(url)
    assert page.status_code == 200 and 'name="declaration-has_conflict"' in page.content.decode()
    criterion = call.criteria.first()
    client.post(
        url,
        {
            "criterion": criterion.pk,
            f"c{criterion.pk}-value": "7",
            f"c{criterion.pk}-comment": "prima della dichiarazione",
        },
    )
    assert not Score.objects.exists()
    client.post(url, {"declare": "1", "declaration-has_conflict": "no"})
    client.post(
        url,
        {
            "criterion": criterion.pk,
            f"c{criterion.pk}-value": "7",
            f"c{criterion.pk}-comment": "solido",
        },
    )
    assert Score.objects.get().comment == "solido"


def test_published_ranking_is_on_the_call_page_in_fixed_queries(
    client, call, people, two_proposals, evaluator, django_assert_num_queries
):
    union_proposal, city = two_proposals
    close(call)
    _score_all(call, people, {union_proposal: (9, 8), city: (7, 10)})
    services.ranking_publish(call=call, user=people["staff"])
    url = call.get_absolute_url()
    # The call page's 5 queries and the ranking's lines (with proposals and proposers).
    with django_assert_num_queries(6):
        page = client.get(url).content.decode()
    assert 'data-testid="ranking"' in page and "86,000" in page
