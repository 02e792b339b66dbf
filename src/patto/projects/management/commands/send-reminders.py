"""`patto send-reminders`: email referents who have not reported when a deadline is near."""

import datetime as dt

from django.core.management.base import BaseCommand
from django.utils import timezone

from patto.projects.services import reminders_send


class Command(BaseCommand):
    help = ("Send one reminder per referent and project for open reporting rounds whose "
            "deadline is within --days days. Run it daily (cron or a systemd timer).")

    def add_arguments(self, parser):
        parser.add_argument("--days", type=int, default=3,
                            help="Remind this many days before the deadline (default 3).")
        parser.add_argument("--today", type=dt.date.fromisoformat,
                            help="Pretend today is this date (YYYY-MM-DD), for a check.")
        parser.add_argument("--dry-run", action="store_true",
                            help="List who would be reminded, sending nothing.")

    def handle(self, *args, days, today, dry_run, **options):
        sent = reminders_send(today=today or timezone.localdate(), days_before=days,
                              dry_run=dry_run)
        for reporting_round, project, user in sent:
            self.stdout.write(f"{reporting_round} · {project.code} · {user.email}")
        self.stdout.write(f"reminders: {len(sent)}" + (" (dry run)" if dry_run else ""))
