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
    writes = [
        q["sql"]
        for q in captured.captured_queries
        if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
        and "django_session" not in q["sql"]
        and "axes_" not in q["sql"]
    ]
    return response, writes


@pytest.fixture
def project(bologna):
    return Project.objects.filter(pact=bologna).order_by("pk").first()


@pytest.fixture
def fund(bologna):
    return Fund.objects.get(pact=bologna, code="comunita")


def _sheet_data(project) -> dict:
    return {
        "title": project.title,
        "horizon": project.horizon,
        "lead_party": project.lead_party_id,
        "progress_method": project.progress_method,
        "parent": project.parent_id or "",
        "weight": "1",
        "summary": project.summary or "Sintesi",
        "expected_results": project.expected_results,
        "description": project.description,
        "start_on": "2022-01-10",
        "end_on": "",
        "cup": project.cup,
        "budget": "",
        "challenges": [c.pk for c in project.challenges.all()],
        "territories": [t.pk for t in project.territories.all()],
        "version": project.version,
    }


def _receipt_data(fund) -> dict:
    donor = Donor.objects.filter(pact=fund.pact).order_by("pk").first()
    purpose = Purpose.objects.filter(fund=fund).order_by("pk").first()
    return {
        "receipt-booked_on": "2025-06-01",
        "receipt-amount": "10,00",
        "receipt-donor": donor.pk,
        "receipt-purpose": purpose.pk,
        "receipt-medium": "money",
        "receipt-description": "Prova",
    }


def _contribution_data(project) -> dict:
    return {
        "project": project.pk,
        "activity": "Formazione",
        "amount": "100.00",
        "granted_by": "Comune",
        "party": project.lead_party_id,
        "received_on": "2025-03-01",
    }


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
def test_every_staff_form_refuses_bad_input_on_its_field(
    form, field, value, client, staff, bologna, project, fund
):
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
        value = Donor.objects.create(
            pact=other, code="altrove", kind="organisation", name="Altrove"
        ).pk
    data[field] = value
    before = (
        Movement.objects.count(),
        Contribution.objects.count(),
        Project.objects.get(pk=project.pk).version,
    )
    response, writes = _writes(lambda: client.post(url, data))
    assert response.status_code == 200, (response.status_code, response.get("Location"))
    assert writes == [], writes
    assert (
        Movement.objects.count(),
        Contribution.objects.count(),
        Project.objects.get(pk=project.pk).version,
    ) == before
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
        response = client.post(
            f"/gestione/fondi/{bologna.code}/{fund.code}/registra/receipt/", _receipt_data(fund)
        )
        assert Movement.objects.count() == before + 1
    else:
        before = Contribution.objects.count()
        response = client.post("/gestione/contributi/", _contribution_data(project))
        assert Contribution.objects.count() == before + 1
    assert response.status_code in (200, 302)


# Italian formats in and out ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("12.500,00", "12500.00"),
        ("12500,5", "12500.5"),
        ("1250.50", "1250.50"),
        ("1.250.000", "1250000"),
        ("12,500.00", "12500.00"),
        ("€ 1 250,00", "1250.00"),
        ("0,125", "0.125"),
        ("1250.500", "1250.500"),
        ("1,1250", "1.1250"),
    ],
)
def test_a_number_is_read_the_italian_and_the_iso_way(typed, expected):
    from decimal import Decimal

    from patto.core.forms import parse_decimal

    assert parse_decimal(typed) == Decimal(expected)


@pytest.mark.parametrize(
    ("typed", "reason"),
    [
        ("1.500", "ambiguous"),
        ("1,500", "ambiguous"),
        ("12.500.00", "malformed"),
        ("dodici", "malformed"),
        ("1,2,3", "malformed"),
    ],
)
def test_a_number_read_two_ways_or_not_at_all_is_refused(typed, reason):
    from patto.core.forms import parse_decimal

    with pytest.raises(ValueError, match=reason):
        parse_decimal(typed)


@pytest.mark.parametrize(
    ("language", "typed", "expected"),
    [
        ("it", "1.250", 1250),
        ("it", "1250", 1250),
        ("it", "1.250,00", 1250),
        ("en", "1,250", 1250),
        ("en", "1250.00", 1250),
    ],
)
def test_a_whole_number_takes_the_page_languages_thousands(language, typed, expected):
    from django.utils import translation

    from patto.core.forms import parse_whole

    with translation.override(language):
        assert parse_whole(typed) == expected


