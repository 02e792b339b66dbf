"""Reporting rounds: draft, submit, review; only approved reports reach the public page."""

from __future__ import annotations

import datetime as dt

import pytest

from patto.core.errors import ApplicationError
from patto.projects import services
from patto.projects.models import CompletedActivity, Project, ProjectUpdate


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the source language; pages are read in Italian."""
    from django.utils import translation

    with translation.override("en"):
        yield


@pytest.fixture
def reporting_round(people):
    return services.round_open(pact=people.pact, title="Primo semestre 2026",
                               opens_on=dt.date(2026, 3, 1), deadline=dt.date(2026, 3, 31),
                               user=people.secretariat)


PAYLOAD = {
    # The project's progress is set by hand: a report moving it says why.
    "progress_reason": "Avviato il tavolo tecnico previsto nella prima fase.",
    "completed": [{"done_on": "2026-03-05", "text": "Primo incontro del tavolo tecnico"}],
    "issues": ["Ritardo nella firma dell'accordo"],
    "meetings": [{"held_on": "2026-03-05", "title": "Tavolo tecnico", "participants": 12},
                 {"held_on": "2026-03-09", "title": "", "participants": 8}],
    "events": [{"title": "Giornata aperta", "held_on": "2026-03-08", "place": "Bologna",
                "participants": 80}],
}


def submit(people, reporting_round, **extra):
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress",
                                  progress=35, summary="Avviato il tavolo tecnico.",
                                  payload=PAYLOAD, **extra)
    return services.update_submit(update=update, user=people.referent,
                                  expected_version=update.version)


def test_approved_report_reaches_the_sheet(client, people, reporting_round):
    update = submit(people, reporting_round)
    page = client.get(people.own.get_absolute_url()).content.decode()
    assert "Primo incontro del tavolo tecnico" not in page
    services.update_approve(update=update, user=people.coordinator)
    project = Project.objects.get(pk=people.own.pk)
    assert project.progress == 35
    assert CompletedActivity.objects.filter(project=project, update=update).count() == 1
    page = client.get(people.own.get_absolute_url()).content.decode()
    assert "Primo incontro del tavolo tecnico" in page
    assert "Avviato il tavolo tecnico." in page


def test_sheet_figures_are_computed_from_records(client, people, reporting_round):
    services.update_approve(update=submit(people, reporting_round), user=people.coordinator)
    from patto.projects.selectors import project_figures

    figures = project_figures(Project.objects.get(pk=people.own.pk))
    assert (figures.meetings, figures.meeting_participants_avg, figures.events) == (2, 10.0, 1)


def test_returned_report_needs_a_comment_and_can_be_resubmitted(people, reporting_round):
    update = submit(people, reporting_round)
    with pytest.raises(ApplicationError, match="comment"):
        services.update_return(update=update, user=people.coordinator, comment="  ")
    services.update_return(update=update, user=people.coordinator, comment="Manca la data.")
    assert update.status == ProjectUpdate.Status.RETURNED
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress",
                                  progress=36, summary="Aggiunta la data.", payload=PAYLOAD)
    services.update_submit(update=update, user=people.referent, expected_version=update.version)
    assert ProjectUpdate.objects.get(pk=update.pk).status == ProjectUpdate.Status.SUBMITTED


def test_submitted_report_cannot_be_edited(people, reporting_round):
    submit(people, reporting_round)
    with pytest.raises(ApplicationError, match="already submitted"):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=50)


def test_impossible_status_is_refused(people, reporting_round):
    Project.objects.filter(pk=people.own.pk).update(status="completed")
    people.own.refresh_from_db()
    with pytest.raises(ApplicationError, match="cannot go from"):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="proposed", progress=50)


def test_bad_reported_date_is_refused(people, reporting_round):
    with pytest.raises(ApplicationError, match="bad date"):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=5,
                             payload={"completed": [{"done_on": "31/02/2026", "text": "x"}]})
    assert not ProjectUpdate.objects.exists()


def test_two_people_editing_one_draft_never_overwrite_each_other(people, reporting_round):
    first = services.update_save(reporting_round=reporting_round, project=people.own,
                                 user=people.referent, proposed_status="in_progress",
                                 progress=20)
    seen = first.version
    services.update_save(reporting_round=reporting_round, project=people.own,
                         user=people.secretariat, proposed_status="in_progress", progress=25,
                         expected_version=seen)
    with pytest.raises(ApplicationError, match="Someone else changed"):
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=30,
                             expected_version=seen)
    assert ProjectUpdate.objects.get(pk=first.pk).progress == 25


def test_project_edits_based_on_an_old_version_are_refused(people):
    seen = people.own.version
    services.project_change(project=people.own, user=people.secretariat,
                            expected_version=seen, summary="Prima")
    stale = Project.objects.get(pk=people.own.pk)
    with pytest.raises(ApplicationError, match="Someone else changed"):
        services.project_change(project=stale, user=people.referent, expected_version=seen,
                                summary="Seconda")
    assert Project.objects.get(pk=people.own.pk).summary == "Prima"


def test_approval_refused_when_the_project_changed_meanwhile(people, reporting_round):
    update = submit(people, reporting_round)
    services.project_change(project=Project.objects.get(pk=people.own.pk),
                            user=people.secretariat, expected_version=people.own.version,
                            summary="Cambiata nel frattempo")
    with pytest.raises(ApplicationError, match="changed after this report"):
        services.update_approve(update=update, user=people.coordinator)
    assert Project.objects.get(pk=people.own.pk).progress == 10


def test_status_moves_only_along_transitions(people):
    with pytest.raises(ApplicationError, match="cannot go from"):
        services.project_change(project=people.own, user=people.secretariat,
                                expected_version=people.own.version, status="proposed")
    services.project_change(project=people.own, user=people.secretariat,
                            expected_version=people.own.version, status="completed")
    assert Project.objects.get(pk=people.own.pk).status == "completed"


def test_dashboard_shows_who_reported_and_who_is_late(client, people, reporting_round):
    from patto.projects.selectors import round_dashboard

    submit(people, reporting_round)
    rows = {r.project.code: r for r in round_dashboard(reporting_round=reporting_round,
                                                       today=dt.date(2026, 4, 2))}
    assert rows["prova-cluster-1"].state == "submitted" and not rows["prova-cluster-1"].late
    assert rows["prova-cluster-2"].state == "missing" and rows["prova-cluster-2"].late
    client.force_login(people.coordinator)
    page = client.get(f"/gestione/rendicontazione/{reporting_round.pk}/")
    assert page.status_code == 200
    assert b'data-state="missing"' in page.content


def test_referent_form_saves_and_submits(client, people, reporting_round):
    client.force_login(people.referent)
    url = f"/gestione/rendicontazione/{reporting_round.pk}/progetti/{people.own.pk}/"
    form = {"proposed_status": "in_progress", "progress": "45", "summary": "Fatto",
            "progress_reason": "Avviato il tavolo tecnico.", "issues": "", "version": "",
            "completed-TOTAL_FORMS": "1", "completed-INITIAL_FORMS": "0",
            "completed-0-done_on": "2026-03-04", "completed-0-text": "Riunione di avvio",
            "meetings-TOTAL_FORMS": "0", "meetings-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0", "submit": "1"}
    response = client.post(url, form)
    assert response.status_code == 302
    update = ProjectUpdate.objects.get(project=people.own)
    assert update.status == "submitted"
    assert update.payload["completed"] == [{"done_on": "2026-03-04",
                                            "text": "Riunione di avvio"}]
    client.force_login(people.outsider)
    assert client.get(url).status_code == 404  # the round does not exist for them


def report_form(**changes) -> dict:
    form = {"proposed_status": "in_progress", "progress": "45", "summary": "Fatto",
            "progress_reason": "Avviato il tavolo tecnico.", "issues": "", "version": "",
            "completed-TOTAL_FORMS": "0", "completed-INITIAL_FORMS": "0",
            "meetings-TOTAL_FORMS": "0", "meetings-INITIAL_FORMS": "0",
            "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"}
    form.update(changes)
    return form


def test_a_refused_submission_saves_nothing_not_even_the_draft(people, reporting_round):
    draft = services.update_save(reporting_round=reporting_round, project=people.own,
                                 user=people.referent, proposed_status="in_progress",
                                 progress=20, summary="Bozza")
    with pytest.raises(ApplicationError) as refused:
        services.update_save(reporting_round=reporting_round, project=people.own,
                             user=people.referent, proposed_status="in_progress", progress=50,
                             summary="", expected_version=draft.version, submit=True)
    assert refused.value.code == "summary_required"
    kept = ProjectUpdate.objects.get(pk=draft.pk)
    assert (kept.status, kept.progress, kept.summary, kept.version) == (
        "draft", 20, "Bozza", draft.version)


def test_a_refused_first_submission_leaves_no_draft(client, people, reporting_round):
    client.force_login(people.referent)
    url = f"/gestione/rendicontazione/{reporting_round.pk}/progetti/{people.own.pk}/"
    response = client.post(url, report_form(summary="", submit="1"))
    assert response.status_code == 200
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "summary_required"]
    assert not ProjectUpdate.objects.exists()


def test_a_submission_on_a_stale_draft_keeps_the_other_persons_draft(client, people,
                                                                     reporting_round):
    draft = services.update_save(reporting_round=reporting_round, project=people.own,
                                 user=people.referent, proposed_status="in_progress",
                                 progress=20, summary="Prima bozza")
    services.update_save(reporting_round=reporting_round, project=people.own,
                         user=people.secretariat, proposed_status="in_progress",
                         progress=30, summary="Bozza della segreteria",
                         expected_version=draft.version)
    client.force_login(people.referent)
    url = f"/gestione/rendicontazione/{reporting_round.pk}/progetti/{people.own.pk}/"
    response = client.post(url, report_form(version=str(draft.version), submit="1"))
    assert [e.code for e in response.context["form"].non_field_errors().as_data()] == [
        "stale_version"]
    kept = ProjectUpdate.objects.get(pk=draft.pk)
    assert (kept.status, kept.progress, kept.summary) == ("draft", 30,
                                                          "Bozza della segreteria")


def test_rounds_are_invisible_to_people_without_a_role_in_their_pact(client, people,
                                                                     reporting_round):
    other_pact_round = services.round_open(
        pact=people.pact.__class__.objects.get(code="bologna-2015"), title="Giro del 2015",
        opens_on=dt.date(2026, 3, 1), deadline=dt.date(2026, 3, 31), user=people.secretariat)
    for who, visible in [(people.outsider, set()),
                         (people.referent, {reporting_round.pk}),
                         (people.coordinator, {reporting_round.pk}),
                         (people.reporter, {reporting_round.pk}),
                         (people.secretariat, {reporting_round.pk, other_pact_round.pk})]:
        client.force_login(who)
        listed = client.get("/gestione/rendicontazione/")
        assert {r.pk for r in listed.context["rounds"]} == visible, who
        assert (other_pact_round.title in listed.content.decode()) == (
            other_pact_round.pk in visible)
        for shown in (reporting_round, other_pact_round):
            code = client.get(f"/gestione/rendicontazione/{shown.pk}/").status_code
            assert code == (200 if shown.pk in visible else 404), (who, shown)
