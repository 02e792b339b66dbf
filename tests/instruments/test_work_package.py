"""Crisis cases, agreements and register entries in the pact package: loaded through the
instruments' services, exported as the package carries them, and loaded back equal; what
would carry personal data is refused."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest

from patto.engine.problems import InputError
from patto.instruments import services
from patto.instruments.models import Agreement, CrisisCase, RegisterApplication
from patto.instruments.package import export_work_records, load_work_records
from patto.pact.models import Territory
from patto.pact.services import LoadResult, PackageWriter

from .conftest import ARGELATO, VAT

pytestmark = pytest.mark.django_db
#: These tests read the package's own work records (see conftest).
KEEPS_PACKAGE_EXAMPLES = True


def _writer() -> PackageWriter:
    return PackageWriter(LoadResult(), None, "package")


def _load(bologna, tables) -> PackageWriter:
    writer = _writer()
    load_work_records(data=SimpleNamespace(tables=tables), writer=writer, pact=bologna, parties={})
    return writer


@pytest.fixture
def records(bologna, make_case):
    argelato = Territory.objects.get(code=ARGELATO)
    closed = make_case("chiuso", summary="Crisi di un'officina")
    services.crisis_case_transition(user=None, case=closed, status="open", on=dt.date(2023, 3, 2))
    services.crisis_case_transition(
        user=None, case=closed, status="closed", on=dt.date(2023, 9, 1), outcome="jobs_kept"
    )
    make_case("aperto-riservato", confidential=True, company_tax_code="RSSMRA80A01A944I")
    make_case("segnalato", is_example=True)
    agreement = services.agreement_create(
        user=None,
        pact=bologna,
        data={
            "code": "intesa-1",
            "company_name": "Logistica Uno",
            "company_tax_code": VAT,
            "municipality": argelato,
            "signed_on": dt.date(2022, 5, 1),
            "ends_on": dt.date(2025, 5, 1),
        },
        commitments=[
            {
                "kind": "hires",
                "description": "Assunzioni",
                "target": 40,
                "due_on": dt.date(2024, 12, 31),
            },
        ],
    )
    services.commitment_report(
        user=None,
        commitment=agreement.commitments.get(),
        reported_on=dt.date(2023, 6, 30),
        value=12,
    )
    services.register_entry_record(
        user=None,
        pact=bologna,
        company_tax_code=VAT,
        data={
            "company_name": "Cooperativa Inclusiva",
            "ateco_code": "88.10.00",
            "municipality": argelato,
            "registered_on": dt.date(2023, 1, 10),
            "valid_until": dt.date(2026, 1, 10),
        },
    )


def test_export_carries_no_personal_data(bologna, records):
    tables = export_work_records(pact=bologna)
    codes = [r["code"] for r in tables["crisis_cases"]]
    assert "aperto-riservato" not in codes and set(codes) >= {"chiuso", "segnalato"}
    for rows in tables.values():
        for row in rows:
            assert "contact_email" not in row and "confidential" not in row
            assert "RSSMRA80A01A944I" not in row.values()
    assert "pathways" not in tables


def test_load_export_load_gives_the_same_records(bologna, records):
    first = export_work_records(pact=bologna)
    CrisisCase.objects.filter(confidential=False).delete()
    Agreement.objects.all().delete()
    RegisterApplication.objects.all().delete()
    writer = _load(bologna, first)
    assert writer.result.created
    assert export_work_records(pact=bologna) == first
    closed = CrisisCase.objects.get(code="chiuso")
    assert (closed.status, closed.outcome, closed.closed_on) == (
        "closed",
        "jobs_kept",
        dt.date(2023, 9, 1),
    )
    assert closed.history.count() >= 3  # reported, opened, closed: through the services
    again = _load(bologna, first)
    assert not again.result.changed
    assert export_work_records(pact=bologna) == first


def test_a_change_in_the_package_goes_through_the_services(bologna, records):
    tables = export_work_records(pact=bologna)
    row = next(r for r in tables["crisis_cases"] if r["code"] == "segnalato")
    row["company_name"] = "Officina rinominata"
    row["status"] = "open"
    mine = next(r for r in tables["agreement_commitments"] if r["agreement"] == "intesa-1")
    mine.update(achieved=20, reported_on=dt.date(2024, 1, 31))
    _load(bologna, tables)
    case = CrisisCase.objects.get(code="segnalato")
    assert (case.company_name, case.status) == ("Officina rinominata", "open")
    commitment = Agreement.objects.get(code="intesa-1").commitments.get()
    assert (commitment.achieved, commitment.reports.count()) == (20, 2)


@pytest.mark.parametrize(
    "resource, change",
    [
        ("crisis_cases", {"company_tax_code": "RSSMRA80A01A944I"}),
        ("crisis_cases", {"confidential": True}),
        ("register_entries", {"contact_email": "titolare@example.org"}),
        ("agreements", {"company_tax_code": "RSSMRA80A01A944I"}),
    ],
)
def test_personal_data_is_refused(bologna, records, resource, change):
    tables = export_work_records(pact=bologna)
    tables[resource][0].update(change)
    with pytest.raises(InputError) as raised:
        _load(bologna, tables)
    assert raised.value.problems[0].code == "personal-data"


def test_pathways_never_go_in_a_package(bologna):
    tables = {"pathways": [{"pact": bologna.code, "person_code": "P-1"}]}
    with pytest.raises(InputError) as raised:
        _load(bologna, tables)
    assert raised.value.problems[0].file == "pathways.csv"


def test_a_case_cannot_go_back_to_an_earlier_status(bologna, records):
    tables = export_work_records(pact=bologna)
    row = next(r for r in tables["crisis_cases"] if r["code"] == "chiuso")
    row.update(status="open", outcome=None, closed_on=None)
    with pytest.raises(InputError) as raised:
        _load(bologna, tables)
    assert raised.value.problems[0].field == "status"
