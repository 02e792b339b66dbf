"""Participation's panel on a person's home: the calls they run, their proposals, evaluations and
moderation for the people who hold one of participation's roles (and the secretariat); for
everyone, the challenges, their public name and their own data."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.db.models import Exists, OuterRef
from django.urls import reverse
from django.utils.translation import gettext as _

from patto.core.homepanels import HomePanel

from .models import CallManager, Evaluator, Moderator, ProposerAgent


def participation_panel(user, *, secretariat: bool) -> HomePanel | None:
    # The four roles in one query: a home page must not cost a query per app role.
    def held(model):
        return Exists(model.objects.filter(user=OuterRef("pk")))

    roles = (
        get_user_model()
        .objects.filter(pk=user.pk)
        .values_list(held(CallManager), held(ProposerAgent), held(Evaluator), held(Moderator))
        .first()
    )
    manager, proposer, evaluator, moderator = roles or (False, False, False, False)
    links = []
    if secretariat or manager or proposer or evaluator or moderator:
        links.append((reverse("participation:home"), _("Calls, proposals and evaluations")))
    if moderator or secretariat:
        links.append((reverse("participation:moderation"), _("Moderation")))
    if secretariat:
        links.append((reverse("participation:roles"), _("Roles of participation")))
    # Everyone who signs in takes part: their public name and their own data are here.
    links += [
        (reverse("participation:challenges"), _("Challenges and solutions")),
        (reverse("participation:public_name"), _("Your public name")),
        (reverse("participation:my_data"), _("Your data")),
    ]
    return HomePanel(key="participation", title=_("Participation"), links=links,
                     from_role=bool(secretariat or manager or proposer or evaluator or moderator))
