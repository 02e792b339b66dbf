"""Places drawn on the staff page go through the records' service (role, version, history), and
a project's progress changes only through approved reports, a figure set by hand with its
reason."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.projects import services
from patto.projects.models import Project, ProjectPlace, ProjectUpdate

PLACE = {"name": "Tecnopolo", "latitude": Decimal("44.51234"), "longitude": Decimal("11.35012")}


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


def _fresh(project: Project) -> Project:
    return Project.objects.get(pk=project.pk)


# Places -------------------------------------------------------------------------------------

def test_referent_draws_a_place_with_history_and_a_new_version(people):
    project = _fresh(people.own)
    seen = project.version
    place = ProjectPlace(project=project, **PLACE)
    services.project_records_change(project=project, user=people.referent,
                                    model_name="projectplace", saved=[place],
                                    expected_version=seen)
    stored = ProjectPlace.objects.get(project=project)
    assert (stored.name, stored.latitude, stored.longitude) == (
        "Tecnopolo", Decimal("44.51234"), Decimal("11.35012"))
    assert stored.history.get().history_user == people.referent
    assert _fresh(project).version == seen + 1


def test_a_place_saved_over_an_old_version_is_refused(people):
    project = _fresh(people.own)
    seen = project.version
    services.project_change(project=project, user=people.secretariat, expected_version=seen,
                            summary="Cambiata nel frattempo")
    with pytest.raises(ApplicationError, match="Someone else changed") as exc:
        services.project_records_change(
            project=_fresh(project), user=people.referent, model_name="projectplace",
            saved=[ProjectPlace(project=project, **PLACE)], expected_version=seen)
    assert exc.value.code == "stale_version"
    assert not ProjectPlace.objects.filter(project=project).exists()


def test_places_of_a_project_are_not_drawn_by_someone_without_a_role_in_it(people):
    project = _fresh(people.other)
    with pytest.raises(PermissionDenied):
        services.project_records_change(
            project=project, user=people.referent, model_name="projectplace",
            saved=[ProjectPlace(project=project, **PLACE)], expected_version=project.version)


def test_a_point_outside_the_globe_is_refused(people):
    project = _fresh(people.own)
    seen = project.version
    with pytest.raises(ApplicationError, match="not saved"):
        services.project_records_change(
            project=project, user=people.referent, model_name="projectplace",
            saved=[ProjectPlace(project=project, name="Altrove", latitude=Decimal("95"),
                                longitude=Decimal("11"))],
            expected_version=project.version)
    assert _fresh(project).version == project.version == seen


def test_other_sheet_records_stay_the_secretariats(people):
    from patto.projects.models import Funding

    project = _fresh(people.own)
    with pytest.raises(PermissionDenied):
        services.project_records_change(project=project, user=people.referent,
                                        model_name="funding", saved=[Funding(project=project)])


def test_staff_page_saves_moves_and_removes_places(client, people):
    project = _fresh(people.own)
    url = reverse("projects:project_edit", args=[project.pk])
    client.force_login(people.referent)
    page = client.get(url).content.decode()
    assert 'id="place-map"' in page and 'id="places-form"' in page
    form = {"places-TOTAL_FORMS": "1", "places-INITIAL_FORMS": "0",
            "places-meta-version": str(project.version),
            "places-0-name": "Tecnopolo", "places-0-latitude": "44,51234",
            "places-0-longitude": "11,35012"}
    response = client.post(url, form)
    assert response.status_code == 302
    place = ProjectPlace.objects.get(project=project)
    assert place.latitude == Decimal("44.51234")
    # The page shows the coordinates as it reads them back: five decimals, never "44,512".
    page = client.get(url).content.decode()
    assert re.search(r'value="44[,.]51234"', page)
    project = _fresh(project)
    moved = {"places-TOTAL_FORMS": "1", "places-INITIAL_FORMS": "1",
             "places-meta-version": str(project.version), "places-0-id": str(place.pk),
             "places-0-name": "Tecnopolo", "places-0-latitude": "44,50000",
             "places-0-longitude": "11,30000"}
    assert client.post(url, moved).status_code == 302
    place.refresh_from_db()
    assert (place.latitude, place.longitude) == (Decimal("44.50000"), Decimal("11.30000"))
    stale = client.post(url, {**moved, "places-0-DELETE": "on"})
    assert stale.status_code == 200 and "Someone else changed" in stale.content.decode()
    assert ProjectPlace.objects.filter(pk=place.pk).exists()
    removed = {**moved, "places-meta-version": str(_fresh(project).version),
               "places-0-DELETE": "on"}
    assert client.post(url, removed).status_code == 302
    assert not ProjectPlace.objects.filter(project=project).exists()
    assert ProjectPlace.history.filter(id=place.pk).count() == 3  # created, moved, deleted


# Progress only through approved reports ----------------------------------------------------

def test_progress_set_by_hand_outside_a_report_is_refused(people):
    project = _fresh(people.own)
    with pytest.raises(ApplicationError, match="only through an approved report") as exc:
        services.project_change(project=project, user=people.coordinator,
                                expected_version=project.version, progress=60)
    assert exc.value.code == "progress_by_report"
    with pytest.raises(ApplicationError, match="only through an approved report"):
        services.project_change(project=project, user=people.secretariat,
                                expected_version=project.version, progress_reason="Perché sì")
    assert (_fresh(project).progress, _fresh(project).version) == (10, project.version)


def test_the_status_still_moves_without_a_report(people):
    project = _fresh(people.own)
    services.project_change(project=project, user=people.coordinator,
                            expected_version=project.version, status="suspended")
    assert (_fresh(project).status, _fresh(project).progress) == ("suspended", 10)


def test_coordinators_status_form_has_no_progress_and_cannot_set_it(client, people):
    project = _fresh(people.own)
    client.force_login(people.coordinator)
    page = client.get(reverse("projects:project_edit", args=[project.pk])).content.decode()
    assert "status-progress" not in page
    client.post(reverse("projects:project_status", args=[project.pk]), {
        "status-status": "in_progress", "status-progress": "90",
        "status-version": str(project.version)})
    assert _fresh(project).progress == 10


def _report(people, reporting_round, progress, reason=""):
    payload = {"progress_reason": reason} if reason else {}
    return services.update_save(reporting_round=reporting_round, project=_fresh(people.own),
                                user=people.referent, proposed_status="in_progress",
                                progress=progress, summary="Lavori avviati.", payload=payload,
                                submit=True)


def test_a_report_moving_a_figure_set_by_hand_needs_its_reason(people, reporting_round):
    with pytest.raises(ApplicationError, match="say in the report why") as exc:
        _report(people, reporting_round, 40)
    assert exc.value.code == "reason_required"
    # Refused as a whole: not even the draft is kept.
    assert not ProjectUpdate.objects.filter(project=people.own).exists()


def test_an_approved_report_sets_the_figure_and_its_reason_with_history(people,
                                                                        reporting_round):
    update = _report(people, reporting_round, 40, reason="Due cantieri su cinque aperti")
    services.update_approve(update=update, user=people.coordinator)
    project = _fresh(people.own)
    assert (project.progress, project.progress_reason) == (40, "Due cantieri su cinque aperti")
    stored = project.rollup
    assert (stored.method, stored.value, stored.note, stored.update_id) == (
        "manual", 40.0, "Due cantieri su cinque aperti", update.pk)
    last = project.history.first()
    assert (last.progress, last.history_user) == (40, people.coordinator)


def test_a_report_keeping_the_figure_needs_no_new_reason(people, reporting_round):
    update = _report(people, reporting_round, 10)
    services.update_approve(update=update, user=people.coordinator)
    assert _fresh(people.own).progress == 10


def test_a_figure_from_milestones_ignores_the_reports_number(people, reporting_round):
    project = _fresh(people.own)
    services.project_change(project=project, user=people.secretariat,
                            expected_version=project.version,
                            progress_method=Project.ProgressMethod.MILESTONES)
    update = _report(people, reporting_round, 70)  # no reason needed: not set by hand
    services.update_approve(update=update, user=people.coordinator)
    assert _fresh(people.own).progress_method == "milestones"


def test_the_report_form_shows_the_missing_reason_on_its_field(client, people, reporting_round):
    client.force_login(people.referent)
    url = f"/gestione/rendicontazione/{reporting_round.pk}/progetti/{people.own.pk}/"
    response = client.post(url, {
        "proposed_status": "in_progress", "progress": "40", "summary": "Avviato.",
        "issues": "", "version": "", "progress_reason": "", "submit": "1",
        "completed-TOTAL_FORMS": "0", "completed-INITIAL_FORMS": "0",
        "meetings-TOTAL_FORMS": "0", "meetings-INITIAL_FORMS": "0",
        "events-TOTAL_FORMS": "0", "events-INITIAL_FORMS": "0"})
    assert response.status_code == 200
    errors = response.context["form"].errors.as_data()
    assert [e.code for e in errors["progress_reason"]] == ["reason_required"]
    assert not ProjectUpdate.objects.exists()
