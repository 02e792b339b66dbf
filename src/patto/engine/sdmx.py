"""Reads SDMX-CSV files, as ISTAT and Eurostat publish them, into plain observations.

Both SDMX-CSV 1.0 (first column ``DATAFLOW``) and 2.0 (first columns ``STRUCTURE``,
``STRUCTURE_ID`` and optionally ``ACTION``) are accepted, comma- or semicolon-separated,
UTF-8 with or without a byte order mark, with plain headers (``ITTER107``) or headers and
codes carrying labels (``ITTER107: Territorio``, ``037006: Bologna``). Every problem is
reported at once with its file, row and column. Nothing here touches a database.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path

from .problems import InputError, Problem, column_name_problems

DATAFLOW = "DATAFLOW"
STRUCTURE = "STRUCTURE"
STRUCTURE_ID = "STRUCTURE_ID"
ACTION = "ACTION"
TIME_PERIOD = "TIME_PERIOD"
OBS_VALUE = "OBS_VALUE"
OBS_STATUS = "OBS_STATUS"
OBS_FLAG = "OBS_FLAG"
UNIT_MEAS = "UNIT_MEAS"
#: Columns holding the territory code, in order of preference (compared upper-cased).
AREA_COLUMNS = ("REF_AREA", "ITTER107", "GEO")
#: Columns describing the message rather than the observation (compared upper-cased).
STRUCTURAL_COLUMNS = frozenset({
    DATAFLOW, STRUCTURE, STRUCTURE_ID, "STRUCTURE_NAME", ACTION, "SERIES_KEY", "OBS_KEY",
})
#: Attributes recognised as such, hence not dimensions (compared upper-cased).
ATTRIBUTES = frozenset({
    OBS_STATUS, OBS_FLAG, UNIT_MEAS, "OBS_CONF", "CONF_STATUS", "UNIT_MULT", "DECIMALS",
    "BASE_PER", "BREAK", "OBS_PRE_BREAK", "COMMENT_OBS", "OBS_COMMENT", "COMMENT_TS",
    "TITLE", "TITLE_COMPL", "TIME_FORMAT", "TIME_PER_COLLECT", "EMBARGO_TIME",
    "LAST UPDATE", "LAST_UPDATE", "SOURCE_AGENCY", "COMPILING_ORG", "DISS_ORG", "DATA_COMP",
})
#: Attribute families recognised by their prefix (notes, metadata in several languages).
ATTRIBUTE_PREFIXES = ("NOTE_", "METADATA_", "COMMENT_")

_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_PERIOD = re.compile(
    r"(?P<year>\d{4})"
    r"(?:-(?:Q[1-4]|S[12]|T[1-3]|A1|M(?:0[1-9]|1[0-2])|W(?:0[1-9]|[1-4]\d|5[0-3])|D\d{3}"
    r"|(?:0[1-9]|1[0-2])(?:-(?:0[1-9]|[12]\d|3[01])"
    r"(?:T\d{2}(?::\d{2}(?::\d{2}(?:\.\d+)?)?)?(?:Z|[+-]\d{2}:?\d{2})?)?)?))?"
    r"(?:/P[0-9YMWDTHS.]+)?"
)
_MISSING = ("", "nan")


@dataclass(frozen=True, slots=True)
class SdmxObservation:
    """One observation of an SDMX-CSV file.

    ``dimensions`` holds every column that is not structural (``DATAFLOW``, ``STRUCTURE*``,
    ``ACTION``, keys), ``TIME_PERIOD``, ``OBS_VALUE`` or a recognised attribute, as
    (column, code) pairs sorted by column; the area column is among them. ``row`` is the
    spreadsheet row number (the header is row 1).
    """

    dataflow: str
    dimensions: tuple[tuple[str, str], ...]
    area: str | None
    period: str
    year: int
    value: Decimal | None
    status: str | None
    unit: str | None
    row: int


def _column_code(header: str) -> str:
    """The component id of a header cell: ``ITTER107: Territorio`` gives ``ITTER107``."""
    code = header.split(":", 1)[0].strip()
    if code.endswith("]") and "[" in code:  # STRUCTURE[;], multi-valued ATTR[]
        code = code[: code.index("[")]
    return code


def _code(text: str, labelled: bool) -> str:
    """A cell's code, without the label that ``labels=both`` appends after ': '."""
    text = text.strip()
    if labelled and ": " in text:
        return text.split(": ", 1)[0].strip()
    return text


_STRUCTURE_HEAD = re.compile(r'"?STRUCTURE(?:\[[^\]]*\])?"?(?P<sep>[^\w\s"])', re.IGNORECASE)


