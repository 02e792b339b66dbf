"""Reads and writes Open SDG data repositories (data/, meta/, indicator-config/) without loss.

An Open SDG data repository keeps one CSV per indicator in ``data/indicator_<id>.csv``
(columns ``Year``, optional ``Series``, ``Units``, ``GeoCode``, disaggregation columns such
as ``Sex``, then ``Value``), its metadata in ``meta/<id>.yml`` and its configuration, among
which the progress calculation options, in ``indicator-config/<id>.yml``. The reader checks
every file first and reports all problems at once, each with its file, row and column; the
writer gives back the very bytes that were read when nothing changed, and serialises new
content deterministically otherwise. Nothing here touches a database.
"""

from __future__ import annotations

import csv
import fnmatch
import io
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field, fields, replace
from decimal import Decimal
from pathlib import Path
from typing import Any

import yaml

from .problems import InputError, Problem, column_name_problems

YEAR = "Year"
VALUE = "Value"
SERIES = "Series"
UNITS = "Units"
GEOCODE = "GeoCode"
#: Columns that are never a disaggregation.
KEY_COLUMNS = (YEAR, VALUE, SERIES, UNITS, GEOCODE)

DATA_DIR = "data"
META_DIR = "meta"
CONFIG_DIR = "indicator-config"
SITE_CONFIG = "config_data.yml"
PROGRESS_OPTIONS = "progress_calculation_options"

_ID = re.compile(r"[0-9A-Za-z]+(?:-[0-9A-Za-z]+)*")
_DATA_NAME = re.compile(r"indicator_(?P<id>.+)\.csv")
_YEAR_TEXT = re.compile(r"\d{4}")
# Open SDG's progress reads the first four digits of a year label ("2024 Q1", "2020/2021",
# "2019-20"); the page shows the label itself.
_YEAR_LABEL = re.compile(r"(?P<year>\d{4})(?:\D.*)?", re.DOTALL)
_NON_FINITE = re.compile(r"[+-]?(?:inf|infinity|nan)", re.IGNORECASE)
_NUMBER = re.compile(r"[+-]?(?:\d+(?:\.\d*)?|\.\d+)(?:[eE][+-]?\d+)?")
_COMMA_DECIMAL = re.compile(r"[+-]?\d+,\d+")
_DIRECTIONS = ("positive", "negative")


@dataclass(frozen=True, slots=True)
class Observation:
    """One row of an indicator CSV with a value.

    ``disaggregation`` holds the non-blank cells of the columns before ``Value`` other than
    ``Year``, ``Series``, ``Units`` and ``GeoCode``, sorted by column name. ``attributes``
    holds the non-blank cells of the other columns after ``Value`` (observation attributes
    such as a footnote), also sorted; they are not part of the series. ``row`` is the
    spreadsheet row number (the header is row 1).
    """

    year: int
    value: Decimal
    series: str | None
    units: str | None
    geocode: str | None
    disaggregation: tuple[tuple[str, str], ...]
    row: int
    attributes: tuple[tuple[str, str], ...] = ()
    #: The Year cell as written when it is more than four digits ("2024 Q1", "2020/2021");
    #: ``year`` holds its first four digits, as Open SDG's progress calculation reads it.
    year_label: str | None = None

    @property
    def period(self) -> str:
        """The year as written in the file: the label when there is one, else the year."""
        return self.year_label or str(self.year)


def _fast_observation() -> Any:
    """A constructor of :class:`Observation` for the reader's loop, taking every field in
    declaration order: it sets the slots directly, past the frozen class's generated
    ``__init__`` (which sets each field through ``object.__setattr__``; building 120,000
    observations that way was half of reading a repository). The result is the same frozen
    object, equal to one built the ordinary way."""
    new = object.__new__
    year, value, series, units, geocode, disaggregation, row, attributes, year_label = (
        Observation.__dict__[f.name].__set__ for f in fields(Observation))

    def make(y: int, v: Decimal | None, s: str | None, u: str | None, g: str | None,
             d: tuple, r: int, a: tuple, label: str | None) -> Observation:
        o = new(Observation)
        year(o, y)
        value(o, v)
        series(o, s)
        units(o, u)
        geocode(o, g)
        disaggregation(o, d)
        row(o, r)
        attributes(o, a)
        year_label(o, label)
        return o

    return make


_make_observation = _fast_observation()


