"""The API's fixtures: people in each role (as tests/projects has them), tokens, a client."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.core.cache import cache
from django.utils import timezone

from patto.api.services import token_issue
from patto.pact.models import Party
from patto.projects.models import ClusterCoordinator, Project, ProjectReferent


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and data versions live in the cache, shared by every local cache."""
    cache.clear()
    yield
    cache.clear()


@pytest.fixture(autouse=True)
def _english():
    """Messages are asserted in the source language."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def client():
    """A client that asks for English, as the messages are asserted in it."""
    from django.test import Client

    return Client(HTTP_ACCEPT_LANGUAGE="en")


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
        return django_user_model.objects.create_user(
            name, f"{name}@example.org", "a-long-test-password", first_name=name.title(),
            last_name="Rossi", **kw)

    secretariat = user("segreteria1")
    secretariat.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    coordinator, referent, outsider = user("coordinatrice"), user("referente"), user("estraneo")
    own = make_project(bologna, "1", "prova-api-1")
    other = make_project(bologna, "1", "prova-api-2")
    ClusterCoordinator.objects.create(cluster=own.cluster, user=coordinator)
    for project in (own, other):
        ProjectReferent.objects.create(project=project, party=project.lead_party,
                                       person="Ginevra Referentissima", user=referent)
    return SimpleNamespace(secretariat=secretariat, coordinator=coordinator, referent=referent,
                           outsider=outsider, own=own, other=other, pact=bologna)


@pytest.fixture
def reporting_round(people):
    from patto.projects import services

    today = timezone.localdate()
    return services.round_open(pact=people.pact, title="Semestre API",
                               opens_on=today - dt.timedelta(days=5),
                               deadline=today + dt.timedelta(days=20), user=people.secretariat)


@pytest.fixture
def issue(people):
    """Issue a token: ``issue(owner, scopes, **reach)`` gives the secret."""

    def make(owner, scopes, **extra):
        _token, secret = token_issue(user=people.secretariat, owner=owner, name="test system",
                                     scopes=scopes, **extra)
        return secret

    return make


def bearer(secret: str) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {secret}"}
