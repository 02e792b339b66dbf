"""OpenCoesione's project data ("progetti" open data): reading and writing its cells.

OpenCoesione (opencoesione.gov.it, CC BY 4.0) publishes one row per project, separated by
semicolons, amounts with a decimal comma and no thousands separator ("340000,00"), dates as
YYYYMMDD ("20220227"). The column names below are the real ones of its ``progetti_esteso``
files; a pact project is linked to a national row by its CUP. Pure: no Django here.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass, field
from decimal import Decimal

LOCAL_CODE = "COD_LOCALE_PROGETTO"
CUP = "CUP"
TITLE = "OC_TITOLO_PROGETTO"
LINK = "OC_LINK"
PUBLIC_TOTAL = "FINANZ_TOTALE_PUBBLICO"
COMMITMENTS = "IMPEGNI"
PAYMENTS = "TOT_PAGAMENTI"
START = "OC_DATA_INIZIO_PROGETTO"
PLANNED_END = "OC_DATA_FINE_PROGETTO_PREVISTA"
ACTUAL_END = "OC_DATA_FINE_PROGETTO_EFFETTIVA"
STATE = "OC_STATO_PROGETTO"
PROCEDURAL_STATE = "OC_STATO_PROCEDURALE"
UPDATED = "DATA_AGGIORNAMENTO"

#: Financing by source, in the file's order (gross amounts, as the file states them).
SOURCES = [
    "FINANZ_UE", "FINANZ_STATO_FONDO_DI_ROTAZIONE", "FINANZ_STATO_FSC", "FINANZ_STATO_PAC",
    "FINANZ_STATO_COMPLETAMENTI", "FINANZ_STATO_ALTRI_PROVVEDIMENTI", "FINANZ_REGIONE",
    "FINANZ_PROVINCIA", "FINANZ_COMUNE", "FINANZ_RISORSE_LIBERATE", "FINANZ_ALTRO_PUBBLICO",
    "FINANZ_STATO_ESTERO", "FINANZ_PRIVATO", "FINANZ_DA_REPERIRE",
]
#: The pact's kinds of funding, as the OpenCoesione source they are written under.
KIND_SOURCE = {
    "eu": "FINANZ_UE", "national": "FINANZ_STATO_ALTRI_PROVVEDIMENTI",
    "regional": "FINANZ_REGIONE", "local": "FINANZ_COMUNE", "private": "FINANZ_PRIVATO",
    "other": "FINANZ_ALTRO_PUBBLICO",
}
#: The pact's procedural steps, as OpenCoesione's phases (iter procedurale).
STEP_PHASE = {
    "design": "PROG_ESEC", "tender": "AGG_BANDO", "award": "STIP_ATTRIB",
    "works": "ESECUZIONE", "testing": "COLLAUDO",
}
STEP_COLUMNS = {  # step -> (planned start, planned end, actual start, actual end)
    step: (f"DATA_INIZIO_PREV_{ph}", f"DATA_FINE_PREV_{ph}", f"DATA_INIZIO_EFF_{ph}",
           f"DATA_FINE_EFF_{ph}") for step, ph in STEP_PHASE.items()
}
AMOUNTS = [*SOURCES, PUBLIC_TOTAL, COMMITMENTS, PAYMENTS]
DATES = [START, PLANNED_END, ACTUAL_END, UPDATED, *(c for cs in STEP_COLUMNS.values() for c in cs)]
REQUIRED = [CUP]

#: The columns of an export, in the order OpenCoesione's files give them.
EXPORT_HEADER = [
    LOCAL_CODE, CUP, TITLE, LINK, *SOURCES, PUBLIC_TOTAL, COMMITMENTS, PAYMENTS, START,
    PLANNED_END, ACTUAL_END, STATE, PROCEDURAL_STATE, UPDATED,
    *(c for cs in STEP_COLUMNS.values() for c in cs),
]

_AMOUNT = re.compile(r"-?\d+(,\d+)?")
_DATE = re.compile(r"\d{8}")


class CellError(ValueError):
    """A cell that is not as OpenCoesione writes it; the message says how it should be."""


def parse_amount(text: str) -> Decimal | None:
    """``340000,00`` -> Decimal('340000.00'); empty -> None; anything else is refused."""
    value = text.strip()
    if not value:
        return None
    if not _AMOUNT.fullmatch(value):
        raise CellError(f"“{text}” is not an amount as OpenCoesione writes it (340000,00)")
    return Decimal(value.replace(",", "."))


def format_amount(value: Decimal | None) -> str:
    if value is None:
        return ""
    return f"{Decimal(value):.2f}".replace(".", ",")


def parse_date(text: str) -> dt.date | None:
    """``20220227`` -> date(2022, 2, 27); empty -> None."""
    value = text.strip()
    if not value:
        return None
    try:
        if not _DATE.fullmatch(value):
            raise ValueError
        return dt.date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError:
        raise CellError(f"“{text}” is not a date as OpenCoesione writes it (20221231)") from None


def format_date(value: dt.date | None) -> str:
    return value.strftime("%Y%m%d") if value else ""


@dataclass
class Record:
    """The national figures of one project row."""

    cup: str
    local_code: str = ""
    title: str = ""
    link: str = ""
    financing: dict[str, Decimal] = field(default_factory=dict)
    public_total: Decimal | None = None
    commitments: Decimal | None = None
    payments: Decimal | None = None
    state: str = ""
    procedural_state: str = ""
    start_on: dt.date | None = None
    planned_end_on: dt.date | None = None
    actual_end_on: dt.date | None = None
    source_updated_on: dt.date | None = None
    steps: dict[str, tuple[dt.date | None, ...]] = field(default_factory=dict)


def read_record(cells: dict[str, str]) -> tuple[Record, list[tuple[str, str]]]:
    """One row's record and its faults as (column, message); absent columns count as empty."""
    faults: list[tuple[str, str]] = []
    amounts: dict[str, Decimal | None] = {}
    dates: dict[str, dt.date | None] = {}
    for column in AMOUNTS:
        try:
            amounts[column] = parse_amount(cells.get(column, ""))
        except CellError as exc:
            faults.append((column, str(exc)))
    for column in DATES:
        try:
            dates[column] = parse_date(cells.get(column, ""))
        except CellError as exc:
            faults.append((column, str(exc)))
    record = Record(
        cup=cells.get(CUP, "").strip().upper(),
        local_code=cells.get(LOCAL_CODE, "").strip(),
        title=cells.get(TITLE, "").strip(),
        link=cells.get(LINK, "").strip(),
        financing={s: amounts[s] for s in SOURCES if amounts.get(s)},
        public_total=amounts.get(PUBLIC_TOTAL),
        commitments=amounts.get(COMMITMENTS),
        payments=amounts.get(PAYMENTS),
        state=cells.get(STATE, "").strip(),
        procedural_state=cells.get(PROCEDURAL_STATE, "").strip(),
        start_on=dates.get(START),
        planned_end_on=dates.get(PLANNED_END),
        actual_end_on=dates.get(ACTUAL_END),
        source_updated_on=dates.get(UPDATED),
        steps={step: tuple(dates.get(c) for c in cs) for step, cs in STEP_COLUMNS.items()
               if any(dates.get(c) for c in cs)},
    )
    return record, faults


def write_row(record: Record) -> list[str]:
    """A record as a row of :data:`EXPORT_HEADER`, in OpenCoesione's own notation."""
    cells = {
        LOCAL_CODE: record.local_code, CUP: record.cup, TITLE: record.title, LINK: record.link,
        PUBLIC_TOTAL: format_amount(record.public_total),
        COMMITMENTS: format_amount(record.commitments), PAYMENTS: format_amount(record.payments),
        START: format_date(record.start_on), PLANNED_END: format_date(record.planned_end_on),
        ACTUAL_END: format_date(record.actual_end_on), STATE: record.state,
        PROCEDURAL_STATE: record.procedural_state,
        UPDATED: format_date(record.source_updated_on),
    }
    for source in SOURCES:
        cells[source] = format_amount(record.financing.get(source, Decimal(0)))
    for step, columns in STEP_COLUMNS.items():
        for column, value in zip(columns, record.steps.get(step, (None,) * 4), strict=True):
            cells[column] = format_date(value)
    return [cells[c] for c in EXPORT_HEADER]