@dataclass(frozen=True, slots=True)
class ColumnOptions:
    """How Open SDG reads an indicator's columns: sdg-build's ``indicator_options``.

    A repository may set them in ``config_data.yml``; these are sdg-build 2.4's defaults
    (``open_sdg_indicator_options_defaults``). Columns listed in neither tuple are
    disaggregations; ``meta_folders`` are the metadata folders in the order their
    ``InputYamlMeta`` inputs are listed, a later one overriding an earlier one.
    """

    non_disaggregation_columns: tuple[str, ...] = (
        "Year", "Units", "Series", "Value", "GeoCode", "Observation status",
        "Unit multiplier", "Unit measure", "UNIT_MEASURE", "SERIES", "COMMENT_TS",
        "DATA_LAST_UPDATE")
    observation_attributes: tuple[str, ...] = ("COMMENT_OBS",)
    series_column: str = SERIES
    unit_column: str = UNITS
    progress_column: str = "Progress"
    meta_folders: tuple[str, ...] = (META_DIR, CONFIG_DIR)
    #: The data files sdg-build reads: its ``InputCsvData`` ``path_pattern`` (default).
    data_patterns: tuple[str, ...] = ("data/*-*.csv",)


DEFAULT_COLUMNS = ColumnOptions()


@dataclass(frozen=True, slots=True)
class IndicatorFile:
    """An indicator's data, metadata and configuration, with the bytes they were read from.

    ``unvalued`` holds the rows set aside (a blank or non-finite value, value None; a second
    value for the same year and series), which Open SDG still sees when it picks a series;
    ``warnings`` says which rows were set aside and why.
    """

    id: str
    columns: tuple[str, ...]
    observations: tuple[Observation, ...]
    meta: dict
    config: dict
    raw: dict[str, bytes]
    options: ColumnOptions = DEFAULT_COLUMNS
    unvalued: tuple[Observation, ...] = ()
    warnings: tuple[Problem, ...] = ()
    #: The data file as it was named in the repository read, if not ``indicator_<id>.csv``.
    data_file: str = ""

    @property
    def data_path(self) -> str:
        """The data file's path relative to the repository, e.g. ``data/indicator_1-2-1.csv``."""
        return self.data_file or _data_path(self.id)

    @property
    def settings(self) -> dict:
        """Metadata and configuration merged as sdg-build merges its inputs.

        Folders are merged in ``options.meta_folders`` order (by default ``meta`` then
        ``indicator-config``, so the configuration wins), nested mappings key by key.
        """
        merged: dict = {}
        documents = {META_DIR: self.meta, CONFIG_DIR: self.config}
        for folder in self.options.meta_folders:
            _deep_update(merged, documents.get(folder) or {})
        return merged

    @property
    def progress_options(self) -> list[dict]:
        """The progress calculation options of the merged settings, else [].

        Each option may have ``direction``, ``base_year``, ``target_year``, ``target``,
        ``limit``, ``progress_thresholds``, ``series``, ``unit`` and ``disaggregation``.
        """
        options = self.settings.get(PROGRESS_OPTIONS)
        return list(options) if isinstance(options, list) else []


def _deep_update(target: dict, update: dict) -> dict:
    """sdg-build's ``Indicator.deepUpdate``: nested mappings merged, other values replaced."""
    for key, value in update.items():
        if isinstance(value, dict):
            target[key] = _deep_update(dict(target.get(key) or {}) if isinstance(
                target.get(key), dict) else {}, value)
        else:
            target[key] = value
    return target


def series_key(o: Observation) -> tuple:
    """The time series an observation belongs to: (series, units, geocode, disaggregation)."""
    return (o.series, o.units, o.geocode, o.disaggregation)


def headline(observations: Iterable[Observation]) -> list[Observation]:
    """The observations of the total (headline): those without any disaggregation."""
    return [o for o in observations if not o.disaggregation]


# --------------------------------------------------------------------------- reading


@dataclass(frozen=True, slots=True)
class RepositoryReading:
    """What a lenient read found: the indicators that could be read, and what could not."""

    indicators: list[IndicatorFile]
    problems: list[Problem]
    #: Data files that sdg-build would not read (their names match no ``path_pattern``):
    #: left out, as sdg-build leaves them; a strict read refuses them.
    ignored: list[Problem] = field(default_factory=list)

    @property
    def warnings(self) -> list[Problem]:
        return [w for i in self.indicators for w in i.warnings]

    def problems_of(self, inid: str) -> list[Problem]:
        """The problems found in one indicator's files."""
        names = {_data_path(inid), f"{DATA_DIR}/{inid}.csv", f"{META_DIR}/{inid}.yml",
                 f"{CONFIG_DIR}/{inid}.yml"}
        return [p for p in self.problems if p.file in names]


def read_repository(path: str | Path, laps: Any = None) -> list[IndicatorFile]:
    """Read an Open SDG data folder, refusing it whole if any file has a problem.

    See :func:`read_repository_lenient` for what is read; this raises where that one
    reports.

    Raises
    ------
    InputError
        With every problem found, each naming the file (relative path), the row and the
        column, and saying how to fix it.
    """
    reading = read_repository_lenient(path, laps)
    if reading.problems or reading.ignored:
        raise InputError(reading.problems + reading.ignored)
    return reading.indicators


