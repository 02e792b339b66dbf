"""Crisis cases and job-inclusion pathways from spreadsheets, through the one import pipeline.

Each importer reads the upload with ``patto.core.importing`` (bounded, every cell cleaned),
checks every row and writes it through the same services as the staff pages, each row in its
own savepoint so that every faulty row is reported at once; any fault rolls the whole file
back (``import_run``), so nothing is half-written. Cells are read as Italian offices write
them: dates as 31/12/2024 (or 2024-12-31), whole numbers as 1.250, yes as "sì", and choices
by their code or by their label in Italian or English. The stored figures are recomputed once
at the end of the file, not after every row.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from django.contrib.auth import get_user_model
from django.db import models, transaction
from django.db.models import Q
from django.utils import translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from patto.core.errors import ApplicationError
from patto.core.importing import CellError, ImportContext, Importer, Row, parse_date
from patto.engine.problems import InputError, Problem
from patto.pact.models import Pact, Territory

from . import services
from .models import CaseWorkers, CrisisCase, Pathway, Placement

# Layouts ----------------------------------------------------------------------------------------

_SEXES = {"women": "f", "men": "m"}
WORKER_COLUMNS = [f"{sex}_{contract}" for sex in _SEXES for contract in CaseWorkers.Contract.values]
CASE_IMPORT_COLUMNS = [
    "pact",
    "code",
    "company",
    "company_tax_code",
    "ateco_code",
    "municipality",
    "reported_on",
    "status",
    "outcome",
    "closed_on",
    "confidential",
    "unions",
    "summary",
    *WORKER_COLUMNS,
    "example",
]
CASE_REQUIRED = [
    "pact",
    "code",
    "company",
    "company_tax_code",
    "ateco_code",
    "municipality",
    "reported_on",
]
PATHWAY_IMPORT_COLUMNS = [
    "pact",
    "person_code",
    "operator",
    "sex",
    "age_band",
    "target",
    "municipality",
    "started_on",
    "orientation_on",
    "training_on",
    "placement_on",
    "company",
    "company_tax_code",
    "contract",
    "follow_up_on",
    "employed_at_follow_up",
    "example",
]
PATHWAY_REQUIRED = ["pact", "person_code", "sex", "age_band", "target", "started_on"]

#: The services name fields as the models do; the files name columns as the layouts do.
_COLUMN_OF = {
    "company_name": "company",
    "held_on": "reported_on",
    "on": "closed_on",
    "workers": "women_permanent",
    "unions": "unions",
}

_YES = {"sì", "si", "yes", "true", "1", "x", "vero"}
_NO = {"no", "false", "0", "falso", ""}
_GROUPED = re.compile(r"\d{1,3}(?:\.\d{3})+")


# Cells ------------------------------------------------------------------------------------------


class RowError(Exception):
    """A fault of one cell (or of the row, with ``column`` None)."""

    def __init__(self, column: str | None, detail: str):
        super().__init__(detail)
        self.column, self.detail = column, detail


_SPELLINGS: dict[type, dict[str, str]] = {}


def _labels(choices: type[models.TextChoices]) -> dict[str, str]:
    """Every way a choice may be written: its code and its label in Italian and English."""
    if choices not in _SPELLINGS:
        found: dict[str, str] = {}
        for language in ("it", "en"):
            with translation.override(language):
                for value, label in choices.choices:
                    found[str(label).strip().lower()] = value
        found.update({value.lower(): value for value in choices.values})
        _SPELLINGS[choices] = found
    return _SPELLINGS[choices]


def choice(
    row: Row, column: str, choices: type[models.TextChoices], *, required: bool = True
) -> str:
    """The code of a choice written by its code or its label (Italian or English)."""
    text = row.get(column).strip()
    if not text:
        if required:
            raise RowError(
                column,
                _("the cell is empty: write one of %(codes)s")
                % {"codes": ", ".join(choices.values)},
            )
        return ""
    value = _labels(choices).get(text.lower())
    if value is None:
        raise RowError(
            column,
            _("“%(value)s” is not one of the values allowed: write one of %(codes)s")
            % {"value": text, "codes": ", ".join(choices.values)},
        )
    return value


def yes_no(row: Row, column: str) -> bool | None:
    text = row.get(column).strip().lower()
    if column not in row.table.header:
        return None
    if text in _YES:
        return True
    if text in _NO:
        return False
    raise RowError(
        column, _("“%(value)s” is neither yes nor no: write sì or no") % {"value": row.get(column)}
    )


def whole(row: Row, column: str) -> int | None:
    """A whole number, zero or more, as written in Italy (1.250) or plain (1250)."""
    text = row.get(column).strip().replace(" ", "").replace("\u00a0", "")
    if not text:
        return None
    if _GROUPED.fullmatch(text):
        text = text.replace(".", "")
    if not re.fullmatch(r"[0-9]+", text):
        raise RowError(
            column,
            _("“%(value)s” is not a whole number of zero or more: write it as 1250 or 1.250")
            % {"value": row.get(column)},
        )
    return int(text)


def date(row: Row, column: str, *, required: bool = False):
    text = row.get(column).strip()
    if not text:
        if required:
            raise RowError(column, _("the cell is empty: write the date as 31/12/2024"))
        return None
    try:
        return parse_date(text)
    except CellError as exc:
        raise RowError(column, str(exc)) from None


class Places:
    """The municipalities, found by code, ISTAT code or name (read once per file)."""

    def __init__(self):
        self.found: dict[str, Territory | None] = {}
        for t in Territory.objects.filter(kind=Territory.Kind.MUNICIPALITY).defer("boundary"):
            for key in {t.code, t.istat_code, t.name.lower()} - {""}:
                # The same name for two municipalities (a merger): only their codes will do.
                self.found[key] = None if key in self.found and self.found[key] != t else t

    def get(self, row: Row, column: str, *, required: bool = True) -> Territory | None:
        text = row.get(column).strip()
        if not text:
            if required:
                raise RowError(column, _("the cell is empty: write the municipality's ISTAT code"))
            return None
        place = self.found.get(text.lower(), self.found.get(text))
        if place is None:
            raise RowError(
                column,
                _(
                    "“%(value)s” is not a municipality known to the platform (or names more "
                    "than one): write its ISTAT code, such as 037006 for Bologna"
                )
                % {"value": text},
            )
        return place


def _pact(context: ImportContext, table) -> Pact:
    codes = {row.get("pact") for row in table.rows}
    pact = Pact.objects.filter(code=next(iter(codes))).first() if len(codes) == 1 else None
    if pact is None:
        raise InputError(
            [
                Problem(
                    file=table.place,
                    row=None,
                    field="pact",
                    code="invalid-value",
                    detail=_(
                        "the pact column must name one existing pact, the same on every row: "
                        "import each pact's rows in a file of their own"
                    ),
                )
            ]
        )
    return pact


def _service_problem(row: Row, exc: ApplicationError, default: str | None) -> Problem:
    """A service's refusal, placed in the file: its field becomes the layout's column."""
    field = getattr(exc, "field", "") or ""
    message = exc.message
    if field and message.startswith(f"{field}: "):
        message = message[len(field) + 2 :]
    column = _COLUMN_OF.get(field, field) if field else default
    if exc.code == "forbidden":
        column = None
    return row.problem(column or None, message, code=exc.code or "invalid-value")


def _each_row(context: ImportContext, table, write: Callable[[Row], str]) -> dict:
    """Write every row in its own savepoint, reporting each fault with its place."""
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    total = len(table.rows) or 1
    with services.figures_once() as pending:
        for index, row in enumerate(table.rows, start=1):
            try:
                with transaction.atomic():
                    counts[write(row)] += 1
            except RowError as exc:
                context.problems.add(row.problem(exc.column, exc.detail))
            except ApplicationError as exc:
                context.problems.add(_service_problem(row, exc, None))
            if index % 20 == 0:
                context.progress(round(100 * index / total))
        if context.problems:
            # The pipeline will undo every row: no figures to recompute for them.
            pending.clear()
    return counts


# Crisis cases -----------------------------------------------------------------------------------

_ORDER = [s.value for s in CrisisCase.Status]


def _case_row(row: Row, pact: Pact, user: Any, places: Places, parties: dict) -> str:
    data = {
        "code": row.get("code"),
        "company_name": row.get("company"),
        "company_tax_code": row.get("company_tax_code"),
        "ateco_code": row.get("ateco_code"),
        "municipality": places.get(row, "municipality"),
        "reported_on": date(row, "reported_on", required=True),
        "summary": row.get("summary"),
    }
    for column, key in (("confidential", "confidential"), ("example", "is_example")):
        value = yes_no(row, column)
        if value is not None:
            data[key] = value
    status = choice(row, "status", CrisisCase.Status, required=False) or None
    outcome = choice(row, "outcome", CrisisCase.Outcome, required=False)
    closed_on = date(row, "closed_on")
    if status == CrisisCase.Status.CLOSED and not (outcome and closed_on):
        raise RowError(
            "outcome" if not outcome else "closed_on",
            _("a closed case needs its outcome and its closing date: fill in both"),
        )
    if status != CrisisCase.Status.CLOSED and (outcome or closed_on):
        raise RowError(
            "status", _("only a closed case has an outcome and a closing date: write closed")
        )
    unions = []
    for name in filter(None, (n.strip() for n in re.split(r"[;|]", row.get("unions")))):
        party = parties.get(name.lower())
        if party is None:
            raise RowError(
                "unions",
                _(
                    "“%(value)s” is not a party of the pact: write the codes of its trade "
                    "unions, separated by semicolons"
                )
                % {"value": name},
            )
        unions.append(party)
    workers = None
    if any(c in row.table.header for c in WORKER_COLUMNS):
        workers = {}
        for column in WORKER_COLUMNS:
            count = whole(row, column)
            if count:
                sex, contract = column.split("_", 1)
                workers[(_SEXES[sex], contract)] = count
    case = CrisisCase.objects.filter(pact=pact, code=data["code"]).first()
    if case is None:
        case = services.crisis_case_create(
            user=user, pact=pact, data=data, unions=unions, workers=workers
        )
        made = "created"
    else:
        services.crisis_case_update(
            user=user, case=case, data=data, unions=unions if "unions" in row.table.header else None
        )
        if workers is not None:
            services.crisis_case_set_workers(user=user, case=case, workers=workers)
        made = "updated"
    if status is not None and status != case.status:
        if _ORDER.index(status) < _ORDER.index(case.status):
            raise RowError(
                "status",
                _(
                    "the case is already “%(current)s”: a status only moves forward; correct "
                    "it on the case's page"
                )
                % {"current": case.get_status_display()},
            )
        steps = (
            [status]
            if status == CrisisCase.Status.CLOSED
            else _ORDER[_ORDER.index(case.status) + 1 : _ORDER.index(status) + 1]
        )
        for step in steps:
            services.crisis_case_transition(
                user=user,
                case=case,
                status=step,
                on=closed_on or case.reported_on,
                outcome=outcome if step == CrisisCase.Status.CLOSED else "",
                note=_("imported"),
            )
    elif status == CrisisCase.Status.CLOSED and (case.outcome, case.closed_on) != (
        outcome,
        closed_on,
    ):
        raise RowError(
            "outcome",
            _(
                "the case is already closed with another outcome or date: a closed case is "
                "final; leave the row as it is in the platform"
            ),
        )
    return made


def import_crisis_cases(context: ImportContext) -> dict:
    """Crisis cases of one pact: new codes are reported, known ones are changed; a status
    moves forward through the same steps as on the case's page."""
    table = context.table(required=CASE_REQUIRED)
    pact = _pact(context, table)
    places = Places()
    parties = {}
    for party in pact.parties.all():
        parties[party.code.lower()] = party
        parties.setdefault(party.name.lower(), party)
    return _each_row(
        context, table, lambda row: _case_row(row, pact, context.user, places, parties)
    )


