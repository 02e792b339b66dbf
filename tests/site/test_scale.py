"""`patto load-scale` builds a valid pact, all of it example data, whose every public page
answers."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from patto.site.scale import PACT, SIZES, geography, indicator_codes, size_with

pytestmark = pytest.mark.django_db

TINY = SIZES["tiny"]


@pytest.fixture
def scale_pact():
    out = io.StringIO()
    call_command("load-scale", "--size", "tiny", stdout=out)
    return out.getvalue()


def test_tiny_scale_pact_is_valid_example_data_of_the_sizes_asked_for(scale_pact):
    from patto.funds.models import Fund, Movement
    from patto.funds.selectors import ledger_verify
    from patto.monitoring.models import Indicator, IndicatorResult, Observation
    from patto.pact.models import Pact, PactParty, Territory
    from patto.pact.selectors import territory_tree
    from patto.projects.models import Project, ProjectUpdate

    pact = Pact.objects.get(code=PACT)
    tree = territory_tree(root=pact.territory, on=pact.signed_on)
    assert len(tree.municipalities) == TINY.municipalities
    assert len(tree.groups) == TINY.provinces
    assert Territory.objects.filter(code__in=geography(TINY).regions).count() == TINY.regions
    assert Indicator.objects.filter(pact=pact).count() == TINY.indicators
    assert Observation.objects.filter(indicator__pact=pact).count() == TINY.observations
    assert Project.objects.filter(pact=pact).count() == TINY.projects
    assert Movement.objects.filter(fund__pact=pact).count() == TINY.movements
    assert ProjectUpdate.objects.filter(project__pact=pact, status="approved").count() == \
        (TINY.projects + 1) // 2
    assert PactParty.objects.filter(pact=pact, role="promoter").count() == 1
    assert pact.clusters.exists()
    # Stored assessments are in step after the bulk load.
    assert IndicatorResult.objects.filter(indicator__pact=pact).count() == TINY.indicators
    # The command's last line says what it loaded.
    assert f"{TINY.observations:,} observations" in scale_pact.splitlines()[-1]

    for model, pact_field in ((Indicator, "pact"), (Observation, "indicator__pact"),
                              (Project, "pact"), (Movement, "fund__pact")):
        rows = model.objects.filter(**{f"{pact_field}__code": PACT})
        assert not rows.filter(is_example=False).exists(), model.__name__

    funds = Fund.objects.filter(pact__code=PACT)
    assert funds.count() == 2
    assert ledger_verify(funds=funds) == []


def test_every_public_page_of_the_scale_pact_answers(scale_pact, client):
    from patto.site.scale import public_pages

    pages = public_pages()
    assert len({name for name, _ in pages}) == len(pages) >= 15
    for name, path in pages:
        response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)


def test_second_load_is_refused_and_changes_nothing(scale_pact):
    from patto.monitoring.models import Observation

    before = Observation.objects.count()
    with pytest.raises(CommandError, match="already loaded"):
        call_command("load-scale", "--size", "tiny", stdout=io.StringIO())
    assert Observation.objects.count() == before


@pytest.mark.parametrize("option", ["--municipalities", "--indicators", "--projects",
                                    "--movements"])
def test_sizes_below_one_are_refused(option):
    with pytest.raises(CommandError, match=f"{option} must be at least 1"):
        call_command("load-scale", "--size", "tiny", option, "0", stdout=io.StringIO())


def test_national_geography_has_italy_s_shape():
    full = SIZES["full"]
    geo = geography(full)
    assert (full.regions, full.provinces, len(geo.municipalities)) == (20, 110, 7900)
    assert len(set(geo.municipalities)) == 7900
    assert all(len(code) == 6 and code.isdigit() for code in geo.municipalities)
    assert 45_000_000 < full.observations < 50_000_000
    assert 900_000 < SIZES["small"].observations < 1_100_000


def test_indicator_codes_are_unique_and_sdg_like():
    codes = indicator_codes(300)
    assert len(set(codes)) == 300
    assert {int(code.split("-")[0]) for code in codes} == set(range(1, 18))


def test_a_preset_takes_overrides():
    assert size_with("tiny", projects=3).projects == 3
    assert size_with("tiny", projects=None).projects == TINY.projects