def read_repository_lenient(path: str | Path, laps: Any = None) -> RepositoryReading:
    """Read an Open SDG data folder as sdg-build 2.4 reads it, one indicator at a time.

    Parameters
    ----------
    path : str or Path
        The folder holding ``data/`` and, optionally, ``meta/`` and ``indicator-config/``.
        Every ``data/*.csv`` is read; ``meta/<id>.yml`` and ``indicator-config/<id>.yml``
        are read when present for an indicator that has data. Other files are ignored.

    Returns
    -------
    RepositoryReading
        ``indicators``: one per data file without problems, in natural order of id
        (``2-1-1`` before ``10-1-1``); ``problems``: what kept the others out, each naming
        its file, row and column. A year written with a suffix or as a range ("2024 Q1",
        "2020/2021") is read as its first four digits, keeping its label; rows with a blank
        or non-finite ``Value`` are skipped and reported as warnings of their indicator.
        ``config_data.yml``, when present, gives the column options and the order in which
        ``meta/`` and ``indicator-config/`` are merged; missing ``meta/`` and
        ``indicator-config/`` files are no problem.

    ``laps``, when given, is told (``laps.lap("read files")``, ``laps.lap("parse")``)
    where the time went, for ``patto bench monitoring``.

    Raises
    ------
    InputError
        Only when there is no ``data/`` folder at all.
    """
    root = Path(path)
    data_dir = root / DATA_DIR
    if not data_dir.is_dir():
        raise InputError([Problem(
            file=DATA_DIR, code="missing-folder",
            detail=f"there is no {DATA_DIR}/ folder in {root}; pass the folder of an Open SDG "
                   f"data repository, the one holding {DATA_DIR}/, {META_DIR}/ and "
                   f"{CONFIG_DIR}/",
        )])

    problems: list[Problem] = []
    ignored: list[Problem] = []
    indicators: list[IndicatorFile] = []
    options, found = _site_options(root)
    problems.extend(found)
    for entry in sorted(data_dir.iterdir(), key=lambda p: p.name):
        if entry.name.startswith(".") or not entry.is_file():
            continue
        if not entry.name.lower().endswith(".csv"):
            continue
        relative = f"{DATA_DIR}/{entry.name}"
        if not any(fnmatch.fnmatchcase(relative, p) for p in options.data_patterns):
            # sdg-build reads only the files its path pattern names.
            ignored.append(_bad_file_name(relative, entry.name))
            continue
        # sdg-build's id: the file name without extension and without "indicator_".
        inid = entry.name[:-4].replace("indicator_", "")
        if not _ID.fullmatch(inid):
            problems.append(_bad_file_name(relative, entry.name))
            continue
        raw = {relative: entry.read_bytes()}
        if laps is not None:
            laps.lap("read files")
        columns, observations, found, unvalued = _parse_csv(relative, raw[relative])
        if laps is not None:
            laps.lap("parse")
        warnings = tuple(p for p in found if p.code in WARNING_CODES)
        found = [p for p in found if p.code not in WARNING_CODES]
        documents: dict[str, dict] = {}
        for folder in (META_DIR, CONFIG_DIR):
            yml = root / folder / f"{inid}.yml"
            yml_relative = f"{folder}/{inid}.yml"
            if yml.is_file():
                raw[yml_relative] = yml.read_bytes()
                if laps is not None:
                    laps.lap("read files")
                documents[folder], more = _parse_yaml(yml_relative, raw[yml_relative])
                found.extend(more)
                if laps is not None:
                    laps.lap("parse")
            else:
                documents[folder] = {}
        if found:
            problems.extend(found)
            continue
        indicators.append(IndicatorFile(
            id=inid, columns=columns, observations=observations,
            meta=documents[META_DIR], config=documents[CONFIG_DIR], raw=raw,
            options=options, unvalued=unvalued, warnings=warnings,
            data_file="" if relative == _data_path(inid) else relative,
        ))
    return RepositoryReading(sorted(indicators, key=lambda i: natural_key(i.id)), problems,
                             ignored)


#: Problem codes that skip a value but do not keep an indicator out.
WARNING_CODES = frozenset({"empty-value", "non-finite-value", "blank-column-name",
                           "duplicate-row", "short-row"})


