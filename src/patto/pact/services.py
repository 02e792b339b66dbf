"""Every write to the pact registry: loading a pact package, loading boundaries."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.db.models import ProtectedError
from django.utils.translation import gettext as _

from patto.core.errors import ApplicationError
from patto.engine.datapackage import PackageData, read_package
from patto.engine.pact_package import check_pact_package, parse_basis, split_list
from patto.engine.problems import InputError, Problem

from .models import (
    Challenge,
    Cluster,
    EmergencyAction,
    Instrument,
    Pact,
    PactDocument,
    PactParty,
    Party,
    PartyCategory,
    SdgGoal,
    TableDuty,
    Territory,
    TerritoryMembership,
    WorkingGroup,
    WorkingGroupMember,
)


@dataclass
class LoadResult:
    """What a load did: rows created, updated, deleted and left unchanged, per model."""

    pacts: list[Pact] = field(default_factory=list)
    created: Counter = field(default_factory=Counter)
    updated: Counter = field(default_factory=Counter)
    deleted: Counter = field(default_factory=Counter)
    unchanged: Counter = field(default_factory=Counter)

    @property
    def changed(self) -> bool:
        return bool(sum(self.created.values()) + sum(self.updated.values())
                    + sum(self.deleted.values()))


#: Package columns whose model field has another name.
_COLUMNS = {"code": "id", "description": "text_file"}


class PackageWriter:
    """Creates or updates rows only where something differs, so a second load changes nothing."""

    def __init__(self, result: LoadResult, user: Any, reason: str):
        self.result, self.user, self.reason = result, user, reason
        # Rows made by this load: their links are part of their creation, not an update.
        self.fresh: set[tuple[type, int]] = set()
        # The rows already there, read once per model and scope (the lookup's model values,
        # e.g. the pact) instead of one query per row: a national package has tens of
        # thousands of rows. Keyed by the lookup's plain values.
        self._known: dict[tuple, dict[tuple, models.Model]] = {}

    def _label(self, model: type[models.Model]) -> str:
        return str(model._meta.verbose_name_plural)

    @staticmethod
    def _group(model: type[models.Model], lookup: dict) -> tuple[tuple, dict, list[str]]:
        """Where a lookup's row is looked for: its first row-valued key is the scope (the
        pact, the project), read at once; the other keys index the rows read."""
        scope = next(({k: v} for k, v in lookup.items() if isinstance(v, models.Model)), {})
        keys = sorted(k for k in lookup if k not in scope)
        return (model, tuple(keys), tuple((k, v.pk) for k, v in scope.items())), scope, keys

    def _find(self, model: type[models.Model], lookup: dict) -> models.Model | None:
        group, scope, keys = self._group(model, lookup)
        if not keys or any(v.pk is None for v in scope.values()):
            return model._default_manager.filter(**lookup).first()
        known = self._known.get(group)
        if known is None:
            known = self._known[group] = {}
            for obj in model._default_manager.filter(**scope).order_by("-pk"):
                # As .first() would pick among duplicates: the lowest pk wins.
                known[tuple(_row_key(obj, k) for k in keys)] = obj
        # Every row of the scope was read: one not among them is not there (lookup values
        # are put in the form the rows hold them, a text for a number cell, say).
        return known.get(tuple(_lookup_key(model, k, lookup[k]) for k in keys))

    def _remember(self, model: type[models.Model], lookup: dict, obj: models.Model) -> None:
        group, _scope, keys = self._group(model, lookup)
        if group in self._known:
            self._known[group][tuple(_lookup_key(model, k, lookup[k]) for k in keys)] = obj

    def sync(self, model: type[models.Model], lookup: dict, values: dict,
             src: tuple[str, dict] | None = None) -> models.Model:
        """Create or update one row; ``src`` (resource, row) names the place of a fault."""
        obj = self._find(model, lookup)
        if obj is None:
            obj = model(**lookup, **values)
            self.save(obj, src)
            self.fresh.add((model, obj.pk))
            self._remember(model, lookup, obj)
            self.result.created[self._label(model)] += 1
            return obj
        changed = [name for name, value in values.items() if _field_value(obj, name) != value]
        if changed:
            for name in changed:
                setattr(obj, name, values[name])
            self.save(obj, src)
            self.result.updated[self._label(model)] += 1
        else:
            self.result.unchanged[self._label(model)] += 1
        return obj

    def save(self, obj: models.Model, src: tuple[str, dict] | None = None) -> None:
        obj._history_user = self.user
        obj._change_reason = self.reason
        # A link set to a row in hand needs no query to prove that row exists.
        linked = [f.name for f in obj._meta.concrete_fields
                  if f.many_to_one and f.is_cached(obj) and getattr(obj, f.name) is not None
                  and getattr(obj, f.name).pk is not None]
        try:
            obj.full_clean(exclude=linked, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            resource, row = src or (obj._meta.model_name, {"_row": None})
            raise InputError([
                Problem(file=f"{resource}.csv", row=row["_row"],
                        field=_COLUMNS.get(name, name), code="invalid-value",
                        detail=f"{message}")
                for name, messages in exc.message_dict.items() for message in messages
            ]) from exc
        obj.save()

    def prune(self, queryset: models.QuerySet, keep_ids: set[int]) -> None:
        self._known = {g: rows for g, rows in self._known.items()
                       if g[0] is not queryset.model}
        stale = queryset.exclude(pk__in=keep_ids)
        for obj in stale:
            obj._history_user = self.user
            obj._change_reason = self.reason
            try:
                obj.delete()
            except ProtectedError as exc:
                # Money and values recorded against it (e.g. a fund's movements) keep it.
                raise InputError([Problem(
                    file=f"{queryset.model._meta.model_name}", code="still-referenced",
                    detail=f"{obj} is missing from the file but {len(exc.protected_objects)} "
                           f"recorded rows refer to it (e.g. {next(iter(exc.protected_objects))}"
                           "): keep it in the file",
                    params={"value": str(obj), "count": len(exc.protected_objects)})]
                ) from exc
            self.result.deleted[self._label(queryset.model)] += 1

    def set_m2m(self, manager: Any, objects: list[models.Model]) -> None:
        if {o.pk for o in manager.all()} != {o.pk for o in objects}:
            manager.set(objects)
            instance = manager.instance
            if (type(instance), instance.pk) not in self.fresh:
                self.result.updated[self._label(type(instance))] += 1


#: Apps above this one load their own tables of a package (projects...), in the same
#: transaction, after the pact's registry: each gets (data, writer, pact, parties).
_SECTIONS: list[Callable[..., None]] = []


def register_package_section(loader: Callable[..., None]) -> None:
    if loader not in _SECTIONS:
        _SECTIONS.append(loader)


def _row_key(obj: models.Model, name: str) -> Any:
    """A row's value for a lookup key of :meth:`PackageWriter.sync`: a relation's key for a
    relation (not the related row, which would cost a query)."""
    if name == "pk":
        return obj.pk
    field_ = obj._meta.get_field(name)
    return getattr(obj, field_.attname)


def _lookup_key(model: type[models.Model], name: str, value: Any) -> Any:
    """A lookup value as :func:`_row_key` reads it from a row."""
    if isinstance(value, models.Model):
        return value.pk
    field_ = model._meta.pk if name == "pk" else model._meta.get_field(name)
    if field_.is_relation:
        field_ = field_.target_field
    return None if value is None else field_.to_python(value)


def _field_value(obj: models.Model, name: str) -> Any:
    field_ = obj._meta.get_field(name)
    if field_.is_relation:
        return getattr(obj, field_.attname) and getattr(obj, name)
    return getattr(obj, name)


def _s(value: Any) -> str:
    """Text cells: empty for missing, so that blank=True fields compare equal."""
    return "" if value is None else str(value)


def basis_values(row: dict, column: str, resource: str, *, example: bool = False,
                 prefix: str = "") -> dict[str, str]:
    """The model values of a basis cell (``<prefix>basis`` and ``<prefix>basis_note``).

    A package without the column gets the default (``source``, or ``example`` for rows
    flagged as example data), so older packages keep loading.
    """
    try:
        kind, note = parse_basis(row.get(column), example=example)
    except ValueError as exc:
        raise InputError([Problem(file=f"{resource}.csv", row=row.get("_row"), field=column,
                                  code="bad-basis", detail=str(exc))]) from exc
    return {f"{prefix}basis": kind, f"{prefix}basis_note": note}


def _refused(path: str | Path, problems: list[Problem]) -> ApplicationError:
    return ApplicationError(
        _("The package %(path)s is not valid: nothing was written.") % {"path": path},
        code="invalid_package", problems=problems)


@transaction.atomic
def pact_load_package(*, path: str | Path, user: Any = None, dry_run: bool = False) -> LoadResult:
    """Load (or reload) a pact data package, all of it or nothing.

    Global records (territories, memberships, parties, categories) are created or
    updated by their code; the records that belong to each pact in the package are made
    to match the package exactly, so rows removed from the package are removed here too.

    Raises
    ------
    ApplicationError
        With every problem of the package, each naming its file, row and field; nothing
        is written.
    """
    try:
        data = read_package(path)
    except InputError as exc:
        raise _refused(path, exc.problems) from exc
    problems = check_pact_package(data)
    if problems:
        raise _refused(path, problems)
    result = LoadResult()
    writer = PackageWriter(result, user, f"load-pact {data.name}")
    try:
        _write_package(data, writer, result)
    except InputError as exc:
        raise _refused(path, exc.problems) from exc
    if dry_run:
        transaction.set_rollback(True)
    return result


def _write_package(data: PackageData, w: PackageWriter, result: LoadResult) -> None:
    t = data.tables
    territories: dict[str, Territory] = {}
    for row in t.get("territories", []):
        territories[row["id"]] = w.sync(Territory, {"code": row["id"]}, {
            "name": row["name"], "kind": row["kind"], "istat_code": _s(row.get("istat_code")),
            "cadastral_code": _s(row.get("cadastral_code")), "population": row.get("population"),
            "population_year": row.get("population_year"),
            "population_source": _s(row.get("population_source")),
            "website": _s(row.get("website")),
            # Optional column: a package without it leaves the code another package gave.
            **({"nuts_code": _s(row["nuts_code"])} if "nuts_code" in row else {}),
        }, src=("territories", row))

    def territory(code: str | None, file: str, row: dict, field_name: str) -> Territory | None:
        if not code:
            return None
        if code not in territories:
            found = Territory.objects.filter(code=code).first()
            if found is None:
                raise InputError([Problem(file=file, row=row["_row"], field=field_name,
                                          code="unknown-territory",
                                          detail=f"territory {code!r} does not exist; add it "
                                                 "to territories.csv")])
            territories[code] = found
        return territories[code]

    members_by_territory: dict[int, set[int]] = {}
    for row in t.get("territory_memberships", []):
        child = territory(row["territory"], "territory_memberships.csv", row, "territory")
        parent = territory(row["parent"], "territory_memberships.csv", row, "parent")
        m = w.sync(TerritoryMembership,
                   {"territory": child, "parent": parent, "start_on": row.get("start_on")},
                   {"end_on": row.get("end_on"), "source": row["source"]},
                   src=("territory_memberships", row))
        members_by_territory.setdefault(child.pk, set()).add(m.pk)
    for territory_id, keep in members_by_territory.items():
        w.prune(TerritoryMembership.objects.filter(territory_id=territory_id), keep)

    categories = {row["id"]: w.sync(PartyCategory, {"code": row["id"]}, {
        "name": row["name"], "position": row["position"],
        "description": _s(row.get("description"))}, src=("party_categories", row))
        for row in t.get("party_categories", [])}
    parties: dict[str, Party] = {}
    for row in t.get("parties", []):
        category = categories.get(row["category"]) or PartyCategory.objects.get(
            code=row["category"])
        parties[row["id"]] = w.sync(Party, {"code": row["id"]}, {
            "name": row["name"], "short_name": _s(row.get("short_name")), "category": category,
            # Optional column: a package without it leaves the name another package gave.
            **({"legal_name": _s(row["legal_name"])} if "legal_name" in row else {}),
            "tax_code": _s(row.get("tax_code")), "website": _s(row.get("website")),
            "territory": territory(row.get("territory"), "parties.csv", row, "territory"),
            "description": _s(row.get("description")),
        }, src=("parties", row))

    for row in t.get("pacts", []):
        pact = w.sync(Pact, {"code": row["id"]}, {
            "title": row["title"], "short_title": row["short_title"],
            "signed_on": row["signed_on"], "end_on": row.get("end_on"),
            "territory": territory(row["territory"], "pacts.csv", row, "territory"),
            "summary": row["summary"],
            "description": data.text(row.get("text_file"), resource="pacts", row=row),
            "source_url": _s(row.get("source_url")),
        }, src=("pacts", row))
        result.pacts.append(pact)
        _write_pact_parts(data, w, pact, parties)
        for section in _SECTIONS:
            section(data=data, writer=w, pact=pact, parties=parties)


def _rows(data: PackageData, resource: str, pact: Pact) -> list[dict]:
    return [r for r in data.tables.get(resource, []) if r["pact"] == pact.code]


def _write_pact_parts(data: PackageData, w: PackageWriter, pact: Pact, parties: dict) -> None:
    keep: set[int] = set()
    for row in _rows(data, "documents", pact):
        keep.add(w.sync(PactDocument, {"pact": pact, "title": row["title"]}, {
            "kind": row["kind"], "published_on": row.get("published_on"),
            "url": _s(row.get("url"))}, src=("documents", row)).pk)
    w.prune(pact.documents.all(), keep)

    def party(code: str) -> Party:
        return parties.get(code) or Party.objects.get(code=code)

    # Free the promoter slot first so that a package moving the role loads in one go.
    rows = _rows(data, "pact_parties", pact)
    promoter = next(r["party"] for r in rows if r["role"] == "promoter")
    for old in pact.memberships.filter(role=PactParty.Role.PROMOTER).exclude(
            party__code=promoter):
        w.sync(PactParty, {"pk": old.pk}, {"role": PactParty.Role.SIGNATORY})
    keep = {w.sync(PactParty, {"pact": pact, "party": party(r["party"])}, {
        "role": r["role"], "joined_on": r["joined_on"], "position": r["position"],
        **basis_values(r, "basis", "pact_parties")},
        src=("pact_parties", r)).pk
        for r in rows}
    w.prune(pact.memberships.all(), keep)

    clusters = {}
    for row in _rows(data, "clusters", pact):
        clusters[row["code"]] = w.sync(Cluster, {"pact": pact, "code": row["code"]}, {
            "title": row["title"], "short_title": row["short_title"],
            "position": row["position"], "summary": row["summary"],
            "description": data.text(row.get("text_file"), resource="clusters", row=row)},
            src=("clusters", row))
    w.prune(pact.clusters.all(), {c.pk for c in clusters.values()})

    goals = {g.number: g for g in SdgGoal.objects.all()}
    keep = set()
    for row in _rows(data, "challenges", pact):
        challenge = w.sync(Challenge, {"pact": pact, "code": row["code"]}, {
            "title": row["title"], "position": row["position"], "summary": row["summary"],
            "short_label": _s(row.get("short_label")),
            **basis_values(row, "links_basis", "challenges", prefix="links_"),
            "description": data.text(row.get("text_file"), resource="challenges", row=row)},
            src=("challenges", row))
        w.set_m2m(challenge.sdgs, [goals[int(n)] for n in split_list(row.get("sdgs"))])
        w.set_m2m(challenge.clusters, [clusters[c] for c in split_list(row.get("clusters"))])
        keep.add(challenge.pk)
    w.prune(pact.challenges.all(), keep)

    groups = {}
    for row in _rows(data, "working_groups", pact):
        groups[row["code"]] = w.sync(WorkingGroup, {"pact": pact, "code": row["code"]}, {
            "name": row["name"], "cluster": clusters.get(row.get("cluster") or ""),
            "summary": _s(row.get("summary"))}, src=("working_groups", row))
    w.prune(pact.working_groups.all(), {g.pk for g in groups.values()})
    keep = {w.sync(WorkingGroupMember, {
        "working_group": groups[r["working_group"]], "party": party(r["party"])},
        {"person": _s(r.get("person")), "role": r["role"], "is_example": bool(r.get("example")),
         **basis_values(r, "basis", "working_group_members", example=bool(r.get("example")))},
        src=("working_group_members", r)).pk
        for r in _rows(data, "working_group_members", pact)}
    w.prune(WorkingGroupMember.objects.filter(working_group__pact=pact), keep)

    for model, resource, related, fields in [
        (EmergencyAction, "emergency_actions", "emergency_actions", ["title"]),
        (Instrument, "instruments", "instruments", ["name", "kind"]),
        (TableDuty, "table_duties", "table_duties", ["title"]),
    ]:
        keep = set()
        for row in _rows(data, resource, pact):
            values = {f: row[f] for f in fields}
            values.update(position=row["position"], summary=row["summary"])
            if model is Instrument:
                values["description"] = data.text(row.get("text_file"), resource=resource,
                                                  row=row)
            keep.add(w.sync(model, {"pact": pact, "code": row["code"]}, values,
                            src=(resource, row)).pk)
        w.prune(getattr(pact, related).all(), keep)


@transaction.atomic
def territory_load_boundaries(*, path: str | Path, code_property: str = "com_istat_code",
                              source: str = "", user: Any = None) -> dict[str, int]:
    """Attach GeoJSON boundaries to territories, matched by ISTAT code; all or nothing.

    Returns the number of territories updated and of features skipped because their code
    is not a territory loaded in any pact (e.g. a regional file used for one province).
    """
    path = Path(path)
    name = path.name
    try:
        collection = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
        raise ApplicationError(_("%(name)s is not a readable GeoJSON file (%(error)s).")
                               % {"name": name, "error": exc},
                               code="invalid_geojson") from exc
    features = collection.get("features") if isinstance(collection, dict) else None
    if collection.get("type") != "FeatureCollection" or not isinstance(features, list):
        raise ApplicationError(_("%(name)s: a GeoJSON FeatureCollection is needed.")
                               % {"name": name},
                               code="invalid_geojson")
    by_istat = {t.istat_code: t for t in Territory.objects.exclude(istat_code="")}
    problems, updated, skipped = [], 0, 0
    for index, feature in enumerate(features, start=1):
        props = (feature or {}).get("properties") or {}
        geometry = (feature or {}).get("geometry") or {}
        code = str(props.get(code_property, "")).strip()
        where = {"file": name, "row": index, "field": f"properties.{code_property}"}
        if not code:
            problems.append(Problem(**where, code="missing-code", detail=(
                f"feature {index} has no {code_property!r}; add the ISTAT code or pass "
                "--property with the name of the property that holds it")))
            continue
        if geometry.get("type") not in {"Polygon", "MultiPolygon"}:
            problems.append(Problem(**{**where, "field": "geometry"}, code="bad-geometry",
                                    detail=f"feature {code} is not a Polygon or MultiPolygon"))
            continue
        territory = by_istat.get(code)
        if territory is None:
            skipped += 1
            continue
        if territory.boundary != geometry or territory.boundary_source != source:
            territory.boundary, territory.boundary_source = geometry, source
            territory._history_user = user
            territory.save(update_fields=["boundary", "boundary_source", "updated_at"])
            updated += 1
    if problems:
        raise ApplicationError(_("%(name)s: nothing was written.") % {"name": name},
                               code="invalid_geojson",
                               problems=problems)
    return {"updated": updated, "skipped": skipped, "features": len(features)}
