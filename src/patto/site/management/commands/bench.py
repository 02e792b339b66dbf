"""`patto bench`: the monitoring engine beside pandas; the ledger beside pgbench; each suite in
a scratch database of its own, so that it runs on a fresh checkout and leaves nothing behind."""

from __future__ import annotations

import contextlib
import os
import shutil
import signal
import tempfile
import time
import uuid
import warnings
from collections.abc import Iterator
from decimal import Decimal
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import connection, transaction
from django.test.utils import override_settings

#: New values recorded one after the other to measure the path from a value to its pages.
NEW_VALUE_SAMPLES = 7


def _terminated(signum, frame):
    raise SystemExit(128 + signum)


class Rollback(Exception):
    """Raised to undo what a benchmark wrote to the database."""


@contextlib.contextmanager
def scratch_database() -> Iterator[str]:
    """Point the default connection at a new, migrated database and drop it afterwards, even
    on error: a temporary file on SQLite, a database on the server of DATABASE_URL on
    PostgreSQL. Yields a description of where it is."""
    test_settings = connection.settings_dict["TEST"]
    old_name, old_test_name = connection.settings_dict["NAME"], test_settings.get("NAME")
    folder = None
    if connection.vendor == "sqlite":
        folder = tempfile.mkdtemp(prefix="patto-bench-")
        name = str(Path(folder) / "bench.sqlite3")
    else:
        name = f"patto_bench_{uuid.uuid4().hex[:12]}"
    # Django's test-database machinery creates, migrates and drops a database by name.
    test_settings["NAME"] = name
    try:
        connection.creation.create_test_db(verbosity=0, autoclobber=True, serialize=False)
        yield name
    finally:
        test_settings["NAME"] = old_test_name
        # Only ever drop the scratch database: if creating it failed, the connection still
        # names the real one.
        if connection.settings_dict["NAME"] == name:
            connection.creation.destroy_test_db(old_name, verbosity=0)
        connection.close()
        if folder:
            shutil.rmtree(folder, ignore_errors=True)


