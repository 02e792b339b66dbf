"""What an operator's code for a person may look like: a pseudonym, never an identifier.

An operator might type the person's tax code, e-mail or phone number where the code goes;
these are refused, so that the platform never holds them (the GDPR's data minimisation).
"""

from __future__ import annotations

import re

from django.utils.translation import gettext as _

_ALLOWED = re.compile(r"^[A-Za-z0-9][A-Za-z0-9-]{2,39}$")
_TAX_CODE = re.compile(
    r"^[A-Za-z]{6}[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z]"
    r"[0-9LMNPQRSTUVlmnpqrstuv]{2}[A-Za-z][0-9LMNPQRSTUVlmnpqrstuv]{3}"
    r"[A-Za-z]$"
)
_DIGITS = re.compile(r"\d")


def pseudonym_problem(value: str) -> str:
    """Why ``value`` cannot be a person's code, or an empty string when it can."""
    value = (value or "").strip()
    if not _ALLOWED.match(value):
        return _("Write a code of 3 to 40 letters, digits and dashes, such as IPL-2024-031.")
    if _TAX_CODE.match(value.replace("-", "")):
        return _(
            "This looks like a tax code: use the operator's own code for the person, "
            "never the tax code."
        )
    if len(_DIGITS.findall(value)) >= 9 and len(value.replace("-", "")) <= 13:
        return _("This looks like a phone number: use the operator's own code for the person.")
    return ""
