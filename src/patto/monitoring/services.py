"""Every write to monitoring: observations (revised, never overwritten) and Open SDG imports."""

from __future__ import annotations

import hashlib
import json
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path
from typing import Any

from django.db import connection, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.core.forms import YEARS
from patto.engine.opensdg import SITE_CONFIG, IndicatorFile, read_repository
from patto.engine.problems import InputError, Problem
from patto.pact.models import Pact, SdgGoal, SdgTarget, Territory

from .models import ImportBatch, Indicator, IndicatorResult, Observation, Target


@dataclass
class ObservationChanges:
    created: int = 0
    revised: int = 0
    unchanged: int = 0
    problems: list[Problem] = field(default_factory=list)


def observation_key(*, series: str = "", units: str = "", geocode: str = "",
                    disaggregation: dict | None = None) -> str:
    """What identifies a value besides its year: series, units, area and disaggregation."""
    return json.dumps([series or "", units or "", geocode or "",
                       sorted((disaggregation or {}).items())], ensure_ascii=False,
                      separators=(",", ":"))


@dataclass(frozen=True)
class NewValue:
    year: int
    value_text: str
    series: str = ""
    units: str = ""
    geocode: str = ""
    disaggregation: dict = field(default_factory=dict)
    period: str = ""
    status: str = ""
    territory: Territory | None = None


#: The years an observation may have: a wider range is a typing error, not a statistic.
YEAR_RANGE = (YEARS.start, YEARS.stop - 1)


def _value_problems(indicator: Indicator, values: list[NewValue]) -> list[Problem]:
    """Years outside :data:`YEAR_RANGE` and values that are not finite numbers, by place."""
    problems = []
    low, high = YEAR_RANGE
    for number, v in enumerate(values, start=1):
        if isinstance(v.year, bool) or not isinstance(v.year, int) \
                or not low <= v.year <= high:
            problems.append(Problem(
                file=indicator.code, row=number, field="year", code="year-out-of-range",
                detail=f"year {v.year!r} is not between {low} and {high}; write the "
                       f"four-digit year of the value",
                params={"cell": v.year, "low": low, "high": high}))
        try:
            finite = Decimal(str(v.value_text).strip()).is_finite()
        except ArithmeticError:
            finite = False
        if not finite:
            problems.append(Problem(
                file=indicator.code, row=number, field="value", code="not-a-finite-number",
                detail=f"value {v.value_text!r} is not a finite number; write a number such "
                       f"as 12.5, or leave the value out",
                params={"cell": v.value_text}))
    return problems


@transaction.atomic
def observations_record(*, indicator: Indicator, values: Iterable[NewValue], batch: ImportBatch
                        | None = None, user: Any = None, is_example: bool = False,
                        assess: bool = True) -> ObservationChanges:
    """Record values: a new value is created, a changed one revises the current row (which
    stays, retired, with who brought it), an equal one changes nothing.

    All in one transaction: the retirements, the inserts and the stored assessments of the
    indicator and its goal happen together or not at all (``assess=False`` leaves the
    assessment to a caller that records many indicators and assesses them once).
    A year outside 1900..2100 or a value that is not a finite number refuses the whole call
    (``ApplicationError`` with each fault's place: the indicator, the value's position and
    the field).
    """
    values = list(values)
    problems = _value_problems(indicator, values)
    if problems:
        raise ApplicationError(_("The values were not recorded."), code="invalid_observation",
                               problems=problems)
    changes = ObservationChanges()
    keyed = [(observation_key(series=v.series, units=v.units, geocode=v.geocode,
                              disaggregation=v.disaggregation), v) for v in values]
    existing = indicator.observations.filter(is_current=True)
    if len(keyed) < 500:
        # A few new values (a form, a referent's sheet): read only their series.
        existing = existing.filter(key__in={key for key, _ in keyed})
    # indicator_id too: a related manager's rows are linked back to their indicator, which
    # would load a deferred indicator_id once per row.
    current = {(o.key, o.year, o.period): o for o in existing.only(
        "id", "indicator_id", "key", "year", "period", "value_text", "status")}
    fresh, retired = [], []
    for key, v in keyed:
        old = current.get((key, v.year, v.period))
        if old is not None and old.value_text == v.value_text and old.status == v.status:
            changes.unchanged += 1
            continue
        fresh.append({
            "indicator_id": indicator.pk, "territory_id": v.territory.pk if v.territory else None,
            "geocode": v.geocode, "year": v.year, "period": v.period, "series": v.series,
            "units": v.units, "disaggregation": v.disaggregation, "key": key,
            "value": Decimal(v.value_text), "value_text": v.value_text, "status": v.status,
            "source": "", "batch_id": batch.pk if batch else None,
            "created_by_id": user.pk if user is not None and user.is_authenticated else None,
            "is_current": True, "supersedes_id": old.pk if old is not None else None,
            "is_example": is_example})
        if old is not None:
            retired.append(old.pk)
            changes.revised += 1
        else:
            changes.created += 1
    if retired:
        Observation.objects.filter(pk__in=retired).update(is_current=False)
    _insert(fresh)
    if assess and (fresh or retired):
        from .assessments import assessments_refresh

        assessments_refresh(indicators=[indicator])
    return changes


