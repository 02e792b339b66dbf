"""Public monitoring pages: the 17 goals, a goal, an indicator with its chart and downloads."""

from __future__ import annotations

import json

from django.http import Http404, HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.utils.translation import gettext_lazy as _

from patto.core.downloads import download_response
from patto.core.exports import table_response
from patto.pact import selectors as pact_selectors
from patto.pact.models import Pact, SdgGoal

from . import selectors
from .models import Indicator

STATUS_LABELS = {
    "target_achieved": _("Target achieved"),
    "substantial_progress": _("Substantial progress"),
    "moderate_progress": _("Moderate progress"),
    "limited_progress": _("Limited progress"),
    "deterioration": _("Deterioration"),
    "not_enough_data": _("Not enough data"),
}


def _pact(request: HttpRequest) -> Pact:
    code = request.GET.get("patto")
    pact = Pact.objects.filter(code=code).first() if code else pact_selectors.pact_default()
    if pact is None:
        raise Http404
    return pact


def goals(request: HttpRequest) -> HttpResponse:
    pact = _pact(request)
    from .assessments import assessment_method

    return render(request, "monitoring/goals.html", {
        "pact": pact, "goals": selectors.goals_overview(pact=pact),
        "labels": STATUS_LABELS, "method": assessment_method()})


def goal_detail(request: HttpRequest, number: int) -> HttpResponse:
    pact = _pact(request)
    goal = SdgGoal.objects.filter(number=number).first()
    if goal is None:
        raise Http404
    indicators = [(i, selectors.indicator_assessment(i))
                  for i in selectors.indicator_list(pact=pact, goal=number)]
    return render(request, "monitoring/goal_detail.html", {
        "pact": pact, "goal": goal, "indicators": indicators, "labels": STATUS_LABELS})


COLUMNS = ["indicator", "year", "period", "series", "units", "territory", "geocode",
           "disaggregation", "value", "status", "example"]


def _rows(indicator: Indicator) -> list[list[str]]:
    return [[indicator.code, str(o.year), o.period, o.series, o.units,
             o.territory.name if o.territory else "", o.geocode,
             json.dumps(o.disaggregation, ensure_ascii=False, sort_keys=True) if o.disaggregation
             else "", o.value_text, o.status,
             "true" if o.is_example or indicator.is_example else "false"]
            for o in selectors.indicator_observations(indicator)]


def _indicator_or_404(pact: str, code: str) -> tuple[Pact, Indicator]:
    pact_obj = Pact.objects.filter(code=pact).first()
    if pact_obj is None:
        raise Http404
    try:
        return pact_obj, selectors.indicator_get(pact=pact_obj, code=code)
    except Indicator.DoesNotExist as exc:
        raise Http404 from exc


def indicator_detail(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    pact_obj, indicator = _indicator_or_404(pact, code)
    fmt = request.GET.get("formato")
    if fmt in ("csv", "xlsx"):
        return download_response(request, key=f"indicatore-{pact_obj.code}-{code}", fmt=fmt,
                                 build=lambda: (COLUMNS, _rows(indicator)),
                                 filename=f"indicatore-{code}")
    if fmt == "json":
        return JsonResponse({"indicator": indicator.code, "name": indicator.name,
                             "example": indicator.is_example,
                             "observations": [dict(zip(COLUMNS, r, strict=True))
                                              for r in _rows(indicator)]})
    series = selectors.indicator_series(indicator, headline_only=False)
    chart = {"series": [{"name": s.label, "data": [[y, v] for y, v in zip(s.years, s.values,
                                                                          strict=True)],
                         "target": [s.target.year, float(s.target.value)] if s.target else None,
                         "units": s.units, "dims": s.disaggregation or {}}
                        for s in series],
             "unit": indicator.unit}
    # The chart's selectors: units, and a disaggregation to break the total down by.
    units = sorted({s.units for s in series if s.units})
    dimensions = sorted({k for s in series for k in (s.disaggregation or {})})
    # The indicator's status as stored, with its reason and (Open SDG method) each progress
    # option's result; series have a status of their own only with the per-series method.
    assessment = selectors.indicator_assessment(indicator)
    explanation, options = selectors.indicator_progress(assessment)
    per_series = assessment is not None and assessment.method == "per_series"
    if per_series:
        for s in series:
            s.explanation = selectors.explain(
                s.assessment, float(indicator.limit) if indicator.limit is not None else None)
    years, table = selectors.year_table(series)
    return render(request, "monitoring/indicator_detail.html", {
        "pact": pact_obj, "indicator": indicator, "series": series,
        "years": years, "table": table, "units": units, "dimensions": dimensions,
        "assessment": assessment, "labels": STATUS_LABELS, "explanation": explanation,
        "options": options, "per_series": per_series, "chart": chart})


AREAS_PER_PAGE = 100
LEVELS = ("comuni", "unioni")


def _map_choice(request: HttpRequest, indicator: Indicator) -> tuple[str, int | None, list]:
    """The level, year and years of a map, from the query (the latest year by default)."""
    level = "unioni" if request.GET.get("livello") == "unioni" else "comuni"
    years = selectors.indicator_area_years(indicator)
    try:
        wanted = int(request.GET.get("anno", ""))
    except ValueError:
        wanted = None
    year = (wanted if wanted in years else years[-1]) if years else None
    return level, year, years


def indicator_map(request: HttpRequest, pact: str, code: str) -> HttpResponse:
    """Compare municipalities or unions on a choropleth map, with the same values in a table."""
    pact_obj, indicator = _indicator_or_404(pact, code)
    level, year, years = _map_choice(request, indicator)
    # The table shows a page of municipalities; the map's values for all of them (7,900:
    # about 200 KB) come from indicator_map_values, cached, not inlined in every page.
    page = None
    if year is not None:
        page = selectors.indicator_area_page(indicator=indicator, year=year, level=level,
                                             number=request.GET.get("pagina"),
                                             per_page=AREAS_PER_PAGE)
    query = request.GET.copy()
    query.pop("pagina", None)
    return render(request, "monitoring/indicator_map.html", {
        "pact": pact_obj, "indicator": indicator, "year": year, "years": years,
        "level": level, "areas": page.object_list if page else [], "page": page,
        "query": query.urlencode()})


def indicator_map_values(request: HttpRequest, pact: str, code: str) -> JsonResponse:
    """Every municipality's value on the map (by code), its range and unit, as JSON."""
    _pact, indicator = _indicator_or_404(pact, code)
    level, year, _years = _map_choice(request, indicator)
    if year is None:
        raise Http404
    return JsonResponse({"year": year, "level": level, **selectors.indicator_area_map(
        indicator=indicator, year=year, level=level)})


def indicator_template(request: HttpRequest, pact: str) -> HttpResponse:
    """The spreadsheet template, pre-filled with the current values a person may update."""
    from django.contrib.auth.views import redirect_to_login

    from .spreadsheet import COLUMNS as TEMPLATE_COLUMNS
    from .spreadsheet import allowed, template_rows

    if not request.user.is_authenticated:
        return redirect_to_login(request.get_full_path())
    pact_obj = Pact.objects.filter(code=pact).first()
    if pact_obj is None:
        raise Http404
    indicators = [i for i in pact_obj.indicators.select_related("project").order_by("code")
                  if allowed(request.user, i)]
    fmt = request.GET.get("formato", "xlsx")
    return table_response(TEMPLATE_COLUMNS, template_rows(indicators), fmt,
                          f"valori-{pact_obj.code}")
