"""Amounts of euro as people type them ("12.500,00", "12500.00") and as pages show them.

Reading is strict on purpose: a dot followed by three digits ("1.500") is a thousands
separator to an Italian and a decimal point to a spreadsheet, so it is refused as ambiguous
rather than read as € 1,50 or € 1.500,00 by guess.
"""

from __future__ import annotations

import re
from decimal import Decimal, InvalidOperation

from django.utils import formats

_SPACES = re.compile(r"[\s\u00a0\u202f\u2009']")
_PLAIN = re.compile(r"^-?\d+(?:[.,]\d{1,2})?$|^-?\d+[.,]\d{4,}$")
_ITALIAN = re.compile(r"^-?\d{1,3}(?:\.\d{3})+(?:,\d+)?$")
_ENGLISH = re.compile(r"^-?\d{1,3}(?:,\d{3})+\.\d+$")


def parse_amount(value: object) -> Decimal:
    """The number a person typed, or ``ValueError`` when it is not one read the same by all.

    Accepted: ``12500``, ``12500,5``, ``12500.50``, ``12.500,00``, ``1.250.000``,
    ``12,500.00``, with spaces or a leading ``€``. Refused: ``12.500.00`` (two dots and no
    decimal comma), ``1.500`` and ``1,500`` (ambiguous), letters.

    >>> parse_amount("12.500,00")
    Decimal('12500.00')
    >>> parse_amount("1250.5")
    Decimal('1250.5')
    """
    if isinstance(value, Decimal):
        return value
    if isinstance(value, int):
        return Decimal(value)
    text = _SPACES.sub("", str(value)).removeprefix("€")
    if re.fullmatch(r"-?\d+[.,]\d{3}", text):
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


def euro_text(value: object) -> str:
    """An amount as the page's language writes it, grouped, to the cent: "€ 20.000,00"."""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return "€ " + formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
