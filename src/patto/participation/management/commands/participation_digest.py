"""Send the digest e-mail to the followers of each challenge (run it daily, e.g. from cron)."""

from django.core.management.base import BaseCommand
from django.utils.translation import gettext as _

from patto.participation.services import digest_send


class Command(BaseCommand):
    help = "E-mail each follower of a challenge what is new since their last digest."

    def add_arguments(self, parser):
        parser.add_argument(
            "--dry-run",
            action="store_true",
            help="Count what would be sent, send nothing, change nothing.",
        )

    def handle(self, *args, dry_run: bool = False, **options):
        result = digest_send(dry_run=dry_run)
        self.stdout.write(
            _("%(followers)s followers, %(emails)s e-mails, %(items)s new items%(dry)s.")
            % {**result, "dry": _(" (dry run)") if dry_run else ""}
        )
