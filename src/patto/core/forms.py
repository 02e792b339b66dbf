"""What every form of the platform checks in what people type: no control characters in
text, no date outside the years the platform records (1900 to 2100), and numbers and dates read
the Italian way as well as the ISO one and shown in the page's language."""

from __future__ import annotations

import copy
import datetime as dt
import re
from decimal import Decimal, InvalidOperation

from django import forms
from django.core.exceptions import ValidationError
from django.utils import formats
from django.utils.translation import gettext_lazy as _

from .text import validate_text

#: The years the platform records, in forms, imports and observations alike.
YEARS = range(1900, 2101)


def validate_date(value: dt.date | None) -> None:
    """A Django validator: a date within the years the platform records."""
    if value is not None and value.year not in YEARS:
        raise ValidationError(
            _("%(year)s is too far in time: write a date between %(first)s and %(last)s."),
            code="date_range",
            params={"year": value.year, "first": YEARS.start, "last": YEARS.stop - 1},
        )


def check_field(field: forms.Field) -> forms.Field:
    """Add the platform's checks to one form field (text and dates) and read its numbers and
    dates as people write them (see :func:`localised`); returns the field to use."""
    field = localised(field)
    if isinstance(field, forms.CharField) and validate_text not in field.validators:
        field.validators.append(validate_text)
    if isinstance(field, forms.DateField) and validate_date not in field.validators:
        field.validators.append(validate_date)
    return field


def check_fields(form: forms.BaseForm) -> None:
    """Add the platform's checks to every field of a form."""
    for name, field in list(form.fields.items()):
        form.fields[name] = check_field(field)


def localised(field: forms.Field) -> forms.Field:
    """The same field reading numbers and dates the platform's way, when Django built it
    (a model form, the admin): a copy of it as :class:`DecimalField`, :class:`IntegerField`,
    :class:`FloatField` or :class:`DateField`, with a text box where it had the browser's
    number box (which refuses "12.500,00"). Hidden fields and fields of other kinds are left
    as they are."""
    kind = _LOCALISED.get(type(field))
    if kind is None or isinstance(field.widget, forms.HiddenInput):
        return field
    new = copy.copy(field)
    new.__class__ = kind
    widget = field.widget
    if type(widget) is forms.NumberInput:
        attrs = {k: v for k, v in widget.attrs.items() if k not in ("min", "max", "step")}
        new.widget = NumberInput(attrs, mode="numeric" if kind is IntegerField else "decimal")
    elif type(widget) is forms.DateInput:
        attrs = {k: v for k, v in widget.attrs.items() if k != "type"}
        new.widget = DateInput(attrs)
    else:
        new.widget = copy.deepcopy(widget)
    if kind is DateField:
        new.input_formats = DATE_INPUT_FORMATS
    return new


# Numbers and dates as people type them -------------------------------------------------------
#
# One reading for every form (staff pages, the admin, the funds' amounts): the Italian forms
# ("12.500,00", "1.250", "13/01/2021") and the ISO ones ("12500.50", "2021-01-13"), strictly:
# a single dot or comma followed by three digits ("1.500") is a thousands separator to an Italian
# and a decimal point to a spreadsheet, so a decimal field refuses it rather than guess.

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$|^-?\d+[.,]\d{4,}$|^-?(?:0|\d{4,})[.,]\d{3}$")
_ITALIAN = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_ENGLISH = re.compile(r"^-?\d{1,3}(?:,\d{3})+\.\d+$")
_AMBIGUOUS = re.compile(r"^-?[1-9]\d{0,2}[.,]\d{3}$")


