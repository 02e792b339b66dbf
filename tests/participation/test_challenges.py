"""Challenges and solutions: one vote per person, comments, statistics, moderation with the
reason the author sees, rate limits, the spam trap, following with a digest."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied
from django.core.management import call_command
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import translation

from patto.participation import selectors, services
from patto.participation.models import Comment, ContentReport, Solution, Vote
from patto.participation.services import ParticipationError


@pytest.fixture
def challenge(bologna, people):
    return services.challenge_publish(
        pact=bologna,
        user=people["manager"],
        title="Meno code agli sportelli",
        description="Come ridurre le attese?",
    )


@pytest.fixture
def moderator(bologna, people):
    services.moderator_grant(pact=bologna, person=people["other"], user=people["staff"])
    return people["other"]


@pytest.fixture
def solution(challenge, people):
    services.public_name_set(user=people["evaluator"], public_name="Vale")
    return services.solution_submit(
        challenge=challenge,
        user=people["evaluator"],
        title="Prenotazione online",
        text="Un calendario.",
    )


def test_who_publishes_challenges(bologna, people):
    with pytest.raises(PermissionDenied):
        services.challenge_publish(
            pact=bologna, user=people["evaluator"], title="x", description="x"
        )
    with pytest.raises(PermissionDenied):  # a proposer publishes for their territory only
        services.challenge_publish(pact=bologna, user=people["union"], title="x", description="x")
    made = services.challenge_publish(
        pact=bologna,
        user=people["union"],
        title="Sentieri",
        description="x",
        publisher=people["savena"],
    )
    assert made.publisher == people["savena"]


def test_one_vote_per_person_and_solution(solution, people):
    assert services.vote_cast(solution=solution, user=people["city"]) is True
    assert services.vote_cast(solution=solution, user=people["city"]) is False
    assert services.vote_cast(solution=solution, user=people["union"]) is True
    assert Vote.objects.filter(solution=solution).count() == 2
    with pytest.raises(IntegrityError), transaction.atomic():
        Vote.objects.create(solution=solution, user=people["city"])
    assert services.vote_withdraw(solution=solution, user=people["city"]) is True
    assert Vote.objects.filter(solution=solution).count() == 1


def test_statistics_per_challenge_and_overall(bologna, challenge, solution, people):
    other = services.solution_submit(
        challenge=challenge,
        user=people["union"],
        title="Sportello unico",
        text="x",
        administration=people["savena"],
    )
    services.vote_cast(solution=other, user=people["city"])
    services.vote_cast(solution=other, user=people["manager"])
    services.vote_cast(solution=solution, user=people["city"])
    for stats in (selectors.statistics(challenge=challenge), selectors.statistics(pact=bologna)):
        assert stats["count"] == 2
        assert stats["latest"] == other
        assert stats["best"] == other and stats["best"].vote_count == 2
        assert stats["most_active"] == {"administration__name": people["savena"].name, "n": 1}


def test_a_person_submits_for_an_administration_only_if_they_act_for_it(challenge, people):
    with pytest.raises(PermissionDenied):
        services.solution_submit(
            challenge=challenge,
            user=people["city"],
            title="x",
            text="x",
            administration=people["savena"],
        )


def test_report_hide_with_reason_and_restore(challenge, solution, people, moderator, client):
    comment = services.comment_add(solution=solution, user=people["city"], text="Spam!")
    services.content_report(target=comment, user=people["union"], reason="pubblicità")
    with translation.override("en"), pytest.raises(ParticipationError, match="already reported"):
        services.content_report(target=comment, user=people["union"], reason="ancora")
    with pytest.raises(PermissionDenied):
        services.content_hide(target=comment, user=people["union"], reason="x")
    with translation.override("en"), pytest.raises(ParticipationError, match="its author reads it"):
        services.content_hide(target=comment, user=moderator, reason="")
    services.content_hide(target=comment, user=moderator, reason="pubblicità non pertinente")
    assert ContentReport.objects.get().resolved_at is not None
    url = solution.get_absolute_url()
    assert "Spam!" not in client.get(url).content.decode()
    client.force_login(people["city"])  # the author sees it, with the reason
    page = client.get(url).content.decode()
    assert "Spam!" in page and "pubblicità non pertinente" in page
    client.force_login(people["union"])
    assert "Spam!" not in client.get(url).content.decode()
    services.content_restore(target=comment, user=moderator)
    comment.refresh_from_db()
    assert not comment.hidden and comment.hidden_reason == ""
    assert comment.history.count() == 3
    with pytest.raises(IntegrityError), transaction.atomic():
        Comment.objects.filter(pk=comment.pk).update(hidden=True, hidden_reason="")


def test_hidden_solution_leaves_the_statistics_and_the_pages(
    challenge, solution, people, moderator, client
):
    services.content_hide(target=solution, user=moderator, reason="fuori tema")
    assert selectors.statistics(challenge=challenge)["count"] == 0
    assert client.get(solution.get_absolute_url()).status_code == 404
    with translation.override("en"), pytest.raises(ParticipationError, match="hidden"):
        services.vote_cast(solution=Solution.objects.get(pk=solution.pk), user=people["city"])


def test_rate_limit_stops_a_flood(challenge, people, settings):
    settings.PATTO_PARTICIPATION_RATES = {"solution": (2, 3600)}
    for n in range(2):
        services.solution_submit(challenge=challenge, user=people["city"], title=f"s{n}", text="x")
    with pytest.raises(ParticipationError, match="too many times") as exc:
        services.solution_submit(challenge=challenge, user=people["city"], title="s3", text="x")
    assert exc.value.code == "rate-limited"
    assert Solution.objects.count() == 2
    services.solution_submit(challenge=challenge, user=people["union"], title="u", text="x")


def test_spam_trap_drops_a_filled_honeypot(client, challenge, people):
    client.force_login(people["city"])
    url = reverse("participation:solution_submit", args=[challenge.pk])
    client.post(url, {"title": "Compra ora", "text": "x", "sito_web": "http://spam"})
    assert not Solution.objects.exists()
    client.post(url, {"title": "Vera", "text": "x", "sito_web": ""})
    assert Solution.objects.get().title == "Vera"


def test_pages_vote_comment_and_need_csrf(challenge, solution, people):
    from django.test import Client

    strict = Client(enforce_csrf_checks=True)
    strict.force_login(people["city"])
    vote = reverse("participation:vote", args=[challenge.pk, solution.pk])
    assert strict.post(vote).status_code == 403
    assert not Vote.objects.exists()
    relaxed = Client()
    relaxed.force_login(people["city"])
    relaxed.post(vote)
    relaxed.post(vote)
    assert Vote.objects.filter(solution=solution).count() == 1
    relaxed.post(
        reverse("participation:comment", args=[challenge.pk, solution.pk]), {"text": "Ottima idea"}
    )
    assert solution.comments.get().text == "Ottima idea"


def test_public_pages_show_public_names_only_in_fixed_queries(
    client, bologna, challenge, solution, people, django_assert_num_queries
):
    index, detail = reverse("participation:challenges"), challenge.get_absolute_url()
    page_url = solution.get_absolute_url()
    # index: pact, challenges, 4 statistics; challenge: challenge, 4 statistics, solutions;
    # solution: solution, its comments.
    with django_assert_num_queries(6):
        client.get(index)
    with django_assert_num_queries(6):
        response = client.get(detail)
    with django_assert_num_queries(2):
        page = client.get(page_url).content.decode()
    assert "Vale" in page and people["evaluator"].get_full_name() not in page
    assert people["evaluator"].email not in response.content.decode()
    for n in range(3):
        services.solution_submit(challenge=challenge, user=people["union"], title=f"n{n}", text="x")
    with django_assert_num_queries(6):
        client.get(detail)


def test_digest_mails_followers_once(challenge, solution, people, mailoutbox):
    services.follow(challenge=challenge, user=people["city"])
    services.solution_submit(
        challenge=challenge, user=people["union"], title="Nuova idea", text="x"
    )
    call_command("participation_digest", "--dry-run")
    assert mailoutbox == []
    call_command("participation_digest")
    assert len(mailoutbox) == 1 and "Nuova idea" in mailoutbox[0].body
    assert mailoutbox[0].to == [people["city"].email]
    call_command("participation_digest")
    assert len(mailoutbox) == 1  # nothing new since