def _site_options(root: Path) -> tuple[ColumnOptions, list[Problem]]:
    """The column options and metadata order of ``config_data.yml``, or the defaults."""
    path = root / SITE_CONFIG
    if not path.is_file():
        return DEFAULT_COLUMNS, []
    document, problems = _parse_yaml(SITE_CONFIG, path.read_bytes(), check=False)
    if problems:
        return DEFAULT_COLUMNS, problems
    given = document.get("indicator_options")
    given = given if isinstance(given, dict) else {}

    def names(key: str, default: tuple[str, ...]) -> tuple[str, ...]:
        value = given.get(key)
        return tuple(str(v) for v in value) if isinstance(value, list) else default

    folders, patterns = [], []
    for spec in document.get("inputs") or []:
        if isinstance(spec, dict) and spec.get("class") == "InputYamlMeta":
            folder = str(spec.get("path_pattern") or "").split("/")[0]
            if folder in (META_DIR, CONFIG_DIR) and folder not in folders:
                folders.append(folder)
        if isinstance(spec, dict) and spec.get("class") == "InputCsvData":
            given_patterns = spec.get("path_pattern") or DEFAULT_COLUMNS.data_patterns
            if isinstance(given_patterns, str):
                given_patterns = [given_patterns]
            patterns += [str(p) for p in given_patterns]
    return ColumnOptions(
        non_disaggregation_columns=names("non_disaggregation_columns",
                                         DEFAULT_COLUMNS.non_disaggregation_columns),
        observation_attributes=names("observation_attributes",
                                     DEFAULT_COLUMNS.observation_attributes),
        series_column=str(given.get("series_column") or SERIES),
        unit_column=str(given.get("unit_column") or UNITS),
        meta_folders=tuple(folders) or DEFAULT_COLUMNS.meta_folders,
        data_patterns=tuple(patterns) or DEFAULT_COLUMNS.data_patterns,
    ), []


def natural_key(inid: str) -> tuple:
    """Sort key putting indicator ids in reading order: 1-2-1, 2-1-1, 10-1-1, 10-a-1."""
    return tuple((0, int(part), "") if part.isdigit() else (1, 0, part)
                 for part in inid.split("-"))


def _data_path(inid: str) -> str:
    return f"{DATA_DIR}/indicator_{inid}.csv"


def _bad_file_name(relative: str, name: str) -> Problem:
    stem = name[:-4] if name.lower().endswith(".csv") else name
    guess = re.sub(r"^indicator[_\- ]?", "", stem, flags=re.IGNORECASE)
    guess = re.sub(r"[._ ]+", "-", guess).strip("-").lower()
    hint = (f"rename it to indicator_{guess}.csv" if _ID.fullmatch(guess)
            else "rename it to indicator_<id>.csv, the id made of the indicator number's parts "
                 "joined by '-', e.g. indicator_1-2-1.csv")
    return Problem(
        file=relative, code="bad-file-name",
        detail=f"file name {name!r} is not indicator_<id>.csv; {hint}",
        params={"name": name},
    )


def _decode(relative: str, data: bytes) -> tuple[str | None, list[Problem]]:
    try:
        return data.decode("utf-8-sig"), []
    except UnicodeDecodeError as exc:
        row = data[: exc.start].count(b"\n") + 1
        return None, [Problem(
            file=relative, code="encoding-error", row=row,
            detail=f"byte {exc.start} is not UTF-8 text; save the file as UTF-8 CSV",
            params={"offset": exc.start},
        )]


def _header_problems(relative: str, header: list[str]) -> list[Problem]:
    problems = column_name_problems(relative, header)
    for required in (YEAR, VALUE):
        if required in header:
            continue
        near = [n for n in header if n.strip().lower() == required.lower()]
        hint = (f"rename column {near[0]!r} to {required!r} (names are case-sensitive)" if near
                else f"add a {required!r} column to the header")
        problems.append(Problem(
            file=relative, code="missing-column", row=1, field=required,
            detail=f"the header has no {required!r} column; {hint}",
        ))
    return problems