# Job-inclusion pathways -------------------------------------------------------------------------


def _operator(row: Row, pact: Pact, user: Any, cache: dict) -> Any:
    from patto.projects.rules import is_secretariat

    name = row.get("operator").strip()
    if not name:
        if user is None or is_secretariat(user):
            raise RowError(
                "operator",
                _("the cell is empty: write the user name of the pathway's operator"),
            )
        return user
    if name.lower() not in cache:
        cache[name.lower()] = (
            get_user_model()
            .objects.filter(Q(username__iexact=name) | Q(email__iexact=name))
            .first()
        )
    operator = cache[name.lower()]
    if operator is None:
        raise RowError(
            "operator",
            _("“%(value)s” is not a user of the platform: write the operator's user name")
            % {"value": name},
        )
    if user is not None and operator.pk != user.pk and not is_secretariat(user):
        raise RowError(
            "operator",
            _("you may import only your own pathways: leave the cell empty or write your name"),
        )
    return operator


#: The stages a file may record, in order, with the column of their date.
_STAGES = [
    ("orientation", "orientation_on"),
    ("training", "training_on"),
    ("placement", "placement_on"),
    ("follow_up", "follow_up_on"),
]


def _pathway_row(row: Row, pact: Pact, user: Any, places: Places, operators: dict) -> str:
    code = row.get("person_code").strip().upper()
    sex = choice(row, "sex", Pathway.Sex)
    age_band = choice(row, "age_band", Pathway.AgeBand)
    target = choice(row, "target", Pathway.Target)
    municipality = places.get(row, "municipality", required=False)
    started_on = date(row, "started_on", required=True)
    days = {stage: date(row, column) for stage, column in _STAGES}
    contract = choice(row, "contract", Placement.Contract, required=False)
    employed = yes_no(row, "employed_at_follow_up")
    if days["placement"] and not (row.get("company").strip() and contract):
        raise RowError(
            "company" if not row.get("company").strip() else "contract",
            _("a placement needs the company and the contract: fill in both"),
        )
    if days["follow_up"] and row.get("employed_at_follow_up").strip() == "":
        raise RowError(
            "employed_at_follow_up",
            _("the follow-up needs its answer: write sì if the person is still employed, or no"),
        )
    pathway = Pathway.objects.filter(pact=pact, person_code=code).prefetch_related("steps").first()
    made = "unchanged"
    if pathway is None:
        data = {
            "person_code": code,
            "sex": sex,
            "age_band": age_band,
            "target": target,
            "municipality": municipality,
            "started_on": started_on,
        }
        example = yes_no(row, "example")
        if example is not None:
            data["is_example"] = example
        pathway = services.pathway_open(
            user=user, pact=pact, data=data, operator=_operator(row, pact, user, operators)
        )
        reached = {"intake": started_on}
        made = "created"
    else:
        if not (user is None or user.has_perm("instruments.change_pathway", pathway)):
            raise RowError(
                "person_code",
                _("the pathway with this code is kept by another operator: leave it out"),
            )
        recorded = {
            "sex": pathway.sex,
            "age_band": pathway.age_band,
            "target": pathway.target,
            "started_on": pathway.started_on,
            "municipality": pathway.municipality_id,
        }
        given = {
            "sex": sex,
            "age_band": age_band,
            "target": target,
            "started_on": started_on,
            "municipality": municipality.pk if municipality else None,
        }
        for column, value in given.items():
            if recorded[column] != value:
                raise RowError(
                    column,
                    _(
                        "the pathway %(code)s is already recorded with another value here: a "
                        "file can add later stages to a pathway, not change it"
                    )
                    % {"code": code},
                )
        reached = {s.stage: s.reached_on for s in pathway.steps.all()}
    for stage, column in _STAGES:
        day = days[stage]
        if day is None:
            continue
        if stage in reached:
            if reached[stage] != day:
                raise RowError(
                    column,
                    _("the stage was recorded on %(day)s: a file cannot move it")
                    % {"day": reached[stage].strftime("%d/%m/%Y")},
                )
            continue
        if stage in ("orientation", "training"):
            services.pathway_advance(user=user, pathway=pathway, stage=stage, on=day)
        elif stage == "placement":
            services.pathway_place(
                user=user,
                pathway=pathway,
                company_name=row.get("company").strip(),
                company_tax_code=row.get("company_tax_code"),
                contract=contract,
                started_on=day,
            )
        else:
            services.pathway_follow_up(user=user, pathway=pathway, on=day, employed=bool(employed))
        made = "updated" if made == "unchanged" else made
    return made


