"""Governance's pages: the public sees parties (never names), members and staff see names,
only the secretariat reaches the office; exact query counts; the calendar feed."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from icalendar import Calendar

from patto.governance import services

from .conftest import SECRET_NAMES, at


@pytest.fixture
def held(cast, meeting, table):
    """A held meeting with attendance, approved minutes and a voted decision."""
    services.attendance_record(user=cast.staff, meeting=meeting, rows=[
        {"party": cast.city, "status": "present", "person": cast.rep},
        {"party": cast.cgil, "status": "present", "person": cast.sub}])
    # The message in the site's language (Italian): it names the person and asks for the party.
    with pytest.raises(services.GovernanceError, match="soggett"):
        services.minutes_draft(user=cast.staff, meeting=meeting,
                               text=f"Presente {SECRET_NAMES[0]} per la Città.")
    minutes = services.minutes_draft(user=cast.staff, meeting=meeting,
                                     text="Presente la Città metropolitana.")
    following = services.meeting_convene(user=cast.staff, body=table, title="Seguente",
                                         starts_at=at(30), place="Bologna")
    services.minutes_approve(user=cast.staff, minutes=minutes, at=following)
    decision = services.decision_record(
        user=cast.staff, body=table, meeting=meeting, decided_on=dt.date(2026, 2, 1),
        title="Avvio del monitoraggio", text="Il Tavolo avvia il monitoraggio.",
        votes_for=20, votes_against=1, abstained=2)
    services.follow_up_add(user=cast.staff, decision=decision, title="Prima relazione",
                           owner_party=cast.city, owner_person=cast.rep,
                           due_on=dt.date(2026, 3, 1))
    return decision


def _public_urls(bologna, table, meeting, decision):
    code = bologna.code
    return [reverse("governance:bodies", args=[code]),
            reverse("governance:body", args=[code, table.code]),
            reverse("governance:meeting", args=[code, table.code, meeting.pk]),
            reverse("governance:decisions", args=[code]),
            reverse("governance:decision", args=[code, table.code, decision.year,
                                                 decision.number])]


def test_public_pages_show_parties_never_names(client, bologna, table, meeting, held):
    for url in _public_urls(bologna, table, meeting, held):
        response = client.get(url)
        assert response.status_code == 200, url
        html = response.content.decode()
        for name in (*SECRET_NAMES, "rappresentante", "supplente"):
            assert name.split()[-1] not in html, (url, name)
    body = client.get(_public_urls(bologna, table, meeting, held)[1]).content.decode()
    assert "Città metropolitana di Bologna" in body and "CGIL BOLOGNA" in body
    page = client.get(_public_urls(bologna, table, meeting, held)[2]).content.decode()
    assert "Stato delle azioni" in page and "Avvio del monitoraggio" in page


def test_members_and_staff_see_names(client, cast, bologna, table, meeting, held):
    url = reverse("governance:body", args=[bologna.code, table.code])
    for who in (cast.rep, cast.staff):
        client.force_login(who)
        assert SECRET_NAMES[1] in client.get(url).content.decode()
    client.force_login(cast.outsider)
    assert SECRET_NAMES[1] not in client.get(url).content.decode()


def test_office_is_for_the_secretariat(client, cast, bologna, table, meeting):
    urls = [reverse("governance:office", args=[bologna.code]),
            reverse("governance:office_body", args=[bologna.code, table.code]),
            reverse("governance:convene", args=[bologna.code, table.code]),
            reverse("governance:office_meeting", args=[bologna.code, meeting.pk]),
            reverse("governance:office_follow_ups", args=[bologna.code])]
    for url in urls:
        assert client.get(url).status_code == 302  # to sign in
    for who in (cast.rep, cast.outsider):
        client.force_login(who)
        for url in urls:
            assert client.get(url).status_code == 403, url
    client.force_login(cast.staff)
    for url in urls:
        assert client.get(url).status_code == 200, url


def test_member_area_and_home_panel(client, cast, meeting):
    client.force_login(cast.outsider)
    assert client.get(reverse("governance:member_area")).status_code == 403
    client.force_login(cast.rep)
    assert "Seduta plenaria" in client.get(reverse("governance:member_area")).content.decode()
    home = client.get(reverse("site:home")).content.decode()
    assert 'panel-governance' in home and "Seduta plenaria" in home


def test_documents_are_for_members_and_staff(client, cast, bologna, table, meeting):
    from django.core.files.uploadedfile import SimpleUploadedFile

    doc = services.meeting_document_add(user=cast.staff, meeting=meeting, title="Relazione",
                                        uploaded_file=SimpleUploadedFile("r.pdf", b"%PDF-1.4"))
    url = reverse("governance:document", args=[bologna.code, table.code, meeting.pk, doc.pk])
    assert client.get(url).status_code == 403
    client.force_login(cast.sub)
    response = client.get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == b"%PDF-1.4"


def test_calendar_feed_lists_the_body_meetings(client, bologna, table, meeting, cast):
    services.meeting_convene(user=cast.staff, body=table, title="Seconda", starts_at=at(20),
                             link="https://meet.example.org/t")
    response = client.get(reverse("governance:calendar", args=[bologna.code, table.code]))
    assert response.status_code == 200
    assert response["Content-Type"].startswith("text/calendar")
    cal = Calendar.from_ical(response.content)
    events = cal.walk("VEVENT")
    assert [str(e["summary"]).split(": ", 1)[1] for e in events] == ["Seduta plenaria",
                                                                     "Seconda"]
    assert all(name not in response.content.decode() for name in SECRET_NAMES)


def test_decision_filters(client, bologna, table, held, cast):
    services.decision_record(user=cast.staff, body=table, decided_on=dt.date(2025, 5, 1),
                             title="Vecchia", text="Del 2025.")
    url = reverse("governance:decisions", args=[bologna.code])
    html = client.get(url, {"anno": 2026}).content.decode()
    assert "Avvio del monitoraggio" in html and "Vecchia" not in html
    html = client.get(url, {"testo": "2025"}).content.decode()
    assert "Vecchia" in html and "Avvio del monitoraggio" not in html


def _grow(cast, table, meeting, n):
    for i in range(n):
        services.agenda_item_save(user=cast.staff, meeting=meeting, title=f"Punto {i}")
        services.decision_record(user=cast.staff, body=table, meeting=meeting,
                                 decided_on=dt.date(2026, 2, 2), title=f"D{i}", text="t")


# Public pages: the pact (1), then the page's own reads (body, members, meetings,
# decisions; agenda items with their links; minutes, attendance...), the same at 0 and 8 rows.
EXPECTED = {"bodies": 2, "body": 5, "meeting": 11, "decisions": 4, "decision": 6}


@pytest.mark.parametrize("size", [0, 8])
def test_public_pages_have_fixed_query_counts(client, cast, bologna, table, meeting, held,
                                              django_assert_num_queries, size):
    _grow(cast, table, meeting, size)
    urls = dict(zip(EXPECTED, _public_urls(bologna, table, meeting, held), strict=True))
    for name, url in urls.items():
        with django_assert_num_queries(EXPECTED[name]):
            assert client.get(url).status_code == 200


def test_public_pages_go_through_the_page_cache(client, settings, bologna, table, meeting,
                                               held):
    """Public pages are cacheable (the middleware keys them by the data version, which every
    write to governance's tables changes); the office and the feed's documents are not."""
    settings.PATTO_PAGE_CACHE = True
    for url in _public_urls(bologna, table, meeting, held):
        response = client.get(url)
        assert "private" not in response.get("Cache-Control", "") and not response.cookies
    from patto.core.cache import data_tables

    assert {"governance_meeting", "governance_decision", "governance_minutes"} <= data_tables()


def _content(response) -> bytes:
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_decisions_download_follows_the_filters(client, bologna, table, held, cast):
    import csv
    import io

    services.decision_record(user=cast.staff, body=table, decided_on=dt.date(2025, 5, 1),
                             title="=HYPERLINK(\"x\")", text="Del 2025.")
    url = reverse("governance:decisions_download", args=[bologna.code, "csv"])
    response = client.get(url, {"anno": 2026})
    assert response.status_code == 200
    body = _content(response)
    rows = list(csv.reader(io.StringIO(body.decode("utf-8-sig"))))
    assert [r[5] for r in rows[1:]] == ["Avvio del monitoraggio"]
    everything = client.get(url)
    text = _content(everything).decode("utf-8-sig")
    assert "'=HYPERLINK" in text  # formula-safe, through patto.core.exports
    assert all(name not in text for name in SECRET_NAMES)


def test_home_panel_costs_one_query_without_a_seat(cast, meeting, django_assert_num_queries):
    from patto.governance.homepanel import governance_panel

    with django_assert_num_queries(1):
        assert governance_panel(cast.outsider, secretariat=False) is None
    with django_assert_num_queries(1):
        panel = governance_panel(cast.staff, secretariat=True)
    assert panel.from_role
    with django_assert_num_queries(3):
        panel = governance_panel(cast.rep, secretariat=False)
    assert panel is not None and panel.from_role
