"""The reporting workflow whole: states everywhere, rows added and removed, the diff on
resubmission, e-mails after commit, notices, closing a round, counts and query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core import mail
from django.db import transaction
from django.test.utils import CaptureQueriesContext

from patto.core.errors import ApplicationError
from patto.projects import selectors, services
from patto.projects.models import (
    PlannedActivity,
    Project,
    ProjectReferent,
    ProjectUpdate,
    ReportingRound,
)
from tests.projects.conftest import make_project
from tests.projects.test_reminders import smtp  # noqa: F401  (the real SMTP server fixture)


@pytest.fixture(autouse=True)
def _english_messages():
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def reporting_round(people):
    return services.round_open(pact=people.pact, title="Primo semestre 2026",
                               opens_on=dt.date(2026, 3, 1), deadline=dt.date(2099, 3, 31),
                               user=people.secretariat)


def form(**changes) -> dict:
    data = {"proposed_status": "in_progress", "progress": "30", "summary": "Avviato il tavolo.",
            "progress_reason": "Il tavolo è avviato.",
            "issues": "", "version": "",
            "completed-TOTAL_FORMS": "1", "completed-INITIAL_FORMS": "0",
            "completed-0-done_on": "2026-03-04", "completed-0-text": "Riunione di avvio",
            "meetings-TOTAL_FORMS": "0", "meetings-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    data.update(changes)
    return data


def edit_url(reporting_round, project) -> str:
    return f"/gestione/rendicontazione/{reporting_round.pk}/progetti/{project.pk}/"


def test_the_whole_flow_through_the_pages(client, people, reporting_round,
                                          django_capture_on_commit_callbacks):
    people.coordinator.first_name = "Carla"
    people.coordinator.save()
    url = edit_url(reporting_round, people.own)
    client.force_login(people.referent)
    assert client.post(url, form(save="1")).status_code == 302
    listed = client.get("/gestione/rendicontazione/").content.decode()
    assert 'data-state="draft"' in listed
    assert mail.outbox == []

    with django_capture_on_commit_callbacks(execute=True):
        assert client.post(url, form(version=str(ProjectUpdate.objects.get().version),
                                     submit="1")).status_code == 302
    update = ProjectUpdate.objects.get()
    assert update.status == "submitted"
    assert [m.to for m in mail.outbox] == [["coordinatrice@example.org"]]
    assert "Progetto prova-cluster-1" in mail.outbox[0].subject
    assert f"/gestione/rendicontazione/resoconti/{update.pk}/" in mail.outbox[0].body
    assert "Carla" in mail.outbox[0].body
    # A sent report can be read back by its referent, with no decision form.
    read = client.get(f"/gestione/rendicontazione/resoconti/{update.pk}/")
    assert read.status_code == 200 and b"Riunione di avvio" in read.content
    assert b'name="decision"' not in read.content
    assert b"Riunione di avvio" in client.get(url).content

    client.force_login(people.coordinator)
    review = f"/gestione/rendicontazione/resoconti/{update.pk}/"
    assert b'name="decision"' in client.get(review).content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {"decision": "return", "comment": "Manca l'incontro con i sindacati."})
    assert ProjectUpdate.objects.get().status == "returned"
    assert [m.to for m in mail.outbox[1:]] == [["referente@example.org"]]
    assert "Manca l'incontro con i sindacati." in mail.outbox[1].body
    assert url in mail.outbox[1].body

    client.force_login(people.referent)
    page = client.get(url)
    assert "Manca l&#x27;incontro con i sindacati." in page.content.decode()
    assert page.context["editable"]
    update = ProjectUpdate.objects.get()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(url, form(**{
            "version": str(update.version), "progress": "40", "submit": "1",
            "completed-TOTAL_FORMS": "2", "completed-1-done_on": "2026-03-09",
            "completed-1-text": "Incontro con i sindacati"}))
    assert ProjectUpdate.objects.get().status == "submitted"
    assert len(mail.outbox) == 3

    client.force_login(people.coordinator)
    page = client.get(review)
    assert page.context["previous"].return_comment == "Manca l'incontro con i sindacati."
    changes = {c.field: (c.removed, c.added) for c in page.context["changes"]}
    assert changes == {"progress": (["30"], ["40"]),
                       "completed": ([], ["2026-03-09: Incontro con i sindacati"])}
    assert b'data-testid="earlier-comment"' in page.content
    with django_capture_on_commit_callbacks(execute=True):
        client.post(review, {"decision": "approve", "comment": ""})
    assert ProjectUpdate.objects.get().status == "approved"
    assert [m.to for m in mail.outbox[3:]] == [["referente@example.org"]]
    assert review in mail.outbox[3].body and mail.outbox[3].subject != mail.outbox[1].subject

    public = client.get(people.own.get_absolute_url()).content.decode()
    assert "Incontro con i sindacati" in public
    assert Project.objects.get(pk=people.own.pk).progress == 40
    client.force_login(people.referent)
    listed = client.get("/gestione/rendicontazione/")
    assert [(p.pk, u.status) for _, p, u in listed.context["mine"]] == [
        (people.own.pk, "approved")]
    assert "To report on" not in listed.content.decode()
    assert [n.kind for n in listed.context["notices"]] == ["approved"]


def test_submission_mail_goes_through_a_real_smtp_server(people, reporting_round, smtp,  # noqa: F811
                                                          django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=10,
                             summary="Avviato.", submit=True)
    assert len(smtp.messages) == 1
    recipients, content = smtp.messages[0]
    assert recipients == ["coordinatrice@example.org"]
    assert "Progetto prova-cluster-1" in content and "Primo semestre 2026" in content


def test_no_mail_when_the_transaction_rolls_back(people, reporting_round,
                                                 django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            services.update_save(reporting_round=reporting_round, project=people.own,
                                 user=people.referent, proposed_status="in_progress",
                                 progress=10, summary="Avviato.", submit=True)
            raise RuntimeError("something later in the same transaction failed")
    assert callbacks == [] and mail.outbox == []
    assert not ProjectUpdate.objects.exists()


def test_a_refused_submission_sends_nothing(people, reporting_round,
                                            django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        with pytest.raises(ApplicationError):
            services.update_save(reporting_round=reporting_round, project=people.own,
                                 user=people.referent, proposed_status="in_progress",
                                 progress=10, summary="", submit=True)
    assert mail.outbox == []


def test_rows_are_added_without_javascript_and_removed(client, people, reporting_round):
    client.force_login(people.referent)
    url = edit_url(reporting_round, people.own)
    added = client.post(url, form(add_row="meetings", **{"meetings-TOTAL_FORMS": "1"}))
    assert added.status_code == 200 and not ProjectUpdate.objects.exists()
    assert added.context["rowsets"][1][1].total_form_count() == 2
    assert b'name="meetings-1-held_on"' in added.content
    client.post(url, form(save="1", **{
        "completed-TOTAL_FORMS": "2", "completed-1-done_on": "2026-03-05",
        "completed-1-text": "Da togliere", "completed-1-DELETE": "on",
        "meetings-TOTAL_FORMS": "2", "meetings-0-held_on": "2026-03-06",
        "meetings-0-title": "Tavolo", "meetings-0-participants": "7",
        "meetings-1-held_on": "2026-03-07", "meetings-1-title": "Tolto",
        "meetings-1-DELETE": "on"}))
    payload = ProjectUpdate.objects.get().payload
    assert [r["text"] for r in payload["completed"]] == ["Riunione di avvio"]
    assert [r["title"] for r in payload["meetings"]] == ["Tavolo"]
    # A removed row is not checked: a half-filled one does not block the save.
    response = client.post(url, form(save="1", version=str(ProjectUpdate.objects.get().version),
                                     **{"events-TOTAL_FORMS": "1", "events-0-title": "Senza data",
                                        "events-0-DELETE": "on"}))
    assert response.status_code == 302


def test_the_row_endpoint_gives_the_next_row_and_counts(client, people):
    client.force_login(people.referent)
    response = client.get("/gestione/rendicontazione/riga/events/?index=3",
                          HTTP_HX_REQUEST="true")
    body = response.content.decode()
    assert response.status_code == 200
    assert 'name="events-3-title"' in body and 'name="events-3-DELETE"' in body
    assert 'name="events-TOTAL_FORMS" value="4"' in body and 'hx-swap-oob="true"' in body
    assert "index=4" in body
    for bad in ("/gestione/rendicontazione/riga/nope/?index=1",
                "/gestione/rendicontazione/riga/events/?index=x",
                "/gestione/rendicontazione/riga/events/?index=5000"):
        assert client.get(bad).status_code == 404, bad


def test_the_form_shows_the_planned_activities(client, people, reporting_round):
    PlannedActivity.objects.create(project=people.own, position=1, title="Bando per le imprese",
                                   due_on=dt.date(2026, 6, 30))
    client.force_login(people.referent)
    page = client.get(edit_url(reporting_round, people.own))
    assert [a.title for a in page.context["planned"]] == ["Bando per le imprese"]
    assert b"Bando per le imprese" in page.content


def test_closing_a_round_confirms_then_refuses_new_reports(client, people, reporting_round):
    services.update_save(reporting_round=reporting_round, project=people.own,
                         user=people.referent, proposed_status="in_progress", progress=10,
                         summary="Avviato.", submit=True)
    close = f"/gestione/rendicontazione/{reporting_round.pk}/chiudi/"
    client.force_login(people.coordinator)
    assert client.get(close).status_code == 403
    assert client.post(close).status_code == 403
    client.force_login(people.secretariat)
    confirm = client.get(close)
    assert confirm.status_code == 200
    unsent = {r.project.code for r in confirm.context["unsent"]}
    assert "prova-cluster-2" in unsent and "prova-cluster-1" not in unsent
    assert len(unsent) == confirm.context["counts"].due - 1
    assert confirm.context["waiting"] == 1
    assert ReportingRound.objects.get(pk=reporting_round.pk).status == "open"
    assert client.post(close).status_code == 302
    assert ReportingRound.objects.get(pk=reporting_round.pk).status == "closed"
    with pytest.raises(ApplicationError) as refused:
        services.round_close(reporting_round=reporting_round, user=people.secretariat)
    assert refused.value.code == "round_closed"
    with pytest.raises(ApplicationError) as refused:
        services.update_save(reporting_round=reporting_round, project=people.other,
                             user=people.secretariat, proposed_status="in_progress",
                             progress=10, summary="Tardi.")
    assert refused.value.code == "round_closed"
    # Reports already sent can still be reviewed.
    update = ProjectUpdate.objects.get()
    services.update_return(update=update, user=people.coordinator, comment="Rivedere.")
    with pytest.raises(ApplicationError) as refused:
        services.update_submit(update=ProjectUpdate.objects.get(), user=people.referent,
                               expected_version=ProjectUpdate.objects.get().version)
    assert refused.value.code == "round_closed"
    client.force_login(people.referent)
    page = client.get(edit_url(reporting_round, people.own))
    assert not page.context["editable"] and page.context["closed"]


def test_counts_of_a_round(people, reporting_round):
    third = make_project(people.pact, "1", "prova-terza")
    ProjectReferent.objects.create(project=third, party=third.lead_party, person="R",
                                   user=people.referent)
    services.update_save(reporting_round=reporting_round, project=people.own,
                         user=people.referent, proposed_status="in_progress", progress=10,
                         summary="Avviato.", submit=True)
    approved = services.update_save(reporting_round=reporting_round, project=third,
                                    user=people.referent, proposed_status="in_progress",
                                    progress=10, summary="Avviato.", submit=True)
    services.update_approve(update=approved, user=people.coordinator)
    active = Project.objects.filter(pact=people.pact, status__in=services.ACTIVE).count()
    rows = selectors.round_dashboard(reporting_round=reporting_round,
                                     today=dt.date(2100, 1, 1))
    counts = selectors.round_counts(rows)
    assert (counts.due, counts.sent, counts.approved, counts.late) == (
        active, 2, 1, active - 2)
    on_time = selectors.round_counts(selectors.round_dashboard(
        reporting_round=reporting_round, today=dt.date(2026, 3, 10)))
    assert on_time.late == 0


def test_notices_for_each_person(people, reporting_round):
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress",
                                  progress=10, summary="Avviato.", submit=True)
    assert [n.kind for n in selectors.notices_for(user=people.coordinator)] == ["submitted"]
    assert [n.kind for n in selectors.notices_for(user=people.secretariat)] == ["submitted"]
    assert selectors.notices_for(user=people.referent) == []
    assert selectors.notices_for(user=people.outsider) == []
    services.update_return(update=update, user=people.coordinator, comment="Rivedere.")
    notices = selectors.notices_for(user=people.referent)
    assert [n.kind for n in notices] == ["returned"]
    assert notices[0].url.endswith(edit_url(reporting_round, people.own))
    assert selectors.notices_for(user=people.coordinator) == []
    assert selectors.notices_for(user=people.referent, limit=0) == []


def _grow(people, reporting_round, n: int) -> None:
    """``n`` more reporting projects, each with a referent and a submitted report."""
    for i in range(n):
        project = make_project(people.pact, "1", f"crescita-{i}")
        ProjectReferent.objects.create(project=project, party=project.lead_party,
                                       person=f"Referente {i}", user=people.referent)
        services.update_save(reporting_round=reporting_round, project=project,
                             user=people.referent, proposed_status="in_progress",
                             progress=10, summary="Avviato.", submit=i % 2 == 0)


@pytest.mark.parametrize("extra", [2, 40])
def test_round_detail_takes_the_same_queries_at_any_size(client, people, reporting_round,
                                                         extra, django_assert_num_queries):
    _grow(people, reporting_round, extra)
    client.force_login(people.coordinator)
    url = f"/gestione/rendicontazione/{reporting_round.pk}/"
    client.get(url)
    # session, user, secretariat check (rounds_for), the round, updates, projects,
    # referents, secretariat check (the page's rights), reports to review
    with django_assert_num_queries(9):
        response = client.get(url)
    assert response.context["counts"].due >= extra + 2
    body = response.content.decode()
    assert body.count("/gestione/rendicontazione/resoconti/") >= extra


def test_referent_list_takes_the_same_queries_at_any_size(client, people, reporting_round):
    client.force_login(people.referent)
    with CaptureQueriesContext(transaction.get_connection()) as small:
        client.get("/gestione/rendicontazione/")
    _grow(people, reporting_round, 30)
    with CaptureQueriesContext(transaction.get_connection()) as large:
        response = client.get("/gestione/rendicontazione/")
    assert len(response.context["mine"]) == 31
    assert len(large) == len(small)


def test_example_data_mails_nobody(people, reporting_round, django_capture_on_commit_callbacks):
    Project.objects.filter(pk=people.own.pk).update(is_example=True)
    people.own.refresh_from_db()
    with django_capture_on_commit_callbacks(execute=True):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=10,
                             summary="Avviato.", submit=True)
    assert mail.outbox == [] and ProjectUpdate.objects.get().status == "submitted"


def test_a_report_is_read_only_by_its_referents_and_reviewers(client, people, reporting_round):
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress",
                                  progress=10, summary="Avviato.", submit=True)
    url = f"/gestione/rendicontazione/resoconti/{update.pk}/"
    for who, code in [(people.outsider, 403), (people.reporter, 403), (people.referent, 200),
                      (people.coordinator, 200), (people.secretariat, 200)]:
        client.force_login(who)
        assert client.get(url).status_code == code, who
    client.force_login(people.referent)
    assert client.post(url, {"decision": "approve", "comment": ""}).status_code == 403
    assert ProjectUpdate.objects.get().status == "submitted"


def test_emergency_action_reports_go_to_the_secretariat(people, reporting_round,
                                                        django_capture_on_commit_callbacks):
    from patto.pact.models import EmergencyAction

    action = EmergencyAction.objects.filter(pact=people.pact).first()
    project = make_project(people.pact, "1", "emergenza-prova")
    Project.objects.filter(pk=project.pk).update(cluster=None, emergency_action=action)
    project.refresh_from_db()
    ProjectReferent.objects.create(project=project, party=project.lead_party, person="R",
                                   user=people.referent)
    with django_capture_on_commit_callbacks(execute=True):
        services.update_save(reporting_round=reporting_round, project=project,
                             user=people.referent, proposed_status="in_progress", progress=10,
                             summary="Avviato.", submit=True)
    assert [m.to for m in mail.outbox] == [["segreteria1@example.org"]]


def test_your_projects_shows_each_report_state(client, people, reporting_round):
    services.update_save(reporting_round=reporting_round, project=people.own,
                         user=people.referent, proposed_status="in_progress", progress=10,
                         summary="Avviato.", submit=True)
    client.force_login(people.coordinator)
    page = client.get("/gestione/progetti/")
    states = {p.code: [(r.pk, u.status if u else None) for r, u in p.report_states]
              for p in page.context["projects"]}
    assert states["prova-cluster-1"] == [(reporting_round.pk, "submitted")]
    assert b'data-state="submitted"' in page.content
    services.round_close(reporting_round=reporting_round, user=people.secretariat)
    page = client.get("/gestione/progetti/")
    assert all(p.report_states == [] for p in page.context["projects"])


def test_report_states_take_two_queries_at_any_size(people, reporting_round,
                                                    django_assert_num_queries):
    _grow(people, reporting_round, 12)
    projects = list(Project.objects.filter(pact=people.pact))
    with django_assert_num_queries(2):
        states = selectors.report_states(projects)
    assert sum(u is not None for rows in states.values() for _, u in rows) == 12


def test_the_admin_shows_each_submission_read_only(client, people, reporting_round):
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress",
                                  progress=10, summary="Avviato.", submit=True)
    services.update_return(update=update, user=people.coordinator, comment="Rivedere le date.")
    people.secretariat.is_staff = True
    people.secretariat.save()
    client.force_login(people.secretariat)
    page = client.get(f"/gestione/admin/projects/projectupdate/{update.pk}/change/")
    assert page.status_code == 200
    assert b"Rivedere le date." in page.content
    assert b'name="submissions-0-return_comment"' not in page.content
