"""Equalisation: contributions by the dated rule, simulations, comparison, adoption; the
package's funds section on reload and with bad rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse

from patto.funds import selectors, services
from patto.funds.models import AllocationRule, Fund, Movement, Simulation, Transformation


@pytest.fixture
def equalisation(bologna):
    return Fund.objects.get(pact=bologna, code="perequativo")


def test_package_transformations_use_the_rule_in_force_on_their_day(equalisation):
    calderara = Transformation.objects.get(fund=equalisation, ref="T-2022-002")
    # 2021 rule: half of each charge, each product rounded half-up to the cent.
    expected = ((calderara.secondary_charges * Decimal("0.5")).quantize(Decimal("0.01"),
                                                                         "ROUND_HALF_UP")
                + (calderara.extraordinary_contribution * Decimal("0.5")).quantize(
                    Decimal("0.01"), "ROUND_HALF_UP"))
    assert calderara.due == expected
    later = Transformation.objects.get(fund=equalisation, ref="T-2024-001")
    assert later.rule.valid_from == dt.date(2024, 1, 1)
    assert later.pledge.amount == later.due and later.pledge.kind == Movement.Kind.PLEDGE


def test_declaring_a_transformation_pledges_the_contribution(equalisation, bologna):
    from patto.pact.models import Territory

    place = Territory.objects.get(code="037006")
    purpose = equalisation.purposes.get(code="rigenerazione")
    made = services.transformation_declare(user=None,
        fund=equalisation, ref="T-NEW", municipality=place, area="functional_hub",
        declared_on=dt.date(2025, 3, 1), description="Nuovo polo",
        secondary_charges="100000.00", extraordinary_contribution="0", purpose=purpose)
    assert made.due == Decimal("60000.00")  # 2024 rule: 0.6 of secondary charges
    assert made.pledge.donor.territory == place
    with pytest.raises(services.FundError, match="nessuna regola di contribuzione") as caught:
        services.transformation_declare(user=None,
            fund=equalisation, ref="T-OLD", municipality=place, area="functional_hub",
            declared_on=dt.date(2019, 3, 1), description="Troppo presto",
            secondary_charges="100.00", extraordinary_contribution="0", purpose=purpose)
    assert caught.value.field == "declared_on"
    with pytest.raises(services.FundError, match="secondary_charges"):
        services.transformation_declare(user=None,
            fund=equalisation, ref="T-NEG", municipality=place, area="functional_hub",
            declared_on=dt.date(2025, 3, 1), description="Negativo",
            secondary_charges="-1.00", extraordinary_contribution="0", purpose=purpose)


@pytest.mark.parametrize("code", ["perequazione-2025-ampi", "perequazione-2025-pesata"])
def test_a_simulation_explains_every_municipality_and_sums_exactly(equalisation, code):
    rule = AllocationRule.objects.get(fund=equalisation, code=code)
    simulation = services.simulation_run(user=None, rule=rule)
    assert len(simulation.lines) == 55
    amounts = [Decimal(line["amount"]) for line in simulation.lines]
    assert sum(amounts) == simulation.allocated
    assert simulation.allocated + simulation.unallocated == rule.total
    eligible = [line for line in simulation.lines if line["eligible"]]
    assert eligible and len(eligible) < 55
    for line in simulation.lines:
        amount = Decimal(line["amount"])
        if line["eligible"]:
            assert rule.floor <= amount <= (rule.cap or amount)
            assert line["index"] >= rule.threshold
        else:
            assert amount == 0
        assert len(line["values"]) == rule.indicators.count()
    assert simulation.parameters["indicators"][0]["code"]


def test_two_simulations_compared_and_one_adopted_becomes_commitments(equalisation, staff):
    a = services.simulation_run(user=None, rule=AllocationRule.objects.get(
        fund=equalisation, code="perequazione-2025-ampi"))
    b = services.simulation_run(user=None, rule=AllocationRule.objects.get(
        fund=equalisation, code="perequazione-2025-pesata"))
    rows = selectors.simulation_compare(a, b)
    assert len(rows) == 55
    assert sum(r["difference"] for r in rows) == b.allocated - a.allocated
    available = selectors.fund_totals(equalisation)["money"].available
    made = services.simulation_adopt(simulation=b, user=staff)
    assert sum(m.amount for m in made) == b.allocated
    assert all(m.simulation == b and m.beneficiary_territory for m in made)
    assert selectors.fund_totals(equalisation)["money"].available == available - b.allocated
    b.refresh_from_db()
    assert b.adopted_by == staff
    with pytest.raises(services.FundError, match="già stato adottato"):
        services.simulation_adopt(user=None, simulation=b)
    assert selectors.ledger_verify(funds=Fund.objects.filter(pk=equalisation.pk)) == []


def test_adopting_more_than_is_available_commits_nothing(equalisation):
    rule = AllocationRule.objects.get(fund=equalisation, code="perequazione-2025-pesata")
    rule.total = Decimal("90000000.00")
    rule.cap = None
    rule.save()
    simulation = services.simulation_run(user=None, rule=rule)
    before = Movement.objects.filter(fund=equalisation).count()
    with pytest.raises(services.FundError, match="disponibile"):
        services.simulation_adopt(user=None, simulation=simulation)
    assert Movement.objects.filter(fund=equalisation).count() == before
    simulation.refresh_from_db()
    assert simulation.adopted_at is None


def test_simulator_pages_run_compare_and_adopt(client, staff, equalisation):
    client.force_login(staff)
    base = [equalisation.pact.code, equalisation.code]
    page = client.get(reverse("funds:simulator", args=base) + "?regola=perequazione-2025-ampi")
    assert page.status_code == 200
    rule = page.context["rule"]
    form = {"code": rule.code, "name": rule.name, "purpose": rule.purpose_id,
            "method": "weighted", "year": rule.year, "threshold": "40",
            "population_weight": "0.2", "floor": "5000", "cap": "200000", "total": "800000",
            "ind-TOTAL_FORMS": "2", "ind-INITIAL_FORMS": "2", "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "12"}
    for i, ri in enumerate(rule.indicators.all()[:2]):
        form[f"ind-{i}-indicator"] = ri.indicator_id
        form[f"ind-{i}-weight"] = "1"
        form[f"ind-{i}-fragile_when_high"] = "high" if ri.fragile_when_high else "low"
    response = client.post(reverse("funds:simulator", args=base) + f"?regola={rule.code}",
                           form)
    assert response.status_code == 302, (response.context["form"].errors,
                                         response.context["formset"].errors,
                                         [str(m) for m in response.context["messages"]])
    first = Simulation.objects.latest("created_at")
    assert first.parameters["method"] == "weighted" and len(
        first.parameters["indicators"]) == 2
    second = services.simulation_run(user=None, rule=AllocationRule.objects.get(
        fund=equalisation, code="perequazione-2025-pesata"))
    compared = client.get(reverse("funds:compare", args=base) + f"?a={first.pk}&b={second.pk}")
    assert compared.status_code == 200 and len(compared.context["rows"]) == 55
    detail = reverse("funds:simulation", args=[*base, first.pk])
    assert client.get(detail).status_code == 200
    assert client.post(detail).status_code == 405  # adopting has its confirmation page
    adopt = reverse("funds:adopt", args=[*base, first.pk])
    confirm = client.get(adopt)
    assert client.post(adopt, {"confirmed": confirm.context["fingerprint"]}).status_code == 302
    first.refresh_from_db()
    assert first.adopted_at is not None
    # An adopted rule is locked.
    client.post(reverse("funds:simulator", args=base) + f"?regola={rule.code}", form)
    assert Simulation.objects.filter(rule=rule).count() == 1


def test_reloading_the_package_changes_nothing_in_the_books(bologna):
    from patto.pact.services import pact_load_package
    from tests.conftest import PACKAGE

    before = Movement.objects.count()
    result = pact_load_package(path=PACKAGE)
    assert not result.changed
    assert Movement.objects.count() == before


def test_a_package_row_that_changes_a_posted_movement_is_refused(db, package_copy):
    from patto.core.errors import ApplicationError
    from patto.pact.services import pact_load_package
    from tests.conftest import edit_csv

    edit_csv(package_copy / "fund_movements.csv", 2, "amount", "999.99")
    before = Movement.objects.count()
    with pytest.raises(ApplicationError) as caught:
        pact_load_package(path=package_copy)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("fund_movements.csv", 2, "ref")
    assert "non si modificano mai" in problem.detail
    assert Movement.objects.count() == before


def test_a_package_commitment_above_availability_is_refused_with_its_place(db, package_copy):
    import csv

    from patto.core.errors import ApplicationError
    from patto.pact.services import pact_load_package
    from tests.conftest import edit_csv

    path = package_copy / "fund_movements.csv"
    rows = list(csv.DictReader(path.open(encoding="utf-8")))
    number = next(i for i, r in enumerate(rows, start=2) if r["kind"] == "commitment")
    edit_csv(path, number, "ref", "NEW-COMMITMENT")
    edit_csv(path, number, "amount", "99999999.00")
    with pytest.raises(ApplicationError) as caught:
        pact_load_package(path=package_copy)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("fund_movements.csv", number,
                                                          "amount")


def test_a_funded_project_cannot_be_pruned_by_a_reload(bologna):
    from patto.engine.problems import InputError
    from patto.pact.services import LoadResult, PackageWriter
    from patto.projects.models import Project

    writer = PackageWriter(LoadResult(), None, "test")
    funded = Project.objects.filter(pact=bologna, code="az-5")
    with pytest.raises(InputError) as caught:
        writer.prune(funded, keep_ids=set())
    assert caught.value.problems[0].code == "still-referenced"
    assert funded.exists()
