"""Stored assessments: equal to a fresh computation, never stale on any page, read in a fixed
number of queries whatever the number of values.

With the default method ("opensdg") the fresh computation writes the pact's whole-territory
values as an Open SDG repository of that territory (its rows without a GeoCode) with the
indicator's progress options, and asks the engine for sdg-build's status; with
"per_series" (``PATTO_ASSESSMENT_METHOD``) it assesses every series as the pages did before.
"""

from __future__ import annotations

import csv
import re
from collections import defaultdict
from decimal import Decimal
from pathlib import Path

import numpy as np
import pytest
from django.core.cache import cache
from django.core.management import call_command
from hypothesis import HealthCheck, given
from hypothesis import settings as examples
from hypothesis import strategies as st

from patto.engine.ampi import AmpiOptions, ampi
from patto.engine.opensdg import read_repository_lenient
from patto.engine.opensdg_progress import measure_indicator, status_from_score
from patto.engine.progress import ProgressOptions, assess_indicator, assess_series
from patto.monitoring.assessments import assessments_rebuild, series_assessment
from patto.monitoring.models import (
    GoalResult,
    Indicator,
    IndicatorResult,
    Observation,
    SeriesResult,
    Target,
)
from patto.monitoring.services import (
    NewValue,
    indicator_save,
    observations_record,
    target_save,
)

# --------------------------------------------------------------------------------------------
# A fresh computation, written here from the observations as the pages computed it on each
# request before assessments were stored.


def fresh_series(indicator: Indicator) -> list[tuple]:
    root = indicator.pact.territory_id
    groups: dict[str, list[Observation]] = defaultdict(list)
    for o in indicator.observations.filter(is_current=True).order_by("key", "year", "period"):
        if o.territory_id in (None, root):
            groups[o.key].append(o)
    targets = list(indicator.targets.order_by("year", "pk"))
    result = []
    for key in sorted(groups):
        rows = groups[key]
        first = rows[0]
        target = next((t for t in targets if t.series == first.series
                       and t.territory_id in (None, first.territory_id)), None)
        options = ProgressOptions(
            direction=indicator.direction,
            target=float(target.value) if target else None,
            target_year=target.year if target else None,
            base_year=target.base_year if target else None,
            limit=float(indicator.limit) if indicator.limit is not None else None)
        years, values = [o.year for o in rows], [float(o.value) for o in rows]
        result.append((key, not first.disaggregation, years, values,
                       assess_series(years, values, options)))
    return result


def fresh_goal(pact, goal_number: int):
    indicators = list(pact.indicators.filter(level="agenda", sdg_goal__number=goal_number)
                      .order_by("code"))
    totals = [(i, [s for s in fresh_series(i) if s[1]]) for i in indicators]
    series = [s[4] for _, lines in totals for s in lines]
    status = assess_indicator(series) if series else None
    lines = [(dict(zip(lines[0][2], lines[0][3], strict=True)), i.direction)
             for i, lines in totals if lines]
    return len(indicators), status, fresh_composite(lines)


def fresh_composite(lines: list[tuple[dict, str]]):
    composite = None
    if lines:
        years = sorted(set.intersection(*(set(line) for line, _ in lines)))
        if len(years) >= 2:
            values = np.array([[[line[y] for y in years] for line, _ in lines]])
            polarity = np.array([1.0 if d == "positive" else -1.0 for _, d in lines])
            try:
                index = ampi(values, AmpiOptions(reference_unit=0, base_year_index=0,
                                                 polarity=polarity)).index[0]
                composite = (years[0], float(index[0]), years[-1], float(index[-1]),
                             len(lines))
            except ValueError:
                composite = None
    return composite