def parse_decimal(value: object) -> Decimal:
    """The number a person typed, or ``ValueError`` ("ambiguous" or "malformed") when it is
    not one read the same by all.

    Accepted: ``12500``, ``12500,5``, ``12500.50``, ``12.500,00``, ``1.250.000``,
    ``12,500.00``, ``0,125``, with spaces or a leading ``€``. Refused: ``12.500.00`` (two dots
    and no decimal comma), ``1.500`` and ``1,500`` (ambiguous), letters.

    >>> parse_decimal("12.500,00")
    Decimal('12500.00')
    >>> parse_decimal("1250.5")
    Decimal('1250.5')
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    text = _SPACES.sub("", str(value)).removeprefix("€")
    if _AMBIGUOUS.match(text):
        raise ValueError("ambiguous")
    if _PLAIN.match(text):
        number = text.replace(",", ".")
    elif _ITALIAN.match(text):
        number = text.replace(".", "").replace(",", ".")
    elif _ENGLISH.match(text):
        number = text.replace(",", "")
    else:
        raise ValueError("malformed")
    try:
        return Decimal(number)
    except InvalidOperation:
        raise ValueError("malformed") from None


def parse_whole(value: object) -> int:
    """A whole number a person typed: plain digits, or grouped by thousands with the page
    language's separator ("1.250" in Italian, "1,250" in English), or a decimal with no
    fraction ("1.250,00"); ``ValueError`` otherwise, as :func:`parse_decimal`."""
    if isinstance(value, int):
        return value
    text = _SPACES.sub("", str(value))
    separator = re.escape(formats.get_format("THOUSAND_SEPARATOR"))
    if re.fullmatch(rf"-?\d{{1,3}}(?:{separator}\d{{3}})+|-?\d+", text):
        return int(re.sub(r"[^\d-]", "", text))
    number = parse_decimal(text)
    if number != number.to_integral_value():
        raise ValueError("fraction")
    return int(number)


def number_text(value: Decimal | int | float, decimals: int | None = None) -> str:
    """A number as the page's language writes it in a form, grouped ("12.500,00" in Italian,
    "12,500.00" in English) and read back the same by :func:`parse_decimal`."""
    if isinstance(value, int) and not isinstance(value, bool):
        return formats.number_format(value, 0, use_l10n=True, force_grouping=True)
    value = Decimal(str(value))
    if decimals is None:
        value = value.normalize() if value == value.to_integral_value() else value
        exponent = value.as_tuple().exponent
        decimals = max(0, -exponent) if isinstance(exponent, int) else 0
        # "1,125" would be refused as ambiguous when sent back: a fourth decimal says it is not.
        if decimals == 3 and 1 <= abs(value) < 1000:
            decimals = 4
    return formats.number_format(value, decimals, use_l10n=True, force_grouping=True)


def _message_params(field: forms.Field, value: str) -> dict:
    return {"label": field.label or "", "value": value}


class NumberInput(forms.TextInput):
    """A text box for a number: the phone shows digits, the page's language its format."""

    input_type = "text"

    def __init__(self, attrs=None, *, mode: str = "decimal"):
        super().__init__({"inputmode": mode, "autocomplete": "off", **(attrs or {})})


class AmountField(forms.Field):
    """Euro as people type them ("12.500,00"; "12500.00" too): read here, so that a mistyped
    amount is named by its label; the service checks the value (positive, cents)."""

    widget = NumberInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs.update({"maxlength": "24", "placeholder": "12.500,00"})

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        try:
            if len(value) > 24:
                raise ValueError("malformed")
            return parse_decimal(value)
        except ValueError as exc:
            if str(exc) == "ambiguous":
                message = _(
                    "%(label)s: “%(value)s” can be read two ways: write the cents "
                    "after a comma, e.g. 1.500,00 for one thousand five hundred "
                    "euro, or 1,50."
                )
            else:
                message = _(
                    "%(label)s: “%(value)s” is not an amount: write euro with a "
                    "decimal comma, e.g. 12.500,00 or 12500,00."
                )
            raise ValidationError(
                message, code="amount", params=_message_params(self, value)
            ) from None

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return number_text(value, 2)
        return value


class DecimalField(forms.DecimalField):
    """A decimal number read as :func:`parse_decimal` reads it and shown in the page's
    language; the field's own checks (digits, places, bounds) follow."""

    widget = NumberInput

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        try:
            if len(value) > 40:
                raise ValueError("malformed")
            number = parse_decimal(value)
        except ValueError as exc:
            raise _number_error(self, value, str(exc)) from None
        if not number.is_finite():
            raise _number_error(self, value, "malformed")
        return number

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return number_text(value, self.decimal_places if self.decimal_places == 2 else None)
        return value

    def widget_attrs(self, widget):
        return forms.Field.widget_attrs(self, widget)


