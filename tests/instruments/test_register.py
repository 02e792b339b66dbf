"""The inclusive-companies register: online application with bounded documents, evaluation,
validity, renewal reminders, revocation; the public page and its downloads."""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.instruments import services
from patto.instruments.models import ApplicationDocument, RegisterApplication
from patto.pact.models import Territory

from .conftest import ARGELATO, BAD_VAT, VAT

pytestmark = pytest.mark.django_db

PUBLIC_QUERIES = 5
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def criteria(bologna):
    return [
        services.register_criterion_save(
            user=None, pact=bologna, code=code, title=title, position=n
        )
        for n, (code, title) in enumerate(
            [
                ("assunzioni", "Assunzioni di persone fragili"),
                ("tutor", "Tutor aziendale per l'inserimento"),
            ]
        )
    ]


def _data(**changes):
    return {
        "company_name": "Coop Inclusiva",
        "company_tax_code": VAT,
        "ateco_code": "88.10",
        "municipality": Territory.objects.get(code=ARGELATO),
        "contact_email": "ufficio@coop.example",
        "website": "",
        **changes,
    }


def _apply(pact, criteria, documents=(), **changes):
    return services.register_apply(
        user=None,
        pact=pact,
        data=_data(**changes),
        statements={c.pk: f"Dichiarazione su {c.code}" for c in criteria},
        documents=documents,
        today=dt.date(2024, 1, 10),
    )