def assert_stored_equals_fresh(pact) -> None:
    """Per-series method: every stored series, indicator and goal as computed afresh."""
    for indicator in pact.indicators.all():
        expected = fresh_series(indicator)
        stored = list(SeriesResult.objects.filter(indicator=indicator).order_by("position"))
        assert [(s.key, s.total, s.years, s.values) for s in stored] == \
            [e[:4] for e in expected], indicator.code
        for row, e in zip(stored, expected, strict=True):
            a = series_assessment(row)
            assert a == e[4], (indicator.code, row.key)
            assert a.params == e[4].params, (indicator.code, row.key)
        combined = assess_indicator([e[4] for e in expected if e[1]])
        result = IndicatorResult.objects.get(indicator=indicator)
        assert (result.status, result.score) == (combined.status, combined.score), \
            indicator.code
        assert result.method == "per_series"
    assert_goals_equal(pact, fresh_goal)


def assert_goals_equal(pact, fresh) -> None:
    for goal in GoalResult.objects.filter(pact=pact).select_related("goal"):
        count, status, composite = fresh(pact, goal.goal.number)
        assert goal.indicators == count
        assert goal.status == (status.status if status else "")
        assert goal.score == (status.score if status else None)
        got = goal.composite
        if composite is None:
            assert got is None, goal.goal.number
        else:
            assert (got["first_year"], got["first"], got["last_year"], got["last"],
                    got["components"]) == pytest.approx(composite), goal.goal.number
    assert GoalResult.objects.filter(pact=pact).count() == 17


# --------------------------------------------------------------------------------------------
# The same with the default method: sdg-build's status on the values written as an Open SDG
# repository of the pact's territory.


