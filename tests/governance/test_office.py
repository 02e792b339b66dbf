"""The secretariat's office pages drive the services: agenda, invitations, minutes and their
approval, decisions and follow-ups; the admin only shows governance's records."""

from __future__ import annotations

from django.core import mail
from django.urls import reverse

from patto.governance import services
from patto.governance.models import Decision, FollowUp, Minutes

from .conftest import SECRET_NAMES, at


def _post(client, bologna, meeting, action, data):
    url = reverse("governance:meeting_action", args=[bologna.code, meeting.pk, action])
    return client.post(url, data)


def test_office_agenda_invitations_minutes_and_approval(client, cast, bologna, table, meeting,
                                                        django_capture_on_commit_callbacks):
    client.force_login(cast.staff)
    response = _post(client, bologna, meeting, "item", {"item-title": "Fondo di comunità"})
    assert response.status_code == 302
    assert [i.title for i in meeting.items.all()] == ["Stato delle azioni", "Fondo di comunità"]
    with django_capture_on_commit_callbacks(execute=True):
        _post(client, bologna, meeting, "invite", {})
    assert len(mail.outbox) == 2
    _post(client, bologna, meeting, "minutes", {"min-text": "Il Tavolo ha discusso."})
    following = services.meeting_convene(user=cast.staff, body=table, title="Seguente",
                                         starts_at=at(40), place="Bologna")
    _post(client, bologna, meeting, "approve", {"ap-at": following.pk})
    approved = Minutes.objects.get(meeting=meeting)
    assert approved.status == "approved" and approved.approved_at == following
    _post(client, bologna, meeting, "minutes", {"min-text": "Il Tavolo ha discusso e deciso."})
    assert list(meeting.minutes.values_list("version", "status", "text")) == [
        (2, "draft", "Il Tavolo ha discusso e deciso."),
        (1, "approved", "Il Tavolo ha discusso.")]
    refused = _post(client, bologna, meeting, "minutes",
                    {"min-text": f"Interviene {SECRET_NAMES[1]}."})
    assert refused.status_code == 200
    assert meeting.minutes.get(version=2).text == "Il Tavolo ha discusso e deciso."


def test_office_decision_and_follow_up(client, cast, bologna, table, meeting):
    client.force_login(cast.staff)
    response = _post(client, bologna, meeting, "decision", {
        "dec-decided_on": "2026-02-01", "dec-title": "Avvio", "dec-text": "Si avvia.",
        "dec-votes_for": "10", "dec-votes_against": "0", "dec-abstained": "1"})
    decision = Decision.objects.get(body=table)
    assert response.url == reverse("governance:office_decision", args=[bologna.code,
                                                                       decision.pk])
    assert decision.label == "1/2026" and decision.votes_for == 10
    client.post(response.url, {"fu-title": "Relazione", "fu-owner_party": cast.cgil.pk,
                               "fu-due_on": "2026-03-01"})
    action = FollowUp.objects.get(decision=decision)
    assert action.owner_party == cast.cgil
    client.post(reverse("governance:office_follow_up", args=[bologna.code, action.pk]),
                {"status": "done", "due_on": "2026-03-01"})
    assert FollowUp.objects.get(pk=action.pk).status == "done"
    assert action.history.count() == 2


def test_writes_by_members_are_refused(client, cast, bologna, meeting):
    client.force_login(cast.rep)
    assert _post(client, bologna, meeting, "item", {"item-title": "x"}).status_code == 403
    assert meeting.items.count() == 1


def test_members_see_who_attended(client, cast, bologna, table, meeting):
    services.attendance_record(user=cast.staff, meeting=meeting, rows=[
        {"party": cast.cgil, "status": "present", "person": cast.sub}])
    url = reverse("governance:meeting", args=[bologna.code, table.code, meeting.pk])
    assert SECRET_NAMES[1] not in client.get(url).content.decode()
    client.force_login(cast.rep)
    assert SECRET_NAMES[1] in client.get(url).content.decode()


def test_the_admin_only_shows_governance(client, cast, table):
    client.force_login(cast.staff)
    base = "/gestione/admin/governance/body/"
    assert client.get(base).status_code == 200
    assert client.get(base + "add/").status_code == 403
    response = client.post(f"{base}{table.pk}/change/", {"name": "Altro"})
    assert response.status_code == 403
    table.refresh_from_db()
    assert table.name == "Tavolo del Patto metropolitano"


def test_office_changes_an_agenda_item_and_its_links(client, cast, bologna, meeting):
    from patto.projects.models import Project

    client.force_login(cast.staff)
    item = meeting.items.get()
    page = client.get(reverse("governance:office_meeting", args=[bologna.code, meeting.pk]),
                      {"punto": item.pk})
    assert 'value="Stato delle azioni"' in page.content.decode()
    project = Project.objects.filter(pact=bologna).first()
    _post(client, bologna, meeting, "item", {"item": item.pk, "item-title": "Azioni e progetti",
                                             "item-projects": [project.pk]})
    item.refresh_from_db()
    assert item.title == "Azioni e progetti" and list(item.projects.all()) == [project]
    assert meeting.items.count() == 1
