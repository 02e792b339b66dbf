"""Text that people type or upload: control characters refused on the way in, stripped on the way
out, and spreadsheet formulas defused in every file the platform writes.

One place for these rules, so that forms, services, imports and exports agree.
"""

from __future__ import annotations

import re
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

# C0 controls and DEL, except tab, line feed and carriage return, which texts may hold.
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
# What makes a spreadsheet read a cell as a formula (OWASP "CSV injection").
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
_NUMBER = re.compile(r"[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?")


def has_control_characters(value: Any) -> bool:
    return isinstance(value, str) and _CONTROL.search(value) is not None


def validate_text(value: Any) -> None:
    """A Django validator: refuse text with control characters (they break XLSX files)."""
    if has_control_characters(value):
        position = _CONTROL.search(value).start() + 1
        raise ValidationError(
            _("The text holds an invisible control character (position %(position)s): "
              "retype it or paste it as plain text."),
            code="control_character", params={"position": position})


def strip_controls(value: str) -> str:
    """Text without control characters, for output that cannot hold them."""
    return _CONTROL.sub("", value)


def defuse(value: Any) -> Any:
    """A cell as a spreadsheet must show it: text, never a formula.

    Text that starts like a formula gets a leading apostrophe (which spreadsheets show as
    text); numbers written as text such as ``-12.5`` are left as they are.
    """
    if not isinstance(value, str):
        return value
    value = strip_controls(value)
    if value.startswith(FORMULA_START) and not _NUMBER.fullmatch(value):
        return "'" + value
    return value


def undefuse(value: str) -> str:
    """The inverse of :func:`defuse` for a cell read back from an exported file."""
    if value.startswith("'") and value[1:].startswith(FORMULA_START) \
            and not _NUMBER.fullmatch(value[1:]):
        return value[1:]
    return value
