"""The back office of projects: for the secretariat alone, every save through the services,
status, progress, pact and cluster never edited there."""

from __future__ import annotations

import pytest
from django.urls import reverse

from patto.projects import services
from patto.projects.admin import ProjectForm
from patto.projects.models import Project, SuccessFactor


def change_url(project: Project) -> str:
    return reverse("admin:projects_project_change", args=[project.pk])


def admin_data(response) -> dict:
    """What the admin's change form posts when nothing is touched."""
    data = {}
    forms = [response.context["adminform"].form]
    for inline in response.context["inline_admin_formsets"]:
        formset = inline.formset
        forms += [formset.management_form, *formset.forms]
    for form in forms:
        for field in form:
            value = field.value()
            if value is None:
                continue
            data[field.html_name] = value
    return data


@pytest.fixture
def staff_people(people):
    for who in (people.secretariat, people.coordinator, people.referent):
        who.is_staff = True
        who.save()
    return people


@pytest.mark.parametrize("role", ["referent", "coordinator"])
def test_staff_with_a_project_role_cannot_change_projects_in_the_admin(client, staff_people,
                                                                       role):
    people = staff_people
    Project.objects.filter(pk=people.own.pk).update(status="approved")
    client.force_login(getattr(people, role))
    assert client.get(change_url(people.own)).status_code == 403
    assert client.get(reverse("admin:projects_project_changelist")).status_code == 403
    response = client.post(change_url(people.own), {
        "status": "completed", "progress": "100", "title": "x",
        "version_seen": people.own.version})
    assert response.status_code == 403
    project = Project.objects.get(pk=people.own.pk)
    assert (project.status, project.progress, project.version) == ("approved", 10,
                                                                   people.own.version)
    index = client.get(reverse("admin:index")).content.decode()
    assert "/gestione/admin/projects/" not in index


def test_status_progress_pact_and_cluster_are_read_only_for_the_secretariat(client,
                                                                            staff_people):
    people = staff_people
    client.force_login(people.secretariat)
    page = client.get(change_url(people.own))
    fields = page.context["adminform"].form.fields
    assert not {"status", "progress", "pact", "cluster", "version"} & set(fields)
    data = admin_data(page)
    data.update(status="completed", progress="100", pact=people.other.pact_id,
                cluster=people.other.cluster_id, summary="Sintesi dalla segreteria")
    response = client.post(change_url(people.own), data)
    assert response.status_code == 302
    project = Project.objects.get(pk=people.own.pk)
    assert (project.status, project.progress, project.cluster) == ("in_progress", 10,
                                                                   people.own.cluster)
    assert project.summary == "Sintesi dalla segreteria"
    # Saved by the service: one version step, the history names who saved.
    assert project.version == people.own.version + 1
    assert project.history.first().history_user == people.secretariat


def test_admin_refuses_a_save_over_someone_elses(client, staff_people):
    people = staff_people
    client.force_login(people.secretariat)
    data = admin_data(client.get(change_url(people.own)))
    data["summary"] = "Dalla segreteria"
    # Meanwhile the referent saves the project from their page: the form above is stale.
    services.project_change(project=Project.objects.get(pk=people.own.pk),
                            user=people.referent, expected_version=people.own.version,
                            summary="Dal referente")
    response = client.post(change_url(people.own), data)
    assert response.status_code == 200  # the form again, with the error
    assert [e.code for e in response.context["adminform"].form.non_field_errors().as_data()
            ] == ["stale_version"]
    assert Project.objects.get(pk=people.own.pk).summary == "Dal referente"
    data["version_seen"] = str(Project.objects.get(pk=people.own.pk).version)
    assert client.post(change_url(people.own), data).status_code == 302
    assert Project.objects.get(pk=people.own.pk).summary == "Dalla segreteria"


def test_a_save_racing_past_the_forms_check_is_refused_by_the_service(client, staff_people,
                                                                      monkeypatch):
    people = staff_people
    client.force_login(people.secretariat)
    data = admin_data(client.get(change_url(people.own)))
    data["summary"] = "Dalla segreteria"
    data["successfactor_set-TOTAL_FORMS"] = "0"
    original = ProjectForm.clean

    def clean_then_someone_saves(form):
        cleaned = original(form)
        # Another save lands between the form's check and the service's write.
        Project.objects.filter(pk=people.own.pk).update(version=people.own.version + 1,
                                                        summary="Nel frattempo")
        return cleaned

    monkeypatch.setattr(ProjectForm, "clean", clean_then_someone_saves)
    response = client.post(change_url(people.own), data)
    # Back to the same page with the reason, not on to the list: nothing of ours was kept
    # (the admin's transaction also takes the simulated save with it).
    assert response.status_code == 302 and response["Location"].endswith(change_url(people.own))
    project = Project.objects.get(pk=people.own.pk)
    assert (project.summary, project.version) == (people.own.summary, people.own.version)
    assert [m.level_tag for m in response.wsgi_request._messages] == ["error"]


def test_sheet_records_in_the_admin_go_through_the_service(client, staff_people):
    people = staff_people
    client.force_login(people.secretariat)
    data = admin_data(client.get(change_url(people.own)))
    prefix = "success_factors"
    data.update({f"{prefix}-TOTAL_FORMS": "1", f"{prefix}-0-text": "Rete consolidata",
                 f"{prefix}-0-project": people.own.pk})
    assert client.post(change_url(people.own), data).status_code == 302
    factor = SuccessFactor.objects.get(project=people.own)
    assert factor.text == "Rete consolidata"
    assert factor.history.first().history_user == people.secretariat


def test_control_characters_are_refused_in_the_admin(client, staff_people):
    people = staff_people
    client.force_login(people.secretariat)
    data = admin_data(client.get(change_url(people.own)))
    data["summary"] = "sintesi\x1bnulla"
    response = client.post(change_url(people.own), data)
    assert response.status_code == 200
    assert [e.code for e in response.context["adminform"].form.errors.as_data()["summary"]
            ] == ["control_character"]
    assert Project.objects.get(pk=people.own.pk).version == people.own.version


def test_secretariat_creates_and_deletes_through_the_services(client, staff_people):
    people = staff_people
    client.force_login(people.secretariat)
    add = client.get(reverse("admin:projects_project_add"))
    assert not {"status", "progress"} & set(add.context["adminform"].form.fields)
    data = admin_data(add)
    data.update(pact=people.pact.pk, cluster=people.own.cluster_id, code="da-admin",
                title="Dall'amministrazione", horizon="short",
                lead_party=people.own.lead_party_id, summary="Creato in amministrazione")
    assert client.post(reverse("admin:projects_project_add"), data).status_code == 302
    project = Project.objects.get(code="da-admin")
    assert (project.status, project.progress) == ("proposed", 0)
    assert project.history.first().history_user == people.secretariat
    url = reverse("admin:projects_project_delete", args=[project.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not Project.objects.filter(code="da-admin").exists()
    assert Project.history.filter(code="da-admin", history_type="-").get().history_user \
        == people.secretariat
