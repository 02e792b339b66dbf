"""Every role against every write: allowed where it should be, refused everywhere else."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied

from patto.pact.models import Party
from patto.projects import services
from patto.projects.models import Contribution, Project

ROLES = ["secretariat", "coordinator", "referent", "reporter", "outsider"]


def _round(p):
    return services.round_open(pact=p.pact, title="Round", opens_on=dt.date(2026, 3, 1),
                               deadline=dt.date(2026, 3, 31), user=p.secretariat)


# Each write, done by `who` on the fixture `p`.
WRITES = {
    "change own-cluster project": lambda p, who: services.project_change(
        project=p.own, user=who, expected_version=p.own.version, progress=20),
    "change other-cluster project": lambda p, who: services.project_change(
        project=p.other, user=who, expected_version=p.other.version, progress=20),
    "create project in own cluster": lambda p, who: services.project_create(
        user=who, pact=p.pact, code="nuovo", title="Nuovo", cluster=p.own.cluster,
        horizon="short", lead_party=p.own.lead_party, summary="x"),
    "delete project": lambda p, who: services.project_delete(project=p.other, user=who),
    "open reporting round": lambda p, who: services.round_open(
        pact=p.pact, title="R", opens_on=dt.date(2026, 3, 1), deadline=dt.date(2026, 3, 31),
        user=who),
    "report on own project": lambda p, who: services.update_save(
        reporting_round=_round(p), project=p.own, user=who, proposed_status="in_progress",
        progress=30),
    "report on other project": lambda p, who: services.update_save(
        reporting_round=_round(p), project=p.other, user=who, proposed_status="in_progress",
        progress=30),
    "approve own-cluster report": lambda p, who: services.update_approve(
        update=_submitted(p, p.own), user=who),
    "approve other-cluster report": lambda p, who: services.update_approve(
        update=_submitted(p, p.other), user=who),
    "record own party's contribution": lambda p, who: services.contribution_record(
        project=p.other, user=who, activity="Formazione", amount=Decimal("1500.00"),
        granted_by="Comune di Bologna", party=p.reporter_party),
    "record another party's contribution": lambda p, who: services.contribution_record(
        project=p.other, user=who, activity="Formazione", amount=Decimal("1500.00"),
        granted_by="CGIL", party=Party.objects.get(code="cgil-bologna")),
}

ALLOWED = {
    "change own-cluster project": {"secretariat", "coordinator", "referent"},
    "change other-cluster project": {"secretariat"},
    "create project in own cluster": {"secretariat", "coordinator"},
    "delete project": {"secretariat"},
    "open reporting round": {"secretariat"},
    "report on own project": {"secretariat", "referent"},
    "report on other project": {"secretariat"},
    "approve own-cluster report": {"secretariat", "coordinator"},
    "approve other-cluster report": {"secretariat"},
    "record own party's contribution": {"secretariat", "reporter"},
    "record another party's contribution": {"secretariat"},
}


def _submitted(p, project):
    update = services.update_save(reporting_round=_round(p), project=project,
                                  user=p.secretariat, proposed_status="in_progress",
                                  progress=40)
    return services.update_submit(update=update, user=p.secretariat,
                                  expected_version=update.version)


@pytest.mark.parametrize("write", list(WRITES))
@pytest.mark.parametrize("role", ROLES)
def test_role_against_write(people, role, write):
    who = getattr(people, role)
    if role in ALLOWED[write]:
        WRITES[write](people, who)
    else:
        with pytest.raises(PermissionDenied):
            WRITES[write](people, who)


def test_refused_write_changes_nothing(people):
    before = Project.objects.get(pk=people.other.pk)
    with pytest.raises(PermissionDenied):
        services.project_change(project=people.other, user=people.referent,
                                expected_version=people.other.version, progress=99)
    after = Project.objects.get(pk=people.other.pk)
    assert (after.progress, after.version) == (before.progress, before.version)
    assert not Contribution.objects.exists()


def test_anonymous_reads_but_cannot_write(people, client):
    from django.contrib.auth.models import AnonymousUser

    assert client.get(people.own.get_absolute_url()).status_code == 200
    with pytest.raises(PermissionDenied):
        services.project_change(project=people.own, user=AnonymousUser(),
                                expected_version=people.own.version, progress=1)
