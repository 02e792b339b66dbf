"""The filters of the instruments' lists (crisis cases: status, sector, area, year)."""

from __future__ import annotations

import django_filters
from django.utils.translation import gettext_lazy as _

from .ateco import section_choices
from .models import CrisisCase, RegisterApplication


class CrisisCaseFilter(django_filters.FilterSet):
    status = django_filters.ChoiceFilter(
        choices=CrisisCase.Status.choices, label=_("Status"), empty_label=_("all")
    )
    settore = django_filters.ChoiceFilter(
        field_name="ateco_section",
        choices=section_choices,
        label=_("ATECO section"),
        empty_label=_("all"),
    )
    anno = django_filters.NumberFilter(
        field_name="reported_on__year", label=_("Year reported"), min_value=1900, max_value=2100
    )

    class Meta:
        model = CrisisCase
        fields: list[str] = []

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("status", "settore"):
            self.filters[name].field.widget.attrs["class"] = "form-select"
        self.filters["anno"].field.widget.attrs["class"] = "form-control"


class RegisterFilter(django_filters.FilterSet):
    """The public register: by name, sector and municipality."""

    nome = django_filters.CharFilter(
        field_name="company_name", lookup_expr="icontains", label=_("Company name")
    )
    settore = django_filters.ChoiceFilter(
        field_name="ateco_section",
        choices=section_choices,
        label=_("ATECO section"),
        empty_label=_("all"),
    )
    comune = django_filters.ModelChoiceFilter(
        field_name="municipality", queryset=None, label=_("Municipality"), empty_label=_("all")
    )

    class Meta:
        model = RegisterApplication
        fields: list[str] = []

    def __init__(self, *args, municipalities=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.filters["comune"].queryset = municipalities
        self.filters["nome"].field.widget.attrs["class"] = "form-control"
        for name in ("settore", "comune"):
            self.filters[name].field.widget.attrs["class"] = "form-select"