def _parse_csv(
    relative: str, data: bytes,
) -> tuple[tuple[str, ...], tuple[Observation, ...], list[Problem], tuple[Observation, ...]]:
    """Parse an indicator CSV: (header, observations, problems, rows without a value).

    Rows without a usable value come back with ``value`` None; their problems (codes in
    :data:`WARNING_CODES`) are warnings.
    """
    text, problems = _decode(relative, data)
    if text is None:
        return (), (), problems, ()
    try:
        records = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error as exc:
        return (), (), [Problem(
            file=relative, code="bad-csv",
            detail=f"not a readable CSV file ({exc}); save it again as UTF-8 CSV",
        )], ()
    if not records or not any(cell.strip() for cell in records[0]):
        return (), (), [Problem(
            file=relative, code="empty-file", row=1,
            detail="the file has no header; the first row must name the columns, at least "
                   "Year and Value",
        )], ()
    header = records[0]
    columns = tuple(header)
    if len(header) == 1 and (";" in header[0] or "\t" in header[0]):
        return columns, (), [Problem(
            file=relative, code="wrong-separator", row=1,
            detail="the columns are separated by ';' or tabs; Open SDG reads comma-separated "
                   "files, so save it as CSV with ',' between cells and '.' for decimals",
        )], ()
    problems = _header_problems(relative, header)
    if any(p.code not in WARNING_CODES for p in problems):
        return columns, (), problems, ()

    year_at, value_at = header.index(YEAR), header.index(VALUE)
    series_at, units_at, geocode_at = (
        header.index(name) if name in header else None for name in (SERIES, UNITS, GEOCODE))
    # A column without a name (a trailing separator, as spreadsheets write) is read past, as
    # sdg-build reads past its "Unnamed" columns when they are empty.
    disaggregation_at = [i for i, name in enumerate(header)
                         if name not in KEY_COLUMNS and i < value_at and name.strip()]
    attribute_at = [i for i, name in enumerate(header)
                    if name not in KEY_COLUMNS and i > value_at and name.strip()]

    width = len(header)
    # 120,000 rows make the loop below the reader's cost: what does not change from row to
    # row is worked out once (a year text's reading, whether there are disaggregation or
    # attribute columns at all), and the common case, a plain number, is tried first.
    years: dict[str, tuple[int, str | None] | None] = {}
    number, non_finite, make = _NUMBER.fullmatch, _NON_FINITE.fullmatch, _make_observation
    observations: list[Observation] = []
    unvalued: list[Observation] = []
    duplicates: list[Observation] = []
    first_row: dict[tuple, int] = {}
    for row, record in enumerate(records[1:], start=2):
        if len(record) != width:
            if not "".join(record).strip():
                continue
            if len(record) < width:
                # Open SDG (pandas) reads the missing cells at the end of a row as blank.
                problems.append(Problem(
                    file=relative, code="short-row", row=row,
                    detail=f"the row has {len(record)} cells but the header has {width}; "
                           f"the missing cells at its end are read as blank",
                    params={"cells": len(record), "columns": width},
                ))
                record = record + [""] * (width - len(record))
            else:
                problems.append(Problem(
                    file=relative, code="wrong-cell-count", row=row,
                    detail=f"the row has {len(record)} cells but the header has {width}; "
                           f"add or remove separators so that every row has one cell per "
                           f"column",
                    params={"cells": len(record), "columns": width},
                ))
                continue
        value_text = record[value_at].strip()
        if not value_text and not "".join(record).strip():
            continue  # a blank row (a row with a value is not blank)
        year_text = record[year_at].strip()
        if year_text in years:
            reading = years[year_text]
        else:
            label = _YEAR_LABEL.fullmatch(year_text)
            reading = years[year_text] = (int(label.group("year")), None if _YEAR_TEXT
                                          .fullmatch(year_text) else year_text) \
                if label else None
        if reading is None:
            problems.append(Problem(
                file=relative, code="bad-year", row=row, field=YEAR,
                detail=f"Year {year_text!r} does not start with a four-digit year; write it "
                       f"as e.g. 2015, or with a suffix or range such as 2015 Q1 or 2015/2016",
                params={"cell": year_text},
            ))
        value = None
        skipped = None
        if value_text and number(value_text):
            value = Decimal(value_text)
        elif not value_text:
            skipped = Problem(
                file=relative, code="empty-value", row=row, field=VALUE,
                detail="the Value cell is empty, so the row is skipped, as Open SDG skips it",
            )
        elif non_finite(value_text):
            skipped = Problem(
                file=relative, code="non-finite-value", row=row, field=VALUE,
                detail=f"Value {value_text!r} is not a finite number, so the row is skipped; "
                       f"leave the cell blank for a missing value",
                params={"cell": value_text},
            )
        else:
            hint = ("use a dot as the decimal separator, e.g. " + value_text.replace(",", ".")
                    if _COMMA_DECIMAL.fullmatch(value_text)
                    else "write a number such as 12.5 (dot for decimals, no thousands "
                         "separators or units), or leave the cell blank for no value")
            problems.append(Problem(
                file=relative, code="bad-value", row=row, field=VALUE,
                detail=f"Value {value_text!r} is not a number; {hint}",
                params={"cell": value_text},
            ))
        if reading is None or (value is None and skipped is None):
            continue
        series = record[series_at] if series_at is not None else None
        units = record[units_at] if units_at is not None else None
        geocode = record[geocode_at] if geocode_at is not None else None
        observation = make(
            reading[0], value,
            series if series and series.strip() else None,
            units if units and units.strip() else None,
            geocode if geocode and geocode.strip() else None,
            tuple(sorted((header[i], record[i]) for i in disaggregation_at
                         if record[i].strip())) if disaggregation_at else (),
            row,
            tuple(sorted((header[i], record[i]) for i in attribute_at if record[i].strip()))
            if attribute_at else (),
            reading[1],
        )
        if skipped is not None:
            problems.append(skipped)
            unvalued.append(observation)
            continue
        key = (year_text if reading[1] else reading[0], observation.series,
               observation.units, observation.geocode, observation.disaggregation)
        if key in first_row:
            problems.append(Problem(
                file=relative, code="duplicate-row", row=row, field=YEAR,
                detail=f"row {first_row[key]} already has a value for year "
                       f"{observation.period} with the same "
                       f"Series, Units, GeoCode and disaggregation, so this row is set aside "
                       f"(Open SDG shows both); delete one of the two rows or correct its "
                       f"columns",
                params={"first_row": first_row[key], "year": reading[0]},
            ))
            duplicates.append(observation)
            continue
        first_row[key] = row
        observations.append(observation)
    return columns, tuple(observations), problems, (*unvalued, *duplicates)


