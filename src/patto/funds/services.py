"""Writes to the funds: the ledger's postings, donors, transformations and allocations.

Every posting runs in one database transaction: the movement and its entries are inserted,
then each touched account's balance moves by one guarded UPDATE, in account order so that two
clerks never wait on each other in a cycle. A guard that fails (an overdraft) rolls the whole
posting back; nothing is half-written, whatever stops the process.
"""

from __future__ import annotations

import datetime as dt
import json
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

import psycopg
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import (
    DEFAULT_DB_ALIAS,
    DatabaseError,
    IntegrityError,
    connection,
    connections,
    transaction,
)
from django.utils import timezone
from django.utils.translation import gettext as _

from patto.core.cache import wrote
from patto.core.errors import ApplicationError
from patto.core.text import validate_text
from patto.engine.problems import Problem

from .amounts import parse_amount
from .models import (
    CENT,
    Account,
    AllocationRule,
    ChargeRule,
    Donor,
    Entry,
    Fund,
    FundClerk,
    Medium,
    Movement,
    Purpose,
    RuleIndicator,
    Simulation,
    Transformation,
)


class FundError(ApplicationError):
    """A refused write to a fund, naming the field at fault."""

    def __init__(self, field: str, message: str, *, code: str = "invalid"):
        super().__init__(message, code=code, problems=[
            Problem(file="", code=code, detail=message, field=field)])
        self.field = field


def _require(user: Any, perm: str, obj: Any = None) -> None:
    """Refuse a person who does not hold the role (see ``funds.rules``).

    ``user=None`` is the platform itself (the package loader, commands, the ledger
    benchmark), never a person: pages always pass the signed-in (or anonymous) user, so a
    visitor without the role is refused here even if a page forgot to check.
    """
    if user is None:
        return
    if not user.has_perm(perm, obj):
        raise PermissionDenied(_("You are not allowed to do this."))


def _text(field: str, value: Any) -> str:
    """Text a person typed: control characters refused (they break the XLSX downloads)."""
    value = "" if value is None else str(value)
    try:
        validate_text(value)
    except ValidationError as exc:
        raise FundError(field, f"{field}: {exc.messages[0]}",
                        code="control-character") from None
    return value


def _acting(user: Any) -> Any:
    return user if getattr(user, "is_authenticated", False) else None


def _euro(value: Decimal) -> str:
    value = value if value != 0 else abs(value)  # no "-0,00" in a message
    return f"€ {value:,.2f}".replace(",", "\u202f").replace(".", ",").replace("\u202f", ".")


def money(value: Any, *, field: str = "amount") -> Decimal:
    """An amount of euro: positive, finite, at most two decimals; refused otherwise."""
    try:
        amount = parse_amount(value)
    except ValueError:
        # Files and commands write a plain number with a dot ("12.345" has three decimals
        # there, and "NaN" is a number that is not finite): read as such, refused below.
        try:
            amount = Decimal(str(value).strip())
        except (InvalidOperation, ValueError):
            amount = None
    if amount is None:
        raise FundError(field, _("%(field)s: “%(value)s” is not an amount: write euro with "
                                 "a decimal comma, e.g. 12.500,00 or 12500,00.") % {
            "field": field, "value": value}) from None
    if not amount.is_finite():
        raise FundError(field, _("%(field)s: the amount must be a number.") % {"field": field})
    if amount <= 0:
        raise FundError(field, _("%(field)s: the amount must be greater than zero; to undo a "
                                 "movement, reverse it.") % {"field": field})
    if amount != amount.quantize(CENT):
        raise FundError(field, _("%(field)s: %(value)s has more than two decimals: round it "
                                 "to the cent.") % {"field": field, "value": amount})
    if amount >= Decimal("1e12"):
        raise FundError(field, _("%(field)s: the amount is too large.") % {"field": field})
    return amount.quantize(CENT)


# ---------------------------------------------------------------------------------------------
# The chart of accounts


def _account_code(kind: str, medium: str, suffix: str = "") -> str:
    return "-".join(p for p in (kind, medium, suffix) if p)


def fund_chart_ensure(*, fund: Fund) -> None:
    """Create the fund's standing accounts (idempotent): money and goods held, pledged, and
    what is available for each purpose in money and in kind."""
    wanted = [(Account.Kind.CASH, Medium.MONEY, None), (Account.Kind.GOODS, Medium.KIND, None),
              (Account.Kind.PLEDGED, Medium.MONEY, None)]
    for purpose in fund.purposes.all():
        wanted += [(Account.Kind.AVAILABLE, Medium.MONEY, purpose),
                   (Account.Kind.AVAILABLE, Medium.KIND, purpose)]
    existing = set(fund.accounts.values_list("code", flat=True))
    for kind, medium, purpose in wanted:
        code = _account_code(kind, medium, purpose.code if purpose else "")
        if code in existing:
            continue
        guarded = kind != Account.Kind.PLEDGED and not (
            kind == Account.Kind.AVAILABLE and medium == Medium.MONEY and fund.allow_overcommit)
        Account.objects.create(fund=fund, code=code, kind=kind, medium=medium, purpose=purpose,
                               guarded=guarded)


