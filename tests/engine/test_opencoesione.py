"""OpenCoesione's cells: decimal commas, YYYYMMDD dates, the real header, a round trip."""

from __future__ import annotations

import csv
import datetime as dt
from decimal import Decimal
from pathlib import Path

import pytest

from patto.engine import opencoesione as oc

EXCERPT = (Path(__file__).parents[1] / "projects" / "files" / "opencoesione"
           / "progetti_esteso_CULTURA_TURISMO_2021-2027_20250430_excerpt.csv")


def real_rows():
    with EXCERPT.open(encoding="utf-8", newline="") as f:
        return list(csv.DictReader(f, delimiter=";"))


def test_every_column_used_is_in_the_real_header():
    with EXCERPT.open(encoding="utf-8", newline="") as f:
        header = next(csv.reader(f, delimiter=";"))
    assert len(header) == 200
    assert set(oc.EXPORT_HEADER) <= set(header)
    assert [c for c in header if c in oc.EXPORT_HEADER] == oc.EXPORT_HEADER  # same order


def test_decimal_commas_in_and_out():
    assert oc.parse_amount("340000,00") == Decimal("340000.00")
    assert oc.parse_amount("0,5") == Decimal("0.5")
    assert oc.parse_amount("") is None
    assert oc.format_amount(Decimal("3433865.2")) == "3433865,20"
    assert oc.format_amount(None) == ""
    for bad in ("1.234,50", "12a", "1,2,3", "340000.00"):
        with pytest.raises(oc.CellError):
            oc.parse_amount(bad)


def test_dates():
    assert oc.parse_date("20220227") == dt.date(2022, 2, 27)
    assert oc.parse_date(" ") is None
    assert oc.format_date(dt.date(2024, 9, 30)) == "20240930"
    for bad in ("2022-02-27", "20221332", "27/02/2022"):
        with pytest.raises(oc.CellError):
            oc.parse_date(bad)


def test_real_rows_read_without_faults():
    rows = real_rows()
    assert len(rows) == 30
    records = []
    for cells in rows:
        record, faults = oc.read_record(cells)
        assert faults == []
        records.append(record)
    first = records[0]
    assert first.cup == "H37H21001230002"
    assert first.local_code == "6TO1121730/1"
    assert first.public_total == Decimal("340000.00")
    assert first.financing == {"FINANZ_STATO_FSC": Decimal("340000.00")}
    assert first.commitments == Decimal("259641.74")
    assert first.payments == Decimal("21049.77")
    assert first.state == "In corso"
    assert first.start_on == dt.date(2022, 2, 27)
    assert first.planned_end_on == dt.date(2024, 9, 30)
    assert first.actual_end_on is None
    assert first.source_updated_on == dt.date(2025, 4, 30)
    assert first.steps["works"] == (dt.date(2023, 5, 1), dt.date(2024, 6, 30), None, None)
    # Piombino: FSC and the municipality, summed in the public total.
    third = records[2]
    assert third.financing == {"FINANZ_STATO_FSC": Decimal("1800000.00"),
                               "FINANZ_COMUNE": Decimal("1633865.20")}
    assert third.public_total == Decimal("3433865.20")
    assert sum(r.public_total for r in records) == sum(
        oc.parse_amount(c["FINANZ_TOTALE_PUBBLICO"]) for c in rows)


def test_write_then_read_is_the_same_record():
    for cells in real_rows():
        record, _ = oc.read_record(cells)
        row = dict(zip(oc.EXPORT_HEADER, oc.write_row(record), strict=True))
        again, faults = oc.read_record(row)
        assert faults == []
        assert again == record
        for column in oc.AMOUNTS:
            # The export writes the file's own notation: equal texts where the file has one.
            assert row[column] == (cells[column] or "0,00" if column in oc.SOURCES
                                   else cells[column])
