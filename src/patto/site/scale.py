"""A synthetic pact at national scale (regions, provinces, municipalities, a large agenda,
thousands of projects with their reports, a busy ledger), all marked as example data, to
measure the public pages where a real national pact would put them.

The registry, the projects' sheets, the funds and the agenda's indicators are written as a pact
data package and loaded by ``patto load-pact``'s own service, so the pact is checked as any
package is. What a package would make slow at this size goes through the apps' bulk or
service paths: the territorial panel of observations (PostgreSQL ``COPY``, else the
monitoring service's batched insert), the progress reports (the projects' services) and the
fund movements (the ledger's services, in batches). The co-design networks, crisis cases,
agreements, register entries and economic-development records travel in the package too
(participation's and the instruments' package sections write them through their services);
calls with their proposals and challenges with their solutions, votes and comments go
through participation's services. A fixed seed makes two runs equal.
"""

from __future__ import annotations

import csv
import datetime as dt
import json
import math
import random
import tempfile
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

SEED = 20210113
PACT = "italia-scala"
ROOT = "scala-italia"
FIRST_TOWN = "200001"  # municipalities' codes start here (see geography)
FIRST_YEAR = 2024  # the last year of the panel is FIRST_YEAR; earlier years go back from it


@dataclass(frozen=True)
class ScaleSize:
    """How big the synthetic pact is."""

    municipalities: int
    indicators: int
    years: int
    projects: int
    movements: int
    # Participation and the work instruments (defaults: a few of each, as ``tiny``).
    calls: int = 2  # calls for proposals, each with ``proposals`` submitted proposals
    proposals: int = 6  # per call, one per municipality (at most the municipalities)
    challenges: int = 2  # open challenges, each with ``solutions`` solutions
    solutions: int = 6  # per challenge; votes and comments follow from them
    networks: int = 4  # co-design networks
    work_records: int = 12  # crisis cases, good-employment agreements, register entries: each

    @property
    def provinces(self) -> int:
        # 7,900 municipalities fall in 110 provinces (72 each on average) and 20 regions.
        return min(110, max(2, math.ceil(self.municipalities / 72)))

    @property
    def regions(self) -> int:
        return min(20, max(1, math.ceil(self.provinces / 5.5)))

    @property
    def territories(self) -> int:
        return 1 + self.regions + self.provinces + self.municipalities

    @property
    def observations(self) -> int:
        return self.territories * self.indicators * self.years


#: A national pact's participation and work records: a few calls with hundreds of proposals,
#: challenges with thousands of solutions (and their votes and comments), hundreds of
#: networks, and hundreds each of crisis cases, agreements and register entries. Those
#: are written one by one through the instruments' services, each of which checks its
#: municipality against the territory's tree, built afresh after every write (about a
#: second at 7,900 municipalities): thousands would take hours to load.
_NATIONAL_PARTICIPATION = {"calls": 4, "proposals": 300, "challenges": 5, "solutions": 800,
                           "networks": 300, "work_records": 200}

#: ``full`` is Italy's size (about 48 M observations: PostgreSQL); ``small`` keeps the whole
#: geography with a smaller agenda (about 1 M observations: SQLite and CI); ``tiny`` is for
#: tests.
SIZES = {
    "tiny": ScaleSize(municipalities=30, indicators=5, years=3, projects=10, movements=50),
    "small": ScaleSize(municipalities=7900, indicators=25, years=5, projects=2000,
                       movements=100_000, **_NATIONAL_PARTICIPATION),
    "full": ScaleSize(municipalities=7900, indicators=300, years=20, projects=2000,
                      movements=100_000, **_NATIONAL_PARTICIPATION),
}


def size_with(base: str, **overrides: int | None) -> ScaleSize:
    """A preset with some of its figures replaced (``None`` keeps the preset's)."""
    return replace(SIZES[base], **{k: v for k, v in overrides.items() if v is not None})


# Names ------------------------------------------------------------------------------------

_REGIONS = ["Alpina", "Padana", "Adriatica", "Tirrenica", "Appenninica", "Lagunare", "Collinare",
            "Ionica", "Ligure", "Insulare", "Prealpina", "Maremmana", "Sannita", "Daunia",
            "Salentina", "Etnea", "Sarda", "Tiberina", "Lucana", "Dolomitica"]
_PREFIXES = ["San", "Santa", "Monte", "Borgo", "Castel", "Villa", "Pieve", "Rocca", "Torre",
             "Ponte", "Valle", "Casal", "Poggio", "Colle", "Riva", "Fonte", "Porto", "Serra"]
_ROOTS = ["Alto", "Verde", "Fiorito", "Nuovo", "Sereno", "Lungo", "Chiaro", "Rosso", "Bianco",
          "Antico", "Franco", "Maggiore", "Minore", "Vecchio", "Marino", "Lieto", "Bello",
          "Ombroso", "Solare", "Ventoso", "Quieto", "Ardito", "Florido", "Piano"]
_SUFFIXES = ["", " di Sopra", " di Sotto", " al Lago", " sul Fiume", " in Valle", " Scalo",
             " Terme", " Marina", " Superiore", " Inferiore"]
#: Codes of their own (categories are shared by every pact loaded).
_CATEGORIES = [
    ("scala-enti-territoriali", "Enti territoriali (esempio)"),
    ("scala-sindacati", "Organizzazioni sindacali (esempio)"),
    ("scala-imprese", "Associazioni di imprese (esempio)"),
    ("scala-universita", "Università e ricerca (esempio)"),
    ("scala-terzo-settore", "Terzo settore (esempio)"),
    ("scala-fondazioni", "Fondazioni (esempio)"),
]
_CLUSTERS = ["Lavoro e competenze", "Transizione ecologica", "Transizione digitale",
             "Inclusione e welfare", "Mobilità e infrastrutture", "Cultura e turismo"]
_PURPOSES = [("bisogni-primari", "Bisogni primari", "Basic needs"),
             ("lavoro", "Lavoro", "Work"),
             ("poverta-educativa", "Povertà educativa", "Educational poverty"),
             ("abitare", "Abitare", "Housing")]
_STATUSES = ["proposed", "approved", "in_progress", "in_progress", "in_progress", "suspended",
             "completed", "cancelled"]
EXAMPLE_NOTE = "Dato di esempio generato per le prove di scala: non è una statistica."


def _place_name(rng: random.Random) -> str:
    return f"{rng.choice(_PREFIXES)} {rng.choice(_ROOTS)}{rng.choice(_SUFFIXES)}"


@dataclass
class Geography:
    """Codes of the synthetic territory, from the top down."""

    regions: list[str]
    provinces: list[str]  # ISTAT-like three-digit codes
    municipalities: list[str]  # ISTAT-like six-digit codes: province + progressive
    province_of: dict[str, str]
    region_of: dict[str, str]

    @property
    def all_codes(self) -> list[str]:
        return [ROOT, *self.regions, *self.provinces, *self.municipalities]