def _standing(fund: Fund, kind: str, medium: str, purpose: Purpose | None = None) -> Account:
    """One of the fund's standing accounts. They are never deleted, so the fund object keeps
    them once read: a clerk posting many movements reads the chart once."""
    code = _account_code(kind, medium, purpose.code if purpose else "")
    cache = fund.__dict__.setdefault("_standing_accounts", {})
    account = cache.get(code)
    if account is None:
        account = Account.objects.filter(fund=fund, code=code).first()
        if account is None:
            fund_chart_ensure(fund=fund)
            account = Account.objects.get(fund=fund, code=code)
        cache[code] = account
    return account


# ---------------------------------------------------------------------------------------------
# Posting


#: A fault-injection point: the fault tests stop a posting here, with every row written and
#: the transaction not yet committed, to show that a killed process leaves nothing behind.
before_commit: Callable[[Movement], None] | None = None


@dataclass(frozen=True)
class Line:
    account: Account
    amount: Decimal  # debit positive, credit negative


def _ref_prefix(kind: str) -> str:
    """The start of the reference of a movement posted without one; its id ends it.

    Ids never repeat, so neither do these references, however many movements a day brings
    (random suffixes collided at about 10,000 a day).
    """
    return f"{kind[:3].upper()}-{timezone.now():%Y%m%d}-"


def _refuse_guard(account: Account, amount: Decimal, movement: Movement) -> FundError:
    current = Account.objects.get(pk=account.pk).normal_balance
    kind = account.kind
    if kind == Account.Kind.AVAILABLE:
        return FundError("amount", _(
            "amount: %(asked)s is more than is available for “%(purpose)s” in %(medium)s "
            "(%(left)s): record the receipts first, commit less, or choose another "
            "purpose.") % {"asked": _euro(abs(amount)), "purpose": account.purpose,
                           "medium": account.get_medium_display(), "left": _euro(current)},
            code="above-available")
    if kind == Account.Kind.COMMITTED:
        return FundError("amount", _(
            "amount: %(asked)s is more than is left to pay on commitment %(ref)s "
            "(%(left)s): pay at most what is left, or commit more first.") % {
            "asked": _euro(abs(amount)), "ref": account.movement.ref, "left": _euro(current)},
            code="above-commitment")
    if kind == Account.Kind.PLEDGES:
        return FundError("pledge", _(
            "pledge: %(asked)s is more than is left of pledge %(ref)s (%(left)s).") % {
            "asked": _euro(abs(amount)), "ref": account.movement.ref, "left": _euro(current)},
            code="above-pledge")
    return FundError("amount", _(
        "amount: %(asked)s is more than the fund holds in %(medium)s (%(left)s): nothing "
        "can be paid or given that was not received.") % {
        "asked": _euro(abs(amount)), "medium": account.get_medium_display(),
        "left": _euro(current)}, code="overdraft")


def _guard(account: Account, amount: Decimal) -> int:
    """Which way a line's balance may not cross zero: +1 (a debit-normal account must stay
    at or above zero), -1 (a credit-normal one at or below), 0 (no guard: the line moves the
    balance towards its normal side, or the account may be overdrawn)."""
    return account.sign if account.guarded and amount * account.sign < 0 else 0


def _lock_order(account: Account) -> tuple:
    # Lock in one fixed order so that concurrent postings cannot deadlock: a pledge's or a
    # commitment's own account first (few clerks touch it), then the fund's standing
    # accounts (every clerk does), by id, so that the busiest rows stay locked shortest.
    return (account.movement_id is None and account.pk is not None, account.pk or 0)


def _post(movement: Movement, lines: list[Line], sub_account: dict | None = None) -> Movement:
    """Insert a movement with its balanced entries and move the balances, or nothing.

    ``sub_account`` opens the movement's own account (a pledge's or a commitment's) whose
    balance then takes the lines marked with ``account=None``. On PostgreSQL the whole
    posting is one call of the database function ``funds_post`` (one round trip, one
    statement, so its own transaction when no other is open); elsewhere it is the same
    steps from here, in one transaction.
    """
    total = sum((line.amount for line in lines), Decimal("0"))
    if total != 0 or any(line.amount == 0 for line in lines):
        # A programming error, not a user's: the posting rules below always balance.
        raise ValueError(f"unbalanced movement {movement.ref}: {lines}")
    try:
        if connection.vendor == "postgresql":
            _post_in_one_call(movement, lines, sub_account)
        else:
            with transaction.atomic():
                prefix = getattr(movement, "_ref_prefix", None)
                if prefix is not None:
                    # A stand-in, unique, until the id is known (in this same transaction).
                    movement.ref = f"{prefix}{uuid.uuid4().hex}"
                movement.save(force_insert=True)
                if prefix is not None:
                    movement.ref = f"{prefix}{movement.pk}"
                    table = connection.ops.quote_name(Movement._meta.db_table)
                    with connection.cursor() as cursor:
                        cursor.execute(f"UPDATE {table} SET ref = %s WHERE id = %s",  # noqa: S608
                                       [movement.ref, movement.pk])
                if sub_account is not None:
                    if prefix is not None:
                        sub_account = {**sub_account,
                                       "code": sub_account["code"] + movement.ref}
                    own = Account.objects.create(fund=movement.fund, movement=movement,
                                                 **sub_account)
                    lines = [Line(own, line.amount) if line.account is None else line
                             for line in lines]
                _write_lines(movement, lines)
                if before_commit is not None:
                    before_commit(movement)
    except IntegrityError:
        if Movement.objects.filter(fund=movement.fund_id, ref=movement.ref).exists():
            raise FundError("ref", _("ref: reference %(ref)s is already used in this fund: "
                                     "give the movement its own reference.") % {
                "ref": movement.ref}, code="duplicate-ref") from None
        if movement.reverses_id and Movement.objects.filter(
                reverses=movement.reverses_id).exists():
            raise FundError("reverses", _("reverses: %(ref)s has already been reversed.") % {
                "ref": movement.reverses.ref}, code="already-reversed") from None
        raise
    return movement


