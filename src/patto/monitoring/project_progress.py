"""Projects' progress from their indicators: the shares of target that assessments store,
handed to the projects app (below this one) through the source it registers, and the call
that rolls projects up again when those shares change."""

from __future__ import annotations

from collections.abc import Iterable


def indicator_shares(project_ids: list[int]) -> dict[int, list[tuple]]:
    """For each project, its indicators as (id, name, share of the way to the target in
    percent, or None without a target or a value): one query, from the stored results."""
    from .models import Indicator

    found: dict[int, list[tuple]] = {pid: [] for pid in project_ids}
    for project_id, pk, name, figures in (
        Indicator.objects.filter(project_id__in=project_ids, level=Indicator.Level.PROJECT)
        .order_by("code")
        .values_list("project_id", "pk", "name", "result__figures")
    ):
        share = (figures or {}).get("share")
        found[project_id].append((pk, name, None if share is None else share * 100))
    return found


def projects_follow(indicator_ids: Iterable[int]) -> None:
    """After assessments changed these indicators: roll up again the projects whose
    progress comes from their indicators (none: one query and nothing else)."""
    from patto.projects.models import Project
    from patto.projects.services import progress_refresh

    ids = list(indicator_ids)
    if not ids:
        return
    projects = list(
        Project.objects.filter(
            indicators__pk__in=ids, progress_method=Project.ProgressMethod.INDICATORS
        )
        .values_list("pk", flat=True)
        .distinct()
    )
    if projects:
        progress_refresh(projects=projects)