def opensdg_folder(indicator: Indicator, folder: Path) -> tuple[Path, list]:
    """The indicator's whole-territory values and progress options as an Open SDG
    repository of the pact's territory; returns it and its observations by CSV row."""
    import yaml

    root = indicator.pact.territory_id
    observations = [o for o in indicator.observations.filter(is_current=True)
                    .order_by("year", "key") if o.territory_id in (None, root)]
    columns = list(indicator.data_columns) or ["Year", "Units", "Value"]
    for o in observations:
        for name in o.disaggregation:
            if name not in columns:
                columns.insert(len(columns) - 1, name)
    (folder / "data").mkdir(parents=True, exist_ok=True)
    (folder / "indicator-config").mkdir(exist_ok=True)
    with (folder / "data" / f"indicator_{indicator.code}.csv").open(
            "w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(columns)
        for o in observations:
            cells = {"Year": o.period or str(o.year), "Units": o.units, "Series": o.series,
                     "GeoCode": "" if o.territory_id == root else o.geocode,
                     "Value": o.value_text, **o.disaggregation}
            writer.writerow([cells.get(c, "") for c in columns])
    # Bologna's indicators have one option each: Patto's fields are that option's.
    config = dict(indicator.config)
    option = dict(config["progress_calculation_options"][0])
    option["direction"] = indicator.direction
    option.pop("limit", None)
    if indicator.limit is not None:
        option["limit"] = float(indicator.limit)
    target = indicator.targets.filter(territory=None, series="").first()
    option.pop("target", None)
    option.pop("target_year", None)
    if target is not None:
        option.update(target=float(target.value), target_year=target.year)
        if target.base_year is not None:
            option["base_year"] = target.base_year
    config["progress_calculation_options"] = [option]
    (folder / "indicator-config" / f"{indicator.code}.yml").write_text(
        yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return folder, observations


def fresh_opensdg(indicator: Indicator, tmp: Path):
    folder, observations = opensdg_folder(indicator, tmp / indicator.code)
    [item] = read_repository_lenient(folder).indicators
    return measure_indicator(item), observations


def assert_opensdg_equals_fresh(pact, tmp: Path) -> None:
    fresh = {}
    for indicator in pact.indicators.all():
        progress, observations = fresh_opensdg(indicator, tmp)
        fresh[indicator.pk] = (indicator, progress, observations)
        result = IndicatorResult.objects.get(indicator=indicator)
        assert result.method == "opensdg"
        assert (result.status, result.reason) == (progress.status, progress.reason), \
            indicator.code
        assert result.score == pytest.approx(progress.score), indicator.code
        stored = SeriesResult.objects.filter(indicator=indicator)
        assert {s.key for s in stored if s.total} == {
            observations[row - 2].key for option in progress.series for row in option.rows}
        assert sorted(y for s in stored for y in s.years) == sorted(
            o.year for o in observations)

    def goal(pact, number):
        found = [v for v in fresh.values() if v[0].level == "agenda"
                 and v[0].sdg_goal is not None and v[0].sdg_goal.number == number]
        scores = [p.score for _i, p, _o in found if p.score is not None]
        status = None
        if found:
            status = Fresh(
                status_from_score(float(np.mean(scores)), all(
                    p.status == "target_achieved" for _i, p, _o in found
                    if p.score is not None)) if scores else "not_enough_data",
                float(np.mean(scores)) if scores else None)
        lines = []
        for _i, p, observations in sorted(found, key=lambda v: (v[0].code, v[0].pk)):
            option = next((o for o in p.series if o.score is not None and o.rows), None)
            if option is not None:
                rows = [observations[row - 2] for row in option.rows]
                lines.append(({o.year: float(o.value) for o in rows},
                              "positive" if option.params["direction"] == 1 else "negative"))
        return len(found), status, fresh_composite(lines)

    assert_goals_equal(pact, goal)


class Fresh:
    """A goal's fresh status and score, the two fields assert_goals_equal reads."""

    def __init__(self, status, score):
        self.status, self.score = status, score


@pytest.fixture
def per_series(settings, bologna):
    """Patto's earlier method turned on, and the stored results made by it."""
    settings.PATTO_ASSESSMENT_METHOD = "per_series"
    assessments_rebuild(pacts=[bologna])


def test_every_indicator_and_goal_has_sdg_builds_stored_result(bologna, tmp_path):
    assert not Indicator.objects.filter(result__isnull=True).exists()
    assert_opensdg_equals_fresh(bologna, tmp_path)
    # The pact's whole territory is the headline: every indicator has a status.
    assert not IndicatorResult.objects.filter(indicator__pact=bologna,
                                              status="not_enough_data").exists()


def test_every_indicator_and_goal_has_a_stored_result_per_series(bologna, per_series):
    assert not Indicator.objects.filter(result__isnull=True).exists()
    assert_stored_equals_fresh(bologna)


OPERATIONS = st.lists(st.tuples(
    st.sampled_from(["revise", "next_year", "target", "direction", "limit"]),
    st.integers(min_value=0, max_value=29),
    st.sampled_from(["0.5", "1", "1.07", "3", "0"])), min_size=1, max_size=4)


@examples(max_examples=12, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_stored_results_equal_a_fresh_computation_after_any_changes(bologna, staff,
                                                                     operations, tmp_path):
    change(bologna, staff, operations)
    assert_opensdg_equals_fresh(bologna, tmp_path)


@examples(max_examples=8, deadline=None,
          suppress_health_check=[HealthCheck.function_scoped_fixture,
                                 HealthCheck.too_slow])
@given(operations=OPERATIONS)
def test_per_series_results_equal_a_fresh_computation_after_any_changes(
        bologna, staff, per_series, operations):
    change(bologna, staff, operations)
    assert_stored_equals_fresh(bologna)


def change(bologna, staff, operations) -> None:
    indicators = list(bologna.indicators.order_by("code"))
    for kind, which, factor in operations:
        indicator = indicators[which % len(indicators)]
        latest = indicator.observations.filter(is_current=True).order_by("-year", "key") \
            .select_related("territory").first()
        if kind in ("revise", "next_year") and latest is not None:
            value = (latest.value * Decimal(factor)).quantize(Decimal("0.01"))
            observations_record(indicator=indicator, user=staff, values=[NewValue(
                year=latest.year + (kind == "next_year"), period=latest.period,
                value_text=str(value), series=latest.series, units=latest.units,
                geocode=latest.geocode, disaggregation=latest.disaggregation,
                territory=latest.territory)])
        elif kind == "target":
            target = indicator.targets.first() or Target(indicator=indicator, year=2030,
                                                          base_year=2015)
            target.value = Decimal(factor) * 50
            target_save(target=target, user=staff)
        elif kind == "direction":
            indicator.direction = "negative" if indicator.direction == "positive" \
                else "positive"
            indicator_save(indicator=indicator, user=staff)
        elif kind == "limit":
            indicator.limit = Decimal(factor) * 40
            indicator_save(indicator=indicator, user=staff)


def test_goal_change_moves_the_indicator_between_goals(bologna, staff, tmp_path):
    from patto.pact.models import SdgGoal

    indicator = bologna.indicators.get(code="10-1-1")
    indicator.sdg_goal = SdgGoal.objects.get(number=14)
    indicator_save(indicator=indicator, user=staff)
    assert GoalResult.objects.get(pact=bologna, goal__number=14).indicators == 1
    assert GoalResult.objects.get(pact=bologna, goal__number=10).indicators == 0
    assert_opensdg_equals_fresh(bologna, tmp_path)


# --------------------------------------------------------------------------------------------
# Pages


def goal_card(html: str, number: int) -> str:
    start = html.index(f'<span class="patto-sdg">{number}</span>')
    return html[start:html.index("</div></div></div>", start)]


def goal_row(html: str, code: str) -> str:
    start = html.index(f"/indicatori/{code}/")
    return html[start:html.index("</tr>", start)]


def area_row(html: str, name: str) -> str:
    start = html.index(f'<th scope="row" class="fw-normal">{name}</th>')
    return html[start:html.index("</tr>", start)]


def pages(client) -> dict[str, str]:
    base = "/monitoraggio/bologna-2021/indicatori/"
    got = {
        "goals": client.get("/monitoraggio/"),
        "goal": client.get("/monitoraggio/obiettivi/11/"),
        "indicator": client.get(f"{base}11-7-1/"),
        "map": client.get(f"{base}11-7-1/territorio/?anno=2023"),
        "map values": client.get(f"{base}11-7-1/territorio/valori.json?anno=2023"),
        "csv": client.get(f"{base}11-7-1/?formato=csv"),
        "sheet": client.get("/progetti/bologna-2021/az-4/"),
        "project indicator": client.get(f"{base}p-az-4-inserimenti/"),
    }
    for name, response in got.items():
        assert response.status_code == 200, name
    return {name: (b"".join(r.streaming_content) if r.streaming else r.content).decode()
            for name, r in got.items()}


@pytest.mark.parametrize("page_cache", [False, True])
def test_a_changed_value_changes_every_page_showing_it(client, bologna, settings,
                                                       page_cache, tmp_path):
    settings.PATTO_PAGE_CACHE = page_cache
    cache.clear()
    before = pages(client)
    if page_cache:
        assert pages(client) == before  # served again, from the cache when it is on
    indicator = bologna.indicators.get(code="11-7-1")
    whole = indicator.observations.get(is_current=True, year=2023, geocode="037")
    town = indicator.observations.select_related("territory").get(
        is_current=True, year=2023, geocode="037006")
    observations_record(indicator=indicator, values=[
        NewValue(year=2023, value_text="1.5", units=whole.units, geocode="037",
                 territory=whole.territory),
        NewValue(year=2023, value_text="4321.5", units=town.units, geocode="037006",
                 territory=town.territory)])
    project = bologna.indicators.get(code="p-az-4-inserimenti")
    latest = project.observations.filter(is_current=True).order_by("-year").first()
    observations_record(indicator=project, values=[NewValue(
        year=latest.year + 1, value_text="98765", series=latest.series, units=latest.units,
        geocode=latest.geocode, territory=latest.territory)])
    after = pages(client)

    stored = IndicatorResult.objects.get(indicator=indicator)
    assert stored.status == "deterioration"  # from 30.8 m² a head in 2015 to 1.5 m²
    assert "patto-status-deterioration" in goal_row(after["goal"], "11-7-1")
    assert "patto-status-deterioration" not in goal_row(before["goal"], "11-7-1")
    assert "1,5" in after["indicator"] and "patto-status-deterioration" in after["indicator"]
    assert goal_card(after["goals"], 11) != goal_card(before["goals"], 11)
    goal = GoalResult.objects.get(pact=bologna, goal__number=11)
    assert f"patto-status-{goal.status}" in goal_card(after["goals"], 11)
    assert "4321.5" in area_row(after["map"], "Bologna")
    assert "4321.5" not in area_row(before["map"], "Bologna")
    assert "4321.5" in after["map values"] and "4321.5" not in before["map values"]
    assert "4321.5" in after["csv"] and "4321.5" not in before["csv"]
    assert "98765" in after["sheet"] and "98765" not in before["sheet"]
    assert "98765" in after["project indicator"]
    # The page says why, from the stored reason and figures: 1,5 in 2023 against 35,4.
    assert "35,4" in after["indicator"] and "2023" in after["indicator"]
    assert_opensdg_equals_fresh(bologna, tmp_path)


def test_a_target_changed_in_the_admin_changes_the_status(client, bologna, staff, tmp_path):
    indicator = bologna.indicators.get(code="11-7-1")
    target = indicator.targets.get()
    before = IndicatorResult.objects.get(indicator=indicator)
    client.force_login(staff)
    url = f"/gestione/admin/monitoring/indicator/{indicator.pk}/change/"
    form = client.get(url).context["adminform"].form
    data = {name: form[name].value() for name in form.fields if form[name].value() is not None}
    data.update({"challenges": [c.pk for c in indicator.challenges.all()],
                 "targets-TOTAL_FORMS": "1", "targets-INITIAL_FORMS": "1",
                 "targets-MIN_NUM_FORMS": "0", "targets-MAX_NUM_FORMS": "1000",
                 "targets-0-id": target.pk, "targets-0-indicator": indicator.pk,
                 "targets-0-series": target.series, "targets-0-value": "30.9",
                 "targets-0-year": target.year, "targets-0-base_year": target.base_year or "",
                 "targets-0-level": target.level, "targets-0-territory": ""})
    for key in ("meta", "config"):
        data[key] = re.sub(r"\s+", " ", str(data.get(key) or "{}")).replace("'", '"')
    data = {k: ("" if v is None else v) for k, v in data.items()}
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    target.refresh_from_db()
    assert target.value == Decimal("30.9")
    after = IndicatorResult.objects.get(indicator=indicator)
    assert after.version == before.version + 1 and after.status != before.status
    assert_opensdg_equals_fresh(bologna, tmp_path)
    client.logout()
    html = client.get("/monitoraggio/bologna-2021/indicatori/11-7-1/").content.decode()
    assert f"patto-status-{after.status}" in html


def test_reassess_finds_and_mends_a_stale_result(bologna, per_series):
    import io

    indicator = bologna.indicators.get(code="8-5-2")
    IndicatorResult.objects.filter(indicator=indicator).update(status="target_achieved",
                                                               outputs="tampered")
    out = io.StringIO()
    call_command("reassess", "--pact", "bologna-2021", "--dry-run", stdout=out)
    assert "indicators out of date: 1" in out.getvalue()
    assert IndicatorResult.objects.get(indicator=indicator).status == "target_achieved"
    out = io.StringIO()
    call_command("reassess", stdout=out)
    assert "indicators assessed again: 1" in out.getvalue()
    assert_stored_equals_fresh(bologna)


def test_reassess_finds_and_mends_results_of_the_other_method(bologna, settings, tmp_path):
    import io

    settings.PATTO_ASSESSMENT_METHOD = "per_series"
    assessments_rebuild(pacts=[bologna])
    settings.PATTO_ASSESSMENT_METHOD = "opensdg"
    out = io.StringIO()
    call_command("reassess", "--pact", "bologna-2021", "--dry-run", stdout=out)
    count = bologna.indicators.count()
    assert f"indicators out of date: {count}" in out.getvalue()
    assert not IndicatorResult.objects.filter(method="opensdg").exists()
    call_command("reassess", "--pact", "bologna-2021", stdout=io.StringIO())
    assert_opensdg_equals_fresh(bologna, tmp_path)
    out = io.StringIO()
    call_command("reassess", "--pact", "bologna-2021", "--dry-run", stdout=out)
    assert "indicators out of date: 0" in out.getvalue()
    assert "goals out of date: 0" in out.getvalue()


def test_an_unknown_method_is_refused_with_the_fix(bologna, settings):
    from django.core.exceptions import ImproperlyConfigured

    settings.PATTO_ASSESSMENT_METHOD = "average"
    with pytest.raises(ImproperlyConfigured, match=r"'opensdg'.*'per_series'"):
        assessments_rebuild(pacts=[bologna])


# --------------------------------------------------------------------------------------------
# Queries: the same exact count with the Bologna agenda and with many more values.

PAGES = {
    "goals": "/monitoraggio/",
    "goal": "/monitoraggio/obiettivi/8/",
    "indicator": "/monitoraggio/bologna-2021/indicatori/8-5-2/",
    "indicator csv": "/monitoraggio/bologna-2021/indicatori/8-5-2/?formato=csv",
    "indicator xlsx": "/monitoraggio/bologna-2021/indicatori/8-5-2/?formato=xlsx",
    "indicator json": "/monitoraggio/bologna-2021/indicatori/8-5-2/?formato=json",
    "map": "/monitoraggio/bologna-2021/indicatori/8-5-2/territorio/",
    "map by union": "/monitoraggio/bologna-2021/indicatori/8-5-2/territorio/?livello=unioni",
    "map values": "/monitoraggio/bologna-2021/indicatori/8-5-2/territorio/valori.json",
    "map values by union":
        "/monitoraggio/bologna-2021/indicatori/8-5-2/territorio/valori.json?livello=unioni",
    "project sheet": "/progetti/bologna-2021/az-4/",
}
QUERIES = {"goals": 3, "goal": 3, "indicator": 4, "indicator csv": 2, "indicator xlsx": 2,
           "indicator json": 3, "map": 4, "map by union": 4, "map values": 3,
           "map values by union": 3, "project sheet": 31}  # 31: OpenCoesione's panel


def grow(pact) -> None:
    """Many more values: values by municipality and year for 8-5-2 (on its map), series
    by sex (on its page), twelve more
    indicators of goal 8 with three series each, and more values for the project's."""
    from patto.pact.models import SdgGoal, Territory

    towns = list(Territory.objects.filter(kind="municipality").defer("boundary")[:30])
    indicator = pact.indicators.get(code="8-5-2")
    observations_record(indicator=indicator, values=[
        NewValue(year=year, value_text=f"{50 + k + year % 7}.5", units=f"U{k % 3}",
                 geocode=town.istat_code, territory=town)
        for k, town in enumerate(towns) for year in range(2001, 2021)] + [
        NewValue(year=year, value_text=f"{40 + k + year % 5}", series=f"S{k}",
                 disaggregation={"sex": sex})
        for k in range(6) for sex in ("F", "M") for year in range(2005, 2021)])
    goal = SdgGoal.objects.get(number=8)
    for n in range(12):
        more = Indicator.objects.create(pact=pact, code=f"8-x-{n}", name=f"More {n}",
                                        sdg_goal=goal, direction="positive")
        Target.objects.create(indicator=more, series="S0", value=Decimal("90"), year=2030)
        observations_record(indicator=more, values=[
            NewValue(year=year, value_text=f"{60 + s + n + (year - 2000) * 0.3:.2f}",
                     series=f"S{s}") for s in range(3) for year in range(2000, 2021)])
    project = pact.indicators.get(code="p-az-4-inserimenti")
    observations_record(indicator=project, values=[
        NewValue(year=year, value_text=str(year), series="extra") for year in range(1990, 2020)])


@pytest.mark.parametrize("page", list(PAGES))
def test_each_page_takes_the_same_exact_number_of_queries_at_two_sizes(
        client, bologna, page, django_assert_num_queries):
    url = PAGES[page]
    client.get(url)  # sessions, content types and translations cached, as on a server
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(url).status_code == 200
    grow(bologna)
    client.get(url)
    with django_assert_num_queries(QUERIES[page]):
        assert client.get(url).status_code == 200