def _sniff(text: str) -> str:
    """The separator: SDMX-CSV 2.0 puts it right after STRUCTURE; else the likeliest one."""
    first = text.splitlines()[0] if text else ""
    if (match := _STRUCTURE_HEAD.match(first)) and match.group("sep") in ",;\t":
        return match.group("sep")
    counts = {d: len(next(csv.reader([first], delimiter=d), [])) for d in (",", ";", "\t")}
    return max(counts, key=lambda d: counts[d])  # ties keep the order above: ',' first


def _is_attribute(upper: str) -> bool:
    return upper in ATTRIBUTES or upper.startswith(ATTRIBUTE_PREFIXES)


def read_sdmx_csv(path: str | Path) -> list[SdmxObservation]:
    """Read an SDMX-CSV data file.

    Parameters
    ----------
    path : str or Path
        The file. Its separator (``,``, ``;`` or tab) is taken from the header row; with
        ``;`` a decimal comma in ``OBS_VALUE`` (``12,5``) is accepted too.

    Returns
    -------
    list of SdmxObservation
        In file order. ``value`` is None when ``OBS_VALUE`` is blank or ``NaN``; ``status``
        comes from ``OBS_STATUS``, else Eurostat's ``OBS_FLAG``; ``unit`` from
        ``UNIT_MEAS``; ``area`` from ``REF_AREA``, ``ITTER107`` or Eurostat's ``geo``. Rows
        with action ``D`` (delete) and rows without both period and value (attributes of a
        partial key) are not observations and are left out.

    Raises
    ------
    InputError
        With every problem found, each naming the file, row and column and saying how to
        fix it: missing columns, unreadable periods or values, duplicate observations.
    """
    path = Path(path)
    file = path.name
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise InputError([Problem(
            file=file, code="missing-file",
            detail=f"cannot read the file ({exc.strerror}); check its path",
        )]) from exc
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InputError([Problem(
            file=file, code="encoding-error", row=data[: exc.start].count(b"\n") + 1,
            detail=f"byte {exc.start} is not UTF-8 text; save the file as UTF-8 CSV",
            params={"offset": exc.start},
        )]) from exc
    delimiter = _sniff(text)
    try:
        records = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise InputError([Problem(
            file=file, code="bad-csv",
            detail=f"not a readable CSV file ({exc}); save it again as UTF-8 CSV",
        )]) from exc
    if not records or not any(cell.strip() for cell in records[0]):
        raise InputError([Problem(
            file=file, code="empty-file", row=1,
            detail="the file has no header; the first row must name the columns (DATAFLOW, "
                   "the dimensions, TIME_PERIOD, OBS_VALUE, ...)",
        )])

    header = records[0]
    labelled = any(":" in cell for cell in header)
    names = [_column_code(cell) for cell in header]
    upper = [name.upper() for name in names]
    problems = _header_problems(file, names, upper)
    if problems:
        raise InputError(problems)

    def at(name: str) -> int | None:
        return upper.index(name) if name in upper else None

    flow_at = at(DATAFLOW) if DATAFLOW in upper else at(STRUCTURE_ID)
    action_at, time_at, value_at = at(ACTION), at(TIME_PERIOD), at(OBS_VALUE)
    status_at = at(OBS_STATUS) if OBS_STATUS in upper else at(OBS_FLAG)
    unit_at = at(UNIT_MEAS)
    area_at = next((at(name) for name in AREA_COLUMNS if name in upper), None)
    dimension_at = [i for i, u in enumerate(upper)
                    if u not in STRUCTURAL_COLUMNS and u not in (TIME_PERIOD, OBS_VALUE)
                    and not _is_attribute(u)]

    def code(record: list[str], i: int | None) -> str | None:
        return (_code(record[i], labelled) or None) if i is not None else None

    observations: list[SdmxObservation] = []
    first_row: dict[tuple, int] = {}
    for index, record in enumerate(records[1:], start=1):
        row = index + 1
        if not any(c.strip() for c in record):
            continue
        if len(record) != len(header):
            problems.append(Problem(
                file=file, code="wrong-cell-count", row=row,
                detail=f"the row has {len(record)} cells but the header has {len(header)}; "
                       f"add or remove separators ('{delimiter}') so that every row has one "
                       f"cell per column",
                params={"cells": len(record), "columns": len(header)},
            ))
            continue
        if (code(record, action_at) or "").upper() == "D":
            continue
        period = record[time_at].strip()
        value_text = record[value_at].strip()
        if not period and not value_text:
            continue
        found = len(problems)
        dataflow = code(record, flow_at)
        if not dataflow:
            problems.append(Problem(
                file=file, code="missing-dataflow", row=row, field=names[flow_at],
                detail=f"{names[flow_at]} is blank; write the dataflow, e.g. "
                       f"IT1:22_289(1.0) or ESTAT:SDG_08_30(1.0)",
            ))
        match = _PERIOD.fullmatch(period)
        if not match:
            problems.append(Problem(
                file=file, code="bad-period", row=row, field=names[time_at],
                detail=f"TIME_PERIOD {period!r} is not an SDMX period; write e.g. 2019, "
                       f"2019-Q1, 2019-S2, 2019-03 or 2019-03-31",
                params={"cell": period},
            ))
        value = _value(value_text, delimiter)
        if value is False:
            hint = ("use a dot as the decimal separator, e.g. " + value_text.replace(",", ".")
                    if _COMMA_DECIMAL.fullmatch(value_text)
                    else "write a number (dot for decimals, no thousands separators), or "
                         "leave the cell blank or write NaN for a missing value")
            problems.append(Problem(
                file=file, code="bad-value", row=row, field=names[value_at],
                detail=f"OBS_VALUE {value_text!r} is not a number; {hint}",
                params={"cell": value_text},
            ))
        if len(problems) > found:
            continue
        observation = SdmxObservation(
            dataflow=dataflow,
            dimensions=tuple(sorted((names[i], _code(record[i], labelled))
                                    for i in dimension_at)),
            area=code(record, area_at),
            period=period,
            year=int(match.group("year")),
            value=value,
            status=code(record, status_at),
            unit=code(record, unit_at),
            row=row,
        )
        key = (observation.dataflow, observation.dimensions, observation.period)
        if key in first_row:
            problems.append(Problem(
                file=file, code="duplicate-observation", row=row, field=names[time_at],
                detail=f"row {first_row[key]} already has this dataflow, dimensions and period "
                       f"{period}; delete one of the two rows or correct its codes",
                params={"first_row": first_row[key], "period": period},
            ))
            continue
        first_row[key] = row
        observations.append(observation)
    if problems:
        raise InputError(problems)
    return observations


