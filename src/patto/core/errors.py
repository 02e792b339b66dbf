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


def _messages() -> dict[str, str]:
    """What each kind of problem means and how to fix it, in the reader's language."""
    return {
        "type-error": _("the value “%(cell)s” is not a valid %(type)s: write a value of that "
                        "type (dates as YYYY-MM-DD)"),
        "constraint-error": _("the value “%(cell)s” does not meet the constraint (%(note)s)"),
        "primary-key": _("the row repeats the key of another row: make it unique or remove "
                         "the duplicate"),
        "foreign-key": _("the row refers to something that does not exist (%(note)s): use an "
                         "existing value or add it first"),
        "scheme-error": _("the file is missing: add it or fix its path in datapackage.json"),
        "missing-text": _("the file “%(value)s” is not in the package: add it or empty the "
                          "cell"),
        "outside-package": _("“%(value)s” points outside the package: use a path inside it"),
        "end-before-start": _("the membership ends before it starts: swap or correct the "
                              "dates"),
        "bad-parent-kind": _("a territory of kind %(child)s cannot belong to one of kind "
                             "%(parent)s"),
        "self-parent": _("a territory cannot contain itself: name another parent"),
        "overlapping-membership": _("%(value)s would belong to two parents at once: end the "
                                    "earlier membership the day before this one starts"),
        "bad-tax-code": _("“%(value)s” fails the tax code check digit: copy it again from the "
                          "registry or leave the cell empty"),
        "promoter-count": _("the pact has %(count)s promoters: mark exactly one party with the "
                            "role “promoter”"),
        "unknown-cluster": _("cluster “%(value)s” does not exist for this pact: use a code from "
                             "clusters.csv"),
        "unknown-sdg": _("%(value)s is not one of the 17 SDGs: use numbers from 1 to 17"),
        "still-referenced": _("“%(value)s” is missing from the file, but %(count)s recorded "
                              "rows refer to it (such as a fund's movements): keep it in the "
                              "file"),
        "unknown-working-group": _("working group “%(value)s” does not exist: use a code from "
                                   "working_groups.csv"),
    }


def describe(problem: Problem) -> str:
    """A problem as a line for a person: its place, then what is wrong and how to fix it."""
    place = [problem.file]
    if problem.row is not None:
        place.append(_("row %(row)s") % {"row": problem.row})
    if problem.field:
        place.append(_("field %(field)s") % {"field": problem.field})
    return f"{', '.join(place)}: {problem_detail(problem)}"


def problem_detail(problem: Problem) -> str:
    """What is wrong and how to fix it, in the reader's language where a message exists."""
    template = _messages().get(problem.code)
    if template is not None:
        try:
            return template % problem.params
        except (KeyError, TypeError):
            pass  # a problem without the values the message needs keeps its own text
    return problem.detail
