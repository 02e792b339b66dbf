"""The set-based merge of an import (COPY into a staging table on PostgreSQL, executemany
elsewhere) keeps the revision rule: a changed value adds a row naming the one it revises and
retires it, an equal one changes nothing, a new one is added; all or nothing.

Run it on PostgreSQL too: DATABASE_URL=postgres://postgres@127.0.0.1:5432/patto_stored.
"""

from __future__ import annotations

import shutil
from decimal import Decimal
from pathlib import Path

import pytest
from django.db import IntegrityError, connection, transaction

from patto.monitoring.models import IndicatorResult, Observation, Target
from patto.monitoring.services import (
    NewValue,
    _staging_rows,
    observations_merge,
    opensdg_import,
)

GOOD = Path(__file__).resolve().parents[1] / "engine" / "files" / "opensdg" / "good"


def current(indicator, **where) -> Observation:
    return indicator.observations.get(is_current=True, **where)


def test_import_again_with_one_changed_value_revises_only_it(bologna, staff, tmp_path):
    repo = tmp_path / "repo"
    shutil.copytree(GOOD, repo)
    first = opensdg_import(path=repo, pact=bologna, user=staff)
    indicator = bologna.indicators.get(code="8-5-2")
    old = current(indicator, year=2019, key__contains='["","",""')
    before = indicator.observations.count()
    path = repo / "data" / "indicator_8-5-2.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2019,5.1", "2019,5.3")
                    + "2024,4.1\n", encoding="utf-8")
    second = opensdg_import(path=repo, pact=bologna, user=staff)
    assert (second["created"], second["revised"]) == (1, 1)
    assert second["unchanged"] == first["created"] + first["revised"] + first["unchanged"] - 1
    new = current(indicator, year=2019, key=old.key)
    old.refresh_from_db()
    assert not old.is_current and old.value_text == "5.1"
    assert new.supersedes_id == old.pk and new.value == Decimal("5.3")
    assert new.created_by == staff and new.batch.kind == "opensdg"
    assert current(indicator, year=2024, key=old.key).supersedes is None
    assert indicator.observations.count() == before + 2
    # One current value per year and series, whatever was revised.
    keys = list(indicator.observations.filter(is_current=True)
                .values_list("key", "year", "period"))
    assert len(keys) == len(set(keys))
    # The stored assessment saw the new values in the same transaction.
    stored = IndicatorResult.objects.get(indicator=indicator)
    assert 2024 in indicator.series_results.get(key=old.key).years and stored.version >= 1
    third = opensdg_import(path=repo, pact=bologna, user=staff)
    assert (third["created"], third["revised"]) == (0, 0)


def test_import_assesses_only_what_it_changed(bologna, staff, tmp_path, monkeypatch):
    """The stored assessment after an import covers the indicators whose values, options
    or targets changed (or that have none yet), and nothing when nothing changed."""
    from patto.monitoring import assessments

    repo = tmp_path / "repo"
    shutil.copytree(GOOD, repo)
    opensdg_import(path=repo, pact=bologna, user=staff)
    assessed = []
    refresh = assessments.assessments_refresh

    def recorded(*, indicators, **kwargs):
        indicators = list(indicators)
        assessed.append(sorted(i.code for i in indicators))
        return refresh(indicators=indicators, **kwargs)

    monkeypatch.setattr(assessments, "assessments_refresh", recorded)
    codes = ("1-2-1", "8-5-2", "11-6-2")
    target = Target.objects.get(indicator__pact=bologna, indicator__code="11-6-2",
                                territory=None, series="")

    def histories():
        return [bologna.indicators.get(code=c).history.count() for c in codes] + [
            target.history.count()]

    before = histories()
    opensdg_import(path=repo, pact=bologna, user=staff)
    assert assessed == []
    assert histories() == before  # nothing changed, nothing recorded as changed
    path = repo / "data" / "indicator_8-5-2.csv"
    path.write_text(path.read_text(encoding="utf-8").replace("2019,5.1", "2019,5.3"),
                    encoding="utf-8")
    config = repo / "indicator-config" / "11-6-2.yml"
    config.write_text(config.read_text(encoding="utf-8").replace("target: 10", "target: 12"),
                      encoding="utf-8")
    opensdg_import(path=repo, pact=bologna, user=staff)
    assert assessed == [["11-6-2", "8-5-2"]]
    target.refresh_from_db()
    assert target.value == Decimal("12")
    # 11-6-2 keeps its configuration, which changed; 8-5-2 changed values, not options.
    assert histories() == [before[0], before[1], before[2] + 1, before[3] + 1]
    stored = bologna.indicators.get(code="8-5-2").series_results.get(
        key__contains='["","",""')
    assert 5.3 in stored.values


