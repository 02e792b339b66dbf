"""The one exporter: no live formula, no control character, no broken download, same bytes."""

from __future__ import annotations

import csv
import io

import openpyxl
import pytest
from django.db import connection
from django.urls import reverse

from patto.core.exports import csv_text, table_response, xlsx_bytes
from patto.core.text import defuse, undefuse

NASTY = ['=HYPERLINK("http://evil.example","clic")', "+39 051 1234", "-sum(A1)", "@SUM(A1)",
         "\tTAB", "\rCR"]
# In files a lone carriage return becomes a line break, which starts no formula.
IN_FILES = NASTY[:-1]


@pytest.mark.parametrize("value", NASTY)
def test_formula_like_text_is_defused_and_comes_back(value):
    safe = defuse(value)
    assert safe.startswith("'")
    assert undefuse(safe) == value


@pytest.mark.parametrize("value", ["-12.5", "+3", "-0,25", "1e-3", "plain text", ""])
def test_numbers_and_plain_text_are_left_alone(value):
    assert defuse(value) == value


def test_csv_cells_never_start_a_formula():
    text = csv_text(["a", "b"], [[v, "-5.00"] for v in IN_FILES])
    for row in list(csv.reader(io.StringIO(text)))[1:]:
        assert row[0].startswith("'"), row
        assert row[1] == "-5.00"


def test_xlsx_cells_are_text_never_formulas_and_hold_no_control_characters():
    body = xlsx_bytes({"t": (["a"], [[v] for v in [*IN_FILES, "a\x0bb", "x\x00y"]])})
    sheet = openpyxl.load_workbook(io.BytesIO(body)).active
    values = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert all(cell.data_type == "s" for row in sheet.iter_rows() for cell in row)
    assert all(str(v).startswith("'") for v in values[:len(IN_FILES)]), values
    assert values[0] == "'" + NASTY[0]
    assert not any(str(v).startswith("=") for v in values)
    assert values[-2:] == ["ab", "xy"]


def test_xlsx_bytes_are_the_same_for_the_same_data():
    table = {"t": (["a", "b"], [["1", "x"], ["2", "y"]])}
    assert xlsx_bytes(table) == xlsx_bytes(table)


def test_csv_downloads_stream():
    response = table_response(["a"], ([str(n)] for n in range(3)), "csv", "x")
    assert response.streaming
    assert response.getvalue().decode() == "a\n0\n1\n2\n"


def test_fund_downloads_survive_a_control_character_and_defuse_formulas(client, bologna):
    """A movement is immutable: a description recorded before control characters were refused
    must not break the public downloads for ever."""
    from patto.funds.models import Fund, Movement

    fund = Fund.objects.get(pact=bologna, code="comunita")
    movement = Movement.objects.filter(fund=fund).order_by("id").first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE funds_movement SET description = %s WHERE id = %s",
                       ['=HYPERLINK("http://evil.example","x")\x0b', movement.pk])
    for name in ("funds:movements_download", "funds:journal"):
        url = reverse(name, args=[bologna.code, fund.code, "xlsx"])
        response = client.get(url)
        assert response.status_code == 200, url
        sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
        cells = [c.value for row in sheet.iter_rows() for c in row if c.value]
        assert not any(str(c).startswith("=") for c in cells), url
        assert any(str(c).startswith("'=HYPERLINK") for c in cells), url
        response = client.get(reverse(name, args=[bologna.code, fund.code, "csv"]))
        text = response.getvalue().decode()
        assert "'=HYPERLINK" in text and "\x0b" not in text


def test_an_indicator_download_defuses_a_formula_series(client, bologna):
    from patto.monitoring.models import Observation

    observation = Observation.objects.filter(indicator__code="8-5-2", is_current=True).first()
    with connection.cursor() as cursor:
        cursor.execute("UPDATE monitoring_observation SET series = %s WHERE id = %s",
                       ["=1+1", observation.pk])
    url = "/monitoraggio/bologna-2021/indicatori/8-5-2/"
    text = client.get(url, {"formato": "csv"}).getvalue().decode()
    assert "'=1+1" in text and ",=1+1" not in text
