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
        project=p.own, user=who, expected_version=p.own.version, summary="Nuova sintesi"),
    "change other-cluster project": lambda p, who: services.project_change(
        project=p.other, user=who, expected_version=p.other.version, summary="Nuova"),
    "change own project's progress": lambda p, who: services.project_change(
        project=p.own, user=who, expected_version=p.own.version,
        progress_method="milestones"),  # the figure itself moves only with approved reports
    "complete own project": lambda p, who: services.project_change(
        project=p.own, user=who, expected_version=p.own.version, status="completed"),
    "move own project to another cluster": lambda p, who: services.project_change(
        project=p.own, user=who, expected_version=p.own.version, cluster=p.other.cluster),
    "create proposed project in own cluster": lambda p, who: services.project_create(
        user=who, pact=p.pact, code="nuovo", title="Nuovo", cluster=p.own.cluster,
        horizon="short", lead_party=p.own.lead_party, summary="x"),
    "create approved project in own cluster": lambda p, who: services.project_create(
        user=who, pact=p.pact, code="nuovo", title="Nuovo", cluster=p.own.cluster,
        horizon="short", lead_party=p.own.lead_party, summary="x", status="approved"),
    "delete project": lambda p, who: services.project_delete(project=p.other, user=who),
    "delete in-progress own-cluster project": lambda p, who: services.project_delete(
        project=p.own, user=who),
    "delete proposed own-cluster project": lambda p, who: services.project_delete(
        project=_proposed(p), user=who),
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
    "change own project's progress": {"secretariat", "coordinator"},
    "complete own project": {"secretariat", "coordinator"},
    "move own project to another cluster": {"secretariat"},
    "create proposed project in own cluster": {"secretariat", "coordinator"},
    "create approved project in own cluster": {"secretariat"},
    "delete project": {"secretariat"},
    "delete in-progress own-cluster project": {"secretariat"},
    "delete proposed own-cluster project": {"secretariat", "coordinator"},
    "open reporting round": {"secretariat"},
    "report on own project": {"secretariat", "referent"},
    "report on other project": {"secretariat"},
    "approve own-cluster report": {"secretariat", "coordinator"},
    "approve other-cluster report": {"secretariat"},
    "record own party's contribution": {"secretariat", "reporter"},
    "record another party's contribution": {"secretariat"},
}


def _submitted(p, project):
    return services.update_save(reporting_round=_round(p), project=project,
                                user=p.secretariat, proposed_status="in_progress",
                                progress=40, summary="Fatto", submit=True,
                                payload={"progress_reason": "Fatto per il 40%"})


def _proposed(p):
    from tests.projects.conftest import make_project

    return make_project(p.pact, p.own.cluster.code, "proposto", status="proposed", progress=0)


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


# The staff pages against every role: what each person reaches, and the code the others get.
PAGES = {
    "your projects": ("get", lambda p: "/gestione/progetti/"),
    "edit own project": ("get", lambda p: f"/gestione/progetti/{p.own.pk}/"),
    "edit other project": ("get", lambda p: f"/gestione/progetti/{p.other.pk}/"),
    "new project": ("get", lambda p: "/gestione/progetti/nuovo/"),
    "change status": ("post", lambda p: f"/gestione/progetti/{p.own.pk}/stato/"),
    "delete in-progress project": ("get", lambda p: f"/gestione/progetti/{p.own.pk}/elimina/"),
    "contributions": ("get", lambda p: "/gestione/contributi/"),
    "round list": ("get", lambda p: "/gestione/rendicontazione/"),
    "round detail": ("get", lambda p: f"/gestione/rendicontazione/{_round(p).pk}/"),
}

PAGE_CODES = {
    #                           secretariat coordinator referent reporter outsider
    "your projects":              (200, 200, 200, 200, 403),
    "edit own project":           (200, 200, 200, 403, 403),
    "edit other project":         (200, 403, 403, 403, 403),
    "new project":                (200, 200, 403, 403, 403),
    "change status":              (302, 302, 403, 403, 403),
    "delete in-progress project": (200, 403, 403, 403, 403),
    "contributions":              (200, 403, 200, 200, 403),
    "round list":                 (200, 200, 200, 200, 200),
    "round detail":               (200, 200, 200, 200, 404),
}


@pytest.mark.parametrize("page", list(PAGES))
@pytest.mark.parametrize("role", ROLES)
def test_role_against_page(client, people, role, page):
    method, url = PAGES[page]
    client.force_login(getattr(people, role))
    data = {"status-status": "in_progress", "status-progress": "15",
            "status-version": str(people.own.version)} if method == "post" else None
    response = getattr(client, method)(url(people), data)
    assert response.status_code == PAGE_CODES[page][ROLES.index(role)]


@pytest.mark.parametrize("page", list(PAGES))
def test_anonymous_is_sent_to_sign_in(client, people, page):
    method, url = PAGES[page]
    response = getattr(client, method)(url(people))
    assert response.status_code == 302 and "/accedi/" in response["Location"]
