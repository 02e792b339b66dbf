"""Progress that rolls up: milestones and sub-projects at any depth, weights normalised and
explained, indicators' share of target, a figure set by hand with its reason; stored when an
approved report (or the sheet's structure) changes it, with its history."""

from __future__ import annotations

import datetime as dt

import pytest

from patto.core.errors import ApplicationError
from patto.projects import services
from patto.projects.models import GroupProgress, Milestone, Project, ProjectProgress
from tests.projects.conftest import make_project


@pytest.fixture
def reporting_round(people):
    return services.round_open(
        pact=people.pact,
        title="Primo semestre 2026",
        opens_on=dt.date(2026, 3, 1),
        deadline=dt.date(2099, 3, 31),
        user=people.secretariat,
    )


def approve(people, reporting_round, project, *, progress=10, payload=None):
    project.refresh_from_db()
    update = services.update_save(
        reporting_round=reporting_round,
        project=project,
        user=people.referent,
        proposed_status=project.status,
        progress=progress,
        summary="Fatto.",
        payload=payload or {},
        submit=True,
    )
    return services.update_approve(update=update, user=people.coordinator)


def milestones(people, project, specs) -> list[Milestone]:
    """Milestones written through the sheet's records service (weights, nesting)."""
    made = []
    for title, weight, parent in specs:
        m = Milestone(
            project=project,
            title=title,
            weight=weight,
            parent=made[parent] if parent is not None else None,
        )
        services.project_records_change(
            project=project, user=people.secretariat, model_name="milestone", saved=[m]
        )
        made.append(m)
    return made


def use_milestones(people, project):
    project.refresh_from_db()
    return services.project_change(
        project=project,
        user=people.secretariat,
        expected_version=project.version,
        progress_method=Project.ProgressMethod.MILESTONES,
    )


def test_milestones_done_through_an_approved_report_roll_up(people, reporting_round):
    own = use_milestones(people, people.own)
    _phase1, a, b, c, _d, _phase2 = milestones(
        people,
        own,
        [
            ("Fase 1", 1, None),
            ("a", 1, 0),
            ("b", 1, 0),
            ("c", 1, 0),
            ("d", 1, 0),
            ("Fase 2", 1, None),
        ],
    )
    stored = ProjectProgress.objects.get(project=own)
    assert stored.value == 0.0 and stored.method == "milestones"
    approve(
        people,
        reporting_round,
        own,
        payload={"milestones": [{"id": m.pk, "done_on": "2026-03-05"} for m in (a, b, c)]},
    )
    stored.refresh_from_db()
    # Fase 1 has half the weight, 3 of its 4 milestones done; Fase 2 nothing yet.
    assert stored.value == pytest.approx(37.5)
    first = stored.parts[0]
    assert (first["label"], first["share"], first["done"], first["total"]) == ("Fase 1", 0.5, 3, 4)
    assert stored.update is not None
    own.refresh_from_db()
    assert own.progress == 38  # the list's figure follows the stored one
    a.refresh_from_db()
    assert a.done_on == dt.date(2026, 3, 5) and a.update_id == stored.update_id
    # Each change is kept: none before any milestone, 0 with them, then 37.5.
    values = [h.value for h in stored.history.order_by("history_date", "history_id")]
    assert values[0] is None and values[-2:] == [0.0, 37.5]


def test_a_milestone_is_done_only_through_a_report(people):
    own = use_milestones(people, people.own)
    (m,) = milestones(people, own, [("Collaudo", 1, None)])
    m.done_on = dt.date(2026, 3, 1)
    with pytest.raises(ApplicationError, match="resoconto di avanzamento approvato") as exc:
        services.project_records_change(
            project=own, user=people.secretariat, model_name="milestone", saved=[m]
        )
    assert exc.value.code == "done_via_report"


def test_sub_projects_roll_up_into_their_project_and_the_cluster(people, reporting_round):
    own = use_milestones(people, people.own)
    sub = make_project(people.pact, "1", "sotto-progetto", progress=0)
    sub = services.project_change(
        project=sub, user=people.secretariat, expected_version=sub.version, parent=own, weight=3
    )
    milestones(people, own, [("Avvio", 1, None)])
    from patto.projects.models import ProjectReferent

    ProjectReferent.objects.create(
        project=sub, party=sub.lead_party, person="Referente", user=people.referent
    )
    approve(
        people,
        reporting_round,
        sub,
        progress=80,
        payload={"progress_reason": "Otto cantieri su dieci chiusi."},
    )
    sub_stored = ProjectProgress.objects.get(project=sub)
    assert (sub_stored.method, sub_stored.value, sub_stored.note) == (
        "manual",
        80.0,
        "Otto cantieri su dieci chiusi.",
    )
    stored = ProjectProgress.objects.get(project=own)
    # The milestone a quarter of the weight (not done), the sub-project three quarters (80%).
    assert stored.value == pytest.approx(60.0)
    assert [(p["kind"], p["share"]) for p in stored.parts] == [
        ("milestone", 0.25),
        ("project", 0.75),
    ]
    assert stored.parts[1]["code"] == "sotto-progetto"
    # The cluster counts the top project only (the sub-project is inside it).
    group = GroupProgress.objects.get(cluster=own.cluster)
    codes = [p["code"] for p in group.parts]
    assert "prova-cluster-1" in codes and "sotto-progetto" not in codes
    top = Project.objects.filter(cluster=own.cluster, parent__isnull=True).exclude(
        status="cancelled"
    )
    weights = {p.code: float(p.weight) for p in top}
    expected = sum(weights[p.code] * p.progress for p in top) / sum(weights.values())
    assert group.value == pytest.approx(expected)


def test_a_project_cannot_be_inside_itself(people):
    own = people.own
    sub = make_project(people.pact, "1", "sotto", progress=0)
    services.project_change(
        project=sub, user=people.secretariat, expected_version=sub.version, parent=own
    )
    own.refresh_from_db()
    with pytest.raises(ApplicationError) as exc:
        services.project_change(
            project=own, user=people.secretariat, expected_version=own.version, parent=sub
        )
    assert exc.value.code == "bad_parent"


def test_indicators_share_of_target_from_the_registered_source(people, reporting_round):
    def shares(ids):
        return {pk: [(1, "Occupati", 50.0), (2, "Imprese", 150.0)] for pk in ids}

    services.register_indicator_shares(shares)
    try:
        own = people.own
        services.project_change(
            project=own,
            user=people.secretariat,
            expected_version=own.version,
            progress_method=Project.ProgressMethod.INDICATORS,
        )
    finally:
        services._INDICATOR_SHARES.remove(shares)
    stored = ProjectProgress.objects.get(project=own)
    assert stored.value == pytest.approx(75.0)
    assert [p["progress"] for p in stored.parts] == [50.0, 100.0]