def import_pathways(context: ImportContext) -> dict:
    """Pathways of one pact: new person codes are opened at intake, and every stage with a
    date is recorded in order; an operator imports only the pathways they keep."""
    table = context.table(required=PATHWAY_REQUIRED)
    pact = _pact(context, table)
    places, operators = Places(), {}
    return _each_row(
        context, table, lambda row: _pathway_row(row, pact, context.user, places, operators)
    )


CRISIS_CASES_IMPORTER = Importer(
    "crisis-cases",
    gettext_lazy("Crisis cases of the safeguard table"),
    "instruments.change_crisiscase",
    import_crisis_cases,
)
PATHWAYS_IMPORTER = Importer(
    "pathways",
    gettext_lazy("Job-inclusion pathways"),
    "instruments.add_pathway",
    import_pathways,
)


#: One filled row per layout, as the office would write it, shown under the header.
LAYOUT_EXAMPLES = {
    "crisis-cases": {
        "pact": "bologna-2021",
        "code": "meccanica-reno",
        "company": "Meccanica Reno srl",
        "company_tax_code": "04245520376",
        "ateco_code": "25.62.00",
        "municipality": "037002",
        "reported_on": "01/03/2023",
        "status": "open",
        "confidential": "no",
        "unions": "cgil-bologna; cisl-bologna",
        "women_permanent": "12",
        "men_permanent": "1.250",
        "example": "no",
    },
    "pathways": {
        "pact": "bologna-2021",
        "person_code": "IPL-2024-031",
        "sex": "f",
        "age_band": "25-34",
        "target": "neet",
        "municipality": "037006",
        "started_on": "10/01/2024",
        "orientation_on": "20/01/2024",
        "example": "no",
    },
}
LAYOUTS = {"crisis-cases": CASE_IMPORT_COLUMNS, "pathways": PATHWAY_IMPORT_COLUMNS}


def layout_rows(kind: str) -> tuple[list[str], list[list[str]]]:
    """The header of an import layout and its example row (for the layout download)."""
    header = LAYOUTS[kind]
    example = LAYOUT_EXAMPLES[kind]
    return header, [[example.get(column, "") for column in header]]
