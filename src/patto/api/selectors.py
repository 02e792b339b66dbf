"""Every read of the API: the apps' selectors where they exist, with the joins the API's
serializers need decided here, so that each response takes a fixed number of queries
whatever the number of rows. Stored results (assessments, progress) are read, never computed.
"""

from __future__ import annotations

from django.db.models import Prefetch, QuerySet
from django.shortcuts import get_object_or_404

from patto.funds.models import Fund, Movement
from patto.monitoring.models import GoalResult, Indicator, Observation, SeriesResult, Target
from patto.pact import selectors as pact_selectors
from patto.pact.models import Challenge, Pact, PactParty, Territory, TerritoryMembership
from patto.projects import selectors as project_selectors
from patto.projects.models import Project, ProjectUpdate

from .models import ApiToken


def pact_list() -> QuerySet[Pact]:
    return pact_selectors.pact_list()


def pact_get(*, code: str) -> Pact:
    """A pact with its clusters, challenges, emergency actions and instruments: 6 queries."""
    return get_object_or_404(
        pact_selectors.pact_list().prefetch_related(
            "clusters", "emergency_actions", "instruments",
            Prefetch("challenges", queryset=Challenge.objects.prefetch_related(
                "sdgs", "clusters"))),
        code=code)


def pact_code_exists(code: str) -> Pact:
    return get_object_or_404(Pact.objects.only("pk", "code", "territory_id"), code=code)


def pact_parties(*, pact: Pact) -> QuerySet[PactParty]:
    """The pact's parties with their role, in the pact's order: one query."""
    return (PactParty.objects.filter(pact=pact)
            .select_related("party__category", "party__territory")
            .defer("party__territory__boundary")
            .order_by("position", "party__name"))


def territory_list() -> QuerySet[Territory]:
    """Territories without their boundaries (megabytes: the detail has them)."""
    return Territory.objects.defer("boundary").order_by("code")


def territory_get(*, code: str) -> Territory:
    """A territory with its dated memberships up and down: 3 queries."""
    return get_object_or_404(Territory.objects.prefetch_related(
        Prefetch("memberships", queryset=TerritoryMembership.objects.select_related("parent")
                 .defer("parent__boundary").order_by("start_on", "parent__code")),
        Prefetch("members", queryset=TerritoryMembership.objects.select_related("territory")
                 .defer("territory__boundary").order_by("territory__code", "start_on"))),
        code=code)


def project_list(*, filters=None) -> QuerySet[Project]:
    """The project list's rows (patto.projects' selector and ProjectFilter's queryset)."""
    return project_selectors.project_filter(filters).queryset


def project_get(*, pact_code: str, code: str) -> Project:
    """The project's whole sheet (patto.projects' selector: a fixed number of queries)."""
    try:
        return project_selectors.project_get(pact_code=pact_code, code=code)
    except Project.DoesNotExist:
        from django.http import Http404

        raise Http404 from None


def project_for_write(*, pact_code: str, code: str) -> Project:
    return get_object_or_404(Project.objects.select_related("pact", "cluster"),
                             pact__code=pact_code, code=code)


def indicator_list(*, pact: Pact) -> QuerySet[Indicator]:
    """The pact's indicators, agenda and projects', with their stored assessment: 1 query."""
    return (pact.indicators.select_related("pact", "sdg_goal", "sdg_target", "result",
                                           "project")
            .defer("raw_files", "data_columns", "meta", "config")
            .order_by("level", "code"))


def indicator_get(*, pact: Pact, code: str) -> Indicator:
    """An indicator with its stored assessment, its targets and its stored series: 3 queries."""
    return get_object_or_404(
        indicator_list(pact=pact).prefetch_related(
            Prefetch("targets", queryset=Target.objects.select_related("territory")
                     .defer("territory__boundary").order_by("year", "series")),
            Prefetch("series_results", queryset=SeriesResult.objects.select_related(
                "territory").defer("territory__boundary").order_by("position"))),
        code=code)


def observation_list(*, indicator: Indicator) -> QuerySet[Observation]:
    """The indicator's current values (patto.monitoring's selector): one query a page."""
    from patto.monitoring.selectors import indicator_observations

    return indicator_observations(indicator)


def goal_results(*, pact: Pact) -> QuerySet[GoalResult]:
    """The stored assessment of each SDG goal, per territory: one query."""
    return (GoalResult.objects.filter(pact=pact).select_related("goal", "territory")
            .defer("territory__boundary").order_by("territory__code", "goal__number"))


def fund_list(*, pact: Pact) -> QuerySet[Fund]:
    from patto.funds.selectors import fund_list as funds

    return funds(pact=pact).prefetch_related("purposes").order_by("code")


def fund_get(*, pact_code: str, code: str) -> Fund:
    from patto.funds.selectors import fund_get as get

    return get(pact_code=pact_code, code=code)


def movement_list(*, fund: Fund) -> QuerySet[Movement]:
    """A fund's movements with what the public sees of each: one query a page."""
    return (Movement.objects.filter(fund=fund)
            .select_related("purpose", "donor__party", "donor__territory", "project",
                            "beneficiary_territory", "reverses")
            .defer("donor__territory__boundary", "beneficiary_territory__boundary",
                   "donor__email", "donor__tax_code")
            .order_by("booked_on", "id"))


def token_rounds(*, token: ApiToken) -> list[dict]:
    """The open reporting rounds a token may report in, with the projects it may reach."""
    from patto.projects.models import ReportingRound

    rounds = project_selectors.rounds_for(token.owner).filter(
        status=ReportingRound.Status.OPEN)
    if token.pact_id is not None:
        rounds = rounds.filter(pact_id=token.pact_id)
    return [{"id": r.pk, "pact": r.pact.code, "title": r.title, "deadline": r.deadline}
            for r in rounds.select_related("pact")]


def report_get(*, reporting_round_id: int, project: Project) -> ProjectUpdate | None:
    return ProjectUpdate.objects.filter(round_id=reporting_round_id, project=project) \
        .select_related("project").first()


def tokens_all() -> QuerySet[ApiToken]:
    """Every token for the office's list, with owners and reach: one query."""
    return ApiToken.objects.select_related("owner", "pact", "project__pact", "created_by",
                                           "revoked_by").order_by("-created_at")

