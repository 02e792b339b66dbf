"""The ATECO code list: which section an activity code belongs to, and whether it exists.

Read once from ``data/ateco_2007_sections.csv`` (ISTAT, CC BY; see ``data/README.md``). A
crisis case stores the code as the company's registration gives it (``25``, ``25.62`` or
``25.62.00``) and the section derived from its division, which the dashboards count by.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

DATA = Path(__file__).resolve().parent / "data" / "ateco_2007_sections.csv"
SOURCE = "ISTAT, ATECO 2007 (aggiornamento 2022), CC BY"
_CODE = re.compile(r"^(\d{2})(?:\.(\d{1,2})(?:\.(\d{1,2}))?)?$")


@dataclass(frozen=True)
class Section:
    code: str
    title: str
    divisions: tuple[str, ...]


@lru_cache(maxsize=1)
def sections() -> dict[str, Section]:
    with DATA.open(encoding="utf-8", newline="") as handle:
        return {
            row["section"]: Section(
                row["section"], row["title"], tuple(row["divisions"].split(";"))
            )
            for row in csv.DictReader(handle)
        }


@lru_cache(maxsize=1)
def _division_sections() -> dict[str, str]:
    return {d: s.code for s in sections().values() for d in s.divisions}


def section_of(code: str) -> str | None:
    """The section letter of an activity code, or None when the code is not ATECO 2007."""
    match = _CODE.match((code or "").strip())
    if not match:
        return None
    return _division_sections().get(match.group(1))


def section_choices() -> list[tuple[str, str]]:
    return [(s.code, f"{s.code} – {s.title.capitalize()}") for s in sections().values()]


def validate_ateco(value: str) -> None:
    """A Django validator: an ATECO 2007 code whose division exists."""
    if section_of(value) is None:
        raise ValidationError(
            _(
                "“%(value)s” is not an ATECO 2007 code: write the division and, if known, the "
                "group and class, such as 25 or 25.62 or 25.62.00."
            ),
            code="bad_ateco",
            params={"value": value},
        )