def _insert(rows: list[dict]) -> None:
    """Insert new observations with one executemany.

    ``bulk_create`` spent most of a 120,000-row Open SDG import building model instances
    and preparing every field (measured with cProfile); only the value, the
    disaggregation and the timestamp need the database's own preparation, done here.
    """
    if not rows:
        return
    fields = [f for f in Observation._meta.concrete_fields if not f.primary_key]
    prepared = {f.attname: f for f in fields if f.name in ("value", "disaggregation",
                                                          "created_at")}
    now = timezone.now()  # one timestamp for the whole batch
    quote = connection.ops.quote_name
    # Only the model's own table and column names, quoted, go into the text; values are
    # parameters.
    sql = (f"INSERT INTO {quote(Observation._meta.db_table)} "  # noqa: S608
           f"({', '.join(quote(f.column) for f in fields)}) "
           f"VALUES ({', '.join(['%s'] * len(fields))})")
    names = [f.attname for f in fields]
    stamp = prepared["created_at"].get_db_prep_save(now, connection)
    value_field, disaggregation_field = prepared["value"], prepared["disaggregation"]
    # Most rows share a few disaggregations: prepare each distinct one once.
    shapes: dict[str, Any] = {}
    params = []
    for row in rows:
        row["created_at"] = stamp
        row["value"] = value_field.get_db_prep_save(row["value"], connection)
        shape = json.dumps(row["disaggregation"], sort_keys=True)
        if shape not in shapes:
            shapes[shape] = disaggregation_field.get_db_prep_save(row["disaggregation"],
                                                                  connection)
        row["disaggregation"] = shapes[shape]
        params.append([row[n] for n in names])
    with connection.cursor() as cursor:
        for start in range(0, len(params), 5000):
            cursor.executemany(sql, params[start:start + 5000])


@transaction.atomic
def indicator_save(*, indicator: Indicator, user: Any) -> Indicator:
    """Save an indicator's options (direction, limit, goal, ...) as the secretariat changed
    them, with their history, and assess it and its pact's goals again."""
    from patto.core.permissions import record_save

    from .assessments import assessments_refresh

    record_save(obj=indicator, user=user)
    assessments_refresh(indicators=[indicator])
    return indicator


@transaction.atomic
def target_save(*, target: Target, user: Any) -> Target:
    """Save a target as the secretariat set it, with its history, and assess its indicator
    and the goals again."""
    from patto.core.permissions import record_save

    from .assessments import assessments_refresh

    record_save(obj=target, user=user)
    assessments_refresh(indicators=[target.indicator])
    return target


def assessments_recompute(*, pact: Pact) -> None:
    """Assess every indicator and goal of a pact again, after values were loaded in bulk
    past the services (``patto load-scale``'s COPY); ``patto reassess`` does it by hand."""
    from .assessments import assessments_rebuild

    assessments_rebuild(pacts=[pact])


def _files_digest(indicator: Indicator) -> str:
    """A fingerprint of the current values, to know whether an export may reuse the files."""
    return _files_digests([indicator]).get(indicator.pk, _EMPTY_DIGEST)


_EMPTY_DIGEST = hashlib.sha256(b"[]").hexdigest()