#: NUTS 2010 renamed two Italian NUTS 1 groups (Commission Regulation (EU) No 31/2011):
#: Nord-Est ITD became ITH and Centro ITE became ITI, with the same region and province
#: digits after them. ISTAT's territorial code list (CL_ITTER107, the ``ITTER107`` and
#: ``REF_AREA`` columns of its SDMX data) still codes these regions and provinces with the
#: NUTS 2006 letters: Bologna is ``ITD55`` there and ``ITH55`` in NUTS 2021.
ITTER107_NUTS_2006 = {"ITD": "ITH", "ITE": "ITI"}
_NUTS_CODE = re.compile(r"[A-Z]{2}[0-9A-Z]{0,3}")


def area_codes(code: str) -> tuple[str, ...]:
    """The codes an SDMX area code may stand for, in order of preference.

    The code itself first (an ISTAT municipality or province code such as ``037006``, or
    a NUTS 2021 code such as ``ITH55``), then, for an ISTAT ``ITTER107`` code that keeps
    the NUTS 2006 letters of the Italian Nord-Est and Centro, the NUTS 2021 code it
    stands for.

    Examples
    --------
    >>> area_codes("ITD55")
    ('ITD55', 'ITH55')
    >>> area_codes("ith5")
    ('ith5', 'ITH5')
    >>> area_codes("037006")
    ('037006',)
    """
    code = code.strip()
    upper = code.upper()
    found = [code] if upper == code else [code, upper]
    if _NUTS_CODE.fullmatch(upper) and upper[:3] in ITTER107_NUTS_2006:
        found.append(ITTER107_NUTS_2006[upper[:3]] + upper[3:])
    return tuple(found)


def _value(text: str, delimiter: str) -> Decimal | bool | None:
    """The observation value, None when missing, False when not a number."""
    if text.lower() in _MISSING:
        return None
    if delimiter == ";" and _COMMA_DECIMAL.fullmatch(text):
        text = text.replace(",", ".")
    if _NUMBER.fullmatch(text):
        return Decimal(text)
    return False


def _header_problems(file: str, names: list[str], upper: list[str]) -> list[Problem]:
    problems = column_name_problems(file, names, upper)
    if DATAFLOW not in upper and STRUCTURE_ID not in upper:
        problems.append(Problem(
            file=file, code="missing-column", row=1, field=DATAFLOW,
            detail="the header has neither DATAFLOW (SDMX-CSV 1.0) nor STRUCTURE_ID "
                   "(SDMX-CSV 2.0); download the data again as SDMX-CSV, or add a DATAFLOW "
                   "first column naming the dataflow",
        ))
    for required in (TIME_PERIOD, OBS_VALUE):
        if required not in upper:
            problems.append(Problem(
                file=file, code="missing-column", row=1, field=required,
                detail=f"the header has no {required} column; download the data again as "
                       f"SDMX-CSV in its flat (one observation per row) layout, or add the "
                       f"{required} column",
            ))
    return problems
