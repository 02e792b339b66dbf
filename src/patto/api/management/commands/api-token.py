"""`patto api-token issue|revoke|list`: the API's tokens from the command line."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.core.management.base import BaseCommand, CommandError
from django.utils import timezone

from patto.api.models import ApiToken, Scope
from patto.api.selectors import tokens_all
from patto.api.services import token_issue, token_revoke
from patto.core.errors import ApplicationError


class Command(BaseCommand):
    help = ("Issue, revoke or list the API's write tokens. A token acts with its owner's "
            "roles, narrowed to its scopes and to one pact or project if given; its secret "
            "is printed once, when issued, and never stored.")

    def add_arguments(self, parser):
        sub = parser.add_subparsers(dest="action", required=True)
        issue = sub.add_parser("issue", help="Issue a token and print its secret once.")
        issue.add_argument("--owner", required=True,
                           help="The owner's user name: the token acts with their roles.")
        issue.add_argument("--name", required=True, help="What the token is for.")
        issue.add_argument("--scope", action="append", required=True, choices=Scope.values,
                           help="A scope the token has (repeat for several).")
        issue.add_argument("--pact", help="Limit the token to this pact (its code).")
        issue.add_argument("--project",
                           help="Limit the token to this project: PACT/CODE.")
        issue.add_argument("--days", type=int, default=365,
                           help="Days until the token expires (0: never; default 365).")
        issue.add_argument("--dry-run", action="store_true",
                           help="Check the arguments, issue nothing.")
        revoke = sub.add_parser("revoke", help="Revoke a token at once.")
        revoke.add_argument("prefix", help="The token's prefix (as `list` shows it).")
        sub.add_parser("list", help="List the tokens with their state.")

    def handle(self, *args, action, **options):
        try:
            getattr(self, f"_{action}")(**options)
        except ApplicationError as exc:
            raise CommandError("\n".join(exc.lines())) from exc

    def _issue(self, *, owner, name, scope, pact, project, days, dry_run, **options):
        from patto.pact.models import Pact
        from patto.projects.models import Project

        person = get_user_model().objects.filter(username=owner).first()
        if person is None:
            raise CommandError(f"no user {owner!r}: invite them first (back office)")
        pact_obj = project_obj = None
        if pact:
            pact_obj = Pact.objects.filter(code=pact).first()
            if pact_obj is None:
                raise CommandError(f"no pact {pact!r}")
        if project:
            pact_code, _, code = project.partition("/")
            project_obj = Project.objects.select_related("pact").filter(
                pact__code=pact_code, code=code).first()
            if project_obj is None:
                raise CommandError(f"no project {project!r}: write PACT/CODE")
        expires = timezone.now() + dt.timedelta(days=days) if days else None
        if dry_run:
            self.stdout.write(f"would issue a token for {person} with {', '.join(scope)}")
            return
        token, secret = token_issue(user=None, owner=person, name=name, scopes=scope,
                                    pact=pact_obj, project=project_obj, expires_at=expires)
        self.stdout.write(f"issued {token.prefix} for {person}, scopes {', '.join(token.scopes)}"
                          f", expires {token.expires_at or 'never'}")
        self.stdout.write("secret (shown only now, keep it safe):")
        self.stdout.write(secret)

    def _revoke(self, *, prefix, **options):
        token = ApiToken.objects.filter(prefix=prefix).first()
        if token is None:
            raise CommandError(f"no token {prefix!r}")
        token_revoke(user=None, token=token)
        self.stdout.write(f"revoked {token.prefix}")

    def _list(self, **options):
        rows = 0
        for token in tokens_all():
            state = "active" if token.is_active else (
                "revoked" if token.revoked_at else "expired")
            reach = (f"{token.project.pact.code}/{token.project.code}" if token.project_id
                     else token.pact.code if token.pact_id else "all")
            self.stdout.write(f"{token.prefix}\t{state}\t{token.owner}\t{','.join(token.scopes)}"
                              f"\t{reach}\t{token.name}\tlast used {token.last_used_at or '-'}")
            rows += 1
        self.stdout.write(f"{rows} tokens")
