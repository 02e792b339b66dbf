"""Every read of the pact registry that a page, an export or a command needs, joins decided."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, Prefetch, Q, QuerySet
from django.db.models.expressions import RawSQL

from .models import (
    Challenge,
    Cluster,
    Pact,
    PactParty,
    Party,
    PartyCategory,
    Territory,
    TerritoryMembership,
    WorkingGroupMember,
)


def pact_list() -> QuerySet[Pact]:
    return Pact.objects.select_related("territory").order_by("-signed_on")


def pact_default() -> Pact | None:
    """The pact the home page shows: the one configured, else the latest signed."""
    code = settings.PATTO_DEFAULT_PACT
    pacts = pact_list()
    return (pacts.filter(code=code).first() if code else None) or pacts.first()


def pact_get(*, code: str) -> Pact:
    return pact_list().get(code=code)


def pact_promoter(pact: Pact) -> Party | None:
    role = pact.memberships.select_related("party").filter(
        role=PactParty.Role.PROMOTER).first()
    return role.party if role else None


#: Apps above this one add their counts (projects, activities...) without being imported here.
#: A provider is called as ``provider(pact, full=...)``: with ``full`` False it gives only the
#: counts a public page shows, each cheap at national scale; with ``full`` True also those
#: `patto load-pact` prints (observations, movements...), which may read whole tables.
_EXTRA_COUNTS: list[Callable[..., dict[str, int]]] = []


def register_count(provider: Callable[..., dict[str, int]]) -> None:
    if provider not in _EXTRA_COUNTS:
        _EXTRA_COUNTS.append(provider)


def pact_counts(pact: Pact, *, full: bool = False) -> dict[str, int]:
    """What a pact holds, one count per kind, in the order a person reads them. The page's
    counts (``full`` False) are kept once per data version; the full ones, for `patto
    load-pact`, are counted when asked (counting a million observations for a page is not
    worth it, even once per version)."""
    if full:
        return _pact_counts(pact, full=True)
    from patto.core.cache import versioned

    return versioned(f"pact:counts:{pact.pk}", lambda: _pact_counts(pact, full=False))


def _pact_counts(pact: Pact, *, full: bool) -> dict[str, int]:
    counts = _registry_counts(pact)
    for provider in _EXTRA_COUNTS:
        counts.update(provider(pact, full=full))
    return counts


def _registry_counts(pact: Pact) -> dict[str, int]:
    roles = pact.memberships.aggregate(
        parties=Count("id"),
        promoters=Count("id", filter=Q(role=PactParty.Role.PROMOTER)),
        signatories=Count("id", filter=Q(role=PactParty.Role.SIGNATORY)))
    return {
        "parties": roles["parties"],
        "promoters": roles["promoters"],
        "signatories": roles["signatories"],
        "party_categories": PartyCategory.objects.filter(
            parties__pact_roles__pact=pact).distinct().count(),
        **_territory_counts(root=pact.territory, on=pact.signed_on),
        "clusters": pact.clusters.count(),
        "challenges": pact.challenges.count(),
        "working_groups": pact.working_groups.count(),
        "working_group_members": WorkingGroupMember.objects.filter(
            working_group__pact=pact).count(),
        "emergency_actions": pact.emergency_actions.count(),
        "instruments": pact.instruments.count(),
        "table_duties": pact.table_duties.count(),
        "documents": pact.documents.count(),
    }


def _territory_counts(*, root: Territory | None, on: dt.date) -> dict[str, int]:
    """The municipalities, unions and districts under ``root`` on ``on``, as
    :func:`territory_tree` counts them, in two queries (the tree's model instances,
    thousands at national scale, are not needed to count them)."""
    if root is None:
        return {"municipalities": 0, "unions": 0, "districts": 0,
                "municipalities_with_boundaries": 0}
    # Every municipality reached from the root, once, whatever the path (a municipality can
    # sit in a union and in a district).
    below = Territory.objects.filter(pk__in=_within(root_id=root.pk, on=on),
                                     kind=Territory.Kind.MUNICIPALITY).exclude(pk=root.pk)
    counted = below.aggregate(
        municipalities=Count("pk"),
        municipalities_with_boundaries=Count("pk", filter=Q(boundary__isnull=False)))
    groups = TerritoryMembership.objects.filter(_valid_on(on), parent=root).aggregate(
        unions=Count("pk", filter=Q(territory__kind=Territory.Kind.UNION)),
        districts=Count("pk", filter=Q(territory__kind=Territory.Kind.DISTRICT)))
    return {**counted, **groups}


def party_list(*, pact: Pact | None = None, category: str = "", query: str = ""
               ) -> QuerySet[Party]:
    # A party's territory without its boundary: geometries are megabytes nobody shows here.
    parties = Party.objects.select_related("category", "territory").defer("territory__boundary")
    if pact is not None:
        parties = parties.filter(pact_roles__pact=pact)
    if category:
        parties = parties.filter(category__code=category)
    if query:
        parties = parties.filter(Q(name__icontains=query) | Q(short_name__icontains=query))
    return parties.order_by("category__position", "name").distinct()


def party_categories_with_counts(*, pact: Pact | None = None) -> QuerySet[PartyCategory]:
    flt = Q(parties__pact_roles__pact=pact) if pact else Q()
    return PartyCategory.objects.annotate(
        party_count=Count("parties", filter=flt, distinct=True)).filter(party_count__gt=0)


def party_get(*, code: str) -> Party:
    return (Party.objects.select_related("category", "territory").defer("territory__boundary")
            .prefetch_related(
                Prefetch("pact_roles", queryset=PactParty.objects.select_related("pact")),
                "working_groups__working_group__cluster")
            .get(code=code))


def cluster_get(*, pact: Pact, code: str) -> Cluster:
    return (Cluster.objects.select_related("pact")
            .prefetch_related(
                Prefetch("challenges", queryset=Challenge.objects.prefetch_related("sdgs")),
                "working_groups__members__party")
            .get(pact=pact, code=code))


def challenge_list(*, pact: Pact) -> QuerySet[Challenge]:
    return pact.challenges.prefetch_related("sdgs", "clusters")


def challenge_get(*, pact: Pact, code: str) -> Challenge:
    return challenge_list(pact=pact).select_related("pact").get(code=code)


# Territory as of a date -----------------------------------------------------------------

@dataclass
class TerritoryNode:
    territory: Territory
    parent: Territory | None = None
    membership: TerritoryMembership | None = None
    children: list[TerritoryNode] = field(default_factory=list)

    @property
    def has_boundary(self) -> bool:
        return bool(self.territory.has_boundary)

    @property
    def population(self) -> int | None:
        if self.territory.population is not None:
            return self.territory.population
        values = [c.population for c in self.children]
        return sum(v for v in values if v is not None) if values else None


@dataclass
class TerritoryTree:
    """The territory of a pact as it was on a day: groups (unions, districts) and municipalities."""

    root: TerritoryNode
    on: dt.date
    groups: list[TerritoryNode]
    municipalities: list[TerritoryNode]
    ungrouped: list[TerritoryNode]

    def group_of(self, municipality: Territory) -> Territory | None:
        for node in self.municipalities:
            if node.territory.pk == municipality.pk:
                return node.parent if node.parent and node.parent.pk != self.root.territory.pk \
                    else None
        return None


def _valid_on(day: dt.date) -> Q:
    return (Q(start_on__isnull=True) | Q(start_on__lte=day)) & (
        Q(end_on__isnull=True) | Q(end_on__gte=day))


def territory_tree(*, root: Territory, on: dt.date) -> TerritoryTree:
    """The tree under ``root`` valid on ``on``, in two queries whatever its size, built once
    per data version (7,900 municipalities are a second of Python on every page else)."""
    from patto.core.cache import versioned

    return versioned(f"pact:tree:{root.pk}:{on.isoformat()}",
                     lambda: _territory_tree(root=root, on=on))


def _territory_tree(*, root: Territory, on: dt.date) -> TerritoryTree:
    memberships = list(
        TerritoryMembership.objects.filter(_valid_on(on)).select_related("territory", "parent")
        .defer("territory__boundary", "parent__boundary"))
    has_boundary = set(Territory.objects.filter(boundary__isnull=False)
                       .values_list("pk", flat=True))
    nodes: dict[int, TerritoryNode] = {root.pk: TerritoryNode(root)}
    children_of: dict[int, list[TerritoryMembership]] = defaultdict(list)
    for m in memberships:
        children_of[m.parent_id].append(m)
    for t in [root, *(m.territory for m in memberships), *(m.parent for m in memberships)]:
        t.has_boundary = t.pk in has_boundary

    def grow(node: TerritoryNode) -> None:
        for m in sorted(children_of.get(node.territory.pk, []), key=lambda m: m.territory.name):
            child = TerritoryNode(m.territory, parent=node.territory, membership=m)
            nodes[m.territory.pk] = child
            node.children.append(child)
            grow(child)

    grow(nodes[root.pk])
    all_nodes = list(nodes.values())
    municipalities = sorted((n for n in all_nodes
                             if n.territory.kind == Territory.Kind.MUNICIPALITY),
                            key=lambda n: n.territory.name)
    groups = [n for n in nodes[root.pk].children
              if n.territory.kind in (Territory.Kind.UNION, Territory.Kind.DISTRICT)]
    ungrouped = [n for n in nodes[root.pk].children
                 if n.territory.kind == Territory.Kind.MUNICIPALITY]
    return TerritoryTree(root=nodes[root.pk], on=on, groups=groups,
                         municipalities=municipalities, ungrouped=ungrouped)


@dataclass(frozen=True)
class Place:
    """A municipality of a pact's territory with its group, as plain values: what a page
    that lists thousands of them needs (the full tree's model instances are megabytes to
    keep and read back from the cache)."""

    pk: int
    code: str
    name: str
    group_pk: int | None  # its union or district; None when directly under the root
    group_name: str


def territory_within(key: str, *, on: dt.date) -> RawSQL:
    """The ids of the territory whose code or name (in any case) is ``key`` and of every
    territory under it on ``on`` (a region's provinces and municipalities, say), as a
    subquery for ``__in``: one recursive query inside the caller's, so a filter on a
    region costs no query of its own, whatever the depth."""
    key = key.strip()
    return _within(on=on, start="code = %s OR LOWER(name) = LOWER(%s)", params=(key, key))


def _within(*, on: dt.date, root_id: int | None = None, start: str = "id = %s",
            params: tuple = ()) -> RawSQL:
    """The recursive subquery of :func:`territory_within`, from the territories that match
    ``start`` (by default the one of ``root_id``)."""
    territory = Territory._meta.db_table
    membership = TerritoryMembership._meta.db_table
    sql = (
        f"WITH RECURSIVE within_(id) AS ("  # noqa: S608 - fixed text and the models' tables
        f"SELECT id FROM {territory} WHERE {start} "
        f"UNION SELECT m.territory_id FROM {membership} m JOIN within_ w ON m.parent_id = w.id "
        f"WHERE (m.start_on IS NULL OR m.start_on <= %s) "
        f"AND (m.end_on IS NULL OR m.end_on >= %s)"
        f") SELECT id FROM within_")
    if root_id is not None:
        params = (root_id,)
    return RawSQL(sql, (*params, on, on))  # noqa: S611 - values as parameters


@dataclass(frozen=True)
class MunicipalityPlace:
    """Where one municipality lies in a pact's territory on a day (:func:`municipality_place`)."""

    within: bool
    group: Territory | None  # the territory it belongs to under the root; None: the root's own


def municipality_place(*, root: Territory, municipality_id: int, on: dt.date
                       ) -> MunicipalityPlace:
    """Whether ``municipality_id`` is a municipality under ``root`` on ``on``, and its group
    (its parent in the tree when that is not the root, as :meth:`TerritoryTree.group_of`):
    one query through the recursive subquery, whatever the territory's size. A service that
    records one case checks its place with this, not with the whole tree, which it would
    rebuild on every write of a transaction (the tree is kept per data version, and each
    write moves the transaction's version)."""
    parents = list(
        TerritoryMembership.objects.filter(
            _valid_on(on), territory_id=municipality_id,
            territory__kind=Territory.Kind.MUNICIPALITY,
            parent_id__in=_within(on=on, root_id=root.pk))
        .select_related("parent").defer("parent__boundary").order_by("parent__name", "pk"))
    if not parents:
        return MunicipalityPlace(within=False, group=None)
    groups = [m.parent for m in parents if m.parent_id != root.pk]
    return MunicipalityPlace(within=True, group=groups[0] if groups else None)


def territory_places(*, root_id: int, on: dt.date) -> list[Place]:
    """The municipalities under the territory ``root_id`` on ``on``, in the order of
    :func:`territory_tree`'s ``municipalities`` (by name), from one query of plain values;
    kept once per data version."""
    from patto.core.cache import versioned

    return versioned(f"pact:places:{root_id}:{on.isoformat()}",
                     lambda: _territory_places(root_id=root_id, on=on))


def _territory_places(*, root_id: int, on: dt.date) -> list[Place]:
    children_of: dict[int, list[tuple]] = defaultdict(list)
    for row in (TerritoryMembership.objects.filter(_valid_on(on))
                .values_list("parent_id", "territory_id", "territory__code",
                             "territory__name", "territory__kind")):
        children_of[row[0]].append(row)
    names = {row[1]: row[3] for rows in children_of.values() for row in rows}
    # Keyed as _territory_tree's nodes: a place reached twice keeps its first position and
    # its last group.
    found: dict[int, Place] = {}

    def grow(parent_id: int, path: frozenset) -> None:
        # As _territory_tree grows its nodes: children by name, depth first.
        for _parent, pk, code, name, kind in sorted(children_of.get(parent_id, []),
                                                    key=lambda r: r[3]):
            if pk in path:
                continue
            if kind == Territory.Kind.MUNICIPALITY:
                group = parent_id if parent_id != root_id else None
                found[pk] = Place(pk, code, name, group, names.get(group, "") if group else "")
            grow(pk, path | {pk})

    grow(root_id, frozenset({root_id}))
    return sorted(found.values(), key=lambda p: p.name)


@dataclass(frozen=True)
class PlaceRef:
    """A territory as a page links and describes it, as plain values."""

    code: str
    name: str
    istat_code: str
    population: int | None

    def get_absolute_url(self) -> str:
        from django.urls import reverse

        return reverse("pact:territory_detail", kwargs={"code": self.code})


@dataclass(frozen=True)
class PlaceRow:
    """A union, district or municipality of the territory page: the territory, its
    population (a group's: its own, else its members' sum) and how many members it has."""

    territory: PlaceRef
    population: int | None
    count: int = 0


@dataclass(frozen=True)
class TerritoryOverview:
    """What the territory page shows of :func:`territory_tree`, as plain values."""

    root_name: str
    municipalities: int
    groups: list[PlaceRow]
    ungrouped: int
    rows: list[tuple[PlaceRow | None, PlaceRow]]


def territory_overview(*, root: Territory, on: dt.date) -> TerritoryOverview:
    """The territory page's groups and (group, municipality) rows as :func:`territory_tree`
    and :func:`territory_rows` give them, from one query of plain values, kept once per
    data version: the tree's model instances cost a page far more to read from the cache
    than these values."""
    from patto.core.cache import versioned

    return versioned(f"pact:overview:{root.pk}:{on.isoformat()}",
                     lambda: _territory_overview(root=root, on=on))


def _territory_overview(*, root: Territory, on: dt.date) -> TerritoryOverview:
    children_of: dict[int, list[tuple]] = defaultdict(list)
    for row in (TerritoryMembership.objects.filter(_valid_on(on))
                .values_list("parent_id", "territory_id", "territory__code",
                             "territory__name", "territory__kind", "territory__istat_code",
                             "territory__population")):
        children_of[row[0]].append(row[1:])
    for rows in children_of.values():
        rows.sort(key=lambda r: r[2])  # by name, as _territory_tree grows its nodes
    municipalities: set[int] = set()

    def walk(pk: int, path: frozenset) -> list[int | None]:
        """The populations of ``pk``'s members (as TerritoryNode.population), counting the
        municipalities met on the way."""
        found = []
        for child, _code, _name, kind, _istat, own in children_of.get(pk, []):
            if child in path:
                continue
            if kind == Territory.Kind.MUNICIPALITY:
                municipalities.add(child)
            below = walk(child, path | {child})
            found.append(own if own is not None else
                         (sum(v for v in below if v is not None) if below else None))
        return found

    def row(pk, code, name, istat, own, *, members: list | None = None) -> PlaceRow:
        population = own
        if own is None and members:
            population = sum(v for v in members if v is not None)
        return PlaceRow(PlaceRef(code, name, istat, own), population,
                        len(members) if members is not None else 0)

    walk(root.pk, frozenset({root.pk}))
    groups, rows, ungrouped = [], [], []
    for pk, code, name, kind, istat, own in children_of.get(root.pk, []):
        if pk == root.pk:
            continue
        if kind in (Territory.Kind.UNION, Territory.Kind.DISTRICT):
            group = row(pk, code, name, istat, own,
                        members=walk(pk, frozenset({root.pk, pk})))
            groups.append(group)
            rows += [(group, row(*m[:2], m[2], m[4], m[5]))
                     for m in children_of.get(pk, [])
                     if m[3] == Territory.Kind.MUNICIPALITY and m[0] not in (root.pk, pk)]
        elif kind == Territory.Kind.MUNICIPALITY:
            ungrouped.append((None, row(pk, code, name, istat, own)))
    return TerritoryOverview(root_name=root.name, municipalities=len(municipalities),
                             groups=groups, ungrouped=len(ungrouped), rows=rows + ungrouped)


def overview_rows(*, overview: TerritoryOverview, group_code: str | None = None
                  ) -> list[tuple[PlaceRow | None, PlaceRow]]:
    """:func:`territory_rows` for a :class:`TerritoryOverview`."""
    if group_code == UNGROUPED:
        return [r for r in overview.rows if r[0] is None]
    if group_code:
        return [r for r in overview.rows
                if r[0] is not None and r[0].territory.code == group_code]
    return overview.rows


UNGROUPED = "nessuno"


def territory_rows(*, tree: TerritoryTree, group_code: str | None = None
                   ) -> list[tuple[TerritoryNode | None, TerritoryNode]]:
    """(group, municipality) pairs in the order of the table: each group's municipalities by
    name, then those outside any group (group None); only one group's if ``group_code`` is
    given (``UNGROUPED`` for those outside). A plain list, so a page of it costs no query."""
    rows = [(g, m) for g in tree.groups for m in g.children
            if m.territory.kind == Territory.Kind.MUNICIPALITY]
    rows += [(None, m) for m in tree.ungrouped]
    if group_code == UNGROUPED:
        return [r for r in rows if r[0] is None]
    if group_code:
        return [r for r in rows if r[0] is not None and r[0].territory.code == group_code]
    return rows


def territory_get(*, code: str) -> Territory:
    return Territory.objects.defer("boundary").get(code=code)


def territory_memberships(*, territory: Territory) -> QuerySet[TerritoryMembership]:
    """Every membership of a territory, past and present, newest first."""
    return (territory.memberships.select_related("parent").defer("parent__boundary")
            .order_by("-start_on"))


def territory_members(*, territory: Territory, on: dt.date) -> QuerySet[Territory]:
    return (Territory.objects.defer("boundary")
            .filter(pk__in=TerritoryMembership.objects.filter(
                _valid_on(on), parent=territory).values("territory"))
            .order_by("name"))


def territory_boundaries(*, tree: TerritoryTree, precision: int = 5) -> dict:
    """A GeoJSON FeatureCollection of the tree's municipalities, each with its group.

    Coordinates are rounded to ``precision`` decimals (about 1 m at 5) to keep the page
    light; the stored boundary is left as loaded.
    """
    group_of = {n.territory.pk: n.parent for n in tree.municipalities}
    features = []
    for t in Territory.objects.filter(pk__in=group_of, boundary__isnull=False).only(
            "code", "name", "boundary", "istat_code"):
        group = group_of[t.pk]
        features.append({
            "type": "Feature",
            "properties": {
                "name": t.name, "code": t.code, "istat_code": t.istat_code,
                "group": group.name if group and group.pk != tree.root.territory.pk else "",
            },
            "geometry": _round_geometry(t.boundary, precision),
        })
    return {"type": "FeatureCollection", "features": features}


def _round_geometry(geometry: dict, precision: int) -> dict:
    def walk(coords):
        if coords and isinstance(coords[0], (int, float)):
            return [round(c, precision) for c in coords]
        return [walk(c) for c in coords]
    return {"type": geometry["type"], "coordinates": walk(geometry["coordinates"])}
