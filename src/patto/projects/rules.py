"""Object permissions: who may change which project, report on it, review it, record money.

Roles: the secretariat (everything), a cluster coordinator (the projects of their cluster),
a referent (their own projects), a party reporter (their party's contributions); everybody
else reads what is published.
"""

from __future__ import annotations

import rules

SECRETARIAT_GROUP = "secretariat"


@rules.predicate
def is_secretariat(user) -> bool:
    return bool(user and user.is_authenticated and (
        user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()))


def _project(obj):
    return getattr(obj, "project", obj)


@rules.predicate
def is_cluster_coordinator(user, obj) -> bool:
    project = _project(obj)
    if not (user and user.is_authenticated) or project is None:
        return False
    # A project (or what belongs to one) names its cluster; a cluster is its own.
    cluster_id = getattr(project, "cluster_id", getattr(project, "pk", None))
    if cluster_id is None:
        return False
    return user.coordinated_clusters.filter(cluster_id=cluster_id).exists()


@rules.predicate
def is_referent(user, obj) -> bool:
    project = _project(obj)
    if not (user and user.is_authenticated) or project is None or project.pk is None:
        return False
    return project.referents.filter(user=user).exists()


@rules.predicate
def is_reporter_for_party(user, contribution) -> bool:
    if not (user and user.is_authenticated) or contribution is None:
        return False
    party_id = getattr(contribution, "party_id", None)
    return party_id is not None and user.reporter_for.filter(party_id=party_id).exists()


@rules.predicate
def is_coordinator_of_any(user) -> bool:
    return bool(user and user.is_authenticated and user.coordinated_clusters.exists())


@rules.predicate
def is_proposed(user, obj) -> bool:
    """A project the Table has not approved yet: nothing has been reported or paid on it."""
    project = _project(obj)
    return getattr(project, "status", None) == "proposed"


@rules.predicate
def has_role_in_pact(user, obj) -> bool:
    """Coordinator, referent or party reporter in the pact of ``obj`` (a pact, or anything
    that names one, such as a reporting round)."""
    if not (user and user.is_authenticated) or obj is None:
        return False
    pact_id = getattr(obj, "pact_id", None) or getattr(obj, "pk", None)
    return (user.coordinated_clusters.filter(cluster__pact_id=pact_id).exists()
            or user.referent_of.filter(project__pact_id=pact_id).exists()
            or user.reporter_for.filter(party__pacts__id=pact_id).exists())


@rules.predicate
def is_reporter_of_any(user) -> bool:
    return bool(user and user.is_authenticated and user.reporter_for.exists())


@rules.predicate
def is_referent_of_any(user) -> bool:
    return bool(user and user.is_authenticated and user.referent_of.exists())


#: Who has a page to record contributions (the service then checks each one).
may_record_contributions = is_secretariat | is_reporter_of_any | is_referent_of_any


# A project: the secretariat creates and deletes; coordinators create in and change their
# cluster's projects (the cluster is the object when creating) and delete those not yet
# approved; referents change their own project's sheet. Status and progress move only by the
# secretariat and the cluster's coordinator (or by a report they approve): a referent's word
# alone never completes a project.
rules.add_perm("projects.add_project", is_secretariat | is_cluster_coordinator)
rules.add_perm("projects.change_project", is_secretariat | is_cluster_coordinator | is_referent)
rules.add_perm("projects.change_project_status", is_secretariat | is_cluster_coordinator)
rules.add_perm("projects.delete_project",
               is_secretariat | (is_cluster_coordinator & is_proposed))
rules.add_perm("projects.view_project", rules.always_allow)
# The back office (Django admin) changes projects for the secretariat only: everybody else
# has their own pages, which show only what their role may change.
rules.add_perm("projects.admin_project", is_secretariat)
# Progress reports: referents write and submit; coordinators and the secretariat review.
rules.add_perm("projects.submit_update", is_secretariat | is_referent)
rules.add_perm("projects.review_update", is_secretariat | is_cluster_coordinator)
# Reporting rounds belong to the secretariat; people with a role in the round's pact see it.
rules.add_perm("projects.add_reportinground", is_secretariat)
rules.add_perm("projects.change_reportinground", is_secretariat)
rules.add_perm("projects.view_reportinground", is_secretariat | has_role_in_pact)
# Contributions: the reporter of the granting party, the project's referents, the secretariat.
rules.add_perm("projects.add_contribution",
               is_secretariat | is_referent | is_reporter_for_party)
rules.add_perm("projects.change_contribution",
               is_secretariat | is_referent | is_reporter_for_party)
rules.add_perm("projects.delete_contribution", is_secretariat)
