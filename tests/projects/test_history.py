"""Public history (issue 11, point 7): what changed, when and by which role, names only to
staff, in a fixed number of queries whatever the length of the history."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from patto.pact.history import HISTORY_LIMIT, record_history
from patto.pact.models import Party
from patto.projects import services
from patto.projects.models import Project

PAGE = "/progetti/bologna-2021/reshoring/"
#: The project page for a visitor; the history adds one query (its rows), and four more (the
#: accounts, their groups, their coordinator and referent roles) when people made changes.
#: Three of them read the milestones, the places and the sub-projects (issue 11, points 4, 6),
#: one the national monitoring's record (OpenCoesione's panel).
PROJECT_QUERIES = 32
PARTY_QUERIES = 4


def _edit(project: Project, user, times: int) -> None:
    for n in range(times):
        project.refresh_from_db()
        services.project_change(
            project=project,
            user=user,
            expected_version=project.version,
            expected_results=f"Risultato {n}",
        )


def _count(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


def test_package_loads_show_as_such(bologna):
    history = record_history(Project.objects.get(pact=bologna, code="reshoring"))
    assert history.entries and history.entries[-1].kind == "+"
    assert all(e.person == "" for e in history.entries)
    with translation.override("en"):
        assert "data package" in str(history.entries[0].role)


def test_changes_name_the_role_and_the_fields(people):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    _edit(project, people.secretariat, 1)
    latest = record_history(project).entries[0]
    with translation.override("en"):
        assert latest.kind == "~" and str(latest.role) == "secretariat"
    assert [c.value for c in latest.changes if c.value] == ["Risultato 0"]
    assert latest.person == "segreteria1"


def test_coordinators_show_as_coordinators(people):
    _edit(people.own, people.coordinator, 1)
    with translation.override("en"):
        assert str(record_history(people.own).entries[0].role) == "cluster coordinator"


def test_names_only_to_staff(client, people, staff):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    _edit(project, people.secretariat, 1)
    html = client.get(PAGE).content.decode()
    assert 'data-testid="history-entry"' in html and "segreteria1" not in html
    client.force_login(staff)
    assert "segreteria1" in client.get(PAGE).content.decode()


def test_history_is_limited_and_says_so(people):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    _edit(project, people.secretariat, HISTORY_LIMIT + 2)
    history = record_history(project)
    assert len(history.entries) == HISTORY_LIMIT and history.more


@pytest.mark.parametrize("times", [1, HISTORY_LIMIT + 5])
def test_project_page_queries_do_not_grow_with_history(
    client, people, times, django_assert_num_queries
):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    _edit(project, people.secretariat, times)
    with django_assert_num_queries(PROJECT_QUERIES + 4):
        client.get(PAGE)


def test_project_page_exact_queries_without_signed_in_changes(
    client, bologna, django_assert_num_queries
):
    with django_assert_num_queries(PROJECT_QUERIES):
        client.get(PAGE)


def test_party_page_shows_its_history_in_exact_queries(client, bologna, django_assert_num_queries):
    with django_assert_num_queries(PARTY_QUERIES):
        html = client.get("/soggetti/hera/").content.decode()
    assert 'data-testid="history-entry"' in html
    assert Party.objects.get(code="hera").history.exists()
