"""`patto ledger-worker`: one clerk of the ledger benchmark and fault tests, in its own process.

Not for everyday use: it sets up a scratch fund (--setup), posts a stream of movements
(--writer), re-derives every invariant (--verify) or stops in the middle of a posting
(--hang-mid-posting) so that a test can kill it there.
"""

from __future__ import annotations

import json
import sys
import time
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand
from django.db import OperationalError, connection


class Command(BaseCommand):
    help = ("Ledger benchmark and fault-test worker, for a scratch database only: --setup "
            "makes a fund, --writer posts, --verify checks the invariants, "
            "--hang-mid-posting stops inside a posting.")

    def add_arguments(self, parser):
        parser.add_argument("--setup", action="store_true", help="Create the scratch fund.")
        parser.add_argument("--writer", type=int, help="This writer's number.")
        parser.add_argument("--postings", type=int, default=100, help="Postings to make.")
        parser.add_argument("--start-file", help="Wait for this file before posting.")
        parser.add_argument("--verify", action="store_true", help="Check every invariant.")
        parser.add_argument("--hang-mid-posting", action="store_true",
                            help="Start a receipt and stop before its commit.")

    def handle(self, *args, **o):
        from django.test.utils import override_settings

        # A cache of its own: the scratch books' data versions must neither reach the site's
        # cache (its pages would be thrown away) nor cost a shared file's rewrite per posting.
        # No downloads prebuilt either: the scratch books have no public pages or files, and
        # a check per posting whether to queue their build is no part of the ledger's work.
        with override_settings(CACHES={"default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": "patto-ledger-worker"}}, PATTO_DOWNLOADS_PREBUILD=False):
            return self._handle(o)

    def _handle(self, o):
        if o["setup"]:
            return self._setup()
        if o["verify"]:
            return self._verify()
        if o["hang_mid_posting"]:
            return self._hang()
        return self._write(o["writer"] or 0, o["postings"], o["start_file"])

    def _fund(self):
        from patto.funds.models import Donor, Fund

        fund = Fund.objects.select_related("pact").get(code="scratch-fund")
        return fund, fund.purposes.get(code="p"), Donor.objects.get(code="scratch-donor")

    def _setup(self) -> None:
        import datetime as dt

        from patto.funds import services
        from patto.funds.models import Donor, Fund, Purpose
        from patto.pact.models import Instrument, Pact, Territory

        place = Territory.objects.create(code="scratch", name="Scratch",
                                         kind=Territory.Kind.METROPOLITAN_CITY)
        pact = Pact.objects.create(code="scratch", title="Scratch", short_title="Scratch",
                                   signed_on=dt.date(2021, 1, 1), territory=place,
                                   summary="Benchmark")
        instrument = Instrument.objects.create(pact=pact, code="scratch-fund", name="Fund",
                                               kind=Instrument.Kind.COMMUNITY_FUND,
                                               summary="Benchmark")
        fund = Fund.objects.create(pact=pact, instrument=instrument, code="scratch-fund",
                                   kind=Fund.Kind.COMMUNITY)
        purpose = Purpose.objects.create(fund=fund, code="p", name="Purpose")
        services.fund_chart_ensure(fund=fund)
        donor = Donor.objects.create(pact=pact, code="scratch-donor",
                                     kind=Donor.Kind.ORGANISATION, name="Donor")
        services.movement_receipt(user=None, fund=fund, donor=donor, purpose=purpose,
                                  amount=Decimal("1000000.00"), ref="SEED")

    def _write(self, writer: int, postings: int, start_file: str | None) -> None:
        from patto.funds import services

        fund, purpose, donor = self._fund()
        connection.ensure_connection()
        if start_file:
            folder = Path(start_file).parent
            (folder / f"ready-{writer}").write_text("ready")
            while not Path(start_file).exists():
                time.sleep(0.005)
        posted = refused = retried = cycle = 0
        began, cpu = time.perf_counter(), time.process_time()

        def attempt(call, **kwargs):
            nonlocal posted, refused, retried
            if posted >= postings:
                return None
            for _ in range(20):
                try:
                    made = call(user=None, **kwargs)  # the platform itself, no person
                except services.FundError:
                    refused += 1
                    return None
                except OperationalError:
                    retried += 1  # a lost connection or a deadlock: try again
                    connection.close()
                    continue
                posted += 1
                return made
            raise RuntimeError("gave up after 20 retries")

        while posted < postings:
            cycle += 1
            tag = f"w{writer}-{cycle}"
            attempt(services.movement_receipt, fund=fund, donor=donor, purpose=purpose,
                    amount=Decimal("100.00"), ref=f"R-{tag}")
            commitment = attempt(services.movement_commit, fund=fund, purpose=purpose,
                                 amount=Decimal("60.00"), beneficiary=f"programme {writer}",
                                 ref=f"C-{tag}")
            if commitment is not None:
                attempt(services.movement_pay, commitment=commitment,
                        amount=Decimal("50.00"), ref=f"P-{tag}")
                attempt(services.movement_release, commitment=commitment,
                        amount=Decimal("10.00"), ref=f"L-{tag}")
            if cycle % 25 == 0:
                # Overdrafts that the guards must refuse, under the same contention.
                attempt(services.movement_commit, fund=fund, purpose=purpose,
                        amount=Decimal("999999999.00"), beneficiary="too much",
                        ref=f"X-{tag}")
                if commitment is not None:
                    attempt(services.movement_pay, commitment=commitment,
                            amount=Decimal("1.00"), ref=f"Y-{tag}")
        # This process's own time (Python, the driver) beside the time it waited for the
        # database: where a posting's time goes on the client's side.
        sys.stdout.write(json.dumps({"writer": writer, "posted": posted, "refused": refused,
                                     "retried": retried,
                                     "seconds": time.perf_counter() - began,
                                     "cpu_seconds": time.process_time() - cpu}) + "\n")
        sys.stdout.flush()  # the benchmark's clock stops at this line, not at the exit

    def _verify(self) -> None:
        from django.db.models import Sum

        from patto.funds.models import Account, Movement
        from patto.funds.selectors import fund_totals, ledger_verify

        violations = [f"{v.what}: {v.detail}" for v in ledger_verify()]
        fund, _purpose, _donor = self._fund()
        totals = fund_totals(fund)["money"]
        held = Account.objects.get(fund=fund, code="cash-money").balance
        if held != totals.received - totals.paid:
            violations.append(f"held {held} != received {totals.received} - paid "
                              f"{totals.paid}")
        if totals.available < 0 or held < 0:
            violations.append(f"overdraft: available {totals.available}, held {held}")
        amounts = Movement.objects.aggregate(total=Sum("amount"))["total"]
        sys.stdout.write(json.dumps({
            "violations": len(violations), "details": violations[:10],
            "movements": Movement.objects.count(), "received": str(totals.received),
            "paid": str(totals.paid), "available": str(totals.available),
            "amounts": str(amounts)}) + "\n")

    def _hang(self) -> None:
        from patto.funds import services

        fund, purpose, donor = self._fund()

        def stop(movement):
            sys.stdout.write(f"MID-POSTING {movement.ref}\n")
            sys.stdout.flush()
            time.sleep(600)

        services.before_commit = stop
        services.movement_receipt(user=None, fund=fund, donor=donor, purpose=purpose,
                                  amount=Decimal("777.77"), ref="HANG-1")
