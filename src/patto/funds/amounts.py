"""Amounts of euro as people type them ("12.500,00", "12500.00") and as pages show them.

Reading is strict on purpose: a dot followed by three digits ("1.500") is a thousands
separator to an Italian and a decimal point to a spreadsheet, so it is refused as ambiguous
rather than read as € 1,50 or € 1.500,00 by guess. The reading itself is the platform's
(:func:`patto.core.forms.parse_decimal`), shared by every form.
"""

from __future__ import annotations

from decimal import Decimal

from django.utils import formats

from patto.core.forms import parse_decimal

__all__ = ["euro_text", "parse_amount"]

# One reading of typed numbers for the whole platform: patto.core.forms.parse_decimal.
parse_amount = parse_decimal


def euro_text(value: object) -> str:
    """An amount as the page's language writes it, grouped, to the cent: "€ 20.000,00"."""
    amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    return "€ " + formats.number_format(amount, 2, use_l10n=True, force_grouping=True)
