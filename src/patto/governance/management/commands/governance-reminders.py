"""Remind the owners of follow-up actions by e-mail before their due date (once per action and
due date): ``patto governance-reminders [--days N] [--dry-run]``."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from patto.governance import services


class Command(BaseCommand):
    help = ("E-mail the owners of the open follow-up actions due within N days, once per action "
            "and due date.")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=7,
                            help="Remind the actions due within this many days (default 7).")
        parser.add_argument("--dry-run", action="store_true",
                            help="Count what would be sent; send and record nothing.")

    def handle(self, *args, days: int, dry_run: bool, **options):
        if days < 0 or days > 365:
            raise CommandError("--days must be between 0 and 365.")
        result = services.reminders_send(days=days, dry_run=dry_run)
        verb = "would send" if dry_run else "sent"
        self.stdout.write(f"Actions due within {days} days not yet reminded: {result['found']}; "
                          f"{verb}: {result['sent']}; without a recipient: {result['skipped']}.")
