"""`patto bench`: the monitoring engine beside a pandas baseline; the ledger beside pgbench."""

from __future__ import annotations

import tempfile
import time
from decimal import Decimal
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db import transaction


class Rollback(Exception):
    """Raised to undo what a benchmark wrote to the database."""


class Command(BaseCommand):
    help = ("Benchmarks. `monitoring`: a synthetic national panel assessed and indexed in full "
            "(time and peak memory) beside a pandas group-by-apply baseline on a slice, scaled "
            "by the number of units; an Open SDG repository imported, assessed and exported; "
            "one indicator re-assessed after a new value, page included. Database writes are "
            "rolled back. The last line is the ratio to the pandas baseline.")

    def add_arguments(self, parser):
        parser.add_argument("suite", choices=["monitoring", "ledger"], help="What to measure.")
        parser.add_argument("--writers", type=int, default=16,
                            help="ledger: concurrent writer processes (and pgbench clients).")
        parser.add_argument("--postings", type=int, default=10_000,
                            help="ledger: postings in all (and pgbench transactions).")
        parser.add_argument("--units", type=int, default=7900, help="Territorial units.")
        parser.add_argument("--indicators", type=int, default=300, help="Indicators.")
        parser.add_argument("--years", type=int, default=20, help="Years.")
        parser.add_argument("--baseline-units", type=int, default=40,
                            help="Units the pandas baseline runs on (its time is scaled).")
        parser.add_argument("--repo-indicators", type=int, default=150,
                            help="Indicators of the synthetic Open SDG repository.")
        parser.add_argument("--repo-rows", type=int, default=120_000,
                            help="Rows of the synthetic Open SDG repository.")

    def handle(self, *args, suite, **o):
        if suite == "ledger":
            return self._ledger(o["writers"], o["postings"])
        from patto.engine import bench

        out = self.stdout.write
        panel = bench.synthetic_panel(o["units"], o["indicators"], o["years"])
        cells = panel.values.size
        out(f"panel: {o['units']} units x {o['indicators']} indicators x {o['years']} years "
            f"= {cells:,} values")
        _, engine = bench.timed(bench.engine_full, panel)
        out(f"engine full recompute: {engine.seconds:.2f} s, peak traced memory "
            f"{engine.peak_bytes / 2**20:.0f} MiB (process peak "
            f"{bench.process_peak_bytes() / 2**20:.0f} MiB)")
        n = min(o["baseline_units"], o["units"])
        _, base = bench.timed(bench.pandas_baseline, panel, n)
        scaled = base.seconds * o["units"] / n
        out(f"pandas group-by-apply baseline: {base.seconds:.2f} s on {n} units, scaled to "
            f"{o['units']} units: {scaled:.1f} s")
        del panel
        self._opensdg(o["repo_indicators"], o["repo_rows"])
        ratio = scaled / engine.seconds if engine.seconds else float("inf")
        out(f"ratio to pandas baseline: {ratio:.1f}x")

    def _ledger(self, writers: int, postings: int) -> None:
        import os

        from patto.funds import bench as ledger_bench

        out = self.stdout.write
        url = os.environ.get("DATABASE_URL", "")
        if not url.startswith(("postgres://", "postgresql://")):
            raise CommandError("the ledger benchmark runs on PostgreSQL: set DATABASE_URL, "
                               "e.g. postgres://postgres@127.0.0.1:5432/patto")
        if writers < 1 or postings < writers:
            raise CommandError("--writers must be at least 1 and --postings at least as many")
        with ledger_bench.scratch_database(url) as scratch:
            out(f"scratch database ready ({scratch.rsplit('/', 1)[-1]}); migrating")
            ledger_bench.prepare(scratch)
            run = ledger_bench.run_writers(scratch, writers=writers, postings=postings)
            checked = ledger_bench.verify(scratch)
        out(f"ledger: {run.postings:,} postings by {run.writers} writer processes in "
            f"{run.seconds:.2f} s = {run.rate:,.0f} postings/s ({run.refused} overdrafts "
            f"refused as they should be)")
        tps = ledger_bench.pgbench(url, clients=writers, transactions=postings)
        if tps is None:
            out("pgbench: not installed (Debian package postgresql-client or -contrib)")
        else:
            out(f"pgbench TPC-B, scale 1, {writers} clients, same server: {tps:,.0f} tps")
            out(f"ratio ledger/pgbench: {run.rate / tps:.2f} (goal: at least 0.25)")
        for detail in checked["details"]:
            out(f"  {detail}")
        out(f"invariant violations: {checked['violations']}")

    def _opensdg(self, indicators: int, rows: int) -> None:
        from patto.engine.assess import assess_opensdg
        from patto.engine.opensdg import read_repository, write_repository
        from patto.monitoring.bench import synthetic_repository
        from patto.monitoring.services import opensdg_export, opensdg_import
        from patto.pact.selectors import pact_default

        out = self.stdout.write
        pact = pact_default()
        if pact is None:
            raise CommandError("load a pact first (patto load-pact): the repository is "
                               "imported into its agenda, then rolled back")
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "in", Path(folder) / "out"
            synthetic_repository(source, indicators=indicators, rows=rows)
            timings = {}
            try:
                with transaction.atomic():
                    start = time.perf_counter()
                    opensdg_import(path=source, pact=pact)
                    timings["import"] = time.perf_counter() - start
                    start = time.perf_counter()
                    records = assess_opensdg(read_repository(source))
                    timings["assess"] = time.perf_counter() - start
                    start = time.perf_counter()
                    opensdg_export(pact=pact, path=target, codes=None)
                    timings["export"] = time.perf_counter() - start
                    timings["reassess"] = self._reassess(pact)
                    raise Rollback
            except Rollback:
                pass
            total = timings["import"] + timings["assess"] + timings["export"]
            out(f"open sdg repository: {indicators} indicators, {rows:,} rows: import "
                f"{timings['import']:.2f} s, assess {timings['assess']:.2f} s "
                f"({len(records)} records), export {timings['export']:.2f} s, total "
                f"{total:.2f} s")
            out(f"re-assess one indicator after a new value, page included: "
                f"{timings['reassess'] * 1000:.0f} ms")
        del write_repository

    def _reassess(self, pact) -> float:
        from django.test import Client

        from patto.monitoring.models import Indicator
        from patto.monitoring.services import NewValue, observations_record

        indicator = Indicator.objects.filter(pact=pact).order_by("code").first()
        latest = indicator.observations.filter(is_current=True).order_by("-year").first()
        client = Client()
        # A running server has its templates compiled: warm them up once, untimed.
        client.get(indicator.get_absolute_url(), HTTP_HOST="127.0.0.1")
        start = time.perf_counter()
        observations_record(indicator=indicator, values=[NewValue(
            year=latest.year + 1, value_text=str(latest.value + Decimal("1")),
            series=latest.series, units=latest.units, geocode=latest.geocode,
            disaggregation=latest.disaggregation, territory=latest.territory)])
        response = client.get(indicator.get_absolute_url(), HTTP_HOST="127.0.0.1")
        seconds = time.perf_counter() - start
        if response.status_code != 200:
            raise CommandError(f"indicator page answered {response.status_code}")
        return seconds
