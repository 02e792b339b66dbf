"""The ledger: balanced postings, guards against overdrafts, reversals, immutability, kind."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from patto.funds import selectors, services
from patto.funds.models import Account, Entry, Movement


def balances(fund) -> dict[str, Decimal]:
    return dict(Account.objects.filter(fund=fund).values_list("code", "balance_cents"))


def assert_books_consistent(fund):
    assert selectors.ledger_verify(funds=type(fund).objects.filter(pk=fund.pk)) == []


def test_receipt_posts_balanced_entries_and_moves_balances(funded, food):
    receipt = Movement.objects.get(fund=funded, ref="R-1")
    amounts = sorted(e.amount for e in receipt.entries.all())
    assert amounts == [Decimal("-1000.00"), Decimal("1000.00")]
    totals = selectors.fund_totals(funded)["money"]
    assert (totals.received, totals.held, totals.available) == (
        Decimal("1000.00"), Decimal("1000.00"), Decimal("1000.00"))
    assert_books_consistent(funded)


def test_commit_pay_release_flow_keeps_every_invariant(funded, food, bologna):
    project = bologna.projects.get(code="az-5")
    commitment = services.movement_commit(user=None, fund=funded, amount="600.00", purpose=food,
                                          project=project, ref="C-1")
    services.movement_pay(user=None, commitment=commitment, amount="450.50", ref="P-1")
    services.movement_release(user=None, commitment=commitment, amount="100.00", ref="L-1")
    totals = selectors.fund_totals(funded)["money"]
    assert totals.committed == Decimal("600.00")
    assert totals.paid == Decimal("450.50")
    assert totals.released == Decimal("100.00")
    assert totals.to_pay == Decimal("49.50")
    assert totals.held == Decimal("549.50")
    assert totals.available == Decimal("500.00")  # 1000 - 600 + 100
    destination = selectors.destinations(funded)[0]
    assert (destination.project, destination.paid) == (project, Decimal("450.50"))
    assert_books_consistent(funded)


@pytest.mark.parametrize(("value", "reason"), [
    ("0", "greater than zero"), ("-5.00", "greater than zero"),
    ("12.345", "more than two decimals"), ("dodici", "not an amount.*12.500,00"),
    ("12.500.00", "not an amount.*decimal comma"), ("NaN", "must be a number")])
def test_bad_amounts_are_refused_naming_the_field(funded, food, donor, value, reason):
    from django.utils import translation

    before = (Movement.objects.count(), balances(funded))
    with translation.override("en"), pytest.raises(services.FundError,
                                                   match=reason) as caught:
        services.movement_receipt(user=None, fund=funded, donor=donor, amount=value, purpose=food)
    assert caught.value.field == "amount"
    assert (Movement.objects.count(), balances(funded)) == before


def test_commitment_above_the_available_balance_is_refused_and_nothing_written(
        funded, food):
    before = (Movement.objects.count(), Entry.objects.count(), balances(funded))
    with pytest.raises(services.FundError, match="supera quanto disponibile") as caught:
        services.movement_commit(user=None, fund=funded, amount="1000.01", purpose=food,
                                 beneficiary="Emporio solidale")
    assert caught.value.code == "above-available"
    assert "1.000,01" in caught.value.message and "1.000,00" in caught.value.message
    assert (Movement.objects.count(), Entry.objects.count(), balances(funded)) == before
    assert not Account.objects.filter(fund=funded, kind=Account.Kind.COMMITTED).exists()


def test_money_for_one_purpose_cannot_be_committed_to_another(funded, fund):
    housing = fund.purposes.get(code="housing")
    with pytest.raises(services.FundError, match="disponibile"):
        services.movement_commit(user=None, fund=funded, amount="1.00", purpose=housing,
                                 beneficiary="Casa")


def test_payment_above_its_commitment_is_refused(funded, food):
    commitment = services.movement_commit(user=None, fund=funded, amount="300.00", purpose=food,
                                          beneficiary="Emporio")
    services.movement_pay(user=None, commitment=commitment, amount="200.00")
    before = balances(funded)
    with pytest.raises(services.FundError, match="resta da pagare") as caught:
        services.movement_pay(user=None, commitment=commitment, amount="100.01")
    assert caught.value.code == "above-commitment"
    assert balances(funded) == before


def test_nothing_is_paid_without_a_commitment(funded):
    with pytest.raises(services.FundError, match="impegnato") as caught:
        services.movement_pay(user=None, commitment=None, amount="10.00")
    assert caught.value.field == "commitment"
    receipt = Movement.objects.get(fund=funded, ref="R-1")
    with pytest.raises(services.FundError, match="impegnato"):
        services.movement_pay(user=None, commitment=receipt, amount="10.00")


def test_unknown_or_foreign_donor_is_refused(funded, food, bologna):
    from patto.funds.models import Donor
    from patto.pact.models import Pact

    with pytest.raises(services.FundError, match="donor") as caught:
        services.movement_receipt(user=None, fund=funded, donor=None, amount="5.00", purpose=food)
    assert caught.value.code == "unknown-donor"
    other = Pact.objects.exclude(pk=bologna.pk).first()
    stranger = Donor.objects.create(pact=other, code="x", kind=Donor.Kind.ORGANISATION,
                                    name="X")
    with pytest.raises(services.FundError, match="altro patto"):
        services.movement_receipt(fund=funded, donor=stranger, amount="5.00", purpose=food,
                                  user=None)


def test_overcommitment_only_where_the_fund_allows_it_and_never_paying_more_than_held(
        bologna, donor):
    from patto.funds.models import Fund, Purpose
    from patto.pact.models import Instrument

    instrument = Instrument.objects.create(pact=bologna, code="guaranteed", name="G",
                                           kind=Instrument.Kind.COMMUNITY_FUND, summary="g")
    fund = Fund.objects.create(pact=bologna, instrument=instrument, code="guaranteed",
                               kind=Fund.Kind.COMMUNITY, allow_overcommit=True)
    purpose = Purpose.objects.create(fund=fund, code="p", name="P")
    services.movement_receipt(user=None, fund=fund, donor=donor, amount="100.00", purpose=purpose)
    commitment = services.movement_commit(user=None, fund=fund, amount="250.00", purpose=purpose,
                                          beneficiary="B")
    assert selectors.fund_totals(fund)["money"].available == Decimal("-150.00")
    with pytest.raises(services.FundError, match="giacenza") as caught:
        services.movement_pay(user=None, commitment=commitment, amount="100.01")
    assert caught.value.code == "overdraft"
    services.movement_pay(user=None, commitment=commitment, amount="100.00")
    assert_books_consistent(fund)


def test_a_reversal_names_the_original_restores_balances_and_happens_once(funded, food,
                                                                         donor):
    before = balances(funded)
    gift = services.movement_receipt(user=None, fund=funded, donor=donor, amount="15000.00",
                                     purpose=food, ref="R-typo")
    reversal = services.movement_reverse(user=None, movement=gift, reason="15000 instead of 1500")
    assert reversal.reverses == gift and reversal.kind == Movement.Kind.REVERSAL
    assert balances(funded) == before
    assert Movement.objects.filter(ref="R-typo").exists()  # the original stays
    with pytest.raises(services.FundError, match="già stato stornato"):
        services.movement_reverse(user=None, movement=gift, reason="again")
    with pytest.raises(services.FundError, match="non si storna"):
        services.movement_reverse(user=None, movement=reversal, reason="undo the undo")
    with pytest.raises(services.FundError, match="perché"):
        services.movement_reverse(user=None, movement=Movement.objects.get(ref="R-1"), reason=" ")
    assert selectors.fund_totals(funded)["money"].received == Decimal("1000.00")
    assert_books_consistent(funded)


def test_a_receipt_already_committed_cannot_be_reversed(funded, food):
    services.movement_commit(user=None, fund=funded, amount="900.00", purpose=food, beneficiary="B")
    with pytest.raises(services.FundError, match="disponibile"):
        services.movement_reverse(movement=Movement.objects.get(ref="R-1"), reason="error",
                                  user=None)


def test_ledger_rows_are_never_edited_or_deleted(funded):
    receipt = Movement.objects.get(fund=funded, ref="R-1")
    receipt.amount = Decimal("1.00")
    with pytest.raises(ValidationError):
        receipt.save()
    with pytest.raises(ValidationError):
        receipt.delete()
    with pytest.raises(ValidationError):
        Movement.objects.filter(pk=receipt.pk).update(amount=Decimal("1.00"))
    with pytest.raises(ValidationError):
        Entry.objects.filter(movement=receipt).delete()
    entry = receipt.entries.first()
    with pytest.raises(ValidationError):
        entry.save()
    assert Movement.objects.get(pk=receipt.pk).amount == Decimal("1000.00")


def test_a_reference_is_used_once_per_fund(funded, food, donor):
    with pytest.raises(services.FundError, match="già usato") as caught:
        services.movement_receipt(user=None, fund=funded, donor=donor, amount="1.00", purpose=food,
                                  ref="R-1")
    assert caught.value.field == "ref"


def test_references_the_books_make_are_named_by_the_movements_ids_and_cannot_collide(
        funded, food, donor):
    """A movement posted without a reference is named ``<KIND>-<day>-<its id>``: ids never
    repeat, so neither do these references, however many movements a day brings (random
    six-digit suffixes collided at about 10,000 a day)."""
    from django.utils import timezone

    day = f"{timezone.now():%Y%m%d}"
    receipts = [services.movement_receipt(user=None, fund=funded, donor=donor, amount="1.00",
                                          purpose=food) for _ in range(25)]
    pledge = services.movement_pledge(user=None, fund=funded, donor=donor, amount="5.00",
                                      purpose=food)
    commitment = services.movement_commit(user=None, fund=funded, amount="3.00",
                                          purpose=food, beneficiary="B")
    payment = services.movement_pay(user=None, commitment=commitment, amount="1.00")
    stored = dict(Movement.objects.filter(fund=funded).values_list("pk", "ref"))
    for made, kind in [*((r, "REC") for r in receipts), (pledge, "PLE"),
                       (commitment, "COM"), (payment, "PAY")]:
        assert made.ref == stored[made.pk] == f"{kind}-{day}-{made.pk}"
    assert len({m.ref for m in receipts}) == len(receipts)
    # A pledge's and a commitment's own accounts are named after the final reference.
    assert Account.objects.get(movement=pledge).code == f"pledge-{pledge.ref}"
    assert commitment.account.code == Account.objects.get(movement=commitment).code == (
        f"commitment-{commitment.ref}")
    # A reference a person gives is kept as given.
    given = services.movement_receipt(user=None, fund=funded, donor=donor, amount="1.00",
                                      purpose=food, ref="  RIC-2026/0001 ")
    assert Movement.objects.get(pk=given.pk).ref == "RIC-2026/0001"
    assert_books_consistent(funded)


def test_pledges_are_honoured_by_receipts_up_to_what_is_left(funded, food, donor):
    pledge = services.movement_pledge(user=None, fund=funded, donor=donor, amount="500.00",
                                      purpose=food, ref="PL-1")
    services.movement_receipt(user=None, fund=funded, donor=donor, amount="300.00", purpose=food,
                              pledge=pledge)
    assert selectors.fund_totals(funded)["money"].pledged_open == Decimal("200.00")
    services.movement_receipt(user=None, fund=funded, donor=donor, amount="250.00", purpose=food,
                              pledge=pledge)
    totals = selectors.fund_totals(funded)["money"]
    assert totals.pledged_open == Decimal("0.00")
    assert totals.received == Decimal("1550.00")
    assert_books_consistent(funded)


def test_gifts_in_kind_are_described_valued_and_kept_apart_from_money(funded, food, donor):
    with pytest.raises(services.FundError, match="valued_by"):
        services.movement_receipt(fund=funded, donor=donor, amount="3600.00", purpose=food,
                                  medium="kind", item="Pacchi alimentari", user=None)
    with pytest.raises(services.FundError, match="item"):
        services.movement_receipt(fund=funded, donor=donor, amount="3600.00", purpose=food,
                                  medium="kind", valued_by="CAAB", user=None)
    parcels = services.movement_receipt(user=None,
        fund=funded, donor=donor, amount="3600.00", purpose=food, medium="kind",
        item="Pacchi alimentari", quantity=Decimal("120"), unit="pacchi",
        valued_by="CAAB, listino 2023")
    assert parcels.quantity == Decimal("120")
    commitment = services.movement_commit(user=None, fund=funded, amount="3000.00", purpose=food,
                                          medium="kind", beneficiary="Emporio")
    services.movement_pay(user=None, commitment=commitment, amount="3000.00")
    totals = selectors.fund_totals(funded)
    assert totals["kind"].received == Decimal("3600.00")
    assert totals["kind"].held == Decimal("600.00")
    assert totals["money"].held == Decimal("1000.00")
    combined = selectors.fund_totals_combined(totals)
    assert combined.received == Decimal("4600.00")
    # Goods cannot pay for money commitments, nor money for goods.
    with pytest.raises(services.FundError, match="disponibile"):
        services.movement_commit(user=None, fund=funded, amount="1000.01", purpose=food,
                                 beneficiary="x")
    assert_books_consistent(funded)


def test_trial_balance_debits_equal_credits_and_journal_lists_every_entry(funded, food):
    services.movement_commit(user=None, fund=funded, amount="400.00", purpose=food, beneficiary="B")
    rows, debits, credits = selectors.trial_balance(funded)
    assert debits == credits == Decimal("1400.00")
    cash = next(r for r in rows if r[0] == "cash-money")
    assert cash[4:8] == ["1000.00", "0.00", "1000.00", "D"]
    journal = selectors.journal_rows(funded)
    assert len(journal) == Entry.objects.filter(movement__fund=funded).count() == 4
    assert sum(Decimal(r[8] or 0) for r in journal) == sum(Decimal(r[9] or 0)
                                                          for r in journal)


def test_a_tampered_balance_is_found_by_the_verification(funded):
    from django.db import connection

    with connection.cursor() as cursor:
        cursor.execute("UPDATE funds_account SET balance_cents = balance_cents + 1 WHERE code = %s "
                       "AND fund_id = %s", ["cash-money", funded.pk])
    found = selectors.ledger_verify(funds=type(funded).objects.filter(pk=funded.pk))
    assert [v.what for v in found] == ["balance"]


def test_donor_changes_keep_their_history(donor, staff):
    donor.name = "Renamed organisation"
    donor._history_user = staff
    donor.save()
    latest = donor.history.first()
    assert (latest.name, latest.history_user) == ("Renamed organisation", staff)
    assert donor.history.count() == 2


@pytest.mark.skipif(connection.vendor != "postgresql",
                    reason="one server-side call on PostgreSQL; SQLite keeps the portable path")
def test_a_posting_on_postgresql_is_one_call_of_the_ledger_function(funded, food, donor):
    from django.test.utils import CaptureQueriesContext

    from patto.core.cache import current_version

    version = current_version()
    with CaptureQueriesContext(connection) as captured:
        made = services.movement_commit(fund=funded, amount="10.00", purpose=food,
                                        beneficiary="B", user=None)
    statements = [q["sql"] for q in captured.captured_queries
                  if not q["sql"].startswith(("SAVEPOINT", "RELEASE SAVEPOINT"))]
    assert len(statements) == 1 and statements[0].startswith("SELECT funds_post(")
    # The movement, its own account and both balances, as the portable path writes them.
    assert made.pk and made.account.balance == Decimal("-10.00")
    assert Account.objects.get(pk=made.account.pk).balance_cents == -1000
    # Figures kept per data version are out of date, as after any other write (inside the
    # test's transaction, that transaction's own version moves).
    assert current_version() != version
    assert_books_consistent(funded)


def test_a_movement_built_for_posting_is_the_one_django_would_build(funded, food, donor,
                                                                    django_assert_num_queries):
    """The posting builds its movement by the columns in order (cheaper, see _instance):
    every column and every related object as with keywords, and no query to read them."""
    import datetime as dt

    fields = {"fund": funded, "kind": Movement.Kind.RECEIPT, "ref": "R-X",
              "booked_on": dt.date(2026, 1, 2), "amount": Decimal("5.00"), "donor": donor,
              "purpose": food, "recorded_by": None, "description": "d"}
    made, expected = services._instance(Movement, **fields), Movement(**fields)
    assert [getattr(made, f.attname) for f in Movement._meta.concrete_fields] == [
        getattr(expected, f.attname) for f in Movement._meta.concrete_fields]
    assert made._state.adding and made.medium == "money" and made.is_example is False
    with django_assert_num_queries(0):
        assert (made.fund, made.donor, made.purpose, made.pledge) == (funded, donor, food,
                                                                        None)
    with pytest.raises(TypeError, match="no fields"):
        services._instance(Movement, colour="red")
