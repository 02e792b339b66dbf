"""Projects with a person in each role: secretariat, coordinator, referent, reporter, outsider."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group

from patto.pact.models import Party
from patto.projects.models import ClusterCoordinator, PartyReporter, Project, ProjectReferent


def make_project(pact, cluster_code: str, code: str, **extra) -> Project:
    return Project.objects.create(
        pact=pact, code=code, title=f"Progetto {code}",
        cluster=pact.clusters.get(code=cluster_code), horizon="short",
        lead_party=Party.objects.get(code="citta-metropolitana-bologna"),
        status=extra.pop("status", "in_progress"), progress=extra.pop("progress", 10),
        summary="Un progetto di prova.", **extra)


@pytest.fixture
def people(bologna, django_user_model):
    def user(name, **kw):
        return django_user_model.objects.create_user(name, f"{name}@example.org",
                                                     "a-long-test-password", **kw)

    secretariat = user("segreteria1")
    secretariat.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    coordinator, referent, reporter, outsider = (user("coordinatrice"), user("referente"),
                                                 user("rendicontatore"), user("estraneo"))
    own = make_project(bologna, "1", "prova-cluster-1")
    other = make_project(bologna, "2", "prova-cluster-2")
    ClusterCoordinator.objects.create(cluster=own.cluster, user=coordinator)
    ProjectReferent.objects.create(project=own, party=own.lead_party, person="Referente Prova",
                                   user=referent)
    reporter_party = Party.objects.get(code="comune-bologna")
    PartyReporter.objects.create(party=reporter_party, user=reporter)
    return SimpleNamespace(secretariat=secretariat, coordinator=coordinator, referent=referent,
                           reporter=reporter, outsider=outsider, own=own, other=other,
                           reporter_party=reporter_party, pact=bologna,
                           today=dt.date(2026, 3, 10))
