"""Fixtures of participation: a call of the Bologna pact and the people with its roles."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from patto.pact.models import Territory
from patto.participation import services
from patto.participation.models import Call


@pytest.fixture(autouse=True)
def _messages_in_english(request):
    """The services' refusals are matched in the source language (English) in the service
    tests; pages (any test with the test client) are read in Italian, as visitors read them."""
    from django.utils import translation

    if request.module.__name__.endswith("test_pages") or "client" in request.fixturenames:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Rate-limit counters live in the cache, which outlives a test's database rollback."""
    from django.core.cache import cache

    cache.clear()


@pytest.fixture
def people(bologna, staff, django_user_model):
    """A call manager, a proposer for the Savena-Idice union, one for Bologna, an evaluator."""

    def person(name):
        return django_user_model.objects.create_user(
            name, f"{name}@example.org", "a-long-test-password", first_name=name.title()
        )

    manager, union_agent, city_agent, evaluator, other = (
        person(n) for n in ("gestore", "unione", "comune", "valutatore", "passante")
    )
    services.call_manager_grant(pact=bologna, person=manager, user=staff)
    savena = Territory.objects.get(code="unione-savena-idice")
    city = Territory.objects.get(code="037006")
    services.proposer_grant(territory=savena, person=union_agent, user=staff)
    services.proposer_grant(territory=city, person=city_agent, user=staff)
    return {
        "staff": staff,
        "manager": manager,
        "union": union_agent,
        "city": city_agent,
        "evaluator": evaluator,
        "other": other,
        "savena": savena,
        "bologna": city,
    }


@pytest.fixture
def call_fields(bologna):
    from patto.funds.models import Purpose
    from patto.pact.models import Cluster

    now = timezone.now()
    return {
        "code": "rigenerazione-2026",
        "title": "Bando rigenerazione 2026",
        "summary": "Programmi di rigenerazione dei territori fragili.",
        "opens_at": now - dt.timedelta(days=1),
        "deadline": now + dt.timedelta(days=30),
        "money_available": Decimal("100000.00"),
        "fund_purpose": Purpose.objects.get(fund__pact=bologna, code="rigenerazione"),
        "cluster": Cluster.objects.filter(pact=bologna).order_by("position")[1],
    }


@pytest.fixture
def draft(bologna, people, call_fields) -> Call:
    call = services.call_create(pact=bologna, user=people["manager"], **call_fields)
    services.criterion_save(
        call=call, user=people["manager"], title="Qualità del programma", weight="60", max_score=10
    )
    services.criterion_save(
        call=call, user=people["manager"], title="Partecipazione", weight="40", max_score=10
    )
    return call


@pytest.fixture
def call(draft, people) -> Call:
    return services.call_publish(call=draft, user=people["manager"])


def savena_places(people):
    return services.proposer_places(people["savena"])


@pytest.fixture
def proposal(call, people):
    places = savena_places(people)
    return services.proposal_create(
        call=call,
        proposer=people["savena"],
        user=people["union"],
        title="Borghi vivi",
        objectives="Riaprire gli spazi pubblici.",
        content="Tre interventi.",
        budget=Decimal("50000.00"),
        cofinancing=Decimal("10000.00"),
        places=places[:2],
    )


def close(call) -> Call:
    """Move a call's deadline to the past, as the clock would (no service moves it back)."""
    now = timezone.now()
    Call.objects.filter(pk=call.pk).update(
        opens_at=now - dt.timedelta(days=40), deadline=now - dt.timedelta(seconds=1)
    )
    call.refresh_from_db()
    return call
