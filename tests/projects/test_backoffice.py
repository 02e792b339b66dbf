"""The staff pages of projects: each form goes through its service, with versions, transitions
and roles; a refusal is a form error and leaves nothing half-saved."""

from __future__ import annotations

import re
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.html import escape

from patto.pact.models import Party
from patto.projects import services
from patto.projects.models import Contribution, Project
from tests.projects.conftest import make_project


@pytest.fixture(autouse=True)
def _english_messages():
    """Messages are asserted in the source language (the Italian catalog comes later)."""
    with translation.override("en"):
        yield


def sheet_data(project: Project, **changes) -> dict:
    """What the sheet form posts when nothing is touched, with ``changes`` on top."""
    data = {
        "version": project.version, "title": project.title, "horizon": project.horizon,
        "lead_party": project.lead_party_id, "summary": project.summary,
        "expected_results": project.expected_results, "description": project.description,
        "start_on": project.start_on or "", "end_on": project.end_on or "",
        "cup": project.cup, "budget": project.budget or "",
        "challenges": [c.pk for c in project.challenges.all()],
        "territories": [t.pk for t in project.territories.all()],
    }
    data.update(changes)
    return data


def test_referent_saves_the_sheet_through_the_service(client, people):
    client.force_login(people.referent)
    url = f"/gestione/progetti/{people.own.pk}/"
    page = client.get(url)
    assert "status_form" in page.context and page.context["status_form"] is None
    assert "title" not in page.context["form"].fields  # a referent keeps the sheet, not its
    challenge = people.pact.challenges.first()         # place in the pact
    response = client.post(url, sheet_data(people.own, summary="Sintesi aggiornata",
                                           challenges=[challenge.pk]))
    assert response.status_code == 302
    project = Project.objects.get(pk=people.own.pk)
    assert project.summary == "Sintesi aggiornata"
    assert list(project.challenges.all()) == [challenge]
    assert project.version == people.own.version + 1
    assert project.history.first().history_user == people.referent


def test_referent_cannot_move_status_or_progress_by_the_sheet_form(client, people):
    client.force_login(people.referent)
    client.post(f"/gestione/progetti/{people.own.pk}/",
                sheet_data(people.own, status="completed", progress="100"))
    project = Project.objects.get(pk=people.own.pk)
    assert (project.status, project.progress) == ("in_progress", 10)
    response = client.post(f"/gestione/progetti/{people.own.pk}/stato/", {
        "status-status": "completed", "status-progress": "100",
        "status-version": project.version})
    assert response.status_code == 403
    project.refresh_from_db()
    assert (project.status, project.progress) == ("in_progress", 10)


def test_concurrent_edit_is_refused_with_a_form_error(client, people):
    client.force_login(people.referent)
    url = f"/gestione/progetti/{people.own.pk}/"
    seen = client.get(url).context["form"]["version"].value()
    # Meanwhile the coordinator saves the same project.
    services.project_change(project=Project.objects.get(pk=people.own.pk),
                            user=people.coordinator, expected_version=seen,
                            summary="Versione della coordinatrice")
    response = client.post(url, sheet_data(people.own, version=seen, summary="La mia"))
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.non_field_errors().as_data()] == ["stale_version"]
    assert escape(form.non_field_errors()[0]) in response.content.decode()
    assert Project.objects.get(pk=people.own.pk).summary == "Versione della coordinatrice"


@pytest.mark.parametrize("field", ["summary", "expected_results", "cup"])
def test_control_characters_are_refused_with_the_field_named(client, people, field):
    client.force_login(people.referent)
    response = client.post(f"/gestione/progetti/{people.own.pk}/",
                           sheet_data(people.own, **{field: "testo\x07nascosto"}))
    assert response.status_code == 200
    form = response.context["form"]
    assert [e.code for e in form.errors.as_data()[field]][:1] == ["control_character"]
    html = response.content.decode()
    # The summary at the top names the field by the label the page shows and links to it.
    label = re.search(rf'<label for="id_{field}" class="form-label">(.*?)</label>', html)[1]
    assert f'<a href="#id_{field}">{label}</a>: ' in html
    assert f'id="id_{field}-error"' in html
    assert Project.objects.get(pk=people.own.pk).version == people.own.version