def _write_lines(movement: Movement, lines: list[Line]) -> None:
    """Insert the entries, then move each balance with one guarded UPDATE (the portable
    path: SQLite; PostgreSQL runs the same steps in ``funds_post``, see migration 0003).

    Plain SQL on purpose: this is the ledger's hot path, run by every clerk at once, and
    the row locks taken by the UPDATEs are held until the commit, so the less work between
    the first UPDATE and the commit, the more postings per second the books take.
    """
    entry_table = connection.ops.quote_name(Entry._meta.db_table)
    account_table = connection.ops.quote_name(Account._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {entry_table} (movement_id, account_id, amount) VALUES "  # noqa: S608
            + ", ".join(["(%s, %s, %s)"] * len(lines)),
            [value for line in lines for value in (movement.pk, line.account.pk,
                                                   line.amount)])
        for line in sorted(lines, key=lambda item: _lock_order(item.account)):
            account, amount = line.account, line.amount
            cents = int(amount * 100)
            guard = _guard(account, amount)
            condition = {0: "", 1: " AND balance_cents >= %s", -1: " AND balance_cents <= %s"}
            cursor.execute(
                f"UPDATE {account_table} SET balance_cents = balance_cents + %s "  # noqa: S608
                "WHERE id = %s" + condition[guard],
                [cents, account.pk, *([-cents] if guard else [])])
            if cursor.rowcount != 1:
                raise _refuse_guard(account, amount, movement)


#: The SQLSTATE that ``funds_post`` raises when a guard refuses a line (its detail: the
#: account's id); a class of its own, so that no other error is taken for a refusal.
GUARD_REFUSED = "LG001"


_COLUMNS: dict[type, list[tuple[str, str]]] = {}


