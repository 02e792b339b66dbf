"""What every form of the platform checks in what people type: no control characters in
text, no date outside the years the platform records (1900 to 2100)."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from .text import validate_text

#: The years the platform records, in forms, imports and observations alike.
YEARS = range(1900, 2101)


def validate_date(value: dt.date | None) -> None:
    """A Django validator: a date within the years the platform records."""
    if value is not None and value.year not in YEARS:
        raise ValidationError(
            _("%(year)s is too far in time: write a date between %(first)s and %(last)s."),
            code="date_range", params={"year": value.year, "first": YEARS.start,
                                       "last": YEARS.stop - 1})


def check_field(field: forms.Field) -> forms.Field:
    """Add the platform's checks to one form field (text and dates); returns the field."""
    if isinstance(field, forms.CharField) and validate_text not in field.validators:
        field.validators.append(validate_text)
    if isinstance(field, forms.DateField) and validate_date not in field.validators:
        field.validators.append(validate_date)
    return field


def check_fields(form: forms.BaseForm) -> None:
    """Add the platform's checks to every field of a form."""
    for field in form.fields.values():
        check_field(field)
