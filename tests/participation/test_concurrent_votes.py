"""Votes under concurrency: people voting at the same moment, each from their own database
connection (as web workers would), count once each and exactly.

The voters' rows are written and committed by a helper thread (the test's own transaction
is invisible to other connections) and deleted the same way at the end. PostgreSQL only:
there the inserts really race; SQLite serialises writers, so it would prove nothing.
"""

from __future__ import annotations

import threading

import pytest
from django.contrib.auth import get_user_model
from django.db import connection, connections

from patto.pact.models import Pact
from patto.participation import selectors, services
from patto.participation.models import Comment, OpenChallenge, Solution, Vote

pytestmark = [
    pytest.mark.django_db,
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="concurrent votes are tested on PostgreSQL, the production database",
    ),
]

PEOPLE = 8
TRIES_EACH = 3  # every person presses the button three times at once


def _elsewhere(job):
    """Run ``job`` on a connection of its own, committed on return (autocommit)."""
    box: dict = {}

    def run():
        try:
            box["value"] = job()
        except BaseException as exc:  # pragma: no cover - re-raised below
            box["error"] = exc
        finally:
            connections.close_all()

    thread = threading.Thread(target=run)
    thread.start()
    thread.join(120)
    if "error" in box:
        raise box["error"]
    return box.get("value")


@pytest.fixture
def committed(settings):
    """A challenge, a solution and eight voters, committed; deleted afterwards."""
    settings.PATTO_PARTICIPATION_RATES = {"vote": (1000, 3600)}
    User = get_user_model()

    def make():
        pact = Pact.objects.get(code="bologna-2021")
        staff = User.objects.create_superuser("conc-staff", "cs@example.org", "a-long-pw-123")
        author = User.objects.create_user("conc-author", "ca@example.org", "a-long-pw-123")
        voters = [
            User.objects.create_user(f"conc-voter-{i}", f"cv{i}@example.org", "a-long-pw-123")
            for i in range(PEOPLE)
        ]
        challenge = services.challenge_publish(
            pact=pact, user=staff, title="Sfida concorrente", description="Voti simultanei."
        )
        solution = services.solution_submit(
            challenge=challenge, user=author, title="Una soluzione", text="Testo."
        )
        return solution, voters

    def clean():
        ids = list(
            Solution.objects.filter(
                title="Una soluzione", author__username="conc-author"
            ).values_list("pk", "challenge_id")
        )
        for solution_id, challenge_id in ids:
            Vote.objects.filter(solution_id=solution_id).delete()
            Comment.objects.filter(solution_id=solution_id).delete()
            Solution.history.filter(id=solution_id).delete()
            Solution.objects.filter(pk=solution_id).delete()
            OpenChallenge.history.filter(id=challenge_id).delete()
            OpenChallenge.objects.filter(pk=challenge_id).delete()
        User.objects.filter(username__startswith="conc-").delete()

    _elsewhere(clean)  # a run interrupted before its clean-up leaves nothing behind
    solution, voters = _elsewhere(make)
    try:
        yield {"solution": solution, "voters": voters}
    finally:
        _elsewhere(clean)


def test_simultaneous_votes_count_once_per_person_and_exactly(committed):
    solution, voters = committed["solution"], committed["voters"]
    jobs = [voter for voter in voters for _ in range(TRIES_EACH)]
    barrier = threading.Barrier(len(jobs))
    counted: list[int] = []
    errors: list[BaseException] = []
    lock = threading.Lock()

    def press(voter):
        try:
            barrier.wait(60)
            if services.vote_cast(solution=solution, user=voter):
                with lock:
                    counted.append(voter.pk)
        except BaseException as exc:  # pragma: no cover - reported by the assertion below
            errors.append(exc)
        finally:
            connections.close_all()  # this thread's own connection

    threads = [threading.Thread(target=press, args=(v,)) for v in jobs]
    for t in threads:
        t.start()
    for t in threads:
        t.join(120)
    assert not errors, errors
    # Each person's vote counted exactly once; their other presses were told "already".
    assert sorted(counted) == sorted(v.pk for v in voters)

    def read():
        votes = Vote.objects.filter(solution=solution)
        shown = selectors.solutions_of(solution.challenge).get(pk=solution.pk)
        best = selectors.statistics(challenge=solution.challenge)["best"]
        return votes.count(), votes.values("user").distinct().count(), shown.vote_count, best.pk

    assert _elsewhere(read) == (PEOPLE, PEOPLE, PEOPLE, solution.pk)