def geography(size: ScaleSize) -> Geography:
    regions = [f"scala-regione-{i + 1:02d}" for i in range(size.regions)]
    # Province numbers from 200 up, beyond ISTAT's (which end near 111), so that the scale
    # pact's codes never meet a real pact's loaded beside it.
    provinces = [f"{200 + i:03d}" for i in range(size.provinces)]
    region_of = {p: regions[i * size.regions // size.provinces] for i, p in enumerate(provinces)}
    municipalities, province_of = [], {}
    counters: dict[str, int] = {}
    for i in range(size.municipalities):
        # Numbered within the province (at most 999 each, as ISTAT's codes).
        province = provinces[i * size.provinces // size.municipalities]
        counters[province] = counters.get(province, 0) + 1
        code = f"{province}{counters[province]:03d}"
        municipalities.append(code)
        province_of[code] = province
    return Geography(regions, provinces, municipalities, province_of, region_of)


# The package ------------------------------------------------------------------------------

def _descriptor() -> dict:
    """The package format's schemas, taken from the shipped Bologna package so that the
    synthetic package follows the format as it changes."""
    path = Path(settings.BASE_DIR) / "packages" / "bologna-2021" / "datapackage.json"
    descriptor = json.loads(path.read_text(encoding="utf-8"))
    return {**descriptor, "name": "patto-italia-scala",
            "title": "Patto nazionale di esempio per le prove di scala",
            "description": "Synthetic example data generated by `patto load-scale`.",
            "sources": [{"title": "Dati sintetici generati da Patto (esempio)"}]}


def write_package(folder: Path, size: ScaleSize, rng: random.Random) -> dict[str, int]:
    """Write the synthetic pact as a data package in ``folder``; return rows per table."""
    descriptor = _descriptor()
    geo = geography(size)
    tables: dict[str, list[dict]] = {r["name"]: [] for r in descriptor["resources"]}
    signed = dt.date(2021, 1, 13)
    p = {"pact": PACT}

    # The package format knows two levels below a pact's territory (groups, municipalities):
    # provinces are the groups; regions are territories of their own, outside the tree.
    t = tables["territories"]
    t.append({"id": ROOT, "name": "Italia (esempio)", "kind": "metropolitan_city",
              "population": 0})
    for i, code in enumerate(geo.regions):
        t.append({"id": code, "name": f"Regione {_REGIONS[i % len(_REGIONS)]} (esempio)",
                  "kind": "metropolitan_city"})
    for code in geo.provinces:
        t.append({"id": code, "name": f"Provincia di {_place_name(rng)} (esempio)",
                  "kind": "district", "istat_code": code})
    populations = {}
    for code in geo.municipalities:
        populations[code] = max(30, int(rng.lognormvariate(8.2, 1.1)))
        t.append({"id": code, "name": _place_name(rng), "kind": "municipality",
                  "istat_code": code, "population": populations[code],
                  "population_year": 2021, "population_source": "sintetica (esempio)"})
    t[0]["population"] = sum(populations.values())
    source = "Geografia sintetica di esempio"
    m = tables["territory_memberships"]
    m += [{"territory": c, "parent": ROOT, "source": source} for c in geo.provinces]
    m += [{"territory": c, "parent": geo.province_of[c], "source": source}
          for c in geo.municipalities]

    tables["party_categories"] += [{"id": code, "name": name, "position": i + 1}
                                   for i, (code, name) in enumerate(_CATEGORIES)]
    parties = tables["parties"]
    parties.append({"id": "scala-agenzia-nazionale",
                    "name": "Agenzia nazionale del Patto (esempio)",
                    "short_name": "Agenzia del Patto", "category": "scala-enti-territoriali",
                    "territory": ROOT, "description": EXAMPLE_NOTE})
    for r in geo.regions:
        parties.append({"id": f"scala-ente-{r}", "name": f"Ente {r} (esempio)",
                        "category": "scala-enti-territoriali", "territory": r})
    for c in geo.provinces:
        parties.append({"id": f"scala-provincia-{c}", "name": f"Provincia {c} (esempio)",
                        "category": "scala-enti-territoriali", "territory": c})
    others = []
    for category, label, count in (("scala-sindacati", "Sindacato", 6),
                                   ("scala-imprese", "Associazione di imprese", 12),
                                   ("scala-universita", "Università", 20),
                                   ("scala-terzo-settore", "Rete del terzo settore", 20),
                                   ("scala-fondazioni", "Fondazione", 20)):
        for i in range(count):
            code = f"{category}-{i + 1:02d}"
            others.append(code)
            parties.append({"id": code, "name": f"{label} {_place_name(rng)} (esempio)",
                            "category": category})
    tables["pact_parties"] += [
        {**p, "party": row["id"], "role": "promoter" if i == 0 else "signatory",
         "joined_on": signed, "position": i + 1} for i, row in enumerate(parties)]
    tables["pacts"].append({
        "id": PACT, "title": "Patto nazionale per il lavoro e lo sviluppo sostenibile (esempio)",
        "short_title": "Patto nazionale (esempio)", "signed_on": signed, "territory": ROOT,
        "summary": "Patto sintetico a scala nazionale per misurare la piattaforma. "
                   + EXAMPLE_NOTE})
    tables["documents"].append({**p, "title": "Testo del patto (esempio)", "kind": "pact_text",
                                "published_on": signed})

    clusters = [str(i + 1) for i in range(len(_CLUSTERS))]
    tables["clusters"] += [{**p, "code": c, "title": f"{name} (esempio)", "short_title": name,
                            "position": i + 1, "summary": EXAMPLE_NOTE}
                           for i, (c, name) in enumerate(zip(clusters, _CLUSTERS, strict=True))]
    challenges = [str(i + 1) for i in range(12)]
    tables["challenges"] += [{**p, "code": c, "title": f"Sfida {c} (esempio)", "position": i + 1,
                              "summary": EXAMPLE_NOTE, "sdgs": f"{i % 17 + 1};{(i + 5) % 17 + 1}",
                              "clusters": clusters[i % len(clusters)]}
                             for i, c in enumerate(challenges)]
    tables["working_groups"] += [{**p, "code": f"gdl-{c}", "name": f"Gruppo del cluster {c}",
                                  "cluster": c} for c in clusters]
    tables["working_group_members"] += [
        {**p, "working_group": f"gdl-{c}", "party": "scala-agenzia-nazionale",
         "role": "coordinator", "example": "true"} for c in clusters]
    emergency = [f"ea-{i + 1}" for i in range(4)]
    tables["emergency_actions"] += [{**p, "code": c, "title": f"Azione d'emergenza {i + 1}",
                                     "position": i + 1, "summary": EXAMPLE_NOTE}
                                    for i, c in enumerate(emergency)]
    tables["instruments"] += [
        {**p, "code": "fondo-comunita", "name": "Fondo di comunità (esempio)",
         "kind": "community_fund", "position": 1, "summary": EXAMPLE_NOTE},
        {**p, "code": "fondo-perequativo", "name": "Fondo perequativo (esempio)",
         "kind": "equalisation_fund", "position": 2, "summary": EXAMPLE_NOTE}]
    tables["table_duties"].append({**p, "code": "td-1", "title": "Monitorare i progetti",
                                   "position": 1, "summary": EXAMPLE_NOTE})

    lead_parties = [row["id"] for row in parties]
    for n in range(size.projects):
        code = f"prg-{n + 1:05d}"
        in_emergency = n % 20 == 19
        start = signed + dt.timedelta(days=rng.randrange(0, 1200))
        status = _STATUSES[n % len(_STATUSES)]
        places = rng.sample(geo.municipalities, k=min(len(geo.municipalities), 1 + n % 3))
        tables["projects"].append({
            **p, "code": code, "title": f"Progetto {n + 1}: {_place_name(rng)} (esempio)",
            "cluster": "" if in_emergency else clusters[n % len(clusters)],
            "emergency_action": emergency[n % len(emergency)] if in_emergency else "",
            "horizon": "emergency" if in_emergency else ("short", "medium_long")[n % 2],
            "lead_party": lead_parties[n % len(lead_parties)], "status": status,
            "progress": {"completed": 100, "proposed": 0}.get(status, rng.randrange(0, 95)),
            "start_on": start, "end_on": start + dt.timedelta(days=rng.randrange(200, 1500)),
            "budget": f"{rng.randrange(20_000, 5_000_000)}.00", "summary": EXAMPLE_NOTE,
            "expected_results": "Risultati attesi di esempio.",
            "challenges": ";".join(sorted({challenges[n % 12], challenges[(n * 7) % 12]})),
            "sdg_targets": f"{n % 17 + 1}.1", "territories": ";".join(places),
            "example": "true", "source": "patto load-scale"})
        pp = {**p, "project": code}
        tables["project_parties"] += [{**pp, "party": others[(n + k) % len(others)],
                                       "role": "partner"} for k in range(2)]
        tables["project_referents"].append({**pp, "party": lead_parties[n % len(lead_parties)],
                                            "person": f"Referente {n + 1} (esempio)"})
        tables["planned_activities"] += [
            {**pp, "position": k + 1, "title": f"Attività {k + 1} (esempio)",
             "due_on": start + dt.timedelta(days=90 * (k + 1)),
             "status": ("done", "in_progress", "planned")[k]} for k in range(3)]
        tables["completed_activities"].append({**pp, "done_on": start + dt.timedelta(days=60),
                                               "text": "Avvio delle attività (esempio)."})
        tables["critical_issues"].append({**pp, "noted_on": start + dt.timedelta(days=120),
                                          "text": "Ritardi nelle forniture (esempio)."})
        tables["success_factors"].append({**pp, "text": "Rete di partner coesa (esempio)."})
        tables["meetings"].append({**pp, "held_on": start + dt.timedelta(days=30),
                                   "title": "Riunione di avvio", "participants": 12 + n % 30})
        tables["events"].append({**pp, "title": "Presentazione pubblica",
                                 "held_on": start + dt.timedelta(days=200),
                                 "place": "Sala civica", "participants": 40 + n % 80})
        tables["project_funding"].append({**pp, "source": "Programma regionale (esempio)",
                                          "kind": ("eu", "national", "regional")[n % 3],
                                          "amount": f"{rng.randrange(10_000, 900_000)}.00"})
        if n and n % 10 == 0:
            tables["project_links"].append({**pp, "linked_project": f"prg-{n:05d}",
                                            "note": "Progetti collegati (esempio)"})

    tables["funds"] += [
        {**p, "code": "comunita", "instrument": "fondo-comunita", "kind": "community",
         "allow_overcommit": "false", "example": "true"},
        {**p, "code": "perequativo", "instrument": "fondo-perequativo", "kind": "equalisation",
         "allow_overcommit": "false", "example": "true"}]
    for fund in ("comunita", "perequativo"):
        tables["fund_purposes"] += [{**p, "fund": fund, "code": c, "name": name,
                                     "name_en": name_en, "position": i + 1}
                                    for i, (c, name, name_en) in enumerate(_PURPOSES)]
    tables["donors"] += [{**p, "code": f"donatore-{code}", "kind": "party", "party": code,
                          "consent_public": "true", "consent_on": signed, "example": "true"}
                         for code in others]
    tables["donors"] += [{**p, "code": f"comune-{code}", "kind": "municipality",
                          "territory": code, "example": "true"}
                         for code in geo.municipalities[:50]]

    _add_networks(tables, size, geo, others)
    _add_work_records(tables, size, geo)

    for resource in descriptor["resources"]:
        names = [f["name"] for f in resource["schema"]["fields"]]
        with open(folder / resource["path"], "w", encoding="utf-8", newline="") as out:
            writer = csv.DictWriter(out, fieldnames=names, extrasaction="ignore")
            writer.writeheader()
            for row in tables[resource["name"]]:
                writer.writerow({k: "" if v is None else v for k, v in row.items()})
    (folder / "datapackage.json").write_text(json.dumps(descriptor, ensure_ascii=False,
                                                        indent=1), encoding="utf-8")
    _write_agenda(folder / "agenda", size, rng, challenges)
    return {name: len(rows) for name, rows in tables.items() if rows}


_ATECO = ["10.71.10", "25.62.00", "28.29.99", "41.20.00", "47.11.40", "52.10.00", "56.10.11",
          "62.01.00", "72.19.09", "86.90.29"]
_UNIONS = ["scala-sindacati-01", "scala-sindacati-02", "scala-sindacati-03"]


def _rng_of(size: ScaleSize, part: str) -> random.Random:
    """A generator of its own for each part added after the first release of the scale pact:
    the projects, funds and agenda stay the same draw for draw."""
    return random.Random(f"{SEED}-{part}-{size}")


def _company_code(n: int) -> str:
    """A well-formed partita IVA (office 037, Luhn check digit), unique for each ``n``."""
    from stdnum import luhn

    first = f"{8_000_000 + n:07d}037"
    return first + luhn.calc_check_digit(first)


def _add_networks(tables: dict[str, list[dict]], size: ScaleSize, geo: Geography,
                  others: list[str]) -> None:
    """Co-design networks, with their partners and activities, loaded by participation's
    package section."""
    rng = _rng_of(size, "networks")
    p = {"pact": PACT, "example": "true"}
    places = [*geo.provinces, *geo.municipalities]
    for n in range(size.networks):
        code = f"rete-{n + 1:04d}"
        where = rng.sample(places, k=min(len(places), 1 + n % 4))
        tables["networks"].append({
            **p, "code": code, "name": f"Laboratorio {n + 1}: {_place_name(rng)} (esempio)",
            "description": "Rete di co-progettazione sintetica. " + EXAMPLE_NOTE,
            "themes": _CLUSTERS[n % len(_CLUSTERS)], "sdgs": f"{n % 17 + 1};{(n + 8) % 17 + 1}",
            "territories": ";".join(where), "coordinator": others[n % len(others)]})
        tables["network_partners"] += [
            {**p, "network": code, "party": others[(n + k + 1) % len(others)],
             "role": "partner"} for k in range(3)]
        tables["network_partners"].append({**p, "network": code,
                                           "name": f"Associazione {_place_name(rng)}",
                                           "role": "partner locale"})
        tables["network_activities"] += [
            {**p, "network": code, "title": f"Incontro {k + 1} (esempio)",
             "held_on": dt.date(2024, 1, 15) + dt.timedelta(days=60 * k + n % 30),
             "output": "Azioni condivise (esempio)"} for k in range(2)]


def _add_work_records(tables: dict[str, list[dict]], size: ScaleSize, geo: Geography) -> None:
    """Crisis cases, good-employment agreements, register entries and the economic
    development's services, loaded by the instruments' package section (their services)."""
    rng = _rng_of(size, "work")
    p = {"pact": PACT}
    towns = geo.municipalities
    day0 = dt.date(2021, 3, 1)
    outcomes = ["jobs_kept", "partly_kept", "taken_over", "replaced", "closure", "withdrawn"]
    statuses = ["reported", "open", "open", "agreement", "closed", "closed"]
    contracts = ["permanent", "fixed_term", "agency", "apprentice"]
    count = size.work_records
    for n in range(count):
        reported = day0 + dt.timedelta(days=n * 1300 // max(count, 1))
        status = statuses[n % len(statuses)]
        closed = status == "closed"
        workers = {f"f:{contracts[n % 4]}": 1 + rng.randrange(60),
                   f"m:{contracts[(n + 1) % 4]}": 1 + rng.randrange(80)}
        tables["crisis_cases"].append({
            **p, "code": f"crisi-{n + 1:05d}", "company_name": f"{_place_name(rng)} S.r.l.",
            "company_tax_code": _company_code(n), "ateco_code": _ATECO[n % len(_ATECO)],
            "municipality": towns[rng.randrange(len(towns))], "reported_on": reported,
            "status": status, "outcome": outcomes[n % len(outcomes)] if closed else "",
            "closed_on": reported + dt.timedelta(days=90) if closed else "",
            "unions": ";".join(_UNIONS[: 1 + n % 3]),
            "workers": ";".join(f"{k}={v}" for k, v in workers.items()),
            "summary": EXAMPLE_NOTE, "example": "true"})
        code = f"intesa-{n + 1:05d}"
        signed = day0 + dt.timedelta(days=n * 1300 // max(count, 1))
        tables["agreements"].append({
            **p, "code": code, "company_name": f"{_place_name(rng)} S.p.A.",
            "company_tax_code": _company_code(count + n), "site": "Stabilimento (esempio)",
            "municipality": towns[rng.randrange(len(towns))], "signed_on": signed,
            "ends_on": signed + dt.timedelta(days=1095), "summary": EXAMPLE_NOTE,
            "example": "true"})
        for k, kind in enumerate(("hires", "training_hours", "safety_measures")[: 1 + n % 3]):
            target = (5, 400, 3)[k] * (1 + n % 4)
            reported_on = signed + dt.timedelta(days=365) if n % 2 else ""
            tables["agreement_commitments"].append({
                **p, "agreement": code, "kind": kind,
                "description": f"Impegno {k + 1} (esempio)", "target": target,
                "due_on": signed + dt.timedelta(days=730),
                "achieved": target // 2 if reported_on else "", "reported_on": reported_on})
        registered = day0 + dt.timedelta(days=n * 1000 // max(count, 1))
        tables["register_entries"].append({
            **p, "company_name": f"Impresa inclusiva {_place_name(rng)} (esempio)",
            "company_tax_code": _company_code(2 * count + n),
            "ateco_code": _ATECO[(n * 3) % len(_ATECO)],
            "municipality": towns[rng.randrange(len(towns))], "website": "",
            "registered_on": registered,
            # Most are valid today, some lapsed: the page lists the valid ones.
            "valid_until": registered + dt.timedelta(days=(3650 if n % 10 else 200)),
            "example": "true"})

    e = {**p, "example": "true"}
    services = [("scala-progetti-impresa", "enterprise_advice"), ("scala-sovraindebitamento",
                "debt_desk"), ("scala-investitori", "investor_service")]
    tables["development_services"] += [
        {**e, "code": code, "name": f"Servizio {i + 1} (esempio)", "kind": kind,
         "description": EXAMPLE_NOTE, "started_on": day0, "position": i + 1}
        for i, (code, kind) in enumerate(services)]
    for month in range(48):
        held = dt.date(2021 + month // 12, month % 12 + 1, 15)
        for code, _kind in services:
            tables["service_activities"].append({
                **e, "service": code, "kind": "consultation", "held_on": held,
                "title": "", "count": 5 + rng.randrange(60)})
            if month % 3 == 0:
                tables["service_activities"].append({
                    **e, "service": code, "kind": "event", "held_on": held,
                    "title": f"Incontro informativo {month + 1}", "count": 1,
                    "participants": 10 + rng.randrange(90)})
    for n in range(max(2, count // 10)):
        tables["investments"].append({
            **e, "service": "scala-investitori", "code": f"investimento-{n + 1:04d}",
            "company_name": f"Investitore {_place_name(rng)} (esempio)",
            "country": ("DE", "US", "FR", "JP")[n % 4], "ateco_code": _ATECO[n % len(_ATECO)],
            "municipality": towns[rng.randrange(len(towns))],
            "assisted_on": day0 + dt.timedelta(days=n * 7 % 1300),
            "status": ("assisted", "decided", "realised", "withdrawn")[n % 4],
            "amount": 100_000 * (1 + n % 50) if n % 3 else "", "jobs": 5 + n % 100,
            "confidential": "true" if n % 7 == 6 else "false"})
    for n in range(max(2, count // 100)):
        code = f"protocollo-{n + 1:03d}"
        tables["protocols"].append({
            **e, "code": code, "kind": ("site_legality", "procurement", "other")[n % 3],
            "title": f"Protocollo {n + 1} (esempio)", "site": "", "signed_on": day0,
            "signatories": ";".join(_UNIONS), "other_signatories": "Prefettura (esempio)",
            "summary": EXAMPLE_NOTE})
        tables["protocol_updates"].append({
            **p, "protocol": code, "kind": "monitoring", "on": day0 + dt.timedelta(days=365),
            "note": "Verifica annuale (esempio)."})
    tables["prize_editions"] += [
        {**e, "prize": "Premio nazionale d'impresa (esempio)", "year": year,
         "awarded_on": dt.date(year, 12, 5), "applications": 20 + year % 30,
         "winners": "Impresa Alfa (esempio);Impresa Beta (esempio)", "summary": EXAMPLE_NOTE}
        for year in (2021, 2022, 2023)]


def indicator_codes(count: int) -> list[str]:
    """SDG-like ids spread over the 17 goals: goal-target-number, unique."""
    codes = []
    for i in range(count):
        goal, a = i % 17 + 1, i // 17
        codes.append(f"{goal}-{a % 9 + 1}-{a // 9 + 1}")
    return codes


def _years(size: ScaleSize) -> list[int]:
    return list(range(FIRST_YEAR - size.years + 1, FIRST_YEAR + 1))


def _write_agenda(folder: Path, size: ScaleSize, rng: random.Random,
                  challenges: list[str]) -> None:
    """An Open SDG data folder holding the national series of each indicator; the
    territorial panel is added in bulk afterwards (see :func:`load_panel`)."""
    for sub in ("data", "meta", "indicator-config"):
        (folder / sub).mkdir(parents=True)
    years = _years(size)
    for i, code in enumerate(indicator_codes(size.indicators)):
        negative = i % 3 == 1
        (folder / "meta" / f"{code}.yml").write_text(
            f'indicator_name: "Indicatore sintetico {code} (esempio)"\n'
            f'indicator_number: "{code.replace("-", ".")}"\n'
            'computation_units: "Percentuale"\n'
            f'computation_definitions: "{EXAMPLE_NOTE}"\n'
            'source_organisation_1: "Patto (dati sintetici)"\n'
            "source_periodicity_1: annuale\n"
            f"patto_challenges: [{challenges[i % len(challenges)]}]\n"
            "patto_example: true\n", encoding="utf-8")
        (folder / "indicator-config" / f"{code}.yml").write_text(
            "auto_progress_calculation: true\nprogress_calculation_options:\n"
            f"- direction: {'negative' if negative else 'positive'}\n"
            f"  base_year: {years[0]}\n  target_year: 2030\n"
            f"  target: {10 if negative else 60}\n"
            "reporting_status: complete\ngraph_type: line\n", encoding="utf-8")
        base = 20 + 30 * rng.random()
        lines = ["Year,Units,GeoCode,Value"]
        for k, year in enumerate(years):
            lines.append(f"{year},Percentuale,{ROOT},{base + k * (0.3 - 0.6 * negative):.2f}")
        (folder / "data" / f"indicator_{code}.csv").write_text("\n".join(lines) + "\n",
                                                              encoding="utf-8")


# Bulk paths -------------------------------------------------------------------------------

def _panel_rows(size: ScaleSize, seed: int, codes: list[str]
                ) -> Iterator[tuple[str, int, list[tuple[str, int, str]]]]:
    """Per indicator: its code, its position and the (territory, year, value) of every
    territory below the root."""
    years = _years(size)
    places = [c for c in geography(size).all_codes if c != ROOT]
    for i, code in enumerate(codes):
        rng = random.Random(seed + i)
        drift = 0.3 - 0.6 * (i % 3 == 1)
        values = []
        for territory in places:
            level = 10 + 40 * rng.random()
            for k, year in enumerate(years):
                values.append((territory, year, f"{level + k * drift + rng.gauss(0, 0.5):.2f}"))
        yield code, i, values


def load_panel(size: ScaleSize, *, seed: int = SEED, progress: Callable[[str], None]) -> int:
    """Add every region's, province's and municipality's value of every indicator and year.

    On PostgreSQL an indicator without any value yet gets its values with one ``COPY``
    straight into the table: there is nothing its revision rule could revise, and the
    set-based merge's staging and look-ups ran at 8,600 rows/s, hours for 48 M rows. Then
    the cached pages' data version is changed, since ``COPY`` bypasses the cursor that
    watches writes. Otherwise through the monitoring app's set-based ``observations_merge``
    (``COPY`` into a staging table on PostgreSQL, the revision rule in SQL), one indicator
    at a time, or, without it, the service ``observations_record``. The stored assessments
    are brought up to date afterwards (see :func:`recompute_assessments`).
    """
    from patto.core.cache import wrote
    from patto.monitoring import services
    from patto.monitoring.models import Indicator, Observation
    from patto.pact.models import Territory

    merge = getattr(services, "observations_merge", None)
    columns = getattr(services, "STAGING_COLUMNS", None)
    indicators = {i.code: i for i in Indicator.objects.filter(pact__code=PACT)}
    territories = dict(Territory.objects.values_list("code", "pk"))
    codes = indicator_codes(size.indicators)
    total, began = 0, time.perf_counter()
    postgres = connection.vendor == "postgresql"
    with_values = set(Observation.objects.filter(indicator__pact__code=PACT)
                      .values_list("indicator_id", flat=True).distinct()) if postgres else set()
    copied = False
    keys: dict[str, str] = {}
    for code, i, values in _panel_rows(size, seed, codes):
        indicator = indicators[code]
        if postgres and indicator.pk not in with_values:
            _copy_observations(indicator, territories, values, services.observation_key)
            copied = True
        elif merge is not None and columns is not None:
            rows = []
            for territory, year, value in values:
                key = keys.get(territory)
                if key is None:
                    key = keys[territory] = services.observation_key(units="Percentuale",
                                                                     geocode=territory)
                row = {"indicator_id": indicator.pk, "territory_id": territories[territory],
                       "geocode": territory, "year": year, "period": "", "series": "",
                       "units": "Percentuale", "disaggregation": "{}", "key": key,
                       "value": value, "value_text": value, "status": "",
                       "is_example": True}
                rows.append(tuple(row[c] for c in columns if c != "pos"))
            merge(rows)
        else:
            with transaction.atomic():
                services.observations_record(indicator=indicator, is_example=True, values=[
                    services.NewValue(year=year, value_text=value, units="Percentuale",
                                      geocode=territory, territory=_Ref(territories[territory]))
                    for territory, year, value in values])
        total += len(values)
        if (i + 1) % max(1, len(codes) // 10) == 0 or i + 1 == len(codes):
            rate = total / max(time.perf_counter() - began, 1e-9)
            progress(f"  observations: {total:,} ({i + 1}/{len(codes)} indicators, "
                     f"{rate:,.0f} rows/s)")
    if copied:
        wrote()
    return total


@dataclass(frozen=True)
class _Ref:
    """Stands for a territory where only its id is read (``NewValue.territory.pk``)."""

    pk: int


def _copy_observations(indicator, territories: dict[str, int], values: list,
                       observation_key: Callable[..., str]) -> None:
    from patto.monitoring.models import Observation

    now = timezone.now()
    columns = ["indicator_id", "territory_id", "geocode", "year", "period", "series", "units",
               "disaggregation", "key", "value", "value_text", "status", "source",
               "created_at", "is_current", "is_example"]
    quote = connection.ops.quote_name
    names = {f.attname: f.column for f in Observation._meta.concrete_fields}
    sql = (f"COPY {quote(Observation._meta.db_table)} "
           f"({', '.join(quote(names[c]) for c in columns)}) FROM STDIN")
    keys: dict[str, str] = {}
    with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
        for territory, year, value in values:
            key = keys.get(territory)
            if key is None:
                key = keys[territory] = observation_key(units="Percentuale",
                                                        geocode=territory)
            copy.write_row((indicator.pk, territories[territory], territory, year, "", "",
                            "Percentuale", "{}", key, value, value, "", "", now, True, True))


def _operator():
    """The platform's own account for the writes that need a person's role (reports)."""
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(
        username="scala-segreteria", defaults={"is_superuser": True, "is_staff": True})
    if not user.has_usable_password():
        return user
    user.set_unusable_password()
    user.save(update_fields=["password"])
    return user


def load_reports(*, progress: Callable[[str], None]) -> int:
    """One reporting round in which every second project reports and is approved, through
    the projects' services (the public sheet shows approved reports)."""
    from patto.pact.models import Pact
    from patto.projects import services
    from patto.projects.models import Project

    user = _operator()
    pact = Pact.objects.get(code=PACT)
    today = timezone.localdate()
    reporting_round = services.round_open(pact=pact, title="Rendicontazione di esempio",
                                          opens_on=today - dt.timedelta(days=30),
                                          deadline=today + dt.timedelta(days=30), user=user)
    projects = list(Project.objects.filter(pact=pact).order_by("code")[::2])
    done = 0
    for n, project in enumerate(projects):
        with transaction.atomic():
            update = services.update_save(
                reporting_round=reporting_round, project=project, user=user,
                proposed_status=project.status, progress=project.progress,
                summary="Avanzamento del periodo (esempio).", submit=True,
                payload={"completed": [{"done_on": today.isoformat(),
                                        "text": "Attività del periodo (esempio)"}],
                         "meetings": [{"held_on": today.isoformat(), "title": "Verifica",
                                       "participants": 8}]})
            services.update_approve(update=update, user=user)
        done += 1
        if (n + 1) % max(1, len(projects) // 5) == 0:
            progress(f"  reports: {done:,}/{len(projects):,}")
    return done


def load_movements(count: int, *, seed: int = SEED, progress: Callable[[str], None]) -> int:
    """``count`` movements through the ledger's services, in transactions of 500: pledges,
    receipts (some honouring a pledge), commitments to projects or municipalities, payments
    and releases, each within what the books allow (tracked here, so none is refused)."""
    from patto.funds import services
    from patto.funds.models import Donor, Fund
    from patto.pact.models import Territory
    from patto.projects.models import Project

    rng = random.Random(seed)
    funds = {f.code: f for f in Fund.objects.filter(pact__code=PACT)}
    purposes = {code: list(f.purposes.order_by("position")) for code, f in funds.items()}
    donors = list(Donor.objects.filter(pact__code=PACT, kind="party").order_by("code"))
    towns = list(Donor.objects.filter(pact__code=PACT, kind="municipality").order_by("code"))
    projects = list(Project.objects.filter(pact__code=PACT).order_by("code"))
    places = list(Territory.objects.filter(kind="municipality", code__gte=FIRST_TOWN)
                  .order_by("code")[:500])
    available: dict[int, int] = {}  # purpose id -> cents free to commit
    open_commitments: list[list] = []  # [movement, cents left]
    pledges: list = []
    day0 = dt.date(2021, 2, 1)
    span = (timezone.localdate() - day0).days
    posted, began = 0, time.perf_counter()

    def post(n: int):
        booked = day0 + dt.timedelta(days=n * span // max(count, 1))
        fund = funds["perequativo" if n % 10 == 9 else "comunita"]
        purpose = rng.choice(purposes[fund.code])
        free = available.get(purpose.pk, 0)
        kind = n % 10
        # Refs of our own: the ledger's random six-hex-digit refs collide by the
        # thousands at 100,000 movements (birthday bound) and refuse the posting.
        example = {"is_example": True, "booked_on": booked, "user": None,
                   "ref": f"SC-{n + 1:07d}"}
        if fund.code == "perequativo":
            if free < 500_000 or rng.random() < 0.5:
                cents = rng.randrange(500_000, 5_000_000)
                available[purpose.pk] = free + cents
                return services.movement_receipt(
                    fund=fund, donor=rng.choice(towns or donors), purpose=purpose,
                    amount=Decimal(cents) / 100, description="Quota perequativa (esempio)",
                    **example)
            cents = rng.randrange(100, free // 2)
            available[purpose.pk] = free - cents
            movement = services.movement_commit(
                fund=fund, purpose=purpose, amount=Decimal(cents) / 100,
                beneficiary_territory=rng.choice(places),
                description="Riparto ai comuni (esempio)", **example)
            open_commitments.append([movement, cents])
            return movement
        if kind == 0:
            cents = rng.randrange(100_000, 2_000_000)
            movement = services.movement_pledge(
                fund=fund, donor=rng.choice(donors), purpose=purpose,
                amount=Decimal(cents) / 100, description="Impegno a donare (esempio)",
                **example)
            pledges.append(movement)
            return movement
        if kind in (1, 2, 3, 4) or free < 10_000:
            cents = rng.randrange(5_000, 1_000_000)
            pledge = pledges.pop() if kind == 1 and pledges else None
            if pledge is not None:
                purpose = pledge.purpose
            available[purpose.pk] = available.get(purpose.pk, 0) + cents
            return services.movement_receipt(
                fund=fund, donor=pledge.donor if pledge else rng.choice(donors),
                purpose=purpose, pledge=pledge, amount=Decimal(cents) / 100,
                description="Donazione (esempio)", **example)
        if kind in (5, 6) or not open_commitments:
            cents = rng.randrange(1_000, max(1_001, free // 3))
            available[purpose.pk] = free - cents
            movement = services.movement_commit(
                fund=fund, purpose=purpose, amount=Decimal(cents) / 100,
                project=rng.choice(projects), description="Assegnazione (esempio)",
                **example)
            open_commitments.append([movement, cents])
            return movement
        slot = open_commitments[rng.randrange(len(open_commitments))]
        commitment, left = slot
        cents = max(1, left // (2 if kind < 8 else 3))
        slot[1] = left - cents
        if slot[1] == 0:
            open_commitments.remove(slot)
        if kind == 8 and commitment.fund_id == fund.pk:
            available[commitment.purpose_id] = available.get(commitment.purpose_id, 0) + cents
            return services.movement_release(commitment=commitment,
                                             amount=Decimal(cents) / 100,
                                             description="Economia di spesa (esempio)",
                                             **example)
        return services.movement_pay(commitment=commitment, amount=Decimal(cents) / 100,
                                     description="Pagamento (esempio)", **example)

    for start in range(0, count, 500):
        with transaction.atomic():
            for n in range(start, min(count, start + 500)):
                post(n)
                posted += 1
        if posted % max(500, (count // 10) // 500 * 500) == 0 or posted == count:
            rate = posted / max(time.perf_counter() - began, 1e-9)
            progress(f"  movements: {posted:,}/{count:,} ({rate:,.0f}/s)")
    return posted


def _participants(count: int) -> list:
    """``count`` registered people of the example (no password: nobody signs in as them),
    each with the public name their contributions appear under."""
    from django.contrib.auth import get_user_model

    from patto.participation import services

    model = get_user_model()
    people = []
    for n in range(count):
        person, made = model.objects.get_or_create(username=f"scala-partecipante-{n + 1:05d}")
        if made:
            person.set_unusable_password()
            person.save(update_fields=["password"])
            services.public_name_set(user=person, public_name=f"Partecipante {n + 1} (esempio)")
        people.append(person)
    return people


def load_participation(size: ScaleSize, *, progress: Callable[[str], None]) -> int:
    """Calls for proposals with their submitted proposals, and open challenges with their
    solutions, votes and comments, through participation's services; returns the rows made.

    Calls stay open (proposals were submitted, the ranking is not out), so that their pages
    show the proposals as the public sees them during a call. Each example participant
    submits one solution and casts a few votes and comments, well within the services'
    rate limits, as the thousands of people of a national challenge would.
    """
    from patto.pact.models import Pact, Party, Territory
    from patto.participation import services

    user = _operator()
    pact = Pact.objects.get(code=PACT)
    now = timezone.now()
    towns = list(Territory.objects.filter(kind="municipality", code__gte=FIRST_TOWN)
                 .defer("boundary").order_by("code"))
    partners = list(Party.objects.filter(code__startswith="scala-terzo-settore")
                    .order_by("code"))
    made = 0
    for c in range(size.calls):
        with transaction.atomic():
            call = services.call_create(
                pact=pact, user=user, code=f"bando-{c + 1:02d}",
                title=f"Bando {c + 1} per i programmi territoriali (esempio)",
                summary="Bando sintetico per le prove di scala. " + EXAMPLE_NOTE,
                opens_at=now - dt.timedelta(days=30), deadline=now + dt.timedelta(days=90),
                money_available=Decimal(5_000_000 * (c + 1)), max_request=Decimal(200_000),
                minimum_cofinancing=Decimal(10), is_example=True)
            for k, (title, weight) in enumerate((("Qualità del programma", 40),
                                                 ("Impatto sul territorio", 35),
                                                 ("Partenariato", 25))):
                services.criterion_save(call=call, user=user, title=title, weight=weight,
                                        description=f"Criterio {k + 1} (esempio).")
            services.call_publish(call=call, user=user)
        made += 1
        proposers = towns[c::max(1, size.calls)] or towns
        for n, town in enumerate(proposers[: size.proposals]):
            budget = Decimal(50_000 + 1_000 * ((n * 37 + c) % 150))
            with transaction.atomic():
                proposal = services.proposal_create(
                    call=call, proposer=town, user=user,
                    title=f"Programma {n + 1} di {town.name} (esempio)",
                    objectives="Obiettivi del programma (esempio).",
                    content="Contenuto del programma. " + EXAMPLE_NOTE, budget=budget,
                    cofinancing=(budget * Decimal("0.2")).quantize(Decimal("1")),
                    places=[town], partners=partners[n % len(partners):][:2])
                services.proposal_submit(proposal=proposal, user=user)
            made += 1
        progress(f"  call {c + 1}/{size.calls}: {min(size.proposals, len(proposers)):,} "
                 "proposals")

    people = _participants(size.solutions * size.challenges)
    for c in range(size.challenges):
        challenge = services.challenge_publish(
            pact=pact, user=user, title=f"Sfida aperta {c + 1} (esempio)",
            description="Come migliorare i servizi del territorio? " + EXAMPLE_NOTE,
            is_example=True)
        made += 1
        crowd = people[c * size.solutions:(c + 1) * size.solutions]
        for start in range(0, len(crowd), 500):
            with transaction.atomic():
                for n, author in enumerate(crowd[start:start + 500], start=start):
                    solution = services.solution_submit(
                        challenge=challenge, user=author,
                        title=f"Soluzione {n + 1} (esempio)",
                        text="Proposta di soluzione sintetica. " + EXAMPLE_NOTE)
                    # A few solutions draw most of the support, as on real platforms.
                    voters = 1 + 12 // (1 + n % 7)
                    for k in range(voters):
                        services.vote_cast(solution=solution,
                                           user=people[(c * size.solutions + n + k + 1)
                                                       % len(people)])
                    for k in range(n % 3):
                        services.comment_add(solution=solution,
                                             user=people[(c * size.solutions + n + 2 * k + 3)
                                                         % len(people)],
                                             text=f"Commento {k + 1} (esempio).")
                    made += 1 + voters + n % 3
        progress(f"  challenge {c + 1}/{size.challenges}: {len(crowd):,} solutions")
    return made


def recompute_assessments() -> int:
    """The stored results that services keep in step (assessments), made again after the
    bulk load went past them, where monitoring has a service for it; returns the
    indicators concerned (0 when there is no such service)."""
    from patto.monitoring import services
    from patto.monitoring.models import Indicator
    from patto.pact.models import Pact

    recompute = getattr(services, "assessments_recompute", None)
    if recompute is None:
        return 0
    recompute(pact=Pact.objects.get(code=PACT))
    return Indicator.objects.filter(pact__code=PACT).count()


@dataclass
class ScaleResult:
    size: ScaleSize
    seconds: dict[str, float]
    observations: int
    movements: int
    reports: int


def load_scale(size: ScaleSize, *, seed: int = SEED,
               progress: Callable[[str], None] = print) -> ScaleResult:
    """Build the synthetic pact in the configured database; print progress and timings."""
    from patto.core.errors import ApplicationError
    from patto.pact.models import Pact
    from patto.pact.services import pact_load_package

    if Pact.objects.filter(code=PACT).exists():
        raise ApplicationError(f"the pact {PACT} is already loaded: load the scale data into "
                               "an empty database (or `patto bench pages`, which makes its own)",
                               code="scale_exists")
    rng = random.Random(seed)
    seconds: dict[str, float] = {}
    progress(f"scale: {size.regions} regions, {size.provinces} provinces, "
             f"{size.municipalities:,} municipalities; {size.indicators} indicators x "
             f"{size.years} years = {size.observations:,} observations; {size.projects:,} "
             f"projects; {size.movements:,} fund movements ({connection.vendor})")
    with tempfile.TemporaryDirectory(prefix="patto-scale-") as folder:
        began = time.perf_counter()
        rows = write_package(Path(folder), size, rng)
        seconds["package written"] = time.perf_counter() - began
        progress(f"  package written: {sum(rows.values()):,} rows in {len(rows)} tables "
                 f"({seconds['package written']:.1f} s)")
        began = time.perf_counter()
        with transaction.atomic():
            pact_load_package(path=folder)
        seconds["package loaded"] = time.perf_counter() - began
        progress(f"  package loaded by load-pact's service ({seconds['package loaded']:.1f} s)")
    steps = [("observations", lambda: load_panel(size, seed=seed, progress=progress)),
             ("indicators assessed", recompute_assessments),
             ("reports", lambda: load_reports(progress=progress)),
             ("participation rows", lambda: load_participation(size, progress=progress)),
             ("movements", lambda: load_movements(size.movements, seed=seed,
                                                  progress=progress))]
    counts = {}
    for name, step in steps:
        began = time.perf_counter()
        counts[name] = step()
        seconds[name] = time.perf_counter() - began
        progress(f"  {name}: {counts[name]:,} in {seconds[name]:.1f} s")
    # The national series came with the package's agenda.
    national = size.indicators * size.years
    return ScaleResult(size=size, seconds=seconds,
                       observations=counts["observations"] + national,
                       movements=counts["movements"], reports=counts["reports"])


def public_pages() -> list[tuple[str, str]]:
    """Every public page kind of the scale pact, as (name, path): what `patto bench pages`
    loads and what the tests ask for."""
    from django.urls import reverse

    from patto.funds.models import Fund
    from patto.monitoring.models import Indicator
    from patto.pact.models import Party, Territory
    from patto.projects.models import Project

    indicator = Indicator.objects.filter(pact__code=PACT).order_by("code").first()
    project = Project.objects.filter(pact__code=PACT, status="in_progress").order_by(
        "code").first()
    fund = Fund.objects.filter(pact__code=PACT, code="comunita").first()
    town = Territory.objects.filter(kind="municipality", code__gte=FIRST_TOWN).order_by(
        "code").first()
    party = Party.objects.get(code="scala-agenzia-nazionale")
    goal = indicator.sdg_goal.number if indicator and indicator.sdg_goal else 1
    fund_kwargs = {"pact": PACT, "fund": fund.code}
    return [
        ("home", reverse("pact:home")),
        ("parties", reverse("pact:party_list")),
        ("party", party.get_absolute_url()),
        ("territory", reverse("pact:territory")),
        ("municipality", town.get_absolute_url()),
        ("projects", reverse("projects:project_list")),
        ("projects filtered", reverse("projects:project_list")
         + "?cluster=1&status=in_progress"),
        ("project", project.get_absolute_url()),
        ("goals", reverse("monitoring:goals")),
        ("goal", reverse("monitoring:goal_detail", kwargs={"number": goal})),
        ("indicator", indicator.get_absolute_url()),
        ("indicator map", reverse("monitoring:indicator_map",
                                  kwargs={"pact": PACT, "code": indicator.code})),
        # What the map's page has every visitor's browser fetch: its 7,900 values.
        ("map values", reverse("monitoring:indicator_map_values",
                               kwargs={"pact": PACT, "code": indicator.code})),
        ("funds", reverse("funds:index")),
        ("fund", reverse("funds:fund", kwargs=fund_kwargs)),
        ("projects csv", reverse("projects:project_list") + "?formato=csv"),
        ("indicator csv", indicator.get_absolute_url() + "?formato=csv"),
        ("movements csv", reverse("funds:movements_download",
                                  kwargs={**fund_kwargs, "fmt": "csv"})),
        ("territory csv", reverse("pact:territory") + "?formato=csv"),
        *_participation_pages(),
        *_instrument_pages(),
    ]


def _participation_pages() -> list[tuple[str, str]]:
    """Participation's public pages: calls and a proposal, challenges (with the statistics)
    and a solution, networks (with their map)."""
    from django.urls import reverse

    from patto.participation.models import Call, Network, OpenChallenge, Proposal, Solution

    call = Call.objects.filter(pact__code=PACT).order_by("code").first()
    proposal = Proposal.objects.filter(call=call, status="submitted").order_by("pk").first()
    challenge = OpenChallenge.objects.filter(pact__code=PACT).order_by("pk").first()
    solution = Solution.objects.filter(challenge=challenge, hidden=False).order_by("pk").first()
    network = Network.objects.filter(pact__code=PACT).order_by("code").first()
    of_pact = f"?patto={PACT}"
    return [
        ("calls", reverse("participation:index") + of_pact),
        ("call", reverse("participation:call", kwargs={"pact": PACT, "code": call.code})),
        ("proposal", reverse("participation:proposal",
                             kwargs={"pact": PACT, "code": call.code, "pk": proposal.pk})),
        # The challenges' page carries the participation statistics.
        ("challenges", reverse("participation:challenges") + of_pact),
        ("challenge", reverse("participation:challenge", kwargs={"pk": challenge.pk})),
        ("solution", reverse("participation:solution",
                             kwargs={"challenge": challenge.pk, "pk": solution.pk})),
        # The networks' page carries their map.
        ("networks", reverse("participation:networks") + of_pact),
        ("network", reverse("participation:network",
                            kwargs={"pact": PACT, "code": network.code})),
    ]


def _instrument_pages() -> list[tuple[str, str]]:
    """The work instruments' public pages: the safeguard table's dashboards and a case, the
    pathways' aggregates, the register, the agreements and the economic development."""
    from django.urls import reverse

    from patto.instruments.models import CrisisCase

    case = CrisisCase.objects.filter(pact__code=PACT, confidential=False).order_by(
        "code").first()
    p = {"pact": PACT}
    return [
        ("instruments", reverse("instruments:pact_index", kwargs=p)),
        ("crisis cases", reverse("instruments:cases", kwargs=p)),
        ("crisis case", reverse("instruments:case_detail", kwargs={**p, "code": case.code})),
        ("pathways", reverse("instruments:pathways_public", kwargs=p)),
        ("register", reverse("instruments:register", kwargs=p)),
        ("agreements", reverse("instruments:agreements", kwargs=p)),
        ("development", reverse("instruments:development", kwargs=p)),
    ]