def _files_digests(indicators: list[Indicator]) -> dict[int, str]:
    """:func:`_files_digest` of many indicators, in one query.

    Read with a plain cursor, in the order the database sorts them (the digests stored by
    earlier imports were made in that order): the ORM's row handling was most of the time
    on 120,000 values.
    """
    if not indicators:
        return {}
    quote = connection.ops.quote_name
    column = {f.attname: quote(f.column) for f in Observation._meta.concrete_fields}
    ids = [i.pk for i in indicators]
    # Only the model's own table and column names, quoted, go into the text.
    sql = (f"SELECT {column['indicator_id']}, {column['key']}, {column['year']}, "  # noqa: S608
           f"{column['period']}, {column['value_text']} "
           f"FROM {quote(Observation._meta.db_table)} "
           f"WHERE {column['is_current']} AND {column['indicator_id']} IN "
           f"({', '.join(['%s'] * len(ids))}) "
           f"ORDER BY {column['indicator_id']}, {column['key']}, {column['year']}, "
           f"{column['period']}")
    lines: dict[int, list] = {}
    with connection.cursor() as cursor:
        cursor.execute(sql, ids)
        while rows := cursor.fetchmany(20_000):
            for indicator_id, *row in rows:
                lines.setdefault(indicator_id, []).append(row)
    return {pk: hashlib.sha256(json.dumps(found).encode()).hexdigest()
            for pk, found in lines.items()}


#: The staging table's columns, in the order of :func:`_staging_rows`' tuples.
STAGING_COLUMNS = ("pos", "indicator_id", "territory_id", "geocode", "year", "period",
                   "series", "units", "disaggregation", "key", "value", "value_text",
                   "status", "is_example")


def _staging_rows(indicator: Indicator, values: list[NewValue]) -> list[tuple]:
    """The staging table's rows of an indicator's values (see :data:`STAGING_COLUMNS`)."""
    rows = []
    # A series has a value per year: make its key and disaggregation text once.
    keys: dict[tuple, tuple[str, str]] = {}
    for v in values:
        items = tuple(sorted((v.disaggregation or {}).items()))
        found = keys.get((v.series, v.units, v.geocode, items))
        if found is None:
            found = keys[(v.series, v.units, v.geocode, items)] = (
                observation_key(series=v.series, units=v.units, geocode=v.geocode,
                                disaggregation=v.disaggregation),
                json.dumps(dict(items)))
        rows.append((indicator.pk, v.territory.pk if v.territory else None, v.geocode,
                     v.year, v.period, v.series, v.units, found[1], found[0],
                     v.value_text, v.value_text, v.status, indicator.is_example))
    return rows


@transaction.atomic
def observations_merge(rows: list[tuple], *, batch: ImportBatch | None = None,
                       user: Any = None, laps: Any = None) -> dict[int, ObservationChanges]:
    """Record many indicators' values with one set-based merge; the revision rule of
    :func:`observations_record`, in SQL.

    The rows (see :func:`_staging_rows`) go into a temporary staging table, with
    PostgreSQL's ``COPY`` or one ``executemany`` elsewhere; one ``UPDATE ... FROM`` finds
    each value's current row; the changed ones are retired in one ``UPDATE`` and one
    ``INSERT ... SELECT`` adds the new and the revised values, each revision naming the row
    it revises. Values equal to the current ones change nothing. Returns the changes per
    indicator; the caller assesses (see ``patto.monitoring.assessments``). ``laps`` is
    told the time of staging and of merging.
    """
    lap = laps.lap if laps is not None else _no_lap
    changes: dict[int, ObservationChanges] = defaultdict(ObservationChanges)
    if not rows:
        return changes
    quote = connection.ops.quote_name
    table = quote(Observation._meta.db_table)
    column = {f.attname: quote(f.column) for f in Observation._meta.concrete_fields}
    postgres = connection.vendor == "postgresql"
    types = ({"pos": "integer", "indicator_id": "bigint", "territory_id": "bigint",
              "geocode": "text", "year": "integer", "period": "text", "series": "text",
              "units": "text", "disaggregation": "jsonb", "key": "text", "value": "numeric",
              "value_text": "text", "status": "text", "is_example": "boolean"}
             if postgres else {})
    staging = "patto_observation_staging"
    with connection.cursor() as cursor:
        cursor.execute(f"DROP TABLE IF EXISTS {staging}")
        cursor.execute(
            f"CREATE TEMPORARY TABLE {staging} ("
            + ", ".join(f"{name} {types.get(name, '')}".strip() for name in STAGING_COLUMNS)
            + ", old_id bigint, same boolean)")
        names = ", ".join(STAGING_COLUMNS)
        if postgres:
            with cursor.cursor.copy(f"COPY {staging} ({names}) FROM STDIN") as copy:
                for pos, row in enumerate(rows):
                    copy.write_row((pos, *row))
            cursor.execute(f"ANALYZE {staging}")
        else:
            placeholders = ", ".join(["%s"] * len(STAGING_COLUMNS))
            numbered = [(pos, *row) for pos, row in enumerate(rows)]
            for start in range(0, len(numbered), 5000):
                cursor.executemany(
                    f"INSERT INTO {staging} ({names}) VALUES ({placeholders})",  # noqa: S608
                    numbered[start:start + 5000])
        lap("stage")
        # Only the model's own table and column names, quoted, go into the text.
        cursor.execute(
            f"UPDATE {staging} SET old_id = o.{column['id']}, "  # noqa: S608
            f"same = (o.{column['value_text']} = {staging}.value_text "
            f"AND o.{column['status']} = {staging}.status) "
            f"FROM {table} o WHERE o.{column['indicator_id']} = {staging}.indicator_id "
            f"AND o.{column['key']} = {staging}.key AND o.{column['year']} = {staging}.year "
            f"AND o.{column['period']} = {staging}.period AND o.{column['is_current']}")
        cursor.execute(
            "SELECT indicator_id, CASE WHEN old_id IS NULL THEN 0 WHEN same THEN 2 "  # noqa: S608
            f"ELSE 1 END, COUNT(*) FROM {staging} GROUP BY 1, 2")
        for indicator_id, kind, count in cursor.fetchall():
            counted = changes[indicator_id]
            if kind == 0:
                counted.created += count
            elif kind == 1:
                counted.revised += count
            else:
                counted.unchanged += count
        cursor.execute(
            f"UPDATE {table} SET {column['is_current']} = %s "  # noqa: S608
            f"WHERE {column['id']} IN (SELECT old_id FROM {staging} "
            f"WHERE old_id IS NOT NULL AND NOT same)", [False])
        cursor.execute(
            f"INSERT INTO {table} ("  # noqa: S608
            + ", ".join(column[name] for name in (
                "indicator_id", "territory_id", "geocode", "year", "period", "series",
                "units", "disaggregation", "key", "value", "value_text", "status",
                "is_example", "supersedes_id", "source", "batch_id", "created_by_id",
                "created_at", "is_current"))
            + ") SELECT indicator_id, territory_id, geocode, year, period, "  # noqa: S608
              "series, units, disaggregation, key, value, value_text, status, is_example, "
              f"old_id, '', %s, %s, %s, %s FROM {staging} WHERE old_id IS NULL "
              "OR NOT same ORDER BY pos",
            [batch.pk if batch else None,
             user.pk if user is not None and user.is_authenticated else None,
             Observation._meta.get_field("created_at").get_db_prep_save(timezone.now(),
                                                                        connection),
             True])
        cursor.execute(f"DROP TABLE {staging}")
    lap("merge")
    if postgres:
        # COPY went past the cursor that tells cached pages of a write.
        from patto.core.cache import wrote

        wrote()
    return changes


