"""Crisis cases and pathways from spreadsheets, through the one import pipeline: Italian
formats read, every faulty row named with its column and the fix, nothing half-written, an
operator importing only their own pathways, the figures recomputed once."""

from __future__ import annotations

import datetime as dt
import shutil
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from patto.core.errors import ApplicationError
from patto.core.importing import import_job_create, import_run, importer_for
from patto.instruments.models import CrisisCase, Pathway, StoredFigures

from .conftest import PASSWORD

pytestmark = pytest.mark.django_db

FILES = Path(__file__).parent / "files"


def _run(kind: str, path: Path, user=None):
    return import_run(importer=importer_for(kind), path=path, name=path.name, user=user)


def _edited(tmp_path: Path, name: str, replace: dict[str, str]) -> Path:
    text = (FILES / name).read_text(encoding="utf-8")
    for old, new in replace.items():
        assert old in text, old
        text = text.replace(old, new)
    target = tmp_path / name
    target.write_text(text, encoding="utf-8")
    return target


def _places(exc: ApplicationError) -> list[tuple[int | None, str | None]]:
    return [(p.row, p.field) for p in exc.problems]


def test_crisis_cases_are_read_the_italian_way(bologna, people):
    result = _run("crisis-cases", FILES / "crisis_cases.csv", people["safeguard_clerk"])
    assert result.summary == {"created": 2, "updated": 0, "unchanged": 0}
    open_case = CrisisCase.objects.get(code="meccanica-reno")
    assert open_case.status == "open" and open_case.reported_on == dt.date(2023, 3, 1)
    assert open_case.is_example and not open_case.confidential
    assert sum(w.count for w in open_case.workers.all()) == 12 + 1250 + 4
    closed = CrisisCase.objects.get(code="tessile-imola")
    assert (closed.status, closed.outcome, closed.closed_on) == (
        "closed",
        "taken_over",
        dt.date(2022, 12, 20),
    )
    assert closed.confidential and closed.municipality.name == "Bologna"
    public = StoredFigures.objects.get(pact=bologna, kind="crisis-public").data
    assert public["cases"] == 1  # the confidential one is left out


def test_importing_again_changes_the_known_cases(bologna, people, tmp_path):
    _run("crisis-cases", FILES / "crisis_cases.csv", people["safeguard_clerk"])
    path = _edited(tmp_path, "crisis_cases.csv", {"Calo di ordini": "Cassa integrazione"})
    result = _run("crisis-cases", path, people["safeguard_clerk"])
    assert result.summary == {"created": 0, "updated": 2, "unchanged": 0}
    assert CrisisCase.objects.get(code="meccanica-reno").summary == "Cassa integrazione"


def test_a_status_never_moves_back(bologna, people, tmp_path):
    _run("crisis-cases", FILES / "crisis_cases.csv", people["safeguard_clerk"])
    path = _edited(tmp_path, "crisis_cases.csv", {"aperto al tavolo": "reported"})
    with pytest.raises(ApplicationError) as raised:
        _run("crisis-cases", path, people["safeguard_clerk"])
    assert _places(raised.value) == [(2, "status")]
    # Said with the case's status in the page's language (the catalogue has it).
    assert "aperto al tavolo" in raised.value.problems[0].detail


def test_bad_rows_refuse_the_whole_file_each_named_with_its_fix(bologna, people, tmp_path):
    path = _edited(
        tmp_path,
        "crisis_cases.csv",
        {
            "01/03/2023": "31/02/2023",  # no such day
            ";Bologna;": ";Atlantide;",  # no such municipality
        },
    )
    with path.open("a", encoding="utf-8") as out:
        out.write("bologna-2021;terza;Terza srl;04245520375;25.62;037006;01/01/2024;;;;;;;x;;;\n")
    with pytest.raises(ApplicationError) as raised:
        _run("crisis-cases", path, people["safeguard_clerk"])
    assert _places(raised.value) == [
        (2, "reported_on"),
        (3, "municipality"),
        (4, "women_permanent"),
    ]
    details = [p.detail for p in raised.value.problems]
    assert "31/12/2024" in details[0]
    assert "037006" in details[1]  # an ISTAT code to follow
    assert "1.250" in details[2]  # a whole number as the office writes it
    assert not CrisisCase.objects.exists()
    assert not StoredFigures.objects.filter(kind="crisis-public", data__cases__gt=0).exists()


def test_a_service_refusal_names_the_column(bologna, people, tmp_path):
    path = _edited(tmp_path, "crisis_cases.csv", {"04245520376;25.62.00": "04245520375;25.62.00"})
    with pytest.raises(ApplicationError) as raised:
        _run("crisis-cases", path, people["safeguard_clerk"])
    assert _places(raised.value) == [(2, "company_tax_code")]
    assert not CrisisCase.objects.exists()


def test_a_missing_column_is_said_once(bologna, people, tmp_path):
    path = tmp_path / "cases.csv"
    path.write_text("pact,code\nbologna-2021,a\nbologna-2021,b\n", encoding="utf-8")
    with pytest.raises(ApplicationError) as raised:
        _run("crisis-cases", path, people["safeguard_clerk"])
    fields = [p.field for p in raised.value.problems]
    assert sorted(set(fields)) == sorted(fields)  # no column reported twice
    assert "company" in fields and "reported_on" in fields


