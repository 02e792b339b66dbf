"""Fixtures of governance: the Bologna Table (loaded from the package), people named for its
parties, a meeting convened."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.utils import timezone

from patto.governance import services
from patto.governance.models import Body
from patto.pact.models import Party

#: Names that must never reach a public page.
SECRET_NAMES = ("Ginevra Riservata", "Ottavio Nascosto")


@pytest.fixture(autouse=True)
def _english_services(request):
    """Refusals of the services are matched in English; pages are read in Italian."""
    from django.utils import translation

    if "client" in request.fixturenames:
        yield
        return
    with translation.override("en"):
        yield


@pytest.fixture
def table(bologna) -> Body:
    return Body.objects.get(pact=bologna, code="tavolo-patto")


@pytest.fixture
def cast(bologna, staff, table, django_user_model):
    """A representative of the metropolitan city and a substitute of CGIL on the Table, and a
    signed-in person with no seat."""
    def person(username, first, last):
        return django_user_model.objects.create_user(
            username, f"{username}@example.org", "a-long-test-password",
            first_name=first, last_name=last)

    rep = person("rappresentante", *SECRET_NAMES[0].split())
    sub = person("supplente", *SECRET_NAMES[1].split())
    outsider = person("esterno", "Esterno", "Qualunque")
    city = Party.objects.get(code="citta-metropolitana-bologna")
    cgil = Party.objects.get(code="cgil-bologna")
    start = dt.date(2021, 1, 13)
    services.representative_add(user=staff, member=table.members.get(party=city), person=rep,
                                start_on=start)
    services.representative_add(user=staff, member=table.members.get(party=cgil), person=sub,
                                start_on=start, kind="substitute")
    return SimpleNamespace(staff=staff, rep=rep, sub=sub, outsider=outsider, city=city,
                           cgil=cgil)


def at(days: int, hour: int = 10) -> dt.datetime:
    """A moment ``days`` from now, at ``hour`` local time."""
    day = timezone.localdate() + dt.timedelta(days=days)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


@pytest.fixture
def meeting(cast, table):
    meeting = services.meeting_convene(user=cast.staff, body=table, title="Seduta plenaria",
                                       starts_at=at(10), ends_at=at(10, 12),
                                       place="Palazzo Malvezzi, Bologna")
    services.agenda_item_save(user=cast.staff, meeting=meeting, title="Stato delle azioni")
    return meeting