def _territories_by_code() -> dict[str, Territory]:
    places = {}
    for t in Territory.objects.defer("boundary"):
        places[t.code] = t
        if t.istat_code:
            places[t.istat_code] = t
    return places


@transaction.atomic
def opensdg_import(*, path: str | Path, pact: Pact, user: Any = None,
                   is_example: bool = False, laps: Any = None) -> dict[str, int]:
    """Import an Open SDG data folder into a pact's agenda, all of it or nothing.

    ``laps`` (a :class:`patto.engine.bench.Laps`) is told where the time goes: reading the
    files, parsing them, the indicators and targets, building the rows, staging and merging
    them, the stored assessment.
    """
    lap = laps.lap if laps is not None else _no_lap
    try:
        files = read_repository(path, laps)
    except InputError as exc:
        raise ApplicationError(_("%(path)s: nothing was imported.") % {"path": path},
                               code="invalid_opensdg", problems=exc.problems) from exc
    lap("parse")
    batch = ImportBatch.objects.create(kind="opensdg", name=str(path), created_by=user)
    config_path = Path(path) / SITE_CONFIG
    site_config = config_path.read_bytes().decode("utf-8-sig") if config_path.is_file() \
        else None
    places = _territories_by_code()
    totals = {"indicators": 0, "created": 0, "revised": 0, "unchanged": 0}
    imported: list[Indicator] = []
    staged: list[tuple] = []
    warnings: list[Problem] = [w for item in files for w in item.warnings]
    lap("build rows")
    found, problems, touched = _indicators_from_files(files, pact, is_example, user)
    lap("indicators and targets")
    for item, indicator in zip(files, found, strict=True):
        if indicator is None:
            continue
        problems.extend(_file_rows(indicator, item, pact, places, staged, warnings))
        imported.append(indicator)
        before = {k: v for k, v in (indicator.raw_files or {}).items() if k != "_digest"}
        indicator.raw_files = {name: content.decode("utf-8") for name, content in
                               item.raw.items()}
        if site_config is not None:
            # The column options that decide the statuses travel with the indicator.
            indicator.raw_files[SITE_CONFIG] = site_config
        if indicator.raw_files != before:
            # The files decide Open SDG's status too (rows without a value, cells after
            # Value, column options): assessments.imported_extras.
            touched.add(indicator.pk)
    lap("build rows")
    if problems:
        raise ApplicationError(_("%(path)s: nothing was imported.") % {"path": path},
                               code="invalid_opensdg", problems=problems)
    # Every indicator's values in one set-based merge (the revision rule kept in SQL).
    merged = observations_merge(staged, batch=batch, user=user, laps=laps)
    digests = _files_digests(imported)
    for indicator in imported:
        indicator.raw_files["_digest"] = digests.get(indicator.pk, _EMPTY_DIGEST)
        changes = merged.get(indicator.pk, ObservationChanges())
        totals["indicators"] += 1
        totals["created"] += changes.created
        totals["revised"] += changes.revised
        totals["unchanged"] += changes.unchanged
    # The files are no part of the indicator's history (excluded there): one statement
    # writes them all, past the history a save would add again.
    Indicator.objects.bulk_update(imported, ["raw_files"], batch_size=100)
    lap("digests")
    from .assessments import assessments_refresh, imported_files_parsed

    # The files were parsed above: the assessment reads that, not the files again.
    imported_files_parsed(files)
    # Assess once, in this transaction, only what the import changed: the indicators with
    # new or revised values, new or changed options or targets, or no stored result yet
    # (a repository imported again unchanged assesses nothing).
    touched |= {pk for pk, c in merged.items() if c.created or c.revised}
    assessed = set(IndicatorResult.objects.filter(indicator__in=imported)
                   .values_list("indicator_id", flat=True))
    stale = [i for i in imported if i.pk in touched or i.pk not in assessed]
    if stale:
        assessments_refresh(indicators=stale)
    lap("assess (stored)")
    batch.summary = {**totals, "warnings": [str(w) for w in warnings[:1000]]}
    batch.save(update_fields=["summary"])
    totals["warnings"] = len(warnings)
    return totals