def _safe_load(data: bytes) -> Any:
    """``yaml.safe_load``, with libyaml's parser when PyYAML has it.

    The pure-Python parser took a third of reading a 150-indicator repository (two YAML
    files each, cProfile); the constructor and resolver are the same safe ones. A text
    libyaml refuses is parsed again by the Python parser, so that a problem is worded as
    before and a text only that parser accepts is still read.
    """
    if _CSafeLoader is not None:
        try:
            return yaml.load(data, Loader=_CSafeLoader)  # noqa: S506 (the safe loader)
        except yaml.YAMLError:
            pass
    return yaml.safe_load(data)


_CSafeLoader = getattr(yaml, "CSafeLoader", None)


def _parse_yaml(relative: str, data: bytes, check: bool = True) -> tuple[dict, list[Problem]]:
    """Parse a YAML file into a mapping, or say what is wrong.

    A byte-order mark is accepted. With ``check``, the progress settings are checked too.
    """
    try:
        loaded = _safe_load(data)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        return {}, [Problem(
            file=relative, code="bad-yaml", row=mark.line + 1 if mark else None,
            detail=f"not valid YAML ({exc.problem or exc.context}){where}; correct the "
                   f"syntax there (indentation, a missing ':' or an unclosed quote)",
        )]
    except yaml.YAMLError as exc:
        return {}, [Problem(
            file=relative, code="bad-yaml",
            detail=f"not valid YAML ({exc}); save the file as UTF-8 YAML text",
        )]
    if loaded is None:
        return {}, []
    if not isinstance(loaded, dict):
        return {}, [Problem(
            file=relative, code="not-a-mapping", row=1,
            detail=f"the file holds a {type(loaded).__name__}, not 'key: value' lines; write "
                   f"one setting per line, e.g. 'reporting_status: complete'",
        )]
    return loaded, _settings_problems(relative, data, loaded) if check else []


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float | Decimal) and not isinstance(value, bool)


def _settings_problems(relative: str, data: bytes | None, settings: dict) -> list[Problem]:
    """Check the progress settings that the progress calculation relies on."""
    problems: list[Problem] = []

    def add(path: list, detail: str) -> None:
        name = path[0] + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in path[1:])
        problems.append(Problem(
            file=relative, code="bad-progress-option", field=name, detail=detail,
            row=_yaml_line(data, path) if data is not None else None,
        ))

    auto = settings.get("auto_progress_calculation")
    if auto is not None and not isinstance(auto, bool):
        add(["auto_progress_calculation"], f"auto_progress_calculation is {auto!r}; write true "
                                           f"or false")
    if PROGRESS_OPTIONS not in settings or settings[PROGRESS_OPTIONS] is None:
        return problems

    def check(options: Any, path: list) -> None:
        if not isinstance(options, list):
            add(path, "progress_calculation_options must be a list: start each option with "
                      "'- ', e.g. '- direction: negative'")
            return
        for n, option in enumerate(options):
            here = [*path, n]
            if not isinstance(option, dict):
                add(here, f"option {n + 1} is {option!r}, not a set of 'key: value' settings; "
                          f"write e.g. '- direction: negative'")
                continue
            if "group" in option:
                check(option["group"], [*here, "group"])
            direction = option.get("direction")
            if direction is not None and direction not in _DIRECTIONS:
                add([*here, "direction"],
                    f"direction {direction!r} is neither 'positive' nor 'negative'; write "
                    f"positive when higher values are better, negative otherwise")
            for key in ("base_year", "target_year"):
                year = option.get(key)
                if year is not None and (isinstance(year, bool) or not isinstance(year, int)):
                    add([*here, key], f"{key} {year!r} is not a year; write it as four digits, "
                                      f"e.g. 2015")
            for key in ("target", "limit"):
                number = option.get(key)
                if number is not None and not _is_number(number):
                    add([*here, key], f"{key} {number!r} is not a number; write a plain number "
                                      f"with a dot for decimals, e.g. 0.5")

    check(settings[PROGRESS_OPTIONS], [PROGRESS_OPTIONS])
    return problems


def _yaml_line(data: bytes, path: list) -> int | None:
    """The line (1-based) of the node at ``path`` (keys and list indexes) in a YAML text."""
    try:
        node = yaml.compose(data, Loader=yaml.SafeLoader)
    except yaml.YAMLError:
        return None
    line = None
    for step in path:
        if isinstance(node, yaml.MappingNode) and isinstance(step, str):
            found = [(k, v) for k, v in node.value if k.value == step]
            if not found:
                break
            line = found[0][0].start_mark.line + 1
            node = found[0][1]
        elif isinstance(node, yaml.SequenceNode) and isinstance(step, int) \
                and step < len(node.value):
            node = node.value[step]
            line = node.start_mark.line + 1
        else:
            break
    return line


# --------------------------------------------------------------------------- writing


class _Dumper(yaml.SafeDumper):
    """Safe YAML that also writes Decimals (as plain numbers) and tuples, without aliases."""

    def ignore_aliases(self, data: Any) -> bool:
        return True


