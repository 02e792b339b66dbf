"""The one place that words a progress result's reason code, in the reader's language.

The engine returns a reason code with its figures (``patto.engine.opensdg_progress`` for the
Open SDG method, ``patto.engine.progress.SeriesAssessment.reason`` for Patto's own); the
pages and ``patto assess`` both call :func:`describe_progress`, so they say the same thing.
"""

from __future__ import annotations

from typing import Any

from django.utils.formats import number_format
from django.utils.translation import gettext as _

from patto.engine.progress import SeriesAssessment


def _num(x: Any, digits: int = 2) -> str:
    return "—" if x is None else number_format(x, digits, force_grouping=True)


def _pct(x: Any) -> str:
    return "—" if x is None else f"{number_format(100 * x, 2)}%"


def describe_progress(reason: str, params: dict, status: str = "") -> str:
    """A sentence, translated, for a reason code and its figures.

    Parameters
    ----------
    reason : str
        A code of ``patto.engine.opensdg_progress.REASONS`` or
        ``patto.engine.progress.REASON_CODES``, or "unreadable".
    params : dict
        The result's figures (base and current year and value, target, thresholds, …).
    status : str
        The status, for a manual one.
    """
    p = params or {}
    figures = {
        "base_year": p.get("base_year"), "base": _num(p.get("base_value")),
        "latest_year": p.get("current_year"), "latest": _num(p.get("current_value")),
        "target": _num(p.get("target")), "target_year": p.get("target_year"),
    }
    if reason == "manual":
        return _("Status set by hand in the indicator's metadata: %(status)s.") % {
            "status": status or "—"}
    if reason == "not_assessed":
        return _("Automatic progress calculation is switched off for this indicator and no "
                 "status is set by hand.")
    if reason == "unreadable":
        problems = p.get("problems") or []
        return _("The indicator's files could not be read: %(problems)s") % {
            "problems": "; ".join(str(x) for x in problems)}
    if reason == "no_data":
        return _("Not enough data: no value is left for this series.")
    if reason == "single_year":
        return _("Not enough data: a growth rate needs values in two different years from "
                 "the base year on.")
    if reason == "base_after_data":
        return _("Not enough data: no value at or after the base year %(base_year)s (the "
                 "latest is of %(latest_year)s).") % {
            "base_year": p.get("base_year") or p.get("floor"),
            "latest_year": p.get("current_year") or p.get("latest_year")}
    if reason == "base_zero":
        return _("Not enough data: the base value is 0, so the growth rate is undefined.")
    if reason == "sign_change":
        return _("Not enough data: the base value (%(base)s in %(base_year)s) and the latest "
                 "value (%(latest)s in %(latest_year)s) have different signs.") % figures
    if reason in ("target_sign", "undefined_ratio", "target_year_not_after_base", "overflow"):
        return _("Not enough data: the growth needed to reach the target of %(target)s by "
                 "%(target_year)s cannot be computed from the base value %(base)s of "
                 "%(base_year)s.") % figures
    if reason == "no_headline":
        return _("No status: every row has a disaggregation and no progress option names "
                 "one.")
    if reason == "many_series":
        return _("No status: after the selection the column %(column)s still has several "
                 "values (%(values)s); name one in the progress options.") % {
            "column": p.get("column"), "values": ", ".join(map(str, p.get("values") or []))}
    if reason == "duplicate_year":
        return _("No status: the selected series has two values for %(year)s (for example "
                 "one per area, or per quarter).") % {"year": p.get("year")}
    if reason == "bad_option":
        return _("No status: the progress option %(key)s has a value that cannot be used "
                 "(%(value)s).") % {"key": p.get("key"), "value": p.get("value")}
    if reason == "required_zero":
        return _("The target equals the base value and the latest value is on the wrong side "
                 "of it: deterioration.")
    observed = _("From %(base_year)s to %(latest_year)s the value went from %(base)s to "
                 "%(latest)s: observed compound annual growth rate (CAGR) %(observed)s.") % {
        **figures, "observed": _pct(p.get("observed_growth"))}
    if reason == "target_achieved":
        text = _("The latest value, %(latest)s in %(latest_year)s, has reached the target of "
                 "%(target)s set for %(target_year)s.") % figures
        return f"{observed} {text}" if p.get("observed_growth") is not None else text
    if reason != "assessed":
        return ""
    if p.get("method") is None and p.get("scores"):
        if p.get("options") is not None:
            return _("The indicator's score is the mean of its progress options' scores "
                     "(%(scores)s).") % {"scores": ", ".join(_num(s, 2) for s in p["scores"])}
        return _("The indicator's score is the mean of its series' scores (%(scores)s).") % {
            "scores": ", ".join(_num(s, 2) for s in p["scores"])}
    text = observed
    thresholds = p.get("thresholds") or {}
    if p.get("method") == 2:
        text += " " + _("Reaching %(target)s by %(target_year)s needs %(required)s a year; "
                        "the ratio of observed to needed growth, %(ratio)s, is compared with "
                        "%(high)s, %(med)s and 0.") % {
            **figures, "required": _pct(p.get("required_growth")),
            "ratio": _num(p.get("progress_value")), "high": _num(thresholds.get("high")),
            "med": _num(thresholds.get("med"))}
    else:
        text += " " + _("Without a target, the growth in the desired direction, %(value)s a "
                        "year, is compared with %(high)s, %(med)s and 0 a year.") % {
            "value": _pct(p.get("progress_value")), "high": _pct(thresholds.get("high")),
            "med": _pct(thresholds.get("med"))}
    if "base" in (p.get("substituted") or []):
        text += " " + _("As in Open SDG, the base value 0 was replaced by 0.001 to compute "
                        "the growth rate.")
    if p.get("method") != 2:
        coefficient = p.get("coefficient")
        if coefficient is not None and coefficient != 1:
            text += " " + _("These thresholds are scaled by %(coefficient)s because the base "
                            "value is near the natural limit %(limit)s.") % {
                "coefficient": _num(coefficient, 4), "limit": _num(p.get("limit"))}
    return text


def describe_score(score: float | None) -> str:
    """The score's sentence ('' without one)."""
    if score is None:
        return ""
    return _("Score %(score)s on a scale from −5 to +5.") % {"score": _num(score, 1)}


def describe_assessment(a: SeriesAssessment, limit: float | None = None) -> str:
    """:func:`describe_progress` for a series assessed by Patto's own CAGR method."""
    direction = (a.params or {}).get("direction", 1)
    progress_value = a.ratio if a.method == "target" else (
        None if a.observed_growth is None else
        direction * (-1 if (a.base_value or 0) < 0 else 1) * a.observed_growth)
    params = {**(a.params or {}), "base_year": a.base_year, "base_value": a.base_value,
              "current_year": a.latest_year, "current_value": a.latest_value,
              "target": a.target, "target_year": a.target_year,
              "observed_growth": a.observed_growth, "required_growth": a.required_growth,
              "progress_value": progress_value, "limit": limit}
    if a.reason == "base_after_data":
        params["base_year"] = (a.params or {}).get("floor")
    text = describe_progress(a.reason, params, a.status)
    if a.score is not None:
        text += " " + describe_score(a.score)
    return text