def test_control_characters_are_refused_in_every_staff_form():
    from patto.projects import forms

    classes = [forms.UpdateForm, forms.CompletedForm, forms.MeetingForm, forms.EventForm,
               forms.ReviewForm, forms.RoundForm]
    for form_class in classes:
        form = form_class({name: "a\x1bb" for name in form_class.base_fields})
        text_fields = [n for n, f in form.fields.items() if isinstance(f, forms.forms.CharField)]
        assert text_fields, form_class
        assert not form.is_valid()
        for name in text_fields:
            assert "control_character" in [e.code for e in form.errors.as_data()[name]], \
                (form_class, name)


def test_coordinator_changes_status_one_step_at_a_time_with_htmx(client, people):
    client.force_login(people.coordinator)
    url = f"/gestione/progetti/{people.own.pk}/"
    status_form = client.get(url).context["status_form"]
    offered = {value for value, _ in status_form.fields["status"].choices}
    assert offered == {"in_progress", "suspended", "completed", "cancelled"}
    response = client.post(f"{url}stato/", {
        "status-status": "suspended", "status-progress": "40",
        "status-version": people.own.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    project = Project.objects.get(pk=people.own.pk)
    # The progress is not the status form's: it moves only with approved reports.
    assert (project.status, project.progress) == ("suspended", 10)
    html = response.content.decode()
    # The panel, the status line and the sheet form's version are swapped in place.
    assert 'id="status-panel"' in html and "<html" not in html
    assert f'value="{project.version}" id="id_version" hx-swap-oob="true"' in html
    assert 'id="project-state" hx-swap-oob="true"' in html


def test_status_jump_that_skips_a_transition_is_not_offered(client, people):
    project = make_project(people.pact, "1", "approvato", status="approved", progress=0)
    client.force_login(people.coordinator)
    response = client.post(f"/gestione/progetti/{project.pk}/stato/", {
        "status-status": "completed", "status-progress": "100",
        "status-version": project.version}, HTTP_HX_REQUEST="true")
    assert response.status_code == 200
    assert "status" in response.context["status_form"].errors
    project.refresh_from_db()
    assert (project.status, project.progress) == ("approved", 0)


def test_coordinator_creates_a_proposed_project_only_in_their_cluster(client, people):
    client.force_login(people.coordinator)
    form = client.get("/gestione/progetti/nuovo/").context["form"]
    assert list(form.fields["cluster"].queryset) == [people.own.cluster]
    data = {"cluster": people.own.cluster.pk, "code": "nuovo-progetto", "title": "Nuovo",
            "horizon": "short", "lead_party": people.own.lead_party_id,
            "summary": "Un nuovo progetto."}
    refused = client.post("/gestione/progetti/nuovo/", {**data, "cluster": people.other.cluster.pk})
    assert refused.status_code == 200 and "cluster" in refused.context["form"].errors
    response = client.post("/gestione/progetti/nuovo/", data)
    project = Project.objects.get(code="nuovo-progetto")
    assert response["Location"] == f"/gestione/progetti/{project.pk}/"
    assert (project.pact, project.status, project.progress) == (people.pact, "proposed", 0)
    assert project.history.first().history_user == people.coordinator
    again = client.post("/gestione/progetti/nuovo/", data)
    assert again.status_code == 200 and again.context["form"].errors
    assert Project.objects.filter(code="nuovo-progetto").count() == 1


def test_coordinator_deletes_a_proposed_project_of_their_cluster(client, people):
    proposed = make_project(people.pact, "1", "da-eliminare", status="proposed", progress=0)
    client.force_login(people.coordinator)
    manage = client.get("/gestione/progetti/").context
    assert proposed.pk in manage["can_delete"] and people.own.pk not in manage["can_delete"]
    assert client.post(f"/gestione/progetti/{people.own.pk}/elimina/").status_code == 403
    response = client.post(f"/gestione/progetti/{proposed.pk}/elimina/")
    assert response.status_code == 302
    assert not Project.objects.filter(pk=proposed.pk).exists()
    assert Project.objects.filter(pk=people.own.pk).exists()


def test_reporter_records_their_partys_contribution_with_htmx(client, people):
    client.force_login(people.reporter)
    page = client.get("/gestione/contributi/")
    form = page.context["form"]
    assert list(form.fields["party"].queryset) == [people.reporter_party]
    data = {"project": people.other.pk, "activity": "Borse di studio", "amount": "2500.50",
            "party": people.reporter_party.pk, "received_on": "2026-02-01"}
    response = client.post("/gestione/contributi/", data, HTTP_HX_REQUEST="true")
    assert response.status_code == 200 and "<html" not in response.content.decode()
    contribution = Contribution.objects.get()
    assert (contribution.project, contribution.amount, contribution.granted_by) == (
        people.other, Decimal("2500.50"), people.reporter_party.name)
    assert contribution.history.first().history_user == people.reporter
    assert "Borse di studio" in response.content.decode()


def test_reporter_cannot_record_another_partys_contribution(client, people):
    client.force_login(people.reporter)
    other_party = Party.objects.get(code="cgil-bologna")
    response = client.post("/gestione/contributi/", {
        "project": people.other.pk, "activity": "Formazione", "amount": "100",
        "party": other_party.pk})
    assert response.status_code == 200 and "party" in response.context["form"].errors
    assert not Contribution.objects.exists()


@pytest.mark.parametrize("amount", ["0", "-5", "abc"])
def test_contribution_needs_a_positive_amount(client, people, amount):
    client.force_login(people.reporter)
    response = client.post("/gestione/contributi/", {
        "project": people.other.pk, "activity": "Formazione", "amount": amount,
        "party": people.reporter_party.pk})
    assert "amount" in response.context["form"].errors
    assert not Contribution.objects.exists()


def test_project_sheet_links_to_the_edit_page_for_its_editors_only(client, people):
    url = people.own.get_absolute_url()
    edit = f'href="{reverse("projects:project_edit", args=[people.own.pk])}"'
    client.force_login(people.referent)
    assert edit in client.get(url).content.decode()
    client.force_login(people.outsider)
    assert edit not in client.get(url).content.decode()


def test_edit_page_has_bounded_queries(client, people, django_assert_max_num_queries):
    client.force_login(people.coordinator)
    with django_assert_max_num_queries(20):
        assert client.get(f"/gestione/progetti/{people.own.pk}/").status_code == 200


@pytest.mark.parametrize("role", ["secretariat", "coordinator", "referent"])
def test_bulk_rights_of_the_list_agree_with_the_rules(people, role):
    from patto.projects.selectors import project_rights, projects_editable_by

    make_project(people.pact, "1", "proposto", status="proposed", progress=0)
    make_project(people.pact, "2", "proposto-altrove", status="proposed", progress=0)
    who = getattr(people, role)
    projects = list(projects_editable_by(who))
    assert projects
    status, delete = project_rights(who, projects)
    assert status == {p.pk for p in projects
                      if who.has_perm("projects.change_project_status", p)}
    assert delete == {p.pk for p in projects if who.has_perm("projects.delete_project", p)}


@pytest.mark.parametrize("role", ["secretariat", "coordinator", "referent", "reporter"])
def test_your_projects_page_queries_do_not_grow_with_projects(client, people, role,
                                                              django_assert_max_num_queries):
    from patto.projects.models import ProjectReferent

    who = getattr(people, role)
    client.force_login(who)
    for number in range(20):
        project = make_project(people.pact, "1", f"extra-{number}")
        ProjectReferent.objects.create(project=project, party=project.lead_party,
                                       person="Referente", user=people.referent)
    with django_assert_max_num_queries(MANAGE_QUERIES):
        response = client.get("/gestione/progetti/")
    assert response.status_code == 200
    from patto.projects.selectors import projects_editable_by

    shown = len(response.context["projects"])
    assert shown == projects_editable_by(who).count() and (shown > 20 or role == "reporter")


MANAGE_QUERIES = 13  # 11, plus open rounds and their reports (each project's report state)
