"""Closing an account (core.people.person_close): the row stays for what the person did, but
it no longer identifies them, cannot sign in, holds no role, and its history lines follow."""

from __future__ import annotations

import pytest
from django.contrib.admin.models import LogEntry
from django.contrib.auth.models import Group

from patto.core import people
from patto.core.errors import ApplicationError
from patto.core.permissions import SECRETARIAT_GROUP

PASSWORD = "a-long-test-password"

pytestmark = pytest.mark.django_db


@pytest.fixture
def cast(django_user_model):
    secretariat = django_user_model.objects.create_user(
        "segreteria", "segreteria@example.org", PASSWORD, is_staff=True)
    secretariat.groups.add(Group.objects.get_or_create(name=SECRETARIAT_GROUP)[0])
    person = django_user_model.objects.create_user(
        "mario.rossi@example.org", "mario.rossi@example.org", PASSWORD,
        first_name="Mario", last_name="Rossi")
    other = django_user_model.objects.create_user("altra", "altra@example.org", PASSWORD)
    return {"secretariat": secretariat, "person": person, "other": other}


def test_a_person_closes_their_own_account_and_nothing_identifies_them(cast, client):
    person = cast["person"]
    people._log(actor=cast["secretariat"], person=person, message="Invited by e-mail.")
    client.force_login(person)
    people.person_close(person=person, user=person)
    person.refresh_from_db()
    assert (person.username, person.first_name, person.last_name, person.email) == (
        f"anonimo-{person.pk}", "", "", "")
    assert not person.is_active and not person.has_usable_password()
    # The earlier session ends with the password; the history keeps the closure, no old name.
    assert client.get("/gestione/").status_code == 302
    lines = LogEntry.objects.filter(object_id=str(person.pk)).order_by("pk")
    assert [e.object_repr for e in lines] == [f"anonimo-{person.pk}"] * 2
    assert lines.last().user_id == person.pk
    assert "mario" not in str(list(lines.values())).lower()


def test_the_secretariat_closes_a_staff_account_and_its_roles_go(cast):
    staff = cast["other"]
    people.secretariat_grant(person=staff, user=cast["secretariat"])
    with pytest.raises(ApplicationError) as refused:
        people.person_close(person=staff, user=staff)
    assert refused.value.code == "staff"
    people.person_close(person=staff, user=cast["secretariat"])
    staff.refresh_from_db()
    assert not staff.is_active and not staff.is_staff and not staff.groups.exists()
    assert LogEntry.objects.filter(object_id=str(staff.pk)).latest("pk").user_id == \
        cast["secretariat"].pk


def test_nobody_else_closes_an_account(cast):
    for someone in (cast["other"], None):
        with pytest.raises(ApplicationError) as refused:
            people.person_close(person=cast["person"], user=someone)
        assert refused.value.code == "forbidden"
    cast["person"].refresh_from_db()
    assert cast["person"].is_active and cast["person"].email