def _pdf(name="bilancio-sociale.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


def test_an_application_keeps_its_statements_and_documents_inside_media(
    bologna, criteria, settings
):
    made = _apply(bologna, criteria, documents=[_pdf("../../etc/passwd.pdf")])
    assert made.status == "submitted" and made.ateco_section == "Q"
    assert made.statements.count() == 2
    document = made.documents.get()
    assert document.original_name == "passwd.pdf" or document.original_name.endswith("passwd.pdf")
    stored = Path(document.file.path).resolve()
    assert stored.is_relative_to(Path(settings.MEDIA_ROOT).resolve())
    assert "passwd" not in stored.name and stored.suffix == ".pdf"
    assert made.history.first().history_change_reason


@pytest.mark.parametrize(
    ("documents", "field"),
    [
        ([SimpleUploadedFile("x.exe", b"MZ")], "documents"),
        ([_pdf("finto.pdf", b"<html>")], "documents"),
        ([_pdf(f"d{n}.pdf") for n in range(6)], "documents"),
    ],
)
def test_bad_documents_refuse_the_whole_application(bologna, criteria, documents, field):
    with pytest.raises(ApplicationError) as caught:
        _apply(bologna, criteria, documents=documents)
    assert caught.value.field == field
    assert not RegisterApplication.objects.exists()
    assert not ApplicationDocument.objects.exists()


def test_a_document_over_the_upload_limit_is_refused(bologna, criteria, settings):
    settings.PATTO_UPLOAD_MAX_BYTES = 100
    with pytest.raises(ApplicationError, match=r"^documents: "):
        _apply(bologna, criteria, documents=[_pdf(content=PDF + b"0" * 200)])
    assert not RegisterApplication.objects.exists()


def test_every_criterion_needs_a_statement_and_the_tax_code_its_check_digit(bologna, criteria):
    with pytest.raises(ApplicationError) as caught:
        services.register_apply(
            user=None, pact=bologna, data=_data(), statements={criteria[0].pk: "Sì"}
        )
    assert caught.value.field == f"criterion_{criteria[1].pk}"
    with pytest.raises(ApplicationError) as caught:
        _apply(bologna, criteria, company_tax_code=BAD_VAT)
    assert caught.value.field == "company_tax_code"
    assert not RegisterApplication.objects.exists()


def test_no_application_before_criteria_are_published(bologna):
    with pytest.raises(ApplicationError):
        _apply(bologna, [])


def test_evaluation_registration_renewal_reminder_and_revocation(
    bologna, criteria, people, django_capture_on_commit_callbacks
):
    officer = people["register_officer"]
    made = _apply(bologna, criteria)
    with pytest.raises(ApplicationError) as caught:
        _apply(bologna, criteria)  # one live application per company
    assert caught.value.field == "company_tax_code"
    with pytest.raises(ApplicationError) as caught:
        services.register_decide(
            user=people["safeguard_clerk"], application=made, register=True, on=dt.date(2024, 2, 1)
        )
    assert caught.value.code == "forbidden"
    services.register_decide(user=officer, application=made, register=True, on=dt.date(2024, 2, 1))
    made.refresh_from_db()
    assert (made.status, made.valid_until, made.decided_by) == (
        "registered",
        dt.date(2027, 2, 1),
        officer,
    )
    # Nothing is due yet; 50 days before the end the company is reminded, once.
    out = io.StringIO()
    call_command("register_reminders", "--date", "2026-06-01", stdout=out)
    assert "0 entries were expired, 0 companies were reminded" in out.getvalue()
    call_command("register_reminders", "--date", "2026-12-13", "--dry-run", stdout=out)
    assert len(mail.outbox) == 0
    with django_capture_on_commit_callbacks(execute=True):
        call_command("register_reminders", "--date", "2026-12-13", stdout=out)
    with django_capture_on_commit_callbacks(execute=True):
        call_command("register_reminders", "--date", "2026-12-14", stdout=out)
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["ufficio@coop.example"]
    made.refresh_from_db()
    assert made.reminded_on == dt.date(2026, 12, 13)
    services.register_renew(user=officer, application=made, valid_until=dt.date(2030, 2, 1))
    made.refresh_from_db()
    assert made.reminded_on is None and made.valid_until == dt.date(2030, 2, 1)
    with pytest.raises(ApplicationError, match=r"^reason: "):
        services.register_revoke(user=officer, application=made, reason="  ")
    services.register_revoke(user=officer, application=made, reason="Impegni non rispettati")
    made.refresh_from_db()
    assert made.status == "revoked"
    assert [h.status for h in made.history.order_by("history_date")] == [
        "submitted",
        "registered",
        "registered",
        "registered",
        "revoked",
    ]


def test_entries_expire_when_their_date_passes(bologna, criteria, people):
    made = _apply(bologna, criteria)
    services.register_decide(
        user=None,
        application=made,
        register=True,
        on=dt.date(2024, 2, 1),
        valid_until=dt.date(2025, 2, 1),
    )
    call_command("register_reminders", "--date", "2025-02-02", stdout=io.StringIO())
    made.refresh_from_db()
    assert made.status == "expired"


def test_rejection_needs_a_reason(bologna, criteria, people):
    made = _apply(bologna, criteria)
    with pytest.raises(ApplicationError, match=r"^reason: "):
        services.register_decide(
            user=None, application=made, register=False, on=dt.date(2024, 2, 1)
        )
    services.register_decide(
        user=None,
        application=made,
        register=False,
        on=dt.date(2024, 2, 1),
        reason="Criteri non soddisfatti",
    )
    assert made.status == "rejected"


@pytest.mark.parametrize("count", [1, 8])
def test_public_register_has_a_fixed_query_count_and_no_contact(
    client, bologna, criteria, count, django_assert_num_queries
):
    from stdnum import luhn

    for n in range(count):
        base = f"{n + 1:07}037"  # company number, then the office code
        made = _apply(
            bologna,
            criteria,
            company_name=f"Impresa{n:02}X",
            company_tax_code=base + luhn.calc_check_digit(base),
        )
        services.register_decide(
            user=None,
            application=made,
            register=True,
            on=dt.date(2024, 2, 1),
            valid_until=dt.date(2099, 1, 1),
        )
    _apply(bologna, criteria, company_name="In attesa")
    url = reverse("instruments:register", args=[bologna.code])
    with django_assert_num_queries(PUBLIC_QUERIES):
        response = client.get(url)
    page = response.content.decode()
    assert page.count("Impresa") == count and "In attesa" not in page
    assert "ufficio@coop.example" not in page
    download = client.get(reverse("instruments:register_download", args=[bologna.code, "csv"]))
    text = b"".join(download.streaming_content).decode()
    rows = list(csv.DictReader(io.StringIO(text)))
    assert len(rows) == count and "ufficio@coop.example" not in text
    assert "contact_email" not in rows[0]
    filtered = client.get(url, {"nome": "Impresa00X"}).content.decode()
    assert filtered.count('fw-normal">Impresa') == 1  # the row, not the filter's own value


def test_online_application_page_is_never_cached_and_refuses_a_fake_pdf(client, bologna, criteria):
    url = reverse("instruments:register_apply", args=[bologna.code])
    page = client.get(url)
    assert page.status_code == 200 and "no-store" in page["Cache-Control"]
    data = {
        "company_name": "Coop",
        "company_tax_code": VAT,
        "ateco_code": "88.10",
        "municipality": Territory.objects.get(code=ARGELATO).pk,
        "contact_email": "a@coop.example",
        "website": "",
        **{f"criterion_{c.pk}": "Sì" for c in criteria},
    }
    refused = client.post(url, {**data, "documents": [_pdf("falso.pdf", b"<html>")]})
    assert refused.status_code == 400 and not RegisterApplication.objects.exists()
    sent = client.post(url, {**data, "documents": [_pdf()]})
    assert sent.status_code == 200 and b'data-testid="application-sent"' in sent.content
    assert RegisterApplication.objects.get().documents.count() == 1


@pytest.mark.parametrize(
    ("role", "status"),
    [
        ("secretariat", 200),
        ("register_officer", 200),
        ("safeguard_clerk", 403),
        ("inclusion_operator", 403),
        ("stranger", 403),
    ],
)
def test_office_pages_and_documents_for_the_office_only(
    client, bologna, criteria, people, role, status
):
    made = _apply(bologna, criteria, documents=[_pdf()])
    client.force_login(people[role])
    assert (
        client.get(reverse("instruments:register_manage", args=[bologna.code])).status_code
        == status
    )
    document = made.documents.get()
    response = client.get(
        reverse("instruments:register_document", args=[bologna.code, made.pk, document.pk])
    )
    assert response.status_code == status
    if status == 200:
        assert b"".join(response.streaming_content) == PDF
        assert "attachment" in response["Content-Disposition"]
        action = reverse("instruments:register_action", args=[bologna.code, made.pk, "decisione"])
        assert client.post(action, {"register": "iscrivi", "on": "2024-02-01"}).status_code == 302
        made.refresh_from_db()
        assert made.status == "registered"


def test_an_entry_without_an_address_is_marked_for_the_office_and_no_mail_is_sent(
        bologna, criteria, people, django_capture_on_commit_callbacks):
    made = _apply(bologna, criteria)
    services.register_decide(user=people["register_officer"], application=made, register=True,
                             on=dt.date(2024, 2, 1))
    type(made).objects.filter(pk=made.pk).update(contact_email="")
    with django_capture_on_commit_callbacks(execute=True):
        done = services.register_daily(today=dt.date(2026, 12, 13))
    assert made.pk in {e.pk for e in done.reminded}
    assert len(mail.outbox) == 0
    made.refresh_from_db()
    assert made.reminded_on == dt.date(2026, 12, 13)
    from django.utils.translation import gettext

    assert made.history.latest("history_date").history_change_reason == gettext(
        "renewal due: no e-mail address, the office reminds the company")
