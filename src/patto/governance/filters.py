"""The filters of the decisions' list: body, year, what they concern, words of the text."""

from __future__ import annotations

import django_filters
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .models import Decision


class DecisionFilter(django_filters.FilterSet):
    organo = django_filters.ModelChoiceFilter(field_name="body", queryset=None, label=_("Body"),
                                              empty_label=_("all"))
    anno = django_filters.NumberFilter(field_name="year", label=_("Year"), min_value=1900,
                                       max_value=2100)
    progetto = django_filters.CharFilter(field_name="projects__code", label=_("Project code"))
    testo = django_filters.CharFilter(method="_words", label=_("Words in the title or text"))

    class Meta:
        model = Decision
        fields: list[str] = []

    def __init__(self, *args, bodies=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["organo"].queryset = bodies
        self.filters["organo"].field.widget.attrs["class"] = "form-select"
        for name in ("anno", "progetto", "testo"):
            self.filters[name].field.widget.attrs["class"] = "form-control"

    def _words(self, queryset, name, value):
        value = (value or "").strip()[:200]
        if not value:
            return queryset
        return queryset.filter(Q(title__icontains=value) | Q(text__icontains=value))
