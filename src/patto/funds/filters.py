"""The filters of a fund's movement list on the staff pages (kind, purpose, dates, donor)."""

from __future__ import annotations

import django_filters
from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Movement

DATE = forms.DateInput(attrs={"type": "date", "class": "form-control"}, format="%Y-%m-%d")


class MovementFilter(django_filters.FilterSet):
    """Choices narrowed to the fund (purposes) and to the donors the person may see."""

    kind = django_filters.ChoiceFilter(choices=Movement.Kind.choices, label=_("Kind"),
                                       empty_label=_("all"))
    purpose = django_filters.ModelChoiceFilter(queryset=None, label=_("Purpose"),
                                               empty_label=_("all"))
    since = django_filters.DateFilter(field_name="booked_on", lookup_expr="gte",
                                      label=_("From"), widget=DATE)
    until = django_filters.DateFilter(field_name="booked_on", lookup_expr="lte",
                                      label=_("To"), widget=DATE)
    donor = django_filters.ModelChoiceFilter(queryset=None, label=_("Donor"),
                                             empty_label=_("all"))

    class Meta:
        model = Movement
        fields: list[str] = []

    def __init__(self, *args, fund, user, **kwargs):
        super().__init__(*args, **kwargs)
        from .selectors import donors_visible

        self.filters["purpose"].queryset = fund.purposes.all()
        donors = donors_visible(user=user, pact=fund.pact).select_related("party", "territory")
        self.filters["donor"].queryset = donors
        self.filters["donor"].field.label_from_instance = lambda d: f"{d.full_name} ({d.code})"
        for name in ("kind", "purpose", "donor"):
            self.filters[name].field.widget.attrs["class"] = "form-select"