@pytest.mark.parametrize(("language", "typed"), [("it", "1,250"), ("en", "1.250"), ("it", "1,5")])
def test_a_whole_number_written_the_other_way_is_refused(language, typed):
    from django.utils import translation

    from patto.core.forms import parse_whole

    with translation.override(language), pytest.raises(ValueError):
        parse_whole(typed)


def _contribution_form(project, **changes):
    from patto.projects.forms import ContributionForm

    data = {**_contribution_data(project), **changes}
    return ContributionForm(
        data, projects=Project.objects.filter(pk=project.pk), parties=project.pact.parties.all()
    )


@pytest.mark.parametrize(
    ("amount", "received_on"),
    [("12.500,00", "13/03/2025"), ("12500.00", "2025-03-13"), ("12.500", None)],
)
def test_the_contribution_form_reads_italian_amounts_and_dates(project, amount, received_on):
    import datetime as dt
    from decimal import Decimal

    from django.utils import translation

    with translation.override("it"):
        form = _contribution_form(project, amount=amount, received_on=received_on or "13/03/2025")
        if received_on is None:  # "12.500" could be twelve and a half thousand or 12,5
            assert not form.is_valid()
            assert form.errors["amount"] == [
                "Contributo (€): “12.500” si può leggere in due modi: scrivi i decimali dopo "
                "la virgola e le migliaia con il punto, ad es. 1.500,00 o 1,5."
            ]
            return
        assert form.is_valid(), form.errors
    assert form.cleaned_data["amount"] == Decimal("12500.00")
    assert form.cleaned_data["received_on"] == dt.date(2025, 3, 13)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        (
            "received_on",
            "13/03/25",
            "Ricevuto il: “13/03/25” non è una data: scrivi giorno/mese/anno, ad es. 13/01/2021 "
            "(oppure 2021-01-13).",
        ),
        (
            "amount",
            "12.500.00",
            "Contributo (€): “12.500.00” non è un numero: scrivilo con la virgola per i decimali, "
            "ad es. 12.500,00 o 1250,5.",
        ),
    ],
)
def test_bad_input_is_named_by_its_label_with_an_italian_example(project, field, value, message):
    from django.utils import translation

    with translation.override("it"):
        form = _contribution_form(project, **{field: value})
        assert not form.is_valid()
        assert form.errors[field] == [message]


@pytest.mark.parametrize(
    ("language", "amount", "date", "participants"),
    [
        ("it", 'value="12.500,00"', 'value="13/01/2021"', 'value="1.250"'),
        ("en", 'value="12,500.00"', 'value="2021-01-13"', 'value="1,250"'),
    ],
)
def test_widgets_show_values_in_the_page_language(project, language, amount, date, participants):
    import datetime as dt
    from decimal import Decimal

    from django.utils import translation

    from patto.projects.forms import ContributionForm, MeetingForm

    with translation.override(language):
        contribution = ContributionForm(
            initial={"amount": Decimal("12500"), "received_on": dt.date(2021, 1, 13)},
            projects=Project.objects.none(),
            parties=project.pact.parties.none(),
        )
        meeting = MeetingForm(initial={"participants": 1250})
        html = (
            str(contribution["amount"])
            + str(contribution["received_on"])
            + str(meeting["participants"])
        )
    assert amount in html and date in html and participants in html
    assert 'type="date"' not in html and 'type="number"' not in html


def test_fields_django_builds_are_read_the_same_way(bologna, fund):
    """A form no one wrote by hand (a model form, the admin) gets the same reading through
    check_fields: the funds' rule form's threshold, a plain DecimalField."""
    from decimal import Decimal

    from django import forms
    from django.utils import translation

    from patto.core.forms import check_fields

    class Plain(forms.Form):
        share = forms.DecimalField(label="Quota", max_digits=8, decimal_places=3)
        count = forms.IntegerField(label="Numero")
        day = forms.DateField(label="Giorno")

    with translation.override("it"):
        form = Plain({"share": "1.234,5", "count": "2.000", "day": "13/01/2021"})
        check_fields(form)
        assert form.is_valid(), form.errors
        assert form.cleaned_data["share"] == Decimal("1234.5")
        assert form.cleaned_data["count"] == 2000
        refused = Plain({"share": "1.500", "count": "1", "day": "2021-01-13"})
        check_fields(refused)
        assert list(refused.errors) == ["share"]