def _no_lap(name: str) -> None:
    """No timing asked for."""


def _file_rows(indicator: Indicator, item: IndicatorFile, pact: Pact,
               places: dict[str, Territory], staged: list[tuple],
               warnings: list[Problem]) -> list[Problem]:
    """Add an indicator file's values to the staging rows (see :data:`STAGING_COLUMNS`);
    warn of each area code that is no territory (the value is kept without one). Returns
    the values' problems, as :func:`_value_problems` words them.

    The reader gives finite numbers and four-digit years, so only the year range is left
    to check; the rows are built straight from the file's observations, each series' key
    and disaggregation text made once (120,000 values went through a ``NewValue`` each).
    """
    low, high = YEAR_RANGE
    problems = []
    keys: dict[tuple, tuple[str, str]] = {}
    areas: dict[str | None, int | None] = {}
    root = pact.territory_id
    pk, is_example = indicator.pk, indicator.is_example
    for number, o in enumerate(item.observations, start=1):
        series = (o.series, o.units, o.geocode, o.disaggregation)
        found = keys.get(series)
        if found is None:
            found = keys[series] = (
                observation_key(series=o.series or "", units=o.units or "",
                                geocode=o.geocode or "", disaggregation=dict(o.disaggregation)),
                json.dumps(dict(sorted(o.disaggregation))))
            if o.geocode not in areas:
                place = places.get(o.geocode) if o.geocode else None
                areas[o.geocode] = place.pk if place is not None else None
        if o.geocode:
            territory = areas[o.geocode]
            if territory is None:
                # Open SDG keeps any GeoCode; the value is kept with its code and no
                # territory.
                warnings.append(Problem(
                    file=f"data/indicator_{item.id}.csv", row=o.row, field="GeoCode",
                    code="unknown-area",
                    detail=f"{o.geocode!r} is not a territory code or ISTAT code of the "
                           "loaded pacts; the value is kept without a territory"))
        else:
            territory = root
        if not low <= o.year <= high:
            problems.append(Problem(
                file=indicator.code, row=number, field="year", code="year-out-of-range",
                detail=f"year {o.year!r} is not between {low} and {high}; write the "
                       f"four-digit year of the value",
                params={"cell": o.year, "low": low, "high": high}))
        text = str(o.value)
        staged.append((pk, territory, o.geocode or "", o.year, o.year_label or "",
                       o.series or "", o.units or "", found[1], found[0], text, text, "",
                       is_example))
    return problems


