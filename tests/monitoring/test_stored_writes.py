"""Stored series results are written only where they changed: a new value rewrites its own
series and leaves the others' rows as they were; the results equal those of a rebuild from
nothing, and the version rule holds (up when results change, not when only inputs do)."""

from __future__ import annotations

from decimal import Decimal

from patto.monitoring.assessments import (
    _outputs,
    _series_text,
    assessments_rebuild,
    imported_extras,
    imported_files_parsed,
    indicators_assess,
)
from patto.monitoring.models import Indicator, IndicatorResult, SeriesResult
from patto.monitoring.services import NewValue, observations_record

COLUMNS = ("position", "key", "series", "units", "geocode", "territory_id",
           "disaggregation", "total", "years", "values", "target_id", "status", "score",
           "reason", "params", "figures")


def stored(indicator: Indicator) -> dict[str, tuple]:
    """The indicator's stored series by key: (row id, the row's results)."""
    return {row["key"]: (row["id"], tuple(row[c] for c in COLUMNS))
            for row in SeriesResult.objects.filter(indicator=indicator)
            .values("id", *COLUMNS)}


def several_series(bologna) -> Indicator:
    return max(bologna.indicators.all(),
               key=lambda i: (SeriesResult.objects.filter(indicator=i).count(), i.code))


def test_a_new_value_rewrites_only_its_own_series(bologna, staff):
    indicator = several_series(bologna)
    before = stored(indicator)
    assert len(before) >= 2
    latest = indicator.observations.filter(is_current=True, territory_id=bologna.territory_id) \
        .order_by("-year", "key").first()
    observations_record(indicator=indicator, user=staff, values=[NewValue(
        year=latest.year, period=latest.period,
        value_text=str((latest.value * Decimal("1.5")).quantize(Decimal("0.01"))),
        series=latest.series, units=latest.units, geocode=latest.geocode,
        disaggregation=latest.disaggregation, territory=latest.territory)])
    after = stored(indicator)
    assert set(after) == set(before)
    changed = {key for key in after if after[key][1] != before[key][1]}
    assert changed == {latest.key}
    # Every other series keeps its row; the changed one is written again.
    assert {key for key in after if after[key][0] != before[key][0]} == changed
    # And the whole equals what a rebuild from nothing stores.
    SeriesResult.objects.filter(indicator=indicator).delete()
    IndicatorResult.objects.filter(indicator=indicator).delete()
    assessments_rebuild(pacts=[bologna])
    assert {k: v[1] for k, v in stored(indicator).items()} == {k: v[1] for k, v in after.items()}


def test_assessing_again_unchanged_writes_nothing(bologna):
    indicators = list(bologna.indicators.all())
    versions = dict(IndicatorResult.objects.values_list("indicator_id", "version"))
    ids = set(SeriesResult.objects.values_list("id", flat=True))
    summary = indicators_assess(indicators=indicators)
    assert summary.changed == 0
    assert dict(IndicatorResult.objects.values_list("indicator_id", "version")) == versions
    assert set(SeriesResult.objects.values_list("id", flat=True)) == ids


def test_only_inputs_changed_keeps_version_and_series(bologna):
    indicator = several_series(bologna)
    result = IndicatorResult.objects.get(indicator=indicator)
    ids = {v[0] for v in stored(indicator).values()}
    IndicatorResult.objects.filter(pk=result.pk).update(inputs="stale")
    summary = indicators_assess(indicators=[indicator])
    again = IndicatorResult.objects.get(indicator=indicator)
    assert summary.changed == 0
    assert again.inputs != "stale"
    assert (again.version, again.outputs) == (result.version, result.outputs)
    assert {v[0] for v in stored(indicator).values()} == ids


def test_the_fingerprint_is_the_digest_of_the_results_and_their_series(bologna):
    """The results' fingerprint put together from each series' text is the digest of the
    whole list, as stored results before this writer made it (no version moves)."""
    import hashlib
    import json

    indicator = several_series(bologna)
    result = IndicatorResult.objects.get(indicator=indicator)
    rows = list(SeriesResult.objects.filter(indicator=indicator).order_by("position"))
    whole = [result.status, result.score, result.series_count, result.figures,
             result.target_id, result.goal_id, result.method, result.reason, result.params,
             [tuple(getattr(s, c) for c in COLUMNS) for s in rows]]
    digest = hashlib.sha256(json.dumps(whole, default=str, sort_keys=True).encode()) \
        .hexdigest()
    assert digest == result.outputs
    outputs, texts = _outputs(result, rows_as_series(rows))
    assert outputs == result.outputs
    assert texts == [_series_text(tuple(getattr(s, c) for c in COLUMNS)) for s in rows]
    empty, none = _outputs(result, [])
    assert none == [] and empty == hashlib.sha256(json.dumps(
        [*whole[:-1], []], default=str, sort_keys=True).encode()).hexdigest()


def rows_as_series(rows):
    from patto.monitoring.assessments import _Series

    return [_Series(indicator_id=s.indicator_id, **{c: getattr(s, c) for c in COLUMNS})
            for s in rows]


def test_the_imports_reading_is_what_the_assessment_would_read(tmp_path):
    """The import hands its parse to the assessment: what it files is what parsing the
    stored file again gives (rows set aside, cells after Value)."""
    from patto.engine.opensdg import read_repository
    from patto.monitoring import assessments

    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "indicator_1-1-1.csv").write_text(
        "Year,Series,Value,COMMENT_OBS\n2015,A,1.5,estimated\n2016,A,2,\n2017,A,,\n"
        "2017,B,inf,\n2016,A,3,again\n", encoding="utf-8")
    files = read_repository(tmp_path)
    indicator = Indicator(code="1-1-1", raw_files={
        name: content.decode("utf-8") for name, content in files[0].raw.items()})
    assessments._IMPORTED.clear()
    parsed = imported_extras(indicator)
    assert len(parsed.aside) == 3 and parsed.attributes
    assessments._IMPORTED.clear()
    imported_files_parsed(files)
    assert len(assessments._IMPORTED) == 1
    assert imported_extras(indicator) == parsed
