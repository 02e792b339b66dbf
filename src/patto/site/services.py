"""Give and take away roles from the people pages, each through the service of the app that keeps
the role (projects for coordinators, referents and reporters; funds for clerks; core for the
secretariat), so that the admin, imports and these pages share one write path."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ObjectDoesNotExist, PermissionDenied
from django.db import transaction
from django.utils.translation import gettext as _

from patto.core import people
from patto.core.errors import ApplicationError
from patto.core.permissions import is_secretariat
from patto.funds import services as funds_services
from patto.funds.models import Fund, FundClerk
from patto.pact.models import Cluster, Party
from patto.projects import services as projects_services
from patto.projects.models import ClusterCoordinator, PartyReporter, Project, ProjectReferent


def _require(user: Any) -> None:
    if not is_secretariat(user):
        raise PermissionDenied(_("Only the secretariat may manage people and roles."))


def _target(source, pk: Any):
    """The record ``pk`` of a model or queryset, or a refusal a person can act on."""
    try:
        return getattr(source, "objects", source).get(pk=pk)
    except (ObjectDoesNotExist, ValueError, TypeError) as exc:
        raise ApplicationError(_("Choose what the role is given on from the list."),
                               code="bad_target") from exc


def role_assign(*, person: Any, kind: str, target: Any = None, user: Any) -> Any:
    """Give ``person`` the role ``kind`` on ``target`` (the pk of a cluster, a project, a
    party or a fund; nothing for the secretariat)."""
    _require(user)
    if not person.is_active and kind != "secretariat" and person.has_usable_password():
        raise ApplicationError(_("This account is closed: open it before giving it a role."),
                               code="inactive")
    with transaction.atomic():
        if kind == "secretariat":
            return people.secretariat_grant(person=person, user=user)
        if kind == "coordinator":
            cluster = _target(Cluster, target)
            if ClusterCoordinator.objects.filter(cluster=cluster, user=person).exists():
                raise ApplicationError(_("This person already has this role."), code="exists")
            return projects_services.role_grant(
                role=ClusterCoordinator(cluster=cluster, user=person), user=user)
        if kind == "reporter":
            party = _target(Party, target)
            if PartyReporter.objects.filter(party=party, user=person).exists():
                raise ApplicationError(_("This person already has this role."), code="exists")
            return projects_services.role_grant(role=PartyReporter(party=party, user=person),
                                                user=user)
        if kind == "referent":
            project = _target(Project.objects.select_related("lead_party"), target)
            if project.referents.filter(user=person).exists():
                raise ApplicationError(_("This person already has this role."), code="exists")
            if project.lead_party_id is None:
                raise ApplicationError(_("This project has no lead party: set it on the "
                                         "project's page first."), code="no_party")
            name = person.get_full_name() or person.email or person.username
            # A referent already named on the sheet gets the account; else a new one is added.
            role = (project.referents.filter(party_id=project.lead_party_id, person=name,
                                             user__isnull=True).first()
                    or ProjectReferent(project=project, party_id=project.lead_party_id,
                                       person=name))
            role.user = person
            return projects_services.role_grant(role=role, user=user)
        if kind == "clerk":
            fund = _target(Fund, target)
            if FundClerk.objects.filter(fund=fund, user=person).exists():
                raise ApplicationError(_("This person already has this role."), code="exists")
            return funds_services.fund_clerk_add(fund=fund, person=person, user=user)
    raise ApplicationError(_("Unknown role."), code="bad_role")


def role_remove(*, person: Any, kind: str, pk: Any = None, user: Any) -> None:
    """Take the role ``kind`` (the role record ``pk``) away from ``person``."""
    _require(user)
    models = {"coordinator": ClusterCoordinator, "reporter": PartyReporter,
              "referent": ProjectReferent}
    with transaction.atomic():
        if kind == "secretariat":
            people.secretariat_revoke(person=person, user=user)
        elif kind in models:
            role = _target(models[kind].objects.filter(user=person), pk)
            projects_services.role_revoke(role=role, user=user)
        elif kind == "clerk":
            clerk = _target(FundClerk.objects.filter(user=person).select_related("fund"), pk)
            funds_services.fund_clerk_remove(clerk=clerk, user=user)
        else:
            raise ApplicationError(_("Unknown role."), code="bad_role")
