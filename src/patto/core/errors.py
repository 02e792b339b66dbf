"""One family of domain errors, turned into a response or a command error in one place."""

from __future__ import annotations

from django.utils.translation import gettext as _

from patto.engine.problems import Problem


class ApplicationError(Exception):
    """A domain error that a person can act upon.

    ``problems`` carries the place of each fault in an input (file, row, field) so that a
    page, an API response or a command can list them all.
    """

    def __init__(self, message: str, *, code: str = "invalid",
                 problems: list[Problem] | None = None):
        self.message = message
        self.code = code
        self.problems = list(problems or [])
        super().__init__(message)

    def lines(self) -> list[str]:
        return [self.message, *(describe(p) for p in self.problems)]


def describe(problem: Problem) -> str:
    """A problem as a line for a person: its place, then what is wrong and how to fix it."""
    place = [problem.file]
    if problem.row is not None:
        place.append(_("row %(row)s") % {"row": problem.row})
    if problem.field:
        place.append(_("field %(field)s") % {"field": problem.field})
    return f"{', '.join(place)}: {problem.detail}"
