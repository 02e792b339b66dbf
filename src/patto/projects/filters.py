"""The filters of the project list (/progetti/), shared by the page and its downloads."""

from __future__ import annotations

import django_filters
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from .models import Project, ProjectParty


class ProjectFilter(django_filters.FilterSet):
    """Codes in the address, as the page's links and downloads carry them.

    Filters on many-valued relations (party, territory, challenge) use a subquery of
    project ids, so that a project matching twice is still one row and the list needs no
    DISTINCT over its ordering columns.
    """

    q = django_filters.CharFilter(method="search", label=_("Search"))
    pact = django_filters.CharFilter(field_name="pact__code", label=_("Pact"))
    cluster = django_filters.CharFilter(field_name="cluster__code", label=_("Cluster"))
    code = django_filters.CharFilter(field_name="code", label=_("Project code"))
    status = django_filters.ChoiceFilter(choices=Project.Status.choices, label=_("Status"))
    horizon = django_filters.ChoiceFilter(choices=Project.Horizon.choices, label=_("Horizon"))
    party = django_filters.CharFilter(method="involving_party", label=_("Party"))
    territory = django_filters.CharFilter(method="in_territory", label=_("Territory"))
    challenge = django_filters.CharFilter(method="on_challenge", label=_("Challenge"))

    class Meta:
        model = Project
        fields: list[str] = []

    def search(self, queryset: QuerySet[Project], name: str, value: str) -> QuerySet[Project]:
        return queryset.filter(Q(title__icontains=value) | Q(summary__icontains=value))

    def involving_party(self, queryset: QuerySet[Project], name: str, value: str
                        ) -> QuerySet[Project]:
        """Projects the party leads or takes part in: a party is in a project either way."""
        involved = ProjectParty.objects.filter(party__code=value).values("project_id")
        return queryset.filter(Q(lead_party__code=value) | Q(pk__in=involved))

    def in_territory(self, queryset: QuerySet[Project], name: str, value: str
                     ) -> QuerySet[Project]:
        """Projects in the territory (a code, or a name as typed) or anywhere under it: a
        province's list holds its municipalities' projects, and those placed there by a
        point only."""
        from django.utils import timezone

        from patto.pact.selectors import territory_within

        from .models import ProjectPlace

        within = territory_within(value, on=timezone.localdate())
        named = Project.territories.through.objects.filter(territory_id__in=within)
        pointed = ProjectPlace.objects.filter(territory_id__in=within)
        return queryset.filter(Q(pk__in=named.values("project_id"))
                               | Q(pk__in=pointed.values("project_id")))

    def on_challenge(self, queryset: QuerySet[Project], name: str, value: str
                     ) -> QuerySet[Project]:
        ids = Project.challenges.through.objects.filter(challenge__code=value)
        return queryset.filter(pk__in=ids.values("project_id"))
