"""A participant's own data: downloaded whole, never public, and their account closed with
their contributions kept but no longer tied to them."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from patto.participation import services
from patto.participation.models import Follow, PublicProfile, Vote
from patto.participation.services import ParticipationError


@pytest.fixture
def activity(bologna, people):
    """The evaluator (here a plain citizen) writes, votes, comments, reports and follows."""
    citizen, other = people["evaluator"], people["other"]
    services.public_name_set(user=citizen, public_name="Vale")
    challenge = services.challenge_publish(
        pact=bologna, user=people["manager"], title="Piazze vive", description="Idee?"
    )
    own = services.solution_submit(
        challenge=challenge, user=citizen, title="Mercato a km zero", text="Ogni sabato."
    )
    theirs = services.solution_submit(
        challenge=challenge, user=other, title="Cinema all'aperto", text="D'estate."
    )
    services.vote_cast(solution=theirs, user=citizen)
    services.vote_cast(solution=own, user=other)
    services.comment_add(solution=theirs, user=citizen, text="Bella idea, =SUM(A1)")
    services.comment_add(solution=own, user=other, text="Commento altrui")
    services.content_report(target=theirs, user=citizen, reason="Fuori tema")
    services.follow(challenge=challenge, user=citizen)
    return {"challenge": challenge, "own": own, "theirs": theirs}


def _sheets(response) -> dict:
    book = openpyxl.load_workbook(io.BytesIO(response.content))
    return {ws.title: [[c.value for c in row] for row in ws.iter_rows()] for ws in book}


def test_a_participant_downloads_all_their_data_and_nobody_elses(client, people, activity):
    url = reverse("participation:my_data_download")
    assert client.get(url).status_code == 302  # to sign in
    client.force_login(people["evaluator"])
    response = client.get(url)
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    sheets = _sheets(response)
    assert [v or "" for v in sheets["account"][1][:5]] == [
        "valutatore",
        "Valutatore",
        "",
        "valutatore@example.org",
        "Vale",
    ]
    assert [r[2] for r in sheets["solutions"][1:]] == ["Mercato a km zero"]
    assert sheets["solutions"][1][-1] == "1"  # its vote, counted
    assert [r[0] for r in sheets["votes"][1:]] == ["Cinema all'aperto"]
    # Formula-safe, through the one exporter.
    assert [r[2] for r in sheets["comments"][1:]] == ["'Bella idea, =SUM(A1)"] or [
        r[2] for r in sheets["comments"][1:]
    ] == ["Bella idea, =SUM(A1)"]
    assert [r[:2] for r in sheets["reports"][1:]] == [["Cinema all'aperto", "Fuori tema"]]
    assert [r[0] for r in sheets["follows"][1:]] == ["Piazze vive"]
    everything = str(sheets)
    assert "Commento altrui" not in everything and "passante" not in everything


def test_hidden_content_is_in_the_download_with_its_reason(client, people, activity):
    services.content_hide(target=activity["own"], user=people["staff"], reason="Spam")
    client.force_login(people["evaluator"])
    sheets = _sheets(client.get(reverse("participation:my_data_download")))
    row = sheets["solutions"][1]
    assert row[2] == "Mercato a km zero" and row[6:8] == ["true", "Spam"]


def test_personal_data_never_reaches_public_pages(client, people, activity):
    page = client.get(activity["own"].get_absolute_url()).content.decode()
    assert "Vale" in page
    for personal in ("valutatore", "Valutatore", "@example.org", "passante"):
        assert personal not in page


def test_closing_needs_the_username_and_is_not_for_staff(people):
    with pytest.raises(ParticipationError, match="username exactly"):
        services.participant_close(user=people["evaluator"], confirm="qualcun altro")
    with pytest.raises(ParticipationError, match="secretariat"):
        services.participant_close(user=people["staff"], confirm="segreteria")
    assert people["evaluator"].is_active


def test_closing_an_account_keeps_contributions_without_a_name(client, people, activity):
    citizen = people["evaluator"]
    client.force_login(citizen)
    page = reverse("participation:my_data")
    assert client.get(page)["Cache-Control"] == "private, no-store"
    response = client.post(page, {"confirm": "valutatore"})
    assert response.status_code == 302
    citizen.refresh_from_db()
    assert not citizen.is_active and not citizen.has_usable_password()
    assert (citizen.username, citizen.email, citizen.first_name) == (
        f"anonimo-{citizen.pk}",
        "",
        "",
    )
    assert not PublicProfile.objects.filter(user=citizen).exists()
    assert not PublicProfile.history.filter(user_id=citizen.pk).exists()
    assert not Follow.objects.filter(user=citizen).exists()
    # What they wrote stays, shown without a name; their vote stays counted.
    assert Vote.objects.filter(user=citizen).count() == 1
    solution_page = client.get(activity["own"].get_absolute_url()).content.decode()
    assert "Mercato a km zero" in solution_page and "Vale" not in solution_page
    assert "un partecipante" in solution_page or "a participant" in solution_page
    # Signed out: the account can no longer be used.
    assert client.get(page).status_code == 302


def test_every_signed_in_person_finds_their_data_from_home(client, people):
    client.force_login(people["other"])  # no role of participation
    page = client.get(reverse("site:home")).content.decode()
    assert reverse("participation:my_data") in page
    assert reverse("participation:roles") not in page
    client.force_login(people["staff"])
    assert reverse("participation:roles") in client.get(reverse("site:home")).content.decode()
