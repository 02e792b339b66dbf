"""`patto demo-user`: a secretariat account for the demo, with a password printed once."""

import secrets

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand


class Command(BaseCommand):
    help = ("Create (or reset) the demo's secretariat account 'segreteria' and print its "
            "password. For the demo only: production accounts are created with createsuperuser.")

    def add_arguments(self, parser):
        parser.add_argument("--username", default="segreteria", help="Account name.")

    def handle(self, *args, username, **options):
        password = secrets.token_urlsafe(12)
        user, _created = get_user_model().objects.get_or_create(username=username)
        user.is_staff = user.is_superuser = True
        user.set_password(password)
        user.save()
        self.stdout.write(f"demo account: {username} / {password}")
