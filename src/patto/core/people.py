"""People of the back office: invitations by e-mail, sign-up, and membership of the secretariat.

App-agnostic: roles inside a pact, a cluster, a project or a fund belong to their apps' services;
here are only the account itself and the secretariat group, which every app reads.
"""

from __future__ import annotations

from typing import Any

from django.contrib.admin.models import CHANGE, LogEntry
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.contrib.auth.tokens import default_token_generator
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.core.validators import validate_email
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .permissions import SECRETARIAT_GROUP, is_secretariat
from .text import validate_text


def _field_error(field: str, message: str, code: str = "invalid") -> ApplicationError:
    """A refusal a form shows on its field (``field``), as the funds' errors do."""
    exc = ApplicationError(message, code=code)
    exc.field = field
    return exc


def _require_secretariat(user: Any) -> None:
    if not is_secretariat(user):
        raise ApplicationError(_("Only the secretariat may manage people and roles."),
                               code="forbidden")


def signup_path(person: Any) -> str:
    """The one-time address at which an invited person sets their password: Django's token
    changes as soon as the password is set, so the link works once."""
    return reverse("site:signup", kwargs={
        "uidb64": urlsafe_base64_encode(force_bytes(person.pk)),
        "token": default_token_generator.make_token(person)})


def _log(*, actor: Any, person: Any, message: str) -> None:
    """The account's history, where the admin shows it (the user model keeps no other)."""
    LogEntry.objects.create(user_id=actor.pk,
                            content_type=ContentType.objects.get_for_model(person),
                            object_id=str(person.pk), object_repr=str(person)[:200],
                            action_flag=CHANGE, change_message=message)


def person_invite(*, email: str, first_name: str = "", last_name: str = "", user: Any,
                  site_url: str) -> Any:
    """Create an inactive account for ``email`` and send it a sign-up link (on commit).

    ``site_url`` is the scheme and host the link starts with (the request's own).
    """
    _require_secretariat(user)
    email = (email or "").strip().lower()
    problems = {}
    try:
        validate_email(email)
    except ValidationError:
        problems["email"] = _("Write a valid e-mail address, such as name@example.org.")
    for field, value in (("first_name", first_name), ("last_name", last_name)):
        try:
            validate_text(value or "")
        except ValidationError as exc:
            problems[field] = " ".join(exc.messages)
    if problems:
        field, message = next(iter(problems.items()))
        raise _field_error(field, message)
    model = get_user_model()
    if model.objects.filter(email__iexact=email).exists() or \
            model.objects.filter(username__iexact=email).exists():
        raise _field_error("email", _("%(email)s already has an account: give them a role "
                                      "on their page instead.") % {"email": email}, "exists")
    with transaction.atomic():
        person = model(username=email, email=email, first_name=(first_name or "").strip(),
                       last_name=(last_name or "").strip(), is_active=False)
        person.set_unusable_password()
        person.save()
        _log(actor=user, person=person, message=_("Invited by e-mail."))
        _send_invitation(person=person, user=user, site_url=site_url)
    return person


def _send_invitation(*, person: Any, user: Any, site_url: str) -> None:
    link = site_url.rstrip("/") + signup_path(person)
    body = render_to_string("site/emails/invitation.txt",
                            {"person": person, "link": link, "inviter": user})
    transaction.on_commit(lambda: send_mail(
        subject=_("Your account on Patto"), message=body, from_email=None,
        recipient_list=[person.email]))


def person_reinvite(*, person: Any, user: Any, site_url: str) -> Any:
    """Send the sign-up link again to a person who has not signed up yet."""
    _require_secretariat(user)
    if person.is_active or person.has_usable_password():
        raise ApplicationError(_("This person already signed up: there is no invitation "
                                 "to send."), code="signed_up")
    with transaction.atomic():
        _log(actor=user, person=person, message=_("Invitation sent again."))
        _send_invitation(person=person, user=user, site_url=site_url)
    return person


def person_activate(*, person: Any) -> Any:
    """The invited person has set their password through their link: the account opens."""
    if not person.is_active:
        person.is_active = True
        person.save(update_fields=["is_active"])
        _log(actor=person, person=person, message=_("Signed up with the invitation link."))
    return person


def secretariat_grant(*, person: Any, user: Any) -> Any:
    """Make ``person`` a member of the secretariat, with access to the admin."""
    _require_secretariat(user)
    with transaction.atomic():
        group, _created = Group.objects.get_or_create(name=SECRETARIAT_GROUP)
        person.groups.add(group)
        if not person.is_staff:
            person.is_staff = True
            person.save(update_fields=["is_staff"])
        _log(actor=user, person=person, message=_("Added to the secretariat."))
    return person


def secretariat_revoke(*, person: Any, user: Any) -> Any:
    _require_secretariat(user)
    if person.pk == user.pk:
        raise ApplicationError(_("You cannot remove yourself from the secretariat: ask "
                                 "another member."), code="self")
    with transaction.atomic():
        person.groups.remove(*Group.objects.filter(name=SECRETARIAT_GROUP))
        if person.is_staff and not person.is_superuser:
            person.is_staff = False
            person.save(update_fields=["is_staff"])
        _log(actor=user, person=person, message=_("Removed from the secretariat."))
    return person


def person_close(*, person: Any, user: Any) -> Any:
    """Close ``person``'s account: disabled, emptied of what identifies them, kept as a row.

    The row stays so that what the person did elsewhere (a vote, a comment, a history line)
    keeps a valid author; the apps delete or anonymise their own rows before calling this.
    A person closes their own account, or the secretariat closes it; a staff account is closed
    only by another member of the secretariat, who hands over its work first. The username
    becomes ``anonimo-<id>``, name and e-mail are emptied, the password becomes unusable (which
    also ends the person's other sessions), roles and groups are dropped, and the account's
    earlier history lines no longer show the old username.
    """
    own = user is not None and person.pk == user.pk
    if not own and not is_secretariat(user):
        raise ApplicationError(_("Only the person or the secretariat may close an account."),
                               code="forbidden")
    if own and (person.is_staff or person.is_superuser):
        raise ApplicationError(_("Staff accounts are closed by the secretariat, which hands "
                                 "over their work."), code="staff")
    with transaction.atomic():
        person.username = f"anonimo-{person.pk}"
        person.first_name = person.last_name = person.email = ""
        person.is_active = person.is_staff = person.is_superuser = False
        person.set_unusable_password()
        person.save(update_fields=["username", "first_name", "last_name", "email", "is_active",
                                   "is_staff", "is_superuser", "password"])
        person.groups.clear()
        person.user_permissions.clear()
        LogEntry.objects.filter(content_type=ContentType.objects.get_for_model(person),
                                object_id=str(person.pk)).update(object_repr=str(person)[:200])
        _log(actor=user, person=person,
             message=_("Account closed at the person's request.") if own
             else _("Account closed by the secretariat."))
    return person
