"""Every staff form against bad input: control characters, non-finite numbers, far dates and a
record of another pact each get a message on their field; nothing is written, no error page."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from patto.funds.models import Donor, Fund, Movement, Purpose
from patto.pact.models import Pact
from patto.projects.models import Contribution, Project


def _writes(run) -> list[str]:
    """The INSERT, UPDATE and DELETE statements a request sends (sessions left aside)."""
    with CaptureQueriesContext(connection) as captured:
        response = run()
    writes = [q["sql"] for q in captured.captured_queries
              if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
              and "django_session" not in q["sql"] and "axes_" not in q["sql"]]
    return response, writes


@pytest.fixture
def project(bologna):
    return Project.objects.filter(pact=bologna).order_by("pk").first()


@pytest.fixture
def fund(bologna):
    return Fund.objects.get(pact=bologna, code="comunita")


def _sheet_data(project) -> dict:
    return {"title": project.title, "horizon": project.horizon,
            "lead_party": project.lead_party_id, "summary": project.summary or "Sintesi",
            "expected_results": project.expected_results, "description": project.description,
            "start_on": "2022-01-10", "end_on": "", "cup": project.cup, "budget": "",
            "challenges": [c.pk for c in project.challenges.all()],
            "territories": [t.pk for t in project.territories.all()],
            "version": project.version}


def _receipt_data(fund) -> dict:
    donor = Donor.objects.filter(pact=fund.pact).order_by("pk").first()
    purpose = Purpose.objects.filter(fund=fund).order_by("pk").first()
    return {"receipt-booked_on": "2025-06-01", "receipt-amount": "10,00",
            "receipt-donor": donor.pk, "receipt-purpose": purpose.pk,
            "receipt-medium": "money", "receipt-description": "Prova"}


def _contribution_data(project) -> dict:
    return {"project": project.pk, "activity": "Formazione", "amount": "100.00",
            "granted_by": "Comune", "party": project.lead_party_id,
            "received_on": "2025-03-01"}


#: (form, field, bad value) -> the field whose message the person must see.
CASES = [
    ("sheet", "summary", "testo\x0bcon controllo"),
    ("sheet", "start_on", "3000-01-01"),
    ("sheet", "start_on", "0999-12-31"),
    ("sheet", "budget", "NaN"),
    ("sheet", "budget", "Infinity"),
    ("receipt", "receipt-description", "a\x0bb"),
    ("receipt", "receipt-booked_on", "3000-01-01"),
    ("receipt", "receipt-amount", "NaN"),
    ("receipt", "receipt-amount", "inf"),
    ("receipt", "receipt-donor", "OTHER-PACT-DONOR"),
    ("contribution", "activity", "a\x0bb"),
    ("contribution", "amount", "NaN"),
    ("contribution", "received_on", "3000-01-01"),
]


@pytest.mark.parametrize("form,field,value", CASES)
def test_every_staff_form_refuses_bad_input_on_its_field(form, field, value, client, staff,
                                                          bologna, project, fund):
    client.force_login(staff)
    if form == "sheet":
        url, data = f"/gestione/progetti/{project.pk}/", _sheet_data(project)
    elif form == "receipt":
        url = f"/gestione/fondi/{bologna.code}/{fund.code}/registra/receipt/"
        data = _receipt_data(fund)
    else:
        url, data = "/gestione/contributi/", _contribution_data(project)
    if value == "OTHER-PACT-DONOR":
        other = Pact.objects.exclude(pk=bologna.pk).first()
        value = Donor.objects.create(pact=other, code="altrove", kind="organisation",
                                     name="Altrove").pk
    data[field] = value
    before = (Movement.objects.count(), Contribution.objects.count(),
              Project.objects.get(pk=project.pk).version)
    response, writes = _writes(lambda: client.post(url, data))
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert writes == [], writes
    assert (Movement.objects.count(), Contribution.objects.count(),
            Project.objects.get(pk=project.pk).version) == before
    form_obj = next(f for f in _forms_in(response.context) if field.split("-")[-1] in f.errors)
    assert form_obj.errors[field.split("-")[-1]]


def _forms_in(context) -> list:
    from django import forms

    found = []
    contexts = context if isinstance(context, list) else [context]
    values = [v for c in contexts for v in c.flatten().values()]
    for value in values:
        if isinstance(value, forms.BaseForm):
            found.append(value)
        elif isinstance(value, dict):
            found += [v for v in value.values() if isinstance(v, forms.BaseForm)]
    return found


@pytest.mark.parametrize("form", ["sheet", "receipt", "contribution"])
def test_the_same_forms_accept_good_input(form, client, staff, bologna, project, fund):
    """The table above is not refusing everything: the same data, unbroken, is recorded."""
    client.force_login(staff)
    if form == "sheet":
        response = client.post(f"/gestione/progetti/{project.pk}/", _sheet_data(project))
        assert Project.objects.get(pk=project.pk).version == project.version + 1
    elif form == "receipt":
        before = Movement.objects.count()
        response = client.post(f"/gestione/fondi/{bologna.code}/{fund.code}/registra/receipt/",
                               _receipt_data(fund))
        assert Movement.objects.count() == before + 1
    else:
        before = Contribution.objects.count()
        response = client.post("/gestione/contributi/", _contribution_data(project))
        assert Contribution.objects.count() == before + 1
    assert response.status_code in (200, 302)