#: The indicator's fields an Open SDG import sets (from the files' metadata and options).
_IMPORTED_FIELDS = ("name", "definition", "unit", "direction", "limit", "sdg_goal",
                    "sdg_target", "sdg_indicator", "source", "frequency", "meta", "config",
                    "data_columns", "is_example", "level", "project")


def _indicator_fields(item: IndicatorFile, pact: Pact, is_example: bool,
                      goals: dict[int, SdgGoal], sdg_targets: dict[str, SdgTarget],
                      projects: dict[str, Any]) -> dict[str, Any]:
    """What an indicator file says of its indicator (see :data:`_IMPORTED_FIELDS`)."""
    meta = item.meta or {}
    number = item.id.split("-")
    goal = goals.get(int(number[0])) if number[0].isdigit() else None
    target = None
    if goal and len(number) >= 2:
        target_code = f"{number[0]}.{number[1]}"
        target = sdg_targets.get(target_code)
        if target is None:
            target = sdg_targets[target_code] = SdgTarget.objects.get_or_create(
                code=target_code, defaults={"goal": goal})[0]
    options = (item.progress_options or [{}])[0]
    limit = options.get("limit")
    fields = {
        "name": str(meta.get("indicator_name") or meta.get("graph_title") or item.id),
        "definition": str(meta.get("computation_definitions") or meta.get("definition") or ""),
        "unit": str(meta.get("computation_units") or meta.get("unit") or ""),
        # sdg-build reads "positive" as a wish to rise and anything else, a missing key
        # included, as a wish to fall: the indicator says what its assessment assumes.
        "direction": "positive" if options.get("direction") == "positive" else "negative",
        "limit": Decimal(str(limit)) if limit is not None else None,
        "sdg_goal": goal, "sdg_target": target,
        "sdg_indicator": str(meta.get("indicator_number") or "")
        or (".".join(number) if len(number) == 3 and number[0].isdigit() else ""),
        "source": str(meta.get("source_organisation_1") or meta.get("source") or ""),
        "frequency": str(meta.get("source_periodicity_1") or meta.get("frequency") or ""),
        "meta": meta, "config": item.config or {}, "data_columns": list(item.columns),
        "is_example": is_example or bool(meta.get("patto_example")),
        "level": Indicator.Level.AGENDA, "project": None,
    }
    if meta.get("patto_level") == "project":
        project = projects.get(str(meta.get("patto_project", "")))
        if project is None:
            raise InputError([Problem(
                file=f"meta/{item.id}.yml", field="patto_project", code="unknown-project",
                detail=f"project {meta.get('patto_project')!r} is not a project of the pact "
                       f"{pact.code}; use a code from projects.csv")])
        fields.update(level=Indicator.Level.PROJECT, project=project)
    return fields


def _differs(obj: Any, fields: dict[str, Any]) -> bool:
    """Whether setting ``fields`` on ``obj`` would change it (a relation by its key)."""
    for name, value in fields.items():
        field = obj._meta.get_field(name)
        if field.is_relation:
            if getattr(obj, field.attname) != (value.pk if value is not None else None):
                return True
        elif getattr(obj, name) != value:
            return True
    return False


def _indicators_from_files(files: list[IndicatorFile], pact: Pact, is_example: bool,
                           user: Any) -> tuple[list[Indicator | None], list[Problem], set[int]]:
    """Create or update the files' indicators, their challenges and targets, each table in
    a few statements whatever the number of files; history kept (``simple_history``'s bulk
    writers) for each indicator and target that is new or changed, and only for those.

    Returns an indicator per file (None for a file with a problem), the problems, and the
    ids of the indicators whose options or targets are new or changed.
    """
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    by = user if user is not None and getattr(user, "is_authenticated", False) else None
    codes = [item.id for item in files]
    goals = {g.number: g for g in SdgGoal.objects.all()}
    sdg_targets = {t.code: t for t in SdgTarget.objects.all()}
    wanted = {str((item.meta or {}).get("patto_project", "")) for item in files
              if (item.meta or {}).get("patto_level") == "project"}
    projects = {p.code: p for p in pact.projects.filter(code__in=wanted)} if wanted else {}
    existing = {i.code: i for i in Indicator.objects.filter(pact=pact, code__in=codes)}
    now = timezone.now()
    found: list[Indicator | None] = []
    new, changed, problems = [], [], []
    for item in files:
        try:
            fields = _indicator_fields(item, pact, is_example, goals, sdg_targets, projects)
        except InputError as exc:
            problems.extend(exc.problems)
            found.append(None)
            continue
        indicator = existing.get(item.id)
        if indicator is None:
            indicator = Indicator(pact=pact, code=item.id, **fields)
            new.append(indicator)
        elif _differs(indicator, fields):
            for name, value in fields.items():
                setattr(indicator, name, value)
            indicator.updated_at = now
            changed.append(indicator)
        found.append(indicator)
    if new:
        bulk_create_with_history(new, Indicator, default_user=by)
    if changed:
        bulk_update_with_history(changed, Indicator, [*_IMPORTED_FIELDS, "updated_at"],
                                 default_user=by)
    chosen = [(item, i) for item, i in zip(files, found, strict=True) if i is not None]
    _challenges_set(pact, chosen)
    touched = _targets_set(chosen, by)
    return found, problems, touched | {i.pk for i in (*new, *changed)}


