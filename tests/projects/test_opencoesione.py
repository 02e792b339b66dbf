"""OpenCoesione's project CSV in (linked by CUP, through the one pipeline) and the pact's
projects out in OpenCoesione's columns; the national figures on the project page."""

from __future__ import annotations

import csv
import datetime as dt
import io
import shutil
from decimal import Decimal
from pathlib import Path

import pytest

from patto.core.errors import ApplicationError
from patto.core.importing import import_run
from patto.engine import opencoesione as oc
from patto.projects import opencoesione
from patto.projects.models import Funding, OpenCoesioneRecord, ProcedureStep, Project
from patto.projects.selectors import register_sheet_panel

FILES = Path(__file__).parent / "files" / "opencoesione"
EXCERPT = FILES / "progetti_esteso_CULTURA_TURISMO_2021-2027_20250430_excerpt.csv"


def run(path, user=None):
    return import_run(importer=opencoesione.IMPORTER, path=path, name=path.name, user=user)


def rewrite(tmp_path, change, name="progetti.csv"):
    """A copy of the real excerpt with ``change(records)`` applied, written as OpenCoesione does."""
    with EXCERPT.open(encoding="utf-8", newline="") as f:
        records = list(csv.reader(f, delimiter=";"))
    delimiter = change(records) or ";"
    out = tmp_path / name
    with out.open("w", encoding="utf-8", newline="") as f:
        csv.writer(f, delimiter=delimiter, lineterminator="\n").writerows(records)
    return out


@pytest.fixture
def linked(people):
    """Two pact projects carrying CUPs of the real file (Firenze, Piombino)."""
    people.own.cup = "H37H21001230002"
    people.own.budget = Decimal("300000.00")
    people.own.save()
    people.other.cup = "H78C18000080004"
    people.other.save()
    return people


def test_real_file_links_matching_projects_and_reports_the_others(linked, tmp_path):
    path = tmp_path / EXCERPT.name
    shutil.copy(EXCERPT, path)
    result = run(path)
    assert result.rows == 30
    assert result.summary["linked"] == 2
    assert result.summary["unmatched"] == 28
    assert "H15F21000290002" in result.summary["unmatched CUP"]
    record = OpenCoesioneRecord.objects.get(project=linked.own)
    assert record.cup == "H37H21001230002"
    assert record.local_code == "6TO1121730/1"
    assert record.public_total == Decimal("340000.00")
    assert record.commitments == Decimal("259641.74")
    assert record.payments == Decimal("21049.77")
    assert record.financing == {"FINANZ_STATO_FSC": "340000.00"}
    assert record.state == "In corso"
    assert record.procedural_state == "In esecuzione"
    assert record.start_on == dt.date(2022, 2, 27)
    assert record.planned_end_on == dt.date(2024, 9, 30)
    assert record.source_updated_on == dt.date(2025, 4, 30)
    assert record.link == "https://opencoesione.gov.it/it/dati/progetti/6to11217301/"
    other = OpenCoesioneRecord.objects.get(project=linked.other)
    assert other.financing == {"FINANZ_STATO_FSC": "1800000.00",
                               "FINANZ_COMUNE": "1633865.20"}
    assert other.history.count() == 1
    # Importing again replaces the figures, it does not add records.
    run(path)
    assert OpenCoesioneRecord.objects.count() == 2


def test_no_project_matches_is_not_a_fault(people, tmp_path):
    path = tmp_path / EXCERPT.name
    shutil.copy(EXCERPT, path)
    result = run(path)
    assert result.summary["linked"] == 0 and result.summary["unmatched"] == 30
    assert not OpenCoesioneRecord.objects.exists()


def refused(path) -> list[str]:
    with pytest.raises(ApplicationError) as caught:
        run(path)
    assert not OpenCoesioneRecord.objects.exists()  # all or nothing
    return [f"{p.file}|{p.row}|{p.field}|{p.code}" for p in caught.value.problems]


def test_a_bad_number_is_refused_whole_naming_row_and_column(linked, tmp_path):
    def change(records):
        h = records[0]
        records[3][h.index("IMPEGNI")] = "1.234,5x"
        records[5][h.index("OC_DATA_INIZIO_PROGETTO")] = "2023-02-13"
    problems = refused(rewrite(tmp_path, change))
    assert problems == ["progetti.csv|4|IMPEGNI|bad-cell",
                        "progetti.csv|6|OC_DATA_INIZIO_PROGETTO|bad-cell"]


def test_a_missing_cup_column_is_refused(linked, tmp_path):
    def change(records):
        records[0][records[0].index("CUP")] = "CODICE_CUP"
    assert refused(rewrite(tmp_path, change)) == ["progetti.csv|1|CUP|missing-column"]


def test_a_comma_separated_file_is_refused(linked, tmp_path):
    problems = refused(rewrite(tmp_path, lambda records: ",", name="virgole.csv"))
    assert "virgole.csv|1|None|wrong-separator" in problems


def test_the_upload_is_bounded(linked, tmp_path, settings):
    settings.PATTO_UPLOAD_MAX_BYTES = 10_000
    path = tmp_path / EXCERPT.name
    shutil.copy(EXCERPT, path)
    with pytest.raises(ApplicationError) as caught:
        run(path)
    assert not OpenCoesioneRecord.objects.exists()
    assert caught.value.problems
    settings.PATTO_UPLOAD_MAX_BYTES = 10 * 1024 * 1024
    settings.PATTO_UPLOAD_MAX_ROWS = 10
    with pytest.raises(ApplicationError):
        run(path)
    assert not OpenCoesioneRecord.objects.exists()


