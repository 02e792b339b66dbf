"""The API's list filters (django-filter, the project's one filter mechanism). Projects and
movements reuse their apps' filter sets; these cover the lists that had none."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from patto.monitoring.models import Indicator, Observation
from patto.pact.models import PactParty, Territory


class PartyFilter(django_filters.FilterSet):
    q = django_filters.CharFilter(method="search", label=_("Search"))
    category = django_filters.CharFilter(field_name="party__category__code",
                                         label=_("Category"))
    role = django_filters.ChoiceFilter(choices=PactParty.Role.choices, label=_("Role"))

    class Meta:
        model = PactParty
        fields: list[str] = []

    def search(self, queryset, name, value):
        return queryset.filter(Q(party__name__icontains=value)
                               | Q(party__short_name__icontains=value))


class TerritoryFilter(django_filters.FilterSet):
    kind = django_filters.ChoiceFilter(choices=Territory.Kind.choices, label=_("Kind"))
    istat_code = django_filters.CharFilter(label=_("ISTAT code"))
    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains",
                                  label=_("Search"))

    class Meta:
        model = Territory
        fields: list[str] = []


class IndicatorFilter(django_filters.FilterSet):
    level = django_filters.ChoiceFilter(choices=Indicator.Level.choices, label=_("Level"))
    goal = django_filters.NumberFilter(field_name="sdg_goal__number", label=_("SDG goal"))
    project = django_filters.CharFilter(field_name="project__code", label=_("Project"))
    status = django_filters.CharFilter(field_name="result__status", label=_("Status"))

    class Meta:
        model = Indicator
        fields: list[str] = []


class ObservationFilter(django_filters.FilterSet):
    year = django_filters.NumberFilter(label=_("Year"))
    since = django_filters.NumberFilter(field_name="year", lookup_expr="gte", label=_("From"))
    until = django_filters.NumberFilter(field_name="year", lookup_expr="lte", label=_("To"))
    series = django_filters.CharFilter(label=_("Series"))
    geocode = django_filters.CharFilter(label=_("Area code"))
    territory = django_filters.CharFilter(field_name="territory__code", label=_("Territory"))
    total = django_filters.BooleanFilter(method="totals_only", label=_("Totals only"))

    class Meta:
        model = Observation
        fields: list[str] = []

    def totals_only(self, queryset, name, value):
        return queryset.filter(disaggregation={}) if value else queryset.exclude(
            disaggregation={})