def test_merge_counts_and_links_per_indicator(bologna):
    a = bologna.indicators.get(code="8-5-2")
    b = bologna.indicators.get(code="1-2-1")
    kept = current(a, year=2020, key__contains='"037"', disaggregation={})
    changed = b.observations.filter(is_current=True).order_by("key", "year") \
        .select_related("territory").first()
    rows = _staging_rows(a, [
        NewValue(year=kept.year, value_text=kept.value_text, units=kept.units,
                 geocode=kept.geocode, territory=kept.territory),
        NewValue(year=2099, value_text="1.25", units=kept.units, geocode=kept.geocode,
                 territory=kept.territory)])
    rows += _staging_rows(b, [NewValue(
        year=changed.year, period=changed.period, value_text="123.456", series=changed.series,
        units=changed.units, geocode=changed.geocode,
        disaggregation=changed.disaggregation, territory=changed.territory)])
    merged = observations_merge(rows)
    assert (merged[a.pk].created, merged[a.pk].revised, merged[a.pk].unchanged) == (1, 0, 1)
    assert (merged[b.pk].created, merged[b.pk].revised, merged[b.pk].unchanged) == (0, 1, 0)
    revision = current(b, key=changed.key, year=changed.year, period=changed.period)
    assert revision.supersedes_id == changed.pk and revision.value == Decimal("123.456")
    assert revision.disaggregation == changed.disaggregation
    assert revision.territory_id == changed.territory_id
    changed.refresh_from_db()
    assert not changed.is_current
    added = current(a, year=2099, key=kept.key)
    assert added.value == Decimal("1.25") and added.value_text == "1.25"


def test_a_failing_merge_writes_nothing(bologna):
    indicator = bologna.indicators.get(code="8-5-2")
    kept = current(indicator, year=2020, key__contains='"037"', disaggregation={})
    before = list(indicator.observations.values_list("pk", "is_current"))
    twice = NewValue(year=kept.year, value_text="7.7", units=kept.units,
                     geocode=kept.geocode, territory=kept.territory)
    # The same year and series twice: the second insert breaks the one-current-value rule.
    with pytest.raises(IntegrityError), transaction.atomic():
        observations_merge(_staging_rows(indicator, [twice, twice]))
    assert list(indicator.observations.values_list("pk", "is_current")) == before
    assert current(indicator, pk=kept.pk)


def test_merge_uses_copy_on_postgresql(bologna):
    """On PostgreSQL the rows travel by COPY (no INSERT of the staging rows)."""
    if connection.vendor != "postgresql":
        pytest.skip("COPY is PostgreSQL's")
    indicator = bologna.indicators.get(code="8-5-2")
    from django.test.utils import CaptureQueriesContext

    with CaptureQueriesContext(connection) as queries:
        observations_merge(_staging_rows(indicator, [
            NewValue(year=2090 + k, value_text=str(k)) for k in range(5)]))
    seen = [q["sql"] for q in queries.captured_queries]
    assert not any("INSERT INTO patto_observation_staging" in q for q in seen)
    assert indicator.observations.filter(year__gte=2090, is_current=True).count() == 5