def _represent_decimal(dumper: yaml.SafeDumper, value: Decimal) -> yaml.Node:
    if not value.is_finite():
        raise yaml.representer.RepresenterError(f"cannot write {value} in YAML", value)
    text = format(value, "f")
    tag = "tag:yaml.org,2002:float" if "." in text else "tag:yaml.org,2002:int"
    return dumper.represent_scalar(tag, text)


_Dumper.add_representer(Decimal, _represent_decimal)
_Dumper.add_representer(tuple, yaml.SafeDumper.represent_list)


def _yaml_bytes(document: dict) -> bytes:
    return yaml.dump(
        document, Dumper=_Dumper, sort_keys=False, allow_unicode=True,
    ).encode("utf-8")


def _csv_bytes(columns: Sequence[str], observations: Iterable[Observation]) -> bytes:
    buffer = io.StringIO(newline="")
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(columns)
    for o in observations:
        cells = dict(o.disaggregation) | dict(o.attributes) | {
            YEAR: o.period, VALUE: str(o.value),
            SERIES: o.series or "", UNITS: o.units or "", GEOCODE: o.geocode or "",
        }
        writer.writerow([cells.get(name, "") for name in columns])
    return buffer.getvalue().encode("utf-8")


def _blank(text: str | None) -> bool:
    return text is None or not text.strip()


def _normalised(o: Observation) -> Observation:
    """Blank texts as the reader would give them back: None, or the pair left out."""
    return replace(
        o,
        series=None if _blank(o.series) else o.series,
        units=None if _blank(o.units) else o.units,
        geocode=None if _blank(o.geocode) else o.geocode,
        disaggregation=tuple(sorted((k, v) for k, v in o.disaggregation if not _blank(v))),
        attributes=tuple(sorted((k, v) for k, v in o.attributes if not _blank(v))),
    )


def _build_problems(
    inid: str, columns: tuple[str, ...], observations: Sequence[Observation],
) -> list[Problem]:
    relative = _data_path(inid)
    if not _ID.fullmatch(inid):
        return [Problem(
            file=relative, code="bad-id", field="id",
            detail=f"indicator id {inid!r} is not letters and digits joined by '-'; use e.g. "
                   f"1-2-1 for indicator 1.2.1",
        )]
    problems = [p for p in _header_problems(relative, list(columns))
                if p.code not in WARNING_CODES]
    if problems:
        return problems
    value_at = columns.index(VALUE)
    before = {n for i, n in enumerate(columns) if i < value_at and n not in KEY_COLUMNS}
    after = {n for i, n in enumerate(columns) if i > value_at and n not in KEY_COLUMNS}
    first: dict[tuple, int] = {}
    for number, o in enumerate(observations, start=1):
        def add(code: str, detail: str, field: str | None, o: Observation = o,
                number: int = number) -> None:
            problems.append(Problem(
                file=relative, code=code, field=field, detail=detail,
                params={"observation": number, "year": o.year},
            ))

        if isinstance(o.year, bool) or not isinstance(o.year, int) \
                or not 1000 <= o.year <= 9999:
            add("bad-year", f"observation {number} has year {o.year!r}; give a four-digit "
                            f"year", YEAR)
        if not isinstance(o.value, Decimal) or not o.value.is_finite():
            add("bad-value", f"observation {number} has value {o.value!r}; give a finite "
                             f"Decimal", VALUE)
        for name, text in ((SERIES, o.series), (UNITS, o.units), (GEOCODE, o.geocode)):
            if text is not None and name not in columns:
                add("missing-column", f"observation {number} has a {name} but the columns do "
                                      f"not include {name!r}; add it", name)
        for name, _ in o.disaggregation:
            if name not in before:
                add("missing-column", f"observation {number} has disaggregation {name!r} but "
                                      f"there is no such column before {VALUE!r}; add it there",
                    name)
        for name, _ in o.attributes:
            if name not in after:
                add("missing-column", f"observation {number} has attribute {name!r} but there "
                                      f"is no such column after {VALUE!r}; add it there", name)
        key = (o.period, *series_key(o))
        if key in first:
            add("duplicate-row", f"observations {first[key]} and {number} have the same year, "
                                 f"Series, Units, GeoCode and disaggregation; keep one", YEAR)
        first.setdefault(key, number)
    return problems


def _row_order(o: Observation) -> tuple:
    return (o.series or "", o.units or "", o.geocode or "", o.disaggregation, o.year,
            o.attributes)