def bench_settings():
    """What a benchmark process needs beside the configured settings: templates render
    without collected static files (no manifest), and a cache of its own, so that the site's
    cached pages neither feed nor receive benchmark data."""
    return override_settings(
        STORAGES={**settings.STORAGES, "staticfiles": {
            "BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}},
        CACHES={"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                            "LOCATION": "patto-bench"}},
        ALLOWED_HOSTS=[*settings.ALLOWED_HOSTS, "testserver"],
    )


class Command(BaseCommand):
    help = ("Benchmarks, each in a scratch database of its own (a temporary SQLite file, or a "
            "database on the PostgreSQL server of DATABASE_URL), dropped at the end. "
            "`monitoring`: a synthetic national panel assessed and indexed in full (time and "
            "peak memory) beside two pandas baselines, the engine's per-series function "
            "applied per group (on a slice, scaled by the number of units) and a vectorised "
            "pandas version of the same method; an Open SDG repository imported, assessed and "
            "exported; one indicator re-assessed after a new value, page included. The last "
            "two lines are the ratios to the pandas baselines. `ledger`: concurrent writer "
            "processes posting, beside pgbench on PostgreSQL. `pages`: the synthetic "
            "national pact of `patto load-scale`, every public page kind loaded by wrk "
            "against `patto serve` beside a bare view, with the page cache on and off.")

    def add_arguments(self, parser):
        parser.add_argument("suite", choices=["monitoring", "ledger", "pages"],
                            help="What to measure.")
        parser.add_argument("--size", choices=["tiny", "small", "full"], default="small",
                            help="pages: the size of the synthetic pact (`patto load-scale "
                                 "--size`): small is about 1 M observations, full about "
                                 "48 M (PostgreSQL).")
        parser.add_argument("--seconds", type=int, default=10,
                            help="pages: how long wrk loads each page.")
        parser.add_argument("--connections", type=int, default=64,
                            help="pages: concurrent connections wrk keeps open.")
        parser.add_argument("--cache", choices=["both", "on", "off"], default="both",
                            help="pages: measure with the page cache on, off, or both.")
        parser.add_argument("--workers", type=int, default=2,
                            help="pages: gunicorn worker processes of `patto serve`.")
        parser.add_argument("--writers", type=int, default=16,
                            help="ledger: concurrent writer processes (and pgbench clients).")
        parser.add_argument("--postings", type=int, default=10_000,
                            help="ledger: postings in all (and pgbench transactions).")
        parser.add_argument("--units", type=int, default=7900,
                            help="monitoring: territorial units of the synthetic panel.")
        parser.add_argument("--indicators", type=int, default=300,
                            help="monitoring: indicators of the synthetic panel.")
        parser.add_argument("--years", type=int, default=20,
                            help="monitoring: years of the synthetic panel.")
        parser.add_argument("--baseline-units", type=int, default=40,
                            help="monitoring: units the pandas group-by-apply baseline runs "
                                 "on (its time is scaled to every unit).")
        parser.add_argument("--vectorised-units", type=int, default=None,
                            help="monitoring: units the vectorised pandas version runs on "
                                 "(default: every unit; its time is scaled when fewer).")
        parser.add_argument("--repo-indicators", type=int, default=150,
                            help="monitoring: indicators of the synthetic Open SDG repository.")
        parser.add_argument("--repo-rows", type=int, default=120_000,
                            help="monitoring: rows of the synthetic Open SDG repository.")
        parser.add_argument("--package", type=Path, default=None,
                            help="monitoring: the pact data package loaded into the scratch "
                                 "database (default: packages/bologna-2021).")

    def handle(self, *args, suite, **o):
        # A benchmark stopped with SIGTERM (kill, a CI timeout) unwinds like one stopped with
        # Ctrl-C: its server is stopped and its scratch database dropped on the way out
        # (Python's default for SIGTERM ends the process without running them).
        previous = signal.signal(signal.SIGTERM, _terminated)
        try:
            self._run(suite, o)
        finally:
            signal.signal(signal.SIGTERM, previous)

    def _run(self, suite: str, o: dict) -> None:
        with bench_settings(), warnings.catch_warnings():
            # WhiteNoise warns of a missing STATIC_ROOT: the benchmark serves no files.
            warnings.filterwarnings("ignore", "No directory at", UserWarning)
            if suite == "ledger":
                self._ledger(o["writers"], o["postings"])
            elif suite == "pages":
                self._pages(o)
            else:
                self._monitoring(o)

    def _monitoring(self, o: dict) -> None:
        from patto.engine import bench

        for name in ("units", "indicators", "years", "baseline_units", "repo_indicators",
                     "repo_rows"):
            if o[name] < 1:
                raise CommandError(f"--{name.replace('_', '-')} must be at least 1")
        if o["years"] < 2:
            raise CommandError("--years must be at least 2: progress needs two years")
        package = o["package"] or Path(settings.BASE_DIR) / "packages" / "bologna-2021"
        if not (package / "datapackage.json").is_file():
            raise CommandError(f"no pact data package at {package}: give one with --package")

        out = self.stdout.write
        units = o["units"]
        panel = bench.synthetic_panel(units, o["indicators"], o["years"])
        out(f"panel: {units} units x {o['indicators']} indicators x {o['years']} years "
            f"= {panel.values.size:,} values")
        _, engine = bench.timed(bench.engine_full, panel)
        out(f"engine full recompute: {engine.seconds:.2f} s, peak traced memory "
            f"{engine.peak_bytes / 2**20:.0f} MiB (process peak "
            f"{bench.process_peak_bytes() / 2**20:.0f} MiB)")
        _, assess = bench.timed(bench.engine_assess, panel)
        out(f"engine assessment only (what the pandas versions compute): "
            f"{assess.seconds:.3f} s")
        n = min(o["baseline_units"], units)
        _, base = bench.timed(bench.pandas_baseline, panel, n)
        applied = base.seconds * units / n
        out(f"pandas group-by-apply of the engine's per-series function: "
            f"{base.seconds:.2f} s on {n} units, scaled to {units} units: {applied:.1f} s")
        n = min(o["vectorised_units"] or units, units)
        _, vector = bench.timed(bench.pandas_vectorised, panel, n)
        vectorised = vector.seconds * units / n
        out(f"pandas vectorised (group-wise first/last, rules column by column): "
            f"{vector.seconds:.2f} s on {n} units"
            + (f", scaled to {units} units: {vectorised:.1f} s" if n < units else "")
            + f", peak traced memory {vector.peak_bytes / 2**20:.0f} MiB")
        del panel

        with scratch_database() as name:
            where = "temporary SQLite file" if connection.vendor == "sqlite" else name
            out(f"scratch database migrated ({where}); loading {package.name}")
            self._load_package(package)
            self._opensdg(o["repo_indicators"], o["repo_rows"])
        out("scratch database dropped")

        def ratio(seconds: float) -> str:
            return f"{seconds / assess.seconds:,.1f}x" if assess.seconds else "inf"

        out(f"ratio to pandas group-by-apply baseline: {ratio(applied)}")
        out(f"ratio to vectorised pandas: {ratio(vectorised)}")

    def _pages(self, o: dict) -> None:
        from patto.site import pagebench
        from patto.site.scale import SIZES, load_scale, public_pages

        if pagebench.wrk_binary() is None:
            raise CommandError("wrk is not installed: `apt-get install wrk` (Debian) and run "
                               "again")
        for name in ("seconds", "connections", "workers"):
            if o[name] < 1:
                raise CommandError(f"--{name} must be at least 1")
        out = self.stdout.write
        size = SIZES[o["size"]]
        summary = []
        with scratch_database() as name:
            if connection.vendor == "sqlite":
                url, where = f"sqlite:///{name}", "temporary SQLite file"
            else:
                from urllib.parse import urlsplit, urlunsplit

                url = urlunsplit(urlsplit(os.environ["DATABASE_URL"])._replace(
                    path=f"/{name}"))
                where = f"PostgreSQL database {name}"
            out(f"scratch database migrated ({where}); loading the {o['size']} scale pact")
            began = time.perf_counter()
            load_scale(size, progress=out)
            out(f"scale pact loaded in {time.perf_counter() - began:.1f} s")
            pages = public_pages()
            connection.close()  # the server's processes have the database to themselves
            for cache in {"both": (True, False), "on": (True,), "off": (False,)}[o["cache"]]:
                title = "page cache on, warm" if cache else "page cache off (PATTO_PAGE_CACHE=0)"
                out(f"{title}: patto serve with {o['workers']} workers, wrk with "
                    f"{o['connections']} connections for {o['seconds']} s per page "
                    f"(CONN_MAX_AGE={os.environ.get('CONN_MAX_AGE', '0')})")
                out(pagebench.TABLE_HEADER)
                runs = []
                with pagebench.server(url, workers=o["workers"], cache=cache) as base:
                    for page, path in [("bare Django view", pagebench.BARE), *pages]:
                        runs.append(pagebench.load_page(base, page, path,
                                                        seconds=o["seconds"],
                                                        connections=o["connections"]))
                        out(pagebench.table_row(runs[-1]))
                bare, measured = runs[0], runs[1:]
                page, fraction = pagebench.worst(bare, measured)
                slow = [r.name for r in measured if not r.meets_goal]
                out(f"worst page ({'cached' if cache else 'uncached'}): {page.name}, "
                    f"{page.rate:,.1f} req/s = {fraction:.3f} of the bare view's "
                    f"{bare.rate:,.1f}; pages missing p99 <= {pagebench.GOAL_P99_MS:.0f} ms "
                    f"or with errors: {', '.join(slow) or 'none'}")
                summary.append(f"{'cached' if cache else 'uncached'} {fraction:.3f} "
                               f"({page.name})")
        out("scratch database dropped")
        out(f"worst page / bare view: {'; '.join(summary)} (goal: at least "
            f"{pagebench.GOAL_FRACTION})")

    def _load_package(self, package: Path) -> None:
        from patto.core.errors import ApplicationError
        from patto.pact.services import pact_load_package

        try:
            pact_load_package(path=package)
        except ApplicationError as error:
            raise CommandError("\n".join([f"the pact package {package} was refused:",
                                          *error.lines()])) from error

    def _ledger(self, writers: int, postings: int) -> None:
        from patto.funds import bench as ledger_bench

        out = self.stdout.write
        url = os.environ.get("DATABASE_URL", "")
        on_postgres = url.startswith(("postgres://", "postgresql://"))
        if writers < 1 or postings < writers:
            raise CommandError("--writers must be at least 1 and --postings at least as many")
        with ledger_bench.scratch_database(url if on_postgres else None) as scratch:
            where = scratch.rsplit("/", 1)[-1] if on_postgres else "temporary SQLite file"
            out(f"scratch database ready ({where}); migrating")
            ledger_bench.prepare(scratch)
            run = ledger_bench.run_writers(scratch, writers=writers, postings=postings)
            checked = ledger_bench.verify(scratch)
        out("scratch database dropped")
        out(f"ledger: {run.postings:,} postings by {run.writers} writer processes in "
            f"{run.seconds:.2f} s = {run.rate:,.0f} postings/s ({run.refused} overdrafts "
            f"refused as they should be)")
        if not on_postgres:
            out("pgbench: PostgreSQL only (SQLite lets one writer in at a time; set "
                "DATABASE_URL to compare with pgbench)")
        elif (tps := ledger_bench.pgbench(url, clients=writers,
                                          transactions=postings)) is None:
            out("pgbench: not installed (Debian package postgresql-client or -contrib)")
        else:
            out(f"pgbench TPC-B, scale 1, {writers} clients, same server: {tps:,.0f} tps")
            out(f"ratio ledger/pgbench: {run.rate / tps:.2f} (goal: at least 0.5)")
        for detail in checked["details"]:
            out(f"  {detail}")
        out(f"invariant violations: {checked['violations']}")

    def _opensdg(self, indicators: int, rows: int) -> None:
        from patto.engine.assess import assess_opensdg
        from patto.engine.bench import Laps
        from patto.engine.opensdg import read_repository
        from patto.monitoring.bench import new_value_to_pages, synthetic_repository
        from patto.monitoring.models import Indicator
        from patto.monitoring.services import opensdg_export, opensdg_import
        from patto.pact.selectors import pact_default

        out = self.stdout.write
        pact = pact_default()
        with tempfile.TemporaryDirectory() as folder:
            source, target = Path(folder) / "in", Path(folder) / "out"
            synthetic_repository(source, indicators=indicators, rows=rows)
            timings = {}
            laps = Laps()  # where the time goes, phase by phase
            try:
                with transaction.atomic():
                    start = time.perf_counter()
                    opensdg_import(path=source, pact=pact, laps=laps)
                    timings["import"] = time.perf_counter() - start
                    start = time.perf_counter()
                    laps.lap("import, the rest")
                    files = read_repository(source)
                    laps.lap("assess: read files again")
                    records = assess_opensdg(files)
                    laps.lap("assess: Open SDG's method")
                    timings["assess"] = time.perf_counter() - start
                    start = time.perf_counter()
                    opensdg_export(pact=pact, path=target, codes=None)
                    laps.lap("export")
                    timings["export"] = time.perf_counter() - start
                    timings["reassess"] = self._reassess(pact)
                    followed = Indicator.objects.filter(
                        pact=pact, sdg_goal__isnull=False).select_related(
                        "pact", "sdg_goal").order_by("code").first()
                    # One run is one sample on a shared machine: the median of seven new
                    # values (each a later year) is the figure, the spread is printed.
                    samples = sorted(new_value_to_pages(followed)
                                     for _ in range(NEW_VALUE_SAMPLES))
                    timings["new value"] = samples[len(samples) // 2]
                    timings["new value spread"] = (samples[0], samples[-1])
                    raise Rollback
            except Rollback:
                pass
            total = timings["import"] + timings["assess"] + timings["export"]
            # The import includes the stored assessment the pages read; "assess" is
            # `patto assess` (Open SDG's method) over the same files.
            out(f"open sdg repository: {indicators} indicators, {rows:,} rows: import "
                f"{timings['import']:.2f} s, assess {timings['assess']:.2f} s "
                f"({len(records)} records), export {timings['export']:.2f} s, total "
                f"{total:.2f} s")
            out("  phase                      wall s   cpu s (this process)")
            for phase, seconds in laps.seconds.items():
                out(f"  {phase:<26} {seconds:6.3f}  {laps.cpu[phase]:6.3f}")
            out(f"re-assess one indicator after a new value, page included: "
                f"{timings['reassess'] * 1000:.0f} ms")
            low, high = timings["new value spread"]
            out(f"new value to page (recorded, assessed and stored, its indicator's and "
                f"goal's pages rendered with the new status), median of "
                f"{NEW_VALUE_SAMPLES}: {timings['new value'] * 1000:.0f} ms (from "
                f"{low * 1000:.0f} to {high * 1000:.0f} ms; goal: 30 ms or less)")
        from patto.monitoring.bench import opensdg_agreement, opensdg_corpus

        if (corpus := opensdg_corpus()) is not None:
            for name, equal, total in opensdg_agreement(corpus):
                out(f"open sdg statuses equal to sdg-build's, {name}: {equal}/{total}")

    def _reassess(self, pact) -> float:
        from django.test import Client

        from patto.monitoring.models import Indicator
        from patto.monitoring.services import NewValue, observations_record

        indicator = Indicator.objects.filter(pact=pact).order_by("code").first()
        latest = indicator.observations.filter(is_current=True).order_by("-year").first()
        client = Client()
        # A running server has its templates compiled: warm them up once, untimed.
        client.get(indicator.get_absolute_url(), secure=True)
        start = time.perf_counter()
        observations_record(indicator=indicator, values=[NewValue(
            year=latest.year + 1, value_text=str(latest.value + Decimal("1")),
            series=latest.series, units=latest.units, geocode=latest.geocode,
            disaggregation=latest.disaggregation, territory=latest.territory)])
        response = client.get(indicator.get_absolute_url(), secure=True)
        seconds = time.perf_counter() - start
        if response.status_code != 200:
            raise CommandError(f"indicator page answered {response.status_code}")
        return seconds