def test_crisis_cases_from_an_xlsx_workbook(bologna, people, tmp_path):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.append(
        [
            "pact",
            "code",
            "company",
            "company_tax_code",
            "ateco_code",
            "municipality",
            "reported_on",
            "men_permanent",
        ]
    )
    sheet.append(
        [
            "bologna-2021",
            "da-excel",
            "Excel srl",
            "04245520376",
            "25.62.00",
            "037006",
            dt.datetime(2024, 5, 2),
            40.0,
        ]
    )
    path = tmp_path / "casi.xlsx"
    book.save(path)
    _run("crisis-cases", path, people["safeguard_clerk"])
    case = CrisisCase.objects.get(code="da-excel")
    assert case.reported_on == dt.date(2024, 5, 2)
    assert [w.count for w in case.workers.all()] == [40]


@pytest.mark.parametrize("role", ["safeguard_member", "inclusion_operator", "stranger"])
def test_only_the_table_secretary_and_the_secretariat_import_cases(people, role):
    upload = SimpleUploadedFile("casi.csv", (FILES / "crisis_cases.csv").read_bytes())
    with pytest.raises(ApplicationError) as raised:
        import_job_create(kind="crisis-cases", uploaded_file=upload, user=people[role])
    assert raised.value.code == "forbidden"


def test_the_import_page_runs_the_file_for_the_table_secretary(
    client, bologna, people, django_capture_on_commit_callbacks
):
    client.force_login(people["safeguard_clerk"])
    url = reverse("site:import_start", args=["crisis-cases"])
    with (
        (FILES / "crisis_cases.csv").open("rb") as handle,
        django_capture_on_commit_callbacks(execute=True),
    ):
        response = client.post(url, {"file": handle})
    assert response.status_code == 302
    assert CrisisCase.objects.filter(pact=bologna).count() == 2


def test_pathways_are_imported_with_their_stages(bologna, people):
    operator = people["inclusion_operator"]
    result = _run("pathways", FILES / "pathways.csv", operator)
    assert result.summary == {"created": 2, "updated": 0, "unchanged": 0}
    placed = Pathway.objects.get(person_code="IPL-0001")
    assert placed.operator == operator and placed.stage == "follow_up"
    job = placed.placements.get()
    assert (job.contract, job.employed_at_follow_up) == ("fixed_term", True)
    assert Pathway.objects.get(person_code="IPL-0002").sex == "m"
    again = _run("pathways", FILES / "pathways.csv", operator)
    assert again.summary == {"created": 0, "updated": 0, "unchanged": 2}


def test_a_later_stage_is_added_by_a_later_file(bologna, people, tmp_path):
    operator = people["inclusion_operator"]
    _run("pathways", FILES / "pathways.csv", operator)
    path = _edited(tmp_path, "pathways.csv", {"2023-02-15,,": "2023-02-15,2023-03-01,"})
    assert _run("pathways", path, operator).summary["updated"] == 1
    assert Pathway.objects.get(person_code="IPL-0002").stage == "training"


def test_bad_pathway_rows_refuse_the_whole_file(bologna, people, tmp_path):
    path = _edited(
        tmp_path,
        "pathways.csv",
        {
            "IPL-0001": "RSSMRA85T10A562S",  # a tax code: never a person's code
            "uomo,50+": "uomo,51",
        },
    )
    with pytest.raises(ApplicationError) as raised:
        _run("pathways", path, people["inclusion_operator"])
    assert _places(raised.value) == [(2, "person_code"), (3, "age_band")]
    assert not Pathway.objects.exists()


def test_an_operator_imports_only_their_own_pathways(bologna, people, django_user_model, tmp_path):
    from patto.instruments.models import InstrumentRole

    other = django_user_model.objects.create_user("altro", "a@example.org", PASSWORD)
    InstrumentRole.objects.create(pact=bologna, user=other, role="inclusion_operator")
    path = _edited(tmp_path, "pathways.csv", {"IPL-0001,,": "IPL-0001,altro,"})
    with pytest.raises(ApplicationError) as raised:
        _run("pathways", path, people["inclusion_operator"])
    assert _places(raised.value) == [(2, "operator")]
    # The secretariat names the operator of each row.
    with pytest.raises(ApplicationError) as raised:
        _run("pathways", FILES / "pathways.csv", people["secretariat"])
    assert _places(raised.value) == [(2, "operator"), (3, "operator")]
    shutil.copy(path, tmp_path / "mixed.csv")
    text = (tmp_path / "mixed.csv").read_text().replace("IPL-0002,,", "IPL-0002,altro,")
    (tmp_path / "mixed.csv").write_text(text)
    _run("pathways", tmp_path / "mixed.csv", people["secretariat"])
    assert set(Pathway.objects.values_list("operator__username", flat=True)) == {"altro"}


def test_the_layout_download_reimports_as_is(client, bologna, people, tmp_path):
    client.force_login(people["safeguard_clerk"])
    response = client.get(reverse("instruments:import_layout", args=["crisis-cases", "csv"]))
    assert response.status_code == 200
    path = tmp_path / "layout.csv"
    path.write_bytes(b"".join(response.streaming_content))
    result = _run("crisis-cases", path, people["safeguard_clerk"])
    assert result.summary["created"] == 1
    assert CrisisCase.objects.get(code="meccanica-reno").unions.count() == 2


def test_the_layout_is_for_those_who_may_import(client, people):
    client.force_login(people["stranger"])
    url = reverse("instruments:import_layout", args=["pathways", "xlsx"])
    assert client.get(url).status_code == 403