@pytest.fixture
def exported(linked, tmp_path):
    own = linked.own
    own.title = "=HYPERLINK(\"http://x\")"
    own.start_on = dt.date(2022, 3, 1)
    own.save()
    Funding.objects.create(project=own, source="FSE+", kind="eu", amount=Decimal("100000.50"))
    Funding.objects.create(project=own, source="Regione", kind="regional",
                           amount=Decimal("50000"))
    Funding.objects.create(project=own, source="Fondazione", kind="private",
                           amount=Decimal("25000"))
    ProcedureStep.objects.create(project=own, step="works",
                                 planned_start_on=dt.date(2023, 5, 1),
                                 planned_end_on=dt.date(2024, 6, 30),
                                 actual_start_on=dt.date(2023, 6, 1))
    path = tmp_path / EXCERPT.name
    shutil.copy(EXCERPT, path)
    run(path)  # commitments and payments come from national monitoring
    return linked


def test_export_in_opencoesione_columns_reads_back(exported):
    text = opencoesione.export_csv(exported.pact.code)
    rows = list(csv.DictReader(io.StringIO(text), delimiter=";"))
    assert list(rows[0]) == oc.EXPORT_HEADER
    by_cup = {r["CUP"]: r for r in rows}
    own = by_cup["H37H21001230002"]
    # Decimal commas out, formula-like text escaped.
    assert own["FINANZ_UE"] == "100000,50"
    assert own["FINANZ_REGIONE"] == "50000,00"
    assert own["FINANZ_PRIVATO"] == "25000,00"
    assert own["FINANZ_TOTALE_PUBBLICO"] == "150000,50"
    assert own["IMPEGNI"] == "259641,74" and own["TOT_PAGAMENTI"] == "21049,77"
    assert own["OC_TITOLO_PROGETTO"] == "'=HYPERLINK(\"http://x\")"
    assert own["DATA_INIZIO_PREV_ESECUZIONE"] == "20230501"
    assert own["DATA_INIZIO_EFF_ESECUZIONE"] == "20230601"
    assert own["OC_DATA_INIZIO_PROGETTO"] == "20220301"
    # Read back by our own reader: the same figures.
    record, faults = oc.read_record(own)
    assert faults == []
    assert record.financing == {"FINANZ_UE": Decimal("100000.50"),
                                "FINANZ_REGIONE": Decimal("50000.00"),
                                "FINANZ_PRIVATO": Decimal("25000.00")}
    assert record.steps["works"] == (dt.date(2023, 5, 1), dt.date(2024, 6, 30),
                                     dt.date(2023, 6, 1), None)
    assert record.public_total == Decimal("150000.50")


def test_export_round_trips_through_the_importer(exported, tmp_path):
    """The exported file, imported through the pipeline, links the same projects."""
    path = tmp_path / "export.csv"
    path.write_text(opencoesione.export_csv(exported.pact.code), encoding="utf-8")
    OpenCoesioneRecord.objects.all().delete()
    result = run(path)
    assert result.summary["linked"] == 2
    record = OpenCoesioneRecord.objects.get(project=exported.own)
    assert record.public_total == Decimal("150000.50")
    assert record.commitments == Decimal("259641.74")
    assert record.title == "=HYPERLINK(\"http://x\")"  # the pipeline takes the apostrophe off


def test_registered_download_uses_the_one_exporter(exported):
    from patto.core import downloads

    assert downloads._kinds["projects-opencoesione"] is opencoesione.DOWNLOAD
    header, rows = opencoesione.DOWNLOAD.build(pact=exported.pact.code)
    assert header == oc.EXPORT_HEADER
    assert len(rows) == Project.objects.filter(pact=exported.pact).count()
    text = opencoesione.export_comma_csv(exported.pact.code)
    assert "'=HYPERLINK" in text and "100000,50" in text


def test_project_page_shows_national_figures(exported, client):
    register_sheet_panel(opencoesione.national_panel)
    response = client.get(exported.own.get_absolute_url())
    assert response.status_code == 200
    html = response.content.decode()
    assert "H37H21001230002" in html
    assert "259.641,74" in html  # commitments, Italian format
    assert "340.000,00" in html and "300.000,00" in html  # national beside the pact's
    assert "30/04/2025" in html
    # A project without a national record has no panel.
    OpenCoesioneRecord.objects.filter(project=exported.other).delete()
    assert opencoesione.national_panel(exported.other) is None


def test_export_view_serves_both_shapes(exported, rf):
    from django.http import Http404

    semicolons = opencoesione.export_view(rf.get("/"), exported.pact.code)
    assert semicolons["Content-Disposition"].endswith('.csv"')
    assert semicolons.content.decode().startswith("COD_LOCALE_PROGETTO;CUP;")
    xlsx = opencoesione.export_view(rf.get("/", {"formato": "xlsx"}), exported.pact.code)
    assert xlsx.status_code == 200
    with pytest.raises(Http404):
        opencoesione.export_view(rf.get("/"), "no-such-pact")