class FloatField(forms.FloatField):
    """A number with decimals read and shown as :class:`DecimalField` does."""

    widget = NumberInput

    def to_python(self, value):
        number = DecimalField.to_python(self, value)
        return None if number is None else float(number)

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return number_text(Decimal(repr(value)) if isinstance(value, float) else value)
        return value

    def widget_attrs(self, widget):
        return forms.Field.widget_attrs(self, widget)


class IntegerField(forms.IntegerField):
    """A whole number read as :func:`parse_whole` reads it ("1.250" in Italian) and shown
    grouped in the page's language."""

    widget = NumberInput

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.widget.attrs["inputmode"] = "numeric"

    def to_python(self, value):
        value = str(value).strip() if value is not None else ""
        if value in self.empty_values:
            return None
        try:
            if len(value) > 30:
                raise ValueError("malformed")
            return parse_whole(value)
        except ValueError as exc:
            raise _number_error(self, value, str(exc), whole=True) from None

    def prepare_value(self, value):
        if (
            isinstance(value, int)
            and not isinstance(value, bool)
            and not isinstance(self.widget, forms.HiddenInput)
        ):
            return number_text(value)
        return value

    def widget_attrs(self, widget):
        return forms.Field.widget_attrs(self, widget)


def _number_error(field: forms.Field, value: str, reason: str, *, whole: bool = False):
    if whole:
        # The example's "1.250" is Italian: the English text gives digits only.
        message = _(
            "%(label)s: “%(value)s” is not a whole number: write it with digits only, e.g. 1250."
        )
    elif reason == "ambiguous":
        message = _(
            "%(label)s: “%(value)s” can be read two ways: write the decimals after a "
            "comma and the thousands with a dot, e.g. 1.500,00 or 1,5."
        )
    else:
        message = _(
            "%(label)s: “%(value)s” is not a number: write it with a decimal comma, "
            "e.g. 12.500,00 or 1250,5."
        )
    return ValidationError(message, code="number", params=_message_params(field, value))


#: The ways of writing a date that every form reads: ISO and the Italian day/month/year with a
#: four-digit year (a two-digit one leaves the century to a guess).
DATE_INPUT_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]


class DateInput(forms.DateInput):
    """A text box for a date in the page's language (13/01/2021 in Italian, 2021-01-13 in
    English): typed as one writes it, never a browser's control that reads another locale."""

    input_type = "text"

    def __init__(self, attrs=None):
        # No fixed format: the language's first input format (it: %d/%m/%Y, en: %Y-%m-%d),
        # both of them read back by DATE_INPUT_FORMATS; the placeholder is translated to match
        # ("gg/mm/aaaa").
        super().__init__(
            {
                "inputmode": "numeric",
                "autocomplete": "off",
                "maxlength": "10",
                "placeholder": _("yyyy-mm-dd"),
                **(attrs or {}),
            }
        )


class DateField(forms.DateField):
    """A date written the Italian way or the ISO way, within the platform's years."""

    widget = DateInput
    input_formats = DATE_INPUT_FORMATS

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("input_formats", DATE_INPUT_FORMATS)
        super().__init__(*args, **kwargs)
        if validate_date not in self.validators:
            self.validators.append(validate_date)

    def to_python(self, value):
        try:
            return super().to_python(value)
        except ValidationError:
            raise ValidationError(
                _(
                    "%(label)s: “%(value)s” is not a date: write day/month/year, e.g. 13/01/2021 "
                    "(or 2021-01-13)."
                ),
                code="invalid",
                params=_message_params(self, str(value).strip()),
            ) from None


_LOCALISED = {
    forms.DecimalField: DecimalField,
    forms.IntegerField: IntegerField,
    forms.FloatField: FloatField,
    forms.DateField: DateField,
}