def _challenges_set(pact: Pact, chosen: list[tuple[IndicatorFile, Indicator]]) -> None:
    """Each indicator's challenges as its metadata lists them (``patto_challenges``): the
    links that differ added or removed, in two statements."""
    challenges = dict(pact.challenges.values_list("code", "pk"))
    through = Indicator.challenges.through
    want = {(i.pk, challenges[str(c)]) for item, i in chosen
            for c in (item.meta or {}).get("patto_challenges") or [] if str(c) in challenges}
    have = dict(((row[1], row[2]), row[0]) for row in through.objects.filter(
        indicator_id__in=[i.pk for _item, i in chosen]).values_list(
        "pk", "indicator_id", "challenge_id"))
    gone = [pk for pair, pk in have.items() if pair not in want]
    if gone:
        through.objects.filter(pk__in=gone).delete()
    through.objects.bulk_create([through(indicator_id=a, challenge_id=b)
                                 for a, b in sorted(want - set(have))])


def _targets_set(chosen: list[tuple[IndicatorFile, Indicator]], by: Any) -> set[int]:
    """The targets of the files' progress options (a target and its year), one per
    indicator and series, created or changed with their history; others are left alone.
    Returns the ids of the indicators with a new or changed target."""
    from simple_history.utils import bulk_create_with_history, bulk_update_with_history

    existing = {(t.indicator_id, t.series): t for t in Target.objects.filter(
        indicator_id__in=[i.pk for _item, i in chosen], territory=None)}
    new: dict[tuple, Target] = {}
    changed: dict[tuple, Target] = {}
    for item, indicator in chosen:
        for options in item.progress_options:
            if options.get("target") is None or options.get("target_year") is None:
                continue
            key = (indicator.pk, str(options.get("series") or ""))
            fields = {"value": Decimal(str(options["target"])),
                      "year": int(options["target_year"]),
                      "base_year": options.get("base_year"), "level": Target.Level.LOCAL}
            target = existing.get(key) or new.get(key)
            if target is None:
                new[key] = Target(indicator=indicator, territory=None, series=key[1], **fields)
            elif any(getattr(target, name) != value for name, value in fields.items()):
                for name, value in fields.items():
                    setattr(target, name, value)
                if key not in new:
                    changed[key] = target
    if new:
        bulk_create_with_history(list(new.values()), Target, default_user=by)
    if changed:
        bulk_update_with_history(list(changed.values()), Target,
                                 ["value", "year", "base_year", "level"], default_user=by)
    return {indicator_id for indicator_id, _series in (*new, *changed)}


def _observations_for_export(indicator: Indicator) -> list:
    from patto.engine.opensdg import Observation as FileObservation

    rows = []
    for number, o in enumerate(indicator.observations.filter(is_current=True)
                               .order_by("year", "key"), start=2):
        rows.append(FileObservation(
            year=o.year, year_label=o.period or None, value=Decimal(o.value_text),
            series=o.series or None,
            units=o.units or None, geocode=o.geocode or None,
            disaggregation=tuple(sorted(o.disaggregation.items())), row=number))
    return rows