def build_indicator(
    id: str,
    columns: Sequence[str],
    observations: Iterable[Observation],
    meta: dict | None = None,
    config: dict | None = None,
) -> IndicatorFile:
    """Serialise new indicator content, as when exporting from a database.

    Parameters
    ----------
    id : str
        The indicator id, e.g. ``1-2-1``.
    columns : sequence of str
        The CSV header; must include ``Year`` and ``Value``, and ``Series``, ``Units``,
        ``GeoCode`` and every disaggregation (before ``Value``) or attribute (after it)
        that an observation uses.
    observations : iterable of Observation
        Their ``row`` is ignored: rows are written sorted by series, units, geocode,
        disaggregation (headline first) and year, so the same content always gives the
        same bytes. Blank texts are written as blank cells.
    meta, config : dict, optional
        Written to ``meta/<id>.yml`` and ``indicator-config/<id>.yml`` with
        ``yaml.safe_dump(sort_keys=False, allow_unicode=True)`` (Decimals as numbers);
        no file when empty.

    Returns
    -------
    IndicatorFile
        Whose ``raw`` holds the serialised bytes and whose observations carry the rows they
        were written at; it reads back equal from a written repository.

    Raises
    ------
    InputError
        When the id, the columns or an observation cannot make a valid file (missing
        column, bad year or value, duplicate observation), naming the data file and field.
    """
    columns = tuple(columns)
    observations = [_normalised(o) for o in observations]
    meta, config = dict(meta or {}), dict(config or {})
    problems = _build_problems(id, columns, observations)
    relative = _data_path(id)
    problems += _settings_problems(f"{META_DIR}/{id}.yml", None, meta)
    problems += _settings_problems(f"{CONFIG_DIR}/{id}.yml", None, config)
    if problems:
        raise InputError(problems)
    ordered = tuple(replace(o, row=n) for n, o in
                    enumerate(sorted(observations, key=_row_order), start=2))
    raw = {relative: _csv_bytes(columns, ordered)}
    if meta:
        raw[f"{META_DIR}/{id}.yml"] = _yaml_bytes(meta)
    if config:
        raw[f"{CONFIG_DIR}/{id}.yml"] = _yaml_bytes(config)
    return IndicatorFile(id=id, columns=columns, observations=ordered, meta=meta,
                         config=config, raw=raw)


def _unchanged_csv(indicator: IndicatorFile, data: bytes) -> bool:
    columns, observations, problems, _ = _parse_csv(indicator.data_path, data)
    problems = [p for p in problems if p.code not in WARNING_CODES]
    return not problems and columns == indicator.columns \
        and observations == tuple(indicator.observations)


def _unchanged_yaml(document: dict, data: bytes) -> bool:
    try:
        return (_safe_load(data) or {}) == document
    except yaml.YAMLError:
        return False


def _files_of(indicator: IndicatorFile) -> dict[str, bytes]:
    """The bytes to write for an indicator: those read when unchanged, new ones otherwise."""
    files: dict[str, bytes] = {}
    relative = indicator.data_path
    if not _ID.fullmatch(indicator.id):
        raise InputError(_build_problems(indicator.id, (), ()))
    if relative in indicator.raw and _unchanged_csv(indicator, indicator.raw[relative]):
        files[relative] = indicator.raw[relative]
    else:
        problems = _build_problems(indicator.id, tuple(indicator.columns),
                                   indicator.observations)
        if problems:
            raise InputError(problems)
        files[relative] = _csv_bytes(indicator.columns, indicator.observations)
    for folder, document in ((META_DIR, indicator.meta), (CONFIG_DIR, indicator.config)):
        yml = f"{folder}/{indicator.id}.yml"
        if yml in indicator.raw and _unchanged_yaml(document, indicator.raw[yml]):
            files[yml] = indicator.raw[yml]
        elif document:
            files[yml] = _yaml_bytes(document)
    return files


def write_repository(indicators: Iterable[IndicatorFile], path: str | Path) -> None:
    """Write indicators as an Open SDG data folder.

    Parameters
    ----------
    indicators : iterable of IndicatorFile
        From :func:`read_repository` or :func:`build_indicator`. A file whose content is
        unchanged since it was read is written with the exact bytes read, so reading a
        folder and writing it elsewhere makes byte-identical copies; changed content is
        serialised as :func:`build_indicator` does, keeping the observations' order.
    path : str or Path
        The folder; ``data/``, ``meta/`` and ``indicator-config/`` are created as needed.
        Files already there and not written are left alone.

    Raises
    ------
    InputError
        When two indicators share an id or changed content cannot make a valid file;
        nothing is written then.
    """
    root = Path(path)
    files: dict[str, bytes] = {}
    problems: list[Problem] = []
    seen: set[str] = set()
    for indicator in indicators:
        if indicator.id in seen:
            problems.append(Problem(
                file=_data_path(indicator.id), code="duplicate-indicator", field="id",
                detail=f"indicator {indicator.id} is given twice; pass each indicator once",
            ))
            continue
        seen.add(indicator.id)
        try:
            files.update(_files_of(indicator))
        except InputError as exc:
            problems.extend(exc.problems)
    if problems:
        raise InputError(problems)
    for relative, data in files.items():
        target = root / relative
        target.parent.mkdir(parents=True, exist_ok=True)
        target.write_bytes(data)
