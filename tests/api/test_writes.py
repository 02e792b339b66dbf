"""Writes go through the services: roles, states, versions and history are theirs."""

from __future__ import annotations

import pytest

from patto.monitoring.models import Indicator, Observation
from patto.projects.models import ProjectUpdate, ReportSubmission

from .conftest import bearer

pytestmark = pytest.mark.django_db

REPORT = "/api/v1/pacts/bologna-2021/projects/{}/reports/"
VALUES = "/api/v1/pacts/bologna-2021/indicators/{}/values/"


def post(client, url, body, secret):
    return client.post(url, body, content_type="application/json", **bearer(secret))


def report(reporting_round, **extra):
    return {"round": reporting_round.pk, "proposed_status": "in_progress", "progress": 30,
            "summary": "Avviato il tavolo tecnico.",
            "payload": {"completed": [{"done_on": "2026-03-05", "text": "Primo incontro"}],
                        "progress_reason": "Avviato il tavolo tecnico."},
            **extra}


def test_a_report_is_saved_as_draft_with_its_history(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"), report(reporting_round), secret)
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "draft" and body["version"] == 1
    update = ProjectUpdate.objects.get(pk=body["id"])
    assert update.history.count() == 1
    assert update.history.first().history_user == people.referent
    # The next save names the version it read; a stale one is refused by the service.
    again = post(client, REPORT.format("prova-api-1"),
                 report(reporting_round, progress=40, expected_version=1, submit=True), secret)
    assert again.status_code == 200, again.json()
    assert again.json()["status"] == "submitted"
    assert ReportSubmission.objects.filter(update=update).count() == 1
    assert update.history.count() >= 2
    stale = post(client, REPORT.format("prova-api-1"),
                 report(reporting_round, expected_version=1), secret)
    assert stale.status_code == 409
    assert stale.json()["error"]["code"] in ("stale_version", "submitted")


def test_the_service_refuses_someone_who_is_not_a_referent(client, people, issue,
                                                           reporting_round):
    secret = issue(people.outsider, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"), report(reporting_round), secret)
    assert response.status_code == 403
    assert not ProjectUpdate.objects.filter(project=people.own).exists()


def test_a_closed_round_refuses_reports(client, people, issue, reporting_round):
    from patto.projects.services import round_close

    round_close(reporting_round=reporting_round, user=people.secretariat)
    secret = issue(people.referent, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"), report(reporting_round), secret)
    assert response.status_code == 409
    assert response.json()["error"]["code"] == "round_closed"


def test_an_impossible_status_is_refused_by_the_service(client, people, issue,
                                                        reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"),
                    report(reporting_round, proposed_status="proposed"), secret)
    assert response.status_code == 400
    assert response.json()["error"]["code"] == "bad_transition" or response.json()["error"][
        "message"]


def test_bad_input_lists_each_field(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"),
                    {"round": reporting_round.pk, "progress": 140}, secret)
    assert response.status_code == 400
    fields = {d["field"] for d in response.json()["error"]["details"]}
    assert {"progress", "proposed_status"} <= fields
    bad_date = post(client, REPORT.format("prova-api-1"), report(
        reporting_round, payload={"completed": [{"done_on": "ieri", "text": "x"}]}), secret)
    assert bad_date.status_code == 400
    assert bad_date.json()["error"]["code"] == "bad_payload"


def test_a_round_of_another_pact_is_refused(client, people, issue, reporting_round):
    secret = issue(people.referent, ["reporting:write"])
    response = post(client, REPORT.format("prova-api-1"), report(reporting_round,
                                                                  round=999999), secret)
    assert response.status_code == 400
    assert response.json()["error"]["details"][0]["field"] == "round"


@pytest.fixture
def project_indicator(people):
    return Indicator.objects.create(pact=people.pact, code="prova-api-ind", name="Persone accolte",
                                    level=Indicator.Level.PROJECT, project=people.own)


def test_values_are_recorded_and_revised_with_history(client, people, issue,
                                                      project_indicator):
    secret = issue(people.referent, ["indicators:write"])
    url = VALUES.format(project_indicator.code)
    first = post(client, url, {"values": [{"year": 2024, "value": "12"},
                                          {"year": 2025, "value": "15.5"}]}, secret)
    assert first.status_code == 200, first.json()
    assert first.json() == {"created": 2, "revised": 0, "unchanged": 0}
    again = post(client, url, {"values": [{"year": 2025, "value": "16"},
                                          {"year": 2024, "value": "12"}]}, secret)
    assert again.json() == {"created": 0, "revised": 1, "unchanged": 1}
    revised = Observation.objects.get(indicator=project_indicator, year=2025, is_current=True)
    assert revised.value_text == "16" and revised.created_by == people.referent
    assert revised.supersedes.value_text == "15.5" and not revised.supersedes.is_current
    public = client.get(f"/api/v1/pacts/bologna-2021/indicators/{project_indicator.code}"
                        "/observations/").json()
    assert sorted(o["value_text"] for o in public["results"]) == ["12", "16"]


def test_values_of_another_project_are_refused(client, people, issue, project_indicator):
    secret = issue(people.outsider, ["indicators:write"])
    response = post(client, VALUES.format(project_indicator.code),
                    {"values": [{"year": 2024, "value": "1"}]}, secret)
    assert response.status_code == 403
    assert not Observation.objects.filter(indicator=project_indicator).exists()


def test_a_project_token_cannot_write_the_agenda(client, people, issue):
    agenda = Indicator.objects.filter(pact=people.pact, level="agenda").first()
    secret = issue(people.secretariat, ["indicators:write"], project=people.own)
    response = post(client, VALUES.format(agenda.code),
                    {"values": [{"year": 2024, "value": "1"}]}, secret)
    assert response.status_code == 403
    # The same owner with an unlimited token may: the secretariat keeps the agenda.
    wide = issue(people.secretariat, ["indicators:write"])
    assert post(client, VALUES.format(agenda.code),
                {"values": [{"year": 2099, "value": "1"}]}, wide).status_code == 200


def test_a_referent_cannot_write_the_agenda(client, people, issue):
    agenda = Indicator.objects.filter(pact=people.pact, level="agenda").first()
    secret = issue(people.referent, ["indicators:write"])
    response = post(client, VALUES.format(agenda.code),
                    {"values": [{"year": 2024, "value": "1"}]}, secret)
    assert response.status_code == 403


@pytest.mark.parametrize("values,field", [
    ([{"year": 1700, "value": "1"}], "values[0].year"),
    ([{"year": 2024, "value": "abc"}], "values[0].value"),
    ([{"year": 2024, "value": "1", "territory": "atlantide"}], "values[0].territory"),
    ([], "values"),
])
def test_bad_values_are_refused_by_field(client, people, issue, project_indicator, values,
                                         field):
    secret = issue(people.referent, ["indicators:write"])
    response = post(client, VALUES.format(project_indicator.code), {"values": values}, secret)
    assert response.status_code == 400
    assert field in {d["field"] for d in response.json()["error"]["details"]}
    assert not Observation.objects.filter(indicator=project_indicator).exists()


def test_writes_are_rate_limited(client, people, issue, project_indicator, settings):
    settings.REST_FRAMEWORK = {**settings.REST_FRAMEWORK, "DEFAULT_THROTTLE_RATES": {
        **settings.REST_FRAMEWORK["DEFAULT_THROTTLE_RATES"], "writes": "2/minute"}}
    secret = issue(people.referent, ["indicators:write"])
    body = {"values": [{"year": 2024, "value": "1"}]}
    codes = [post(client, VALUES.format(project_indicator.code), body, secret).status_code
             for _ in range(3)]
    assert codes == [200, 200, 429]
