"""`patto build-downloads`: builds now, for the current data version, the large public downloads
that the worker would build after a change (e.g. after loading data, before serving)."""

from __future__ import annotations

import time

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from patto.core import downloads


class Command(BaseCommand):
    help = ("Build the current data version's large public downloads (the kinds built in the "
            "background: each instance's usual files and those asked for lately), printing "
            "each file's time and size. --all builds every registered kind in every format "
            "and language. Files already built are kept.")

    def add_arguments(self, parser):
        parser.add_argument("--all", action="store_true",
                            help="Every registered kind, instance, format and language.")
        parser.add_argument("--kind", action="append", default=[],
                            help="Only this kind (repeatable).")

    def handle(self, *args, all: bool, kind: list[str], **options):
        known = downloads.kinds()
        unknown = sorted(set(kind) - set(known))
        if unknown:
            raise CommandError(f"unknown download kinds: {', '.join(unknown)} (known: "
                               f"{', '.join(sorted(known))})")
        if all:
            specs = [downloads.Spec.of(k.name, params, fmt, language)
                     for k in known.values() if k.instances is not None
                     for params in k.instances() for fmt in downloads.FORMATS
                     for language, _name in settings.LANGUAGES]
        else:
            specs = list(downloads.prebuild_specs())
        specs = [s for s in specs if not kind or s.kind in kind]
        started = time.monotonic()
        built, version = 0, "-"
        for spec in specs:
            path, version, took = downloads.build_spec(spec)
            params = ", ".join(f"{k}={v}" for k, v in spec.params)
            state = "already built" if took is None else f"{took:.1f} s"
            self.stdout.write(f"{spec.kind} ({params}) {spec.fmt} {spec.language}: {state}, "
                              f"{path.stat().st_size / 1e6:.1f} MB")
            built += took is not None
        self.stdout.write(f"{built} of {len(specs)} files built in "
                          f"{time.monotonic() - started:.1f} s for data version {version}")
