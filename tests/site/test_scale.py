"""`patto load-scale` builds a valid pact, all of it example data, whose every public page
answers."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command

from patto.site.scale import PACT, SIZES, geography, indicator_codes, size_with

pytestmark = pytest.mark.django_db

TINY = SIZES["tiny"]


@pytest.fixture(autouse=True)
def _fresh_rate_limits():
    """Participation's rate limits count in the cache by user id: a load made by an earlier
    test (ids reused after its rollback) must not count against this one's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()


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


def test_tiny_scale_pact_takes_part_and_records_work(scale_pact):
    from patto.instruments.models import (
        Agreement,
        CrisisCase,
        DevelopmentService,
        RegisterApplication,
    )
    from patto.participation.models import (
        Call,
        Comment,
        Network,
        OpenChallenge,
        Proposal,
        Solution,
        Vote,
    )

    calls = Call.objects.filter(pact__code=PACT)
    assert calls.filter(status="published").count() == TINY.calls
    assert Proposal.objects.filter(call__in=calls, status="submitted").count() == \
        TINY.calls * TINY.proposals
    challenges = OpenChallenge.objects.filter(pact__code=PACT, status="open")
    assert challenges.count() == TINY.challenges
    solutions = Solution.objects.filter(challenge__in=challenges)
    assert solutions.count() == TINY.challenges * TINY.solutions
    # Some solutions draw more support than others; some are discussed.
    assert Vote.objects.filter(solution__in=solutions).count() > solutions.count()
    assert Comment.objects.filter(solution__in=solutions).exists()
    assert Network.objects.filter(pact__code=PACT).count() == TINY.networks
    assert CrisisCase.objects.filter(pact__code=PACT).count() == TINY.work_records
    assert CrisisCase.objects.filter(pact__code=PACT, status="closed").exists()
    assert Agreement.objects.filter(pact__code=PACT).count() == TINY.work_records
    assert RegisterApplication.objects.filter(
        pact__code=PACT, status="registered").count() == TINY.work_records
    assert DevelopmentService.objects.filter(pact__code=PACT).exists()
    for model in (Call, OpenChallenge, Network, CrisisCase, Agreement, RegisterApplication,
                  DevelopmentService):
        rows = model.objects.filter(pact__code=PACT)
        assert rows.exists() and not rows.filter(is_example=False).exists(), model.__name__


#: The most queries a public page of the scale pact may make: any page (a project's sheet
#: makes about 35), and participation's and the work instruments' (each under 10 at the
#: tiny size), whose queries must not grow with their rows.
MAX_QUERIES = 60
MAX_QUERIES_NEW = 15
NEW_PAGES = {"calls", "call", "proposal", "challenges", "challenge", "solution", "networks",
             "network", "instruments", "crisis cases", "crisis case", "pathways", "register",
             "agreements", "development"}


def test_every_public_page_of_the_scale_pact_answers(scale_pact, client):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from patto.site.scale import public_pages

    pages = public_pages()
    assert len({name for name, _ in pages}) == len(pages) >= 30
    names = {name for name, _ in pages}
    # Participation's and the work instruments' public pages are measured too.
    assert NEW_PAGES <= names
    counts = {}
    for name, path in pages:
        with CaptureQueriesContext(connection) as queries:
            response = client.get(path)
        assert response.status_code == 200, (name, path, response.status_code)
        counts[name] = len(queries)
    assert max(counts.values()) <= MAX_QUERIES, counts
    assert max(counts[name] for name in NEW_PAGES) <= MAX_QUERIES_NEW, counts


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
