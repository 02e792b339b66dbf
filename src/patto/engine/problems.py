"""Problems found in input files, each carrying its place (file, row, field) and a fix."""

from __future__ import annotations

from dataclasses import dataclass
from dataclasses import field as dc_field


@dataclass(frozen=True, slots=True)
class Problem:
    """One thing wrong with an input, where it is and what to do about it.

    ``row`` is the spreadsheet row number (the header is row 1), ``None`` for a whole-file
    problem. ``code`` names the kind of problem so that callers can translate ``params``
    into a message in the reader's language; ``detail`` is an English fallback.
    """

    file: str
    code: str
    detail: str
    row: int | None = None
    field: str | None = None
    params: dict = dc_field(default_factory=dict, compare=False, hash=False)

    @property
    def place(self) -> str:
        parts = [self.file]
        if self.row is not None:
            parts.append(f"row {self.row}")
        if self.field:
            parts.append(f"field {self.field}")
        return ", ".join(parts)

    def __str__(self) -> str:
        return f"{self.place}: {self.detail}"


class InputError(Exception):
    """Raised when an input has problems: nothing was written."""

    def __init__(self, problems: list[Problem]):
        self.problems = list(problems)
        super().__init__("\n".join(str(p) for p in self.problems))


def column_name_problems(file: str, names: list[str], keys: list[str] | None = None
                         ) -> list[Problem]:
    """Blank and repeated column names of a header (row 1); ``keys`` compares them
    (e.g. upper-cased), defaulting to the names themselves."""
    problems = []
    seen: set[str] = set()
    for number, (name, key) in enumerate(zip(names, keys or names, strict=True), start=1):
        if not name.strip():
            problems.append(Problem(
                file=file, code="blank-column-name", row=1,
                detail=f"column {number} has no name; name it, or delete the column and any "
                       f"trailing separator",
                params={"column": number},
            ))
        elif key in seen:
            problems.append(Problem(
                file=file, code="duplicate-column", row=1, field=name,
                detail=f"column {name!r} appears twice; remove or rename one of them",
            ))
        seen.add(key)
    return problems
