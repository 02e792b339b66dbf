"""Expire the register's entries past their date and remind the companies due for renewal."""

from __future__ import annotations

import datetime as dt

from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patto.instruments.services import register_daily


class Command(BaseCommand):
    help = (
        "Expire the inclusive-companies register's entries past their validity date and "
        "e-mail, once, the companies whose entry ends within --days days. Run daily."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--days",
            type=int,
            default=60,
            help="Remind this many days before the entry ends (default 60).",
        )
        parser.add_argument("--date", help="Act as if today were this day (YYYY-MM-DD).")
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Say what would be done; change and send nothing.",
        )

    def handle(self, *args, days: int, date: str | None, dry_run: bool, **options):
        if days < 0:
            raise CommandError("--days must be zero or more")
        try:
            today = dt.date.fromisoformat(date) if date else timezone.localdate()
        except ValueError:
            raise CommandError(f"--date {date!r} is not a date: write it as YYYY-MM-DD") from None
        done = register_daily(today=today, days_before=days, dry_run=dry_run)
        verb = "would be" if dry_run else "were"
        for entry in done.expired:
            self.stdout.write(
                f"expired: {entry.company_name} (valid until {entry.valid_until:%Y-%m-%d})"
            )
        for entry in done.reminded:
            self.stdout.write(
                f"reminded: {entry.company_name} (valid until {entry.valid_until:%Y-%m-%d})"
            )
        self.stdout.write(
            f"{len(done.expired)} entries {verb} expired, "
            f"{len(done.reminded)} companies {verb} reminded."
        )