def opensdg_export(*, pact: Pact, path: str | Path, codes: list[str] | None = None) -> int:
    """Write a pact's agenda as an Open SDG data folder.

    An indicator whose values have not changed since it was imported is written with the
    imported files' exact bytes; otherwise its files are built from the database.
    """
    from patto.engine.opensdg import build_indicator, write_repository

    path = Path(path)
    rebuilt, unchanged = [], []
    site_config = None
    indicators = pact.indicators.all().order_by("code")
    if codes:
        indicators = indicators.filter(code__in=codes)
    indicators = list(indicators)
    digests = _files_digests(indicators)
    for indicator in indicators:
        raw = dict(indicator.raw_files or {})
        digest = raw.pop("_digest", None)
        if SITE_CONFIG in raw:
            site_config = raw[SITE_CONFIG]
        if raw and digest == digests.get(indicator.pk, _EMPTY_DIGEST):
            unchanged.append(raw)
            continue
        columns = list(indicator.data_columns) or ["Year", "Value"]
        rebuilt.append(build_indicator(indicator.code, columns,
                                       _observations_for_export(indicator), indicator.meta,
                                       indicator.config))
    write_repository(rebuilt, path)
    if site_config is not None and not any(SITE_CONFIG in raw for raw in unchanged):
        with (path / SITE_CONFIG).open("w", encoding="utf-8", newline="") as handle:
            handle.write(site_config)
    for raw in unchanged:
        for name, text in raw.items():
            target = path / name
            target.parent.mkdir(parents=True, exist_ok=True)
            # newline="" keeps the file's own line endings exactly as imported.
            with target.open("w", encoding="utf-8", newline="") as handle:
                handle.write(text)
    return len(rebuilt) + len(unchanged)


@transaction.atomic
def sdmx_import(*, path: str | Path, indicator: Indicator, user: Any = None,
                skip_unknown_areas: bool = False) -> dict[str, int]:
    """Import an SDMX-CSV file (as ISTAT and Eurostat publish it) into one indicator.

    Each combination of dimensions other than the area becomes a series. The area code
    (``REF_AREA``, ``ITTER107`` or Eurostat's ``geo``) must be a territory's code, ISTAT
    code or NUTS 2021 code; ISTAT's ITTER107 codes with NUTS 2006 letters (``ITD55``) are
    read as the NUTS 2021 code they stand for (``ITH55``). A row whose area is no loaded
    territory refuses the file, naming the row, unless ``skip_unknown_areas``: then the
    row is left out and counted (``skipped``), as a file of all Europe's regions needs.
    All or nothing.
    """
    from patto.engine.sdmx import AREA_COLUMNS, area_codes, read_sdmx_csv

    path = Path(path)
    try:
        rows = read_sdmx_csv(path)
    except InputError as exc:
        raise ApplicationError(_("%(path)s: nothing was imported.") % {"path": path.name},
                               code="invalid_sdmx", problems=exc.problems) from exc
    places = _territories_by_code()
    for t in Territory.objects.exclude(nuts_code="").defer("boundary"):
        places.setdefault(t.nuts_code.upper(), t)
    problems, values, skipped = [], [], []
    status_map = {"P": "provisional", "E": "estimated", "F": "forecast"}
    for o in rows:
        if o.value is None:
            continue
        if o.area:
            place = next((places[c] for c in area_codes(o.area) if c in places), None)
        else:
            place = indicator.pact.territory
        if place is None:
            column = next((k for k, _v in o.dimensions if k.upper() in AREA_COLUMNS),
                          "REF_AREA")
            problem = Problem(file=path.name, row=o.row, field=column, code="unknown-area",
                              detail=f"{o.area!r} is not the code, ISTAT code or NUTS 2021 "
                                     "code of a loaded territory; give the territory that "
                                     "code (nuts_code in the pact package) or remove the row",
                              params={"cell": o.area})
            (skipped if skip_unknown_areas else problems).append(problem)
            continue
        series = " · ".join(f"{k}={v}" for k, v in o.dimensions
                            if k.upper() not in (*AREA_COLUMNS, "FREQ") and v)
        period = "" if o.period == str(o.year) else o.period
        values.append(NewValue(year=o.year, period=period, value_text=str(o.value),
                               series=series[:200], units=o.unit or "", geocode=o.area or "",
                               status=status_map.get(o.status or "", ""), territory=place))
    if problems:
        raise ApplicationError(_("%(path)s: nothing was imported.") % {"path": path.name},
                               code="invalid_sdmx", problems=problems)
    batch = ImportBatch.objects.create(kind="sdmx", name=path.name, created_by=user)
    changes = observations_record(indicator=indicator, values=values, batch=batch, user=user,
                                  is_example=indicator.is_example)
    summary = {"created": changes.created, "revised": changes.revised,
               "unchanged": changes.unchanged}
    if skip_unknown_areas:
        summary["skipped"] = len(skipped)
    # The record keeps which rows were left out and why, as the Open SDG import does.
    batch.summary = {**summary, "warnings": [str(p) for p in skipped[:1000]]} if skipped \
        else summary
    batch.save(update_fields=["summary"])
    return summary