def _json_value(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else str(value)


def _json_row(obj: Any, *, skip: tuple[str, ...] = ("id",)) -> str:
    """A model instance as the JSON object ``jsonb_populate_record`` reads: every concrete
    column. The ledger's columns are plain values (ids, text, numbers, dates) that need no
    preparing beyond JSON's own: the service has already checked and rounded them."""
    columns = _COLUMNS.get(type(obj))
    if columns is None:
        columns = _COLUMNS[type(obj)] = [(field.column, field.attname)
                                         for field in obj._meta.concrete_fields]
    values = obj.__dict__
    return json.dumps({column: values[attname] for column, attname in columns
                       if column not in skip}, default=_json_value)


def _int_array(values: list[int | None]) -> str:
    """A PostgreSQL array literal: cheaper to send than a list the driver types each time."""
    return "{" + ",".join("NULL" if v is None else str(int(v)) for v in values) + "}"


class _PreparedCursor(psycopg.Cursor):
    """Server-side parameters and a statement prepared once per connection: the posting's
    call is then neither rewritten with its values here nor parsed and planned there.

    Protocol-level prepared statements, as psycopg makes them: behind PgBouncer in
    transaction mode this needs PgBouncer 1.21 or later with ``max_prepared_statements``.
    """

    def execute(self, query, params=None, *, prepare=True, binary=None):
        return super().execute(query, params, prepare=prepare, binary=binary)


_CALL = ("SELECT funds_post(%s::jsonb, %s::text, %s::jsonb, %s::bigint[], %s::bigint[], "
         "%s::smallint[], %s::int[], %s::boolean)")


def _call_funds_post(db: Any, arguments: list) -> list:
    """One call of ``funds_post`` on the Django connection ``db``; its result row."""
    db.ensure_connection()
    if db.queries_logged:
        # Django's own wrapper around it: query logging (tests, DEBUG) sees the call.
        with db.make_debug_cursor(_PreparedCursor(db.connection)) as cursor:
            cursor.execute(_CALL, arguments)
            return cursor.fetchone()[0]
    # The hot path: one cursor kept per driver connection (a new connection gets a new one)
    # and called directly, without Django's wrapper and its execute wrappers (which look
    # for INSERT/UPDATE/DELETE; this is a SELECT, and the caller reports the write itself).
    # Errors still become Django's, as through its cursor.
    db.validate_no_broken_transaction()  # as Django's cursor does before each statement
    raw = db.connection
    cursor = getattr(db, "_patto_post_cursor", None)
    if cursor is None or cursor.connection is not raw or cursor.closed:
        cursor = db._patto_post_cursor = _PreparedCursor(raw)
    with db.wrap_database_errors:
        cursor.execute(_CALL, arguments)
        return cursor.fetchone()[0]


def _post_in_one_call(movement: Movement, lines: list[Line], sub_account: dict | None) -> None:
    """The posting as one call of ``funds_post``: guards, balances and entries together, in
    the same lock order and with the same refusals as the portable path."""
    db = connections[DEFAULT_DB_ALIAS]  # the proxy ``connection`` costs a lookup per use
    own = None
    if sub_account is not None:
        own = _instance(Account, fund=movement.fund, **sub_account)
    movement.recorded_at = timezone.now()  # what auto_now_add does on save()
    prefix = getattr(movement, "_ref_prefix", None)
    accounts = [line.account or own for line in lines]
    # The lock order, computed here where each account's kind is known; the new account
    # (no id yet) sorts first, as it would once created.
    order = sorted(range(len(lines)), key=lambda i: _lock_order(accounts[i]))
    in_transaction = db.in_atomic_block or before_commit is not None
    arguments = [
        _json_row(movement),
        prefix,
        _json_row(own, skip=("id", "movement_id")) if own is not None else None,
        _int_array([line.account.pk if line.account is not None else None
                    for line in lines]),
        _int_array([int(line.amount * 100) for line in lines]),
        _int_array([_guard(account, line.amount)
                    for account, line in zip(accounts, lines, strict=True)]),
        _int_array([position + 1 for position in order]),
        # Alone in its transaction: foreign keys checked before the balances are locked.
        not in_transaction,
    ]

    try:
        if in_transaction:
            with transaction.atomic():
                movement_id, own_id = _call_funds_post(db, arguments)
                movement.pk, movement._state.adding = movement_id, False
                if prefix is not None:
                    movement.ref = f"{prefix}{movement_id}"
                # The page cache sees writes by their INSERT/UPDATE; this one is a SELECT.
                wrote(db)
                if before_commit is not None:
                    before_commit(movement)
        else:
            # One statement in autocommit mode: its own transaction, all or nothing.
            movement_id, own_id = _call_funds_post(db, arguments)
            wrote(db)  # autocommit: one data-version move, for the committed change
    except DatabaseError as exc:
        cause = exc.__cause__
        if getattr(cause, "sqlstate", None) != GUARD_REFUSED:
            raise
        refused = int(cause.diag.message_detail)
        index = next((i for i, account in enumerate(accounts)
                      if account is not own and account.pk == refused), None)
        if index is None:  # the movement's own account, made by this very call
            index = next(i for i, account in enumerate(accounts) if account is own)
        raise _refuse_guard(accounts[index], lines[index].amount, movement) from None
    movement.pk, movement._state.adding = movement_id, False
    movement._state.db = db.alias
    if prefix is not None:
        movement.ref = f"{prefix}{movement_id}"
    if own is not None:
        own.pk, own._state.adding, own._state.db = own_id, False, db.alias
        if prefix is not None:
            own.code += movement.ref
        own.balance_cents = sum(int(line.amount * 100) for line in lines
                                if line.account is None)
        own.movement = movement  # the movement knows its account, as after create()


TEXT_FIELDS = ("description", "item", "unit", "valued_by", "beneficiary")

_FIELDS: dict[type, tuple] = {}
_CALL_DEFAULT = object()


def _instance(model: type, **values: Any) -> Any:
    """``model(**values)`` for a movement or an account, cheaper: Django's constructor takes
    the columns in order (as when it reads a row) rather than by name through each related
    field's descriptor, a third of a posting's time in Python. Related objects given are
    kept on the instance, as with keywords, so reading them back costs no query. Every
    foreign key of these models points to a primary key."""
    spec = _FIELDS.get(model)
    if spec is None:
        # A constant default is read once; a callable one (none here today) at each call.
        spec = _FIELDS[model] = tuple(
            (field.name, field.attname, field.is_relation, field,
             field.get_default() if not callable(field.default) else _CALL_DEFAULT)
            for field in model._meta.concrete_fields)
    args, related = [], []
    for name, attname, relation, field, default in spec:
        if name in values:
            value = values.pop(name)
            if relation:
                related.append((field, value))
                value = None if value is None else value.pk
        elif attname in values:
            value = values.pop(attname)
        else:
            value = field.get_default() if default is _CALL_DEFAULT else default
        args.append(value)
    if values:
        raise TypeError(f"{model.__name__} has no fields {sorted(values)}")
    made = model(*args)
    for field, value in related:
        field.set_cached_value(made, value)
    return made


def _movement(fund: Fund, kind: str, *, user, ref: str | None, booked_on: dt.date | None,
              amount: Decimal, **fields) -> Movement:
    ref = _text("ref", ref)
    for name in TEXT_FIELDS:
        if name in fields:
            fields[name] = _text(name, fields[name])
    today = timezone.localdate()
    if booked_on is None:
        booked_on = today
    if booked_on > today + dt.timedelta(days=366):
        raise FundError("booked_on", _("booked_on: %(date)s is more than a year ahead: check "
                                       "the date.") % {"date": booked_on})
    movement = _instance(Movement, fund=fund, kind=kind, ref=ref.strip(),
                         booked_on=booked_on, amount=amount, recorded_by=_acting(user),
                         **fields)
    if not movement.ref:
        # Named by its id when posted (see _ref_prefix).
        movement._ref_prefix = _ref_prefix(kind)
    return movement


def _check_purpose(fund: Fund, purpose: Purpose | None) -> Purpose:
    if purpose is None:
        raise FundError("purpose", _("purpose: choose what the money or goods are for."))
    if purpose.fund_id != fund.pk:
        raise FundError("purpose", _("purpose: “%(purpose)s” belongs to another fund.") % {
            "purpose": purpose})
    return purpose


def _check_donor(fund: Fund, donor: Donor | None) -> Donor:
    if donor is None:
        raise FundError("donor", _("donor: name who gives; record an unknown giver as an "
                                   "anonymous person donor."), code="unknown-donor")
    if donor.pact_id != fund.pact_id:
        raise FundError("donor", _("donor: %(donor)s is a donor of another pact.") % {
            "donor": donor.code}, code="unknown-donor")
    return donor


def movement_pledge(*, fund: Fund, donor: Donor, amount: Any, purpose: Purpose,
                    user: Any, booked_on: dt.date | None = None, ref: str | None = None,
                    description: str = "", is_example: bool = False) -> Movement:
    """A promise to give money: receivable until the receipts that honour it arrive."""
    _require(user, "funds.add_movement", fund)
    amount = money(amount)
    movement = _movement(fund, Movement.Kind.PLEDGE, user=user, ref=ref, booked_on=booked_on,
                         amount=amount, donor=_check_donor(fund, donor),
                         purpose=_check_purpose(fund, purpose), description=description,
                         is_example=is_example)
    pledged = _standing(fund, Account.Kind.PLEDGED, Medium.MONEY)
    return _post(movement, [Line(None, amount), Line(pledged, -amount)], sub_account={
        "code": f"pledge-{movement.ref}", "kind": Account.Kind.PLEDGES,
        "medium": Medium.MONEY, "purpose": purpose, "guarded": True})


def movement_receipt(*, fund: Fund, donor: Donor, amount: Any, purpose: Purpose,
                     medium: str = Medium.MONEY, pledge: Movement | None = None,
                     item: str = "", quantity: Decimal | None = None, unit: str = "",
                     valued_by: str = "", user: Any, booked_on: dt.date | None = None,
                     ref: str | None = None, description: str = "",
                     is_example: bool = False) -> Movement:
    """Money or goods received: held, and available for the purpose; a receipt that honours a
    pledge settles it up to what is left of it."""
    _require(user, "funds.add_movement", fund)
    item, valued_by = _text("item", item), _text("valued_by", valued_by)
    amount = money(amount)
    donor = _check_donor(fund, donor)
    purpose = _check_purpose(fund, purpose)
    if medium == Medium.KIND:
        if not item.strip():
            raise FundError("item", _("item: describe the goods or services given."))
        if quantity is not None and quantity <= 0:
            raise FundError("quantity", _("quantity: write a quantity greater than zero."))
        if not valued_by.strip():
            raise FundError("valued_by", _("valued_by: say who declared the value of the "
                                           "goods or services."))
        if pledge is not None:
            raise FundError("pledge", _("pledge: pledges are of money; record goods without "
                                        "a pledge."))
    elif medium != Medium.MONEY:
        raise FundError("medium", _("medium: write money or kind."))
    lines = [Line(_standing(fund, Account.Kind.CASH if medium == Medium.MONEY
                            else Account.Kind.GOODS, medium), amount),
             Line(_standing(fund, Account.Kind.AVAILABLE, medium, purpose), -amount)]
    if pledge is not None:
        if pledge.kind != Movement.Kind.PLEDGE or pledge.fund_id != fund.pk:
            raise FundError("pledge", _("pledge: %(ref)s is not a pledge of this fund.") % {
                "ref": pledge.ref})
        if pledge.donor_id != donor.pk:
            raise FundError("pledge", _("pledge: %(ref)s was made by another donor.") % {
                "ref": pledge.ref})
        # Read afresh: the pledge object may carry its account as it was when it was made.
        own = Account.objects.get(movement=pledge)
        settled = min(own.normal_balance, amount)
        if settled > 0:
            lines += [Line(_standing(fund, Account.Kind.PLEDGED, Medium.MONEY), settled),
                      Line(own, -settled)]
    movement = _movement(fund, Movement.Kind.RECEIPT, user=user, ref=ref, booked_on=booked_on,
                         amount=amount, donor=donor, purpose=purpose, medium=medium,
                         pledge=pledge, item=item.strip(), quantity=quantity, unit=unit,
                         valued_by=valued_by.strip(), description=description,
                         is_example=is_example)
    return _post(movement, lines)


def movement_commit(*, fund: Fund, amount: Any, purpose: Purpose,
                    medium: str = Medium.MONEY, project=None, beneficiary_territory=None,
                    beneficiary: str = "", user: Any, booked_on: dt.date | None = None,
                    ref: str | None = None, description: str = "",
                    simulation: Simulation | None = None,
                    is_example: bool = False) -> Movement:
    """An allocation to a project, a municipality or a programme: money set aside to pay."""
    _require(user, "funds.add_movement", fund)
    beneficiary = _text("beneficiary", beneficiary)
    amount = money(amount)
    purpose = _check_purpose(fund, purpose)
    targets = [bool(project), bool(beneficiary_territory), bool(beneficiary.strip())]
    if sum(targets) != 1:
        raise FundError("project", _("project: name exactly one destination: a project, a "
                                     "municipality or another beneficiary."))
    if project is not None and project.pact_id != fund.pact_id:
        raise FundError("project", _("project: %(code)s is a project of another pact.") % {
            "code": project.code})
    movement = _movement(fund, Movement.Kind.COMMITMENT, user=user, ref=ref,
                         booked_on=booked_on, amount=amount, purpose=purpose, medium=medium,
                         project=project, beneficiary_territory=beneficiary_territory,
                         beneficiary=beneficiary.strip(), description=description,
                         simulation=simulation, is_example=is_example)
    available = _standing(fund, Account.Kind.AVAILABLE, medium, purpose)
    return _post(movement, [Line(available, amount), Line(None, -amount)], sub_account={
        "code": f"commitment-{movement.ref}", "kind": Account.Kind.COMMITTED,
        "medium": medium, "purpose": purpose, "guarded": True})


def _settle(kind: str, *, commitment: Movement, amount: Any, user, booked_on, ref,
            description: str, is_example: bool) -> Movement:
    amount = money(amount)
    if commitment is None or commitment.kind != Movement.Kind.COMMITMENT:
        raise FundError("commitment", _("commitment: name the commitment this settles; "
                                        "nothing can be paid that was not committed."),
                        code="no-commitment")
    fund = commitment.fund
    _require(user, "funds.add_movement", fund)
    movement = _movement(fund, kind, user=user, ref=ref, booked_on=booked_on, amount=amount,
                         purpose=commitment.purpose, medium=commitment.medium,
                         commitment=commitment, project=commitment.project,
                         beneficiary_territory=commitment.beneficiary_territory,
                         beneficiary=commitment.beneficiary, description=description,
                         is_example=is_example)
    if kind == Movement.Kind.PAYMENT:
        other = _standing(fund, Account.Kind.CASH if commitment.medium == Medium.MONEY
                          else Account.Kind.GOODS, commitment.medium)
    else:
        other = _standing(fund, Account.Kind.AVAILABLE, commitment.medium, commitment.purpose)
    return _post(movement, [Line(commitment.account, amount), Line(other, -amount)])


def movement_pay(*, commitment: Movement, amount: Any, user: Any,
                 booked_on: dt.date | None = None, ref: str | None = None,
                 description: str = "", is_example: bool = False) -> Movement:
    """A payment (or a delivery of goods) against a commitment, never above what is left."""
    return _settle(Movement.Kind.PAYMENT, commitment=commitment, amount=amount, user=user,
                   booked_on=booked_on, ref=ref, description=description,
                   is_example=is_example)


def movement_release(*, commitment: Movement, amount: Any, user: Any,
                     booked_on: dt.date | None = None, ref: str | None = None,
                     description: str = "", is_example: bool = False) -> Movement:
    """Give back to the purpose what a commitment will not spend (a project under budget)."""
    return _settle(Movement.Kind.RELEASE, commitment=commitment, amount=amount, user=user,
                   booked_on=booked_on, ref=ref, description=description,
                   is_example=is_example)


def movement_reverse(*, movement: Movement, reason: str, user: Any,
                     booked_on: dt.date | None = None, ref: str | None = None,
                     is_example: bool = False) -> Movement:
    """Cancel a movement with its mirror image, which names it; the original stays."""
    _require(user, "funds.add_movement", movement.fund)
    reason = _text("description", reason)
    if not reason.strip():
        raise FundError("description", _("description: say why the movement is reversed."))
    if movement.kind == Movement.Kind.REVERSAL:
        raise FundError("reverses", _("reverses: a reversal is not reversed; post the "
                                      "movement again instead."))
    if Movement.objects.filter(reverses=movement).exists():
        raise FundError("reverses", _("reverses: %(ref)s has already been reversed.") % {
            "ref": movement.ref}, code="already-reversed")
    lines = [Line(entry.account, -entry.amount) for entry in
             movement.entries.select_related("account", "account__movement")]
    reversal = _movement(movement.fund, Movement.Kind.REVERSAL, user=user, ref=ref,
                         booked_on=booked_on, amount=movement.amount, reverses=movement,
                         purpose=movement.purpose, medium=movement.medium,
                         donor=movement.donor, project=movement.project,
                         beneficiary_territory=movement.beneficiary_territory,
                         beneficiary=movement.beneficiary, description=reason.strip(),
                         is_example=is_example)
    try:
        return _post(reversal, lines)
    except IntegrityError:
        raise FundError("reverses", _("reverses: %(ref)s has already been reversed.") % {
            "ref": movement.ref}, code="already-reversed") from None


# ---------------------------------------------------------------------------------------------
# Donors and clerks

DONOR_FIELDS = ("code", "kind", "party", "territory", "name", "tax_code", "email",
                "consent_public", "consent_on", "is_example")


def _refusal(exc: ValidationError) -> FundError:
    """A model's own check as a domain error naming the first field at fault."""
    found = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    field = next(iter(found))
    return FundError(field, " ".join(f"{name}: {' '.join(messages)}" if name != "__all__"
                                     else " ".join(messages)
                                     for name, messages in found.items()))


def _donor_save(donor: Donor, fields: dict, user: Any) -> Donor:
    unknown = set(fields) - set(DONOR_FIELDS)
    if unknown:
        raise TypeError(f"not donor fields: {sorted(unknown)}")
    for name, value in fields.items():
        if isinstance(value, str):
            value = _text(name, value.strip())
        setattr(donor, name, value)
    donor._history_user = _acting(user)
    try:
        donor.full_clean()
    except ValidationError as exc:
        raise _refusal(exc) from None
    donor.save()
    return donor


def donor_create(*, pact, user: Any, **fields: Any) -> Donor:
    """A new donor of the pact's funds, recorded by the secretariat or a fund clerk."""
    _require(user, "funds.add_donor", pact)
    with transaction.atomic():
        return _donor_save(Donor(pact=pact), fields, user)


def donor_change(*, donor: Donor, user: Any, **fields: Any) -> Donor:
    """Correct a donor's registry data (consent included); the history keeps the former."""
    _require(user, "funds.change_donor", donor)
    with transaction.atomic():
        return _donor_save(donor, fields, user)


def donor_delete(*, donor: Donor, user: Any) -> None:
    """Remove a donor recorded by mistake; one who gave stays, as the books never change."""
    _require(user, "funds.delete_donor", donor)
    if donor.movements.exists():
        raise FundError("donor", _("donor: %(code)s has movements in the books and stays; "
                                   "correct the data instead.") % {"code": donor.code},
                        code="donor-in-books")
    with transaction.atomic():
        donor._history_user = _acting(user)
        donor.delete()


def donor_statement_revoke(*, donor: Donor, user: Any) -> Donor:
    """Make every statement link sent to the donor so far stop working (a new one works)."""
    _require(user, "funds.change_donor", donor)
    with transaction.atomic():
        locked = Donor.objects.select_for_update().get(pk=donor.pk)
        locked.statement_version += 1
        locked._history_user = _acting(user)  # kept in the history like any other change
        locked.save(update_fields=["statement_version", "updated_at"])
    donor.statement_version = locked.statement_version
    return donor


def donor_for_municipality(*, pact, territory) -> Donor:
    donor, _created = Donor.objects.get_or_create(
        pact=pact, code=f"comune-{territory.code}",
        defaults={"kind": Donor.Kind.MUNICIPALITY, "territory": territory})
    return donor


def fund_clerk_add(*, fund: Fund, person: Any, user: Any) -> FundClerk:
    """Let ``person`` record the fund's movements and see its donors (secretariat only)."""
    _require(user, "funds.change_fund", fund)
    with transaction.atomic():
        clerk, _created = FundClerk.objects.get_or_create(fund=fund, user=person)
    return clerk


def fund_clerk_remove(*, clerk: FundClerk, user: Any) -> None:
    _require(user, "funds.change_fund", clerk.fund)
    with transaction.atomic():
        clerk._history_user = _acting(user)
        clerk.delete()


# ---------------------------------------------------------------------------------------------
# Equalisation


def _money_or_zero(value: Any, field: str) -> Decimal:
    """A declared charge: zero is allowed (a transformation may raise one kind only)."""
    if value in (None, ""):
        return Decimal("0.00")
    try:
        if parse_amount(value) == 0:
            return Decimal("0.00")
    except ValueError:
        pass  # money() below says what is wrong with it
    return money(value, field=field)


def transformation_declare(*, fund: Fund, ref: str, municipality, area: str,
                           declared_on: dt.date, description: str, secondary_charges: Any,
                           extraordinary_contribution: Any, purpose: Purpose, user: Any,
                           is_example: bool = False) -> Transformation:
    """Record a transformation and pledge the contribution it owes, by the rule in force."""
    from patto.engine.equalisation import ChargeRate, contribution_due, rate_on

    _require(user, "funds.add_transformation", fund)
    ref, description = _text("ref", ref), _text("description", description)
    if fund.kind != Fund.Kind.EQUALISATION:
        raise FundError("fund", _("fund: transformations pay into the equalisation fund."))
    charges = {field: _money_or_zero(value, field) for field, value in (
        ("secondary_charges", secondary_charges),
        ("extraordinary_contribution", extraordinary_contribution))}
    if not any(charges.values()):
        raise FundError("secondary_charges", _("secondary_charges: declare the charges the "
                                               "transformation raised."))
    rules = list(fund.charge_rules.all())
    try:
        rate = rate_on([ChargeRate(r.valid_from, r.secondary_rate, r.extraordinary_rate)
                        for r in rules], declared_on)
    except ValueError:
        raise FundError("declared_on", _("declared_on: no charge rule is in force on "
                                         "%(date)s: add one that starts on or before that "
                                         "day.") % {"date": declared_on}) from None
    rule = next(r for r in rules if r.valid_from == rate.valid_from)
    due = contribution_due(secondary_charges=charges["secondary_charges"],
                           extraordinary_contribution=charges["extraordinary_contribution"],
                           rate=rate)
    if due <= 0:
        raise FundError("secondary_charges", _("secondary_charges: the rule in force makes "
                                               "nothing due."))
    with transaction.atomic():
        donor = donor_for_municipality(pact=fund.pact, territory=municipality)
        pledge = movement_pledge(fund=fund, donor=donor, amount=due, purpose=purpose,
                                 user=user, booked_on=declared_on, ref=ref,
                                 description=description, is_example=is_example)
        transformation = Transformation(
            fund=fund, ref=ref, municipality=municipality, area=area, declared_on=declared_on,
            description=description, rule=rule, due=due, pledge=pledge,
            is_example=is_example, **charges)
        transformation._history_user = user
        transformation.full_clean(exclude=["pledge", "rule"])
        transformation.save()
    return transformation


def allocation_rule_simulate(*, fund: Fund, rule: AllocationRule | None, fields: dict,
                             indicators: list[dict], user: Any) -> Simulation:
    """Save a rule's parameters and indicators (a new rule when ``rule`` is None) and run it,
    in one transaction; a rule with an adopted allocation never changes."""
    _require(user, "funds.add_simulation", fund)
    if rule is not None and (rule.fund_id != fund.pk or rule.simulations.filter(
            adopted_at__isnull=False).exists()):
        raise FundError("rule", _("This rule has an adopted allocation: make a new rule to "
                                  "change it."), code="rule-adopted")
    with transaction.atomic():
        rule = rule if rule is not None else AllocationRule(fund=fund)
        for name, value in fields.items():
            setattr(rule, name, _text(name, value) if isinstance(value, str) else value)
        if rule.purpose_id is not None and rule.purpose.fund_id != fund.pk:
            raise FundError("purpose", _("purpose: “%(purpose)s” belongs to another fund.") % {
                "purpose": rule.purpose})
        rule._history_user = _acting(user)
        try:
            rule.full_clean()
        except ValidationError as exc:
            raise _refusal(exc) from None
        rule.save()
        RuleIndicator.objects.filter(rule=rule).delete()
        RuleIndicator.objects.bulk_create([RuleIndicator(
            rule=rule, indicator=line["indicator"], weight=line.get("weight") or 1.0,
            fragile_when_high=bool(line.get("fragile_when_high"))) for line in indicators])
        return simulation_run(rule=rule, user=user)


def simulation_run(*, rule: AllocationRule, user: Any) -> Simulation:
    """Compute a rule on today's data and keep the result, every line explained."""
    from .selectors import allocation_compute

    _require(user, "funds.add_simulation", rule.fund)
    computed = allocation_compute(rule=rule)
    simulation = Simulation.objects.create(
        rule=rule, created_by=_acting(user),
        parameters=computed["parameters"], lines=computed["lines"],
        allocated=computed["allocated"], unallocated=computed["unallocated"])
    return simulation


def simulation_adopt(*, simulation: Simulation, user: Any,
                     booked_on: dt.date | None = None) -> list[Movement]:
    """Commit the simulated amounts to the municipalities, all or none."""
    from patto.pact.models import Territory

    from .selectors import simulation_blocker

    rule = simulation.rule
    _require(user, "funds.adopt_simulation", rule.fund)
    if simulation.adopted_at is not None:
        raise FundError("simulation", _("simulation: this allocation is already adopted."),
                        code="already-adopted")
    places = Territory.objects.in_bulk([line["territory"] for line in simulation.lines
                                        if Decimal(line["amount"]) > 0])
    made = []
    with transaction.atomic():
        # One allocation per purpose and year: the purpose's row is locked (PostgreSQL) so
        # that two people adopting two rival simulations at once cannot both pass the check.
        Purpose.objects.select_for_update().filter(pk=rule.purpose_id).first()
        blocker = simulation_blocker(simulation)
        if blocker is not None:
            raise FundError("simulation", _(
                "simulation: “%(rule)s” (simulation #%(pk)s) is already adopted for "
                "“%(purpose)s” and the year %(year)s: only one allocation is adopted per "
                "purpose and year; to allocate more, make a rule for another purpose or "
                "year.") % {"rule": blocker.rule.name, "pk": blocker.pk,
                            "purpose": rule.purpose, "year": rule.year},
                code="purpose-year-adopted")
        for line in simulation.lines:
            amount = Decimal(line["amount"])
            if amount <= 0:
                continue
            made.append(movement_commit(
                fund=rule.fund, amount=amount, purpose=rule.purpose,
                beneficiary_territory=places[line["territory"]], user=user,
                booked_on=booked_on, ref=f"{rule.code}-{line['istat_code'] or line['code']}",
                description=_("Allocation by rule “%(rule)s”") % {"rule": rule.name},
                simulation=simulation, is_example=rule.is_example))
        updated = Simulation.objects.filter(pk=simulation.pk, adopted_at__isnull=True).update(
            adopted_at=timezone.now(),
            adopted_by=_acting(user))
        if updated != 1:
            raise FundError("simulation", _("simulation: this allocation is already adopted."))
    simulation.refresh_from_db()
    return made


def charge_rule_save(*, fund: Fund, valid_from: dt.date, secondary_rate: Decimal,
                     extraordinary_rate: Decimal, note: str = "", user: Any,
                     rule: ChargeRule | None = None) -> ChargeRule:
    """Record (or correct, when ``rule`` is given) the share of the charges due from a date."""
    _require(user, "funds.change_chargerule", fund)
    rule = rule if rule is not None else ChargeRule()
    rule.fund, rule.valid_from, rule.note = fund, valid_from, _text("note", note)
    rule.secondary_rate, rule.extraordinary_rate = secondary_rate, extraordinary_rate
    rule._history_user = _acting(user)
    try:
        rule.full_clean()
    except ValidationError as exc:
        raise _refusal(exc) from None
    with transaction.atomic():
        rule.save()
    return rule
