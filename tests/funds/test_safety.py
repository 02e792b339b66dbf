"""Safer irreversible steps and the clerk's pages: confirmation before adopting an allocation
or reversing a movement, one allocation per purpose and year, the comparison's totals, one
page per kind of movement, the filtered and paginated movement list, Italian amounts."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import translation

from patto.funds import selectors, services
from patto.funds.amounts import parse_amount
from patto.funds.models import AllocationRule, Entry, Fund, Movement


@pytest.fixture
def equalisation(bologna):
    return Fund.objects.get(pact=bologna, code="perequativo")


@pytest.fixture
def runs(equalisation):
    """The package's two rules (same purpose, same year), each run once."""
    return [services.simulation_run(user=None, rule=AllocationRule.objects.get(
        fund=equalisation, code=code)) for code in ("perequazione-2025-ampi",
                                                    "perequazione-2025-pesata")]


def _ledger_available(purpose) -> Decimal:
    """What the entries say is available for a purpose: minus the sum of every entry posted
    to its money account (credit-normal), read from the entries, not the kept balance."""
    total = Entry.objects.filter(account__fund=purpose.fund, account__purpose=purpose,
                                 account__kind="available", account__medium="money"
                                 ).aggregate(s=Sum("amount"))["s"]
    return -(total or Decimal("0"))


# ---------------------------------------------------------------------------------------------
# Italian amounts


@pytest.mark.parametrize(("typed", "expected"), [
    ("12.500,00", Decimal("12500.00")), ("12500,5", Decimal("12500.5")),
    ("12500.50", Decimal("12500.50")), ("1.250.000", Decimal("1250000")),
    ("€ 20.000,00", Decimal("20000.00")), ("12,500.00", Decimal("12500.00")),
    (" 7 500,25 ", Decimal("7500.25")), ("8000", Decimal("8000"))])
def test_amounts_typed_the_italian_way_are_read(typed, expected):
    assert parse_amount(typed) == expected


@pytest.mark.parametrize(("typed", "reason"), [
    ("12.500.00", "malformed"), ("1.500", "ambiguous"), ("1,500", "ambiguous"),
    ("12,500,00", "malformed"), ("dodici", "malformed"), ("1.2.3", "malformed"), ("", "malformed")])
def test_amounts_that_two_people_would_read_differently_are_refused(typed, reason):
    with pytest.raises(ValueError, match=reason):
        parse_amount(typed)


def _receipt(fund, amount: str) -> dict:
    return {"receipt-booked_on": "2025-05-01", "receipt-amount": amount,
            "receipt-donor": fund.pact.donors.get(code="hera").pk,
            "receipt-purpose": fund.purposes.first().pk, "receipt-medium": "money"}


def test_the_receipt_page_takes_12_500_00_and_refuses_12_500_00_with_dots(client, staff,
                                                                           bologna):
    fund = Fund.objects.get(pact=bologna, code="comunita")
    client.force_login(staff)
    url = reverse("funds:record", args=[bologna.code, fund.code, "receipt"])
    response = client.post(url, _receipt(fund, "12.500,00"))
    assert response.status_code == 302
    assert Movement.objects.filter(fund=fund).latest("id").amount == Decimal("12500.00")
    before = Movement.objects.count()
    response = client.post(url, _receipt(fund, "12.500.00"))
    assert response.status_code == 200 and Movement.objects.count() == before
    message = response.context["form"].errors["amount"][0]
    # The page speaks Italian: the field's label as the person sees it, and an example.
    assert message.startswith("Importo (euro): “12.500.00”") and "12.500,00" in message
    assert not message.startswith("amount")  # the label, not the code


def test_a_service_refusal_names_the_field_by_its_label(client, staff, bologna):
    fund = Fund.objects.get(pact=bologna, code="comunita")
    client.force_login(staff)
    response = client.post(reverse("funds:record", args=[bologna.code, fund.code,
                                                          "receipt"]),
                           _receipt(fund, "0,00"))
    message = response.context["form"].errors["amount"][0]
    assert message.startswith("Importo (euro): ") and "maggiore di zero" in message


def test_dropdowns_and_the_simulator_show_euro_the_italian_way(client, staff, equalisation,
                                                               runs):
    client.force_login(staff)
    base = [equalisation.pact.code, equalisation.code]
    page = client.get(reverse("funds:record", args=[*base, "payment"]))
    labels = [str(label) for _value, label in
              page.context["form"].fields["commitment"].choices][1:]
    assert labels and all(re.search(r"· € \d{1,3}(\.\d{3})*,\d{2}$", label)
                          for label in labels), labels[:3]
    detail = client.get(reverse("funds:simulation", args=[*base, runs[0].pk])).content.decode()
    assert "€ 20.000,00" in detail and "€ 1.000.000,00" in detail
    assert "20000.00" not in detail


# ---------------------------------------------------------------------------------------------
# Adopting an allocation


def test_adopting_needs_the_confirmation_step_and_shows_the_purpose_figure(
        client, staff, equalisation, runs):
    client.force_login(staff)
    simulation = runs[1]
    url = reverse("funds:adopt", args=[equalisation.pact.code, equalisation.code,
                                       simulation.pk])
    before = Movement.objects.count()
    for attempt in ({}, {"confirmed": "yes"}, {"confirmed": f"{simulation.pk}:1:1"}):
        response = client.post(url, attempt)
        assert response.status_code == 200, attempt  # the summary again, nothing written
        assert Movement.objects.count() == before
    summary = client.get(url).context["summary"]
    purpose = simulation.rule.purpose
    assert summary["available"] == _ledger_available(purpose) == \
        selectors.purpose_available(purpose)
    whole = selectors.fund_totals(equalisation)["money"].available
    assert summary["total"] == simulation.allocated
    assert summary["after"] == summary["available"] - simulation.allocated
    page = client.get(url).content.decode()
    assert f"€ {summary['available']:,.2f}".replace(",", "X").replace(".", ",").replace(
        "X", ".") in page
    if whole != summary["available"]:
        assert f"{whole:,.2f}".replace(",", "X").replace(".", ",").replace("X", ".") \
            not in page
    simulation.refresh_from_db()
    assert simulation.adopted_at is None


def test_a_simulation_that_does_not_fit_its_purpose_offers_no_confirmation(
        client, staff, equalisation):
    rule = AllocationRule.objects.get(fund=equalisation, code="perequazione-2025-pesata")
    rule.total, rule.cap = Decimal("90000000.00"), None
    rule.save()
    simulation = services.simulation_run(user=None, rule=rule)
    client.force_login(staff)
    response = client.get(reverse("funds:adopt", args=[equalisation.pact.code,
                                                       equalisation.code, simulation.pk]))
    assert not response.context["summary"]["fits"]
    assert 'name="confirmed"' not in response.content.decode()


def test_after_one_is_adopted_the_rival_cannot_be_adopted_by_page_or_service(
        client, staff, equalisation, runs):
    adopted, rival = runs
    base = [equalisation.pact.code, equalisation.code]
    client.force_login(staff)
    url = reverse("funds:adopt", args=[*base, adopted.pk])
    fingerprint = client.get(url).context["fingerprint"]
    assert client.post(url, {"confirmed": fingerprint}).status_code == 302
    adopted.refresh_from_db()
    assert adopted.adopted_at is not None
    before = Movement.objects.count()
    with pytest.raises(services.FundError) as caught:
        services.simulation_adopt(simulation=rival, user=staff)
    assert caught.value.code == "purpose-year-adopted"
    assert adopted.rule.name in caught.value.message
    with translation.override("en"), pytest.raises(services.FundError,
                                                   match="already adopted for"):
        services.simulation_adopt(simulation=rival, user=staff)
    # The rival's pages say so and offer no adoption.
    detail = client.get(reverse("funds:simulation", args=[*base, rival.pk]))
    assert detail.context["summary"]["blocker"] == adopted
    assert reverse("funds:adopt", args=[*base, rival.pk]) not in detail.content.decode()
    confirm = client.get(reverse("funds:adopt", args=[*base, rival.pk]))
    assert 'data-testid="adoption-blocked"' in confirm.content.decode()
    assert 'name="confirmed"' not in confirm.content.decode()
    # A forged confirmation is refused by the service, with its reason, and writes nothing.
    forged = f"{rival.pk}:{confirm.context['summary']['total']}:" \
             f"{confirm.context['summary']['available']}"
    response = client.post(reverse("funds:adopt", args=[*base, rival.pk]),
                           {"confirmed": forged})
    assert response.status_code == 200
    assert any(adopted.rule.name in str(m) for m in response.context["messages"])
    listed = {run.pk: run.blocked for run in
              client.get(reverse("funds:simulator", args=base)).context["simulations"]}
    assert (listed[adopted.pk], listed[rival.pk]) == (False, True)
    compare = client.get(reverse("funds:compare", args=base) + f"?a={adopted.pk}&b={rival.pk}")
    assert reverse("funds:adopt", args=[*base, rival.pk]) not in compare.content.decode()
    assert Movement.objects.count() == before
    rival.refresh_from_db()
    assert rival.adopted_at is None


def test_a_rule_for_another_year_is_not_blocked(equalisation, runs, staff):
    services.simulation_adopt(simulation=runs[0], user=staff)
    rule = AllocationRule.objects.get(fund=equalisation, code="perequazione-2025-pesata")
    rule.total = Decimal("1000.00")
    rule.floor, rule.cap = Decimal("0"), None
    rule.year = 2022
    rule.save()
    later = services.simulation_run(user=None, rule=rule)
    assert selectors.simulation_blocker(later) is None


def test_comparison_totals_equal_the_sum_of_the_amounts_and_adopt_links(
        client, staff, equalisation, runs):
    a, b = runs
    client.force_login(staff)
    base = [equalisation.pact.code, equalisation.code]
    response = client.get(reverse("funds:compare", args=base) + f"?a={a.pk}&b={b.pk}")
    totals = response.context["totals"]
    assert totals["a"] == sum(Decimal(line["amount"]) for line in a.lines) == a.allocated
    assert totals["b"] == sum(Decimal(line["amount"]) for line in b.lines) == b.allocated
    assert totals["difference"] == b.allocated - a.allocated
    chart = response.context["chart"]
    assert len(chart["names"]) == 55 and len(chart["series"]) == 2
    largest = [max(x, y) for x, y in zip(*(s["data"] for s in chart["series"]), strict=True)]
    assert largest == sorted(largest, reverse=True)  # sorted bars
    page = response.content.decode()
    for run in runs:
        assert reverse("funds:adopt", args=[*base, run.pk]) in page


def test_the_public_page_shows_each_municipality_values_index_and_share(
        client, staff, equalisation, runs):
    services.simulation_adopt(simulation=runs[0], user=staff)
    page = client.get(equalisation.get_absolute_url()).content.decode()
    eligible = next(line for line in runs[0].lines if line["eligible"])
    assert eligible["name"] in page
    shown = translation.override("it")
    with shown:
        from django.template.defaultfilters import floatformat

        assert floatformat(eligible["share"], 4) in page
        assert floatformat(eligible["index"], 2) in page
    assert runs[0].parameters["indicators"][0]["code"] in page


# ---------------------------------------------------------------------------------------------
# Reversing a movement


def test_a_reversal_confirmed_on_stale_figures_shows_them_again(client, staff, bologna):
    fund = Fund.objects.get(pact=bologna, code="comunita")
    purpose = fund.purposes.get(code="casa")
    hera = bologna.donors.get(code="hera")
    gift = services.movement_receipt(fund=fund, donor=hera, amount="10.00", purpose=purpose,
                                     user=staff)
    client.force_login(staff)
    url = reverse("funds:reverse", args=[bologna.code, fund.code, gift.pk])
    stale = client.get(url).context["summary"]["fingerprint"]
    services.movement_receipt(fund=fund, donor=hera, amount="5.00", purpose=purpose,
                              user=staff)  # the balances shown have moved
    response = client.post(url, {"booked_on": "2025-12-30", "reason": "doppio",
                                 "confirmed": stale})
    assert response.status_code == 200
    assert not Movement.objects.filter(reverses=gift).exists()
    assert response.context["summary"]["fingerprint"] != stale


# ---------------------------------------------------------------------------------------------
# The clerk's pages


@pytest.mark.parametrize("what", ["receipt", "pledge", "commitment", "payment", "release"])
def test_each_kind_of_movement_has_its_own_page(client, clerk, fund, what):
    client.force_login(clerk)
    response = client.get(reverse("funds:record", args=[fund.pact.code, fund.code, what]))
    assert response.status_code == 200
    assert response.context["what"] == what
    page = response.content.decode()
    assert page.count('class="row g-3" novalidate') == 1  # one form, not five
    assert client.get(reverse("funds:record", args=[fund.pact.code, fund.code,
                                                    "transformation"])).status_code == 404


def _receipts(fund, purpose, donor, count: int, start: int = 0) -> None:
    for i in range(start, start + count):
        services.movement_receipt(fund=fund, donor=donor, amount=f"{i + 1}.00",
                                  purpose=purpose, user=None, ref=f"L-{i:04d}",
                                  booked_on=dt.date(2025, 1, 1) + dt.timedelta(days=i % 300))


LIST_QUERIES = 10  # session, user, fund, role (secretariat, clerk), donors visible (secretariat),
#                   count, purposes, donors, the page of movements
FILTER_QUERIES = 2  # the chosen purpose and donor, checked against their choices


def test_the_movement_list_pages_and_filters_in_a_fixed_number_of_queries(
        client, clerk, fund, food, donor, django_assert_num_queries):
    client.force_login(clerk)
    url = reverse("funds:movements", args=[fund.pact.code, fund.code])
    housing = fund.purposes.get(code="housing")
    filters = (f"?kind=receipt&purpose={housing.pk}&donor={donor.pk}"
               "&since=2025-05-15&until=2025-12-31")
    _receipts(fund, food, donor, 3)
    _receipts(fund, housing, donor, 1, start=200)
    client.get(url)  # the session is warm, as on any visit after the first
    with django_assert_num_queries(LIST_QUERIES):
        small = client.get(url)
    assert small.context["page"].paginator.count == 4
    with django_assert_num_queries(LIST_QUERIES + FILTER_QUERIES):
        assert client.get(url + filters).context["page"].paginator.count == 1
    _receipts(fund, food, donor, 117, start=3)
    _receipts(fund, housing, donor, 30, start=120)
    with django_assert_num_queries(LIST_QUERIES):
        large = client.get(url + "?pagina=2")
    page = large.context["page"]
    assert (page.paginator.count, len(page.object_list), page.number) == (151, 50, 2)
    with django_assert_num_queries(LIST_QUERIES + FILTER_QUERIES):
        filtered = client.get(url + filters)
    found = filtered.context["page"].paginator.count
    expected = Movement.objects.filter(fund=fund, kind="receipt", purpose=housing,
                                       donor=donor, booked_on__gte=dt.date(2025, 5, 15),
                                       booked_on__lte=dt.date(2025, 12, 31)).count()
    assert found == expected and 1 < found < 31
    assert all(m.purpose_id == housing.pk for m in filtered.context["page"].object_list)
    # Newest first, and the filters travel with the page links.
    dates = [m.booked_on for m in large.context["page"].object_list]
    assert dates == sorted(dates, reverse=True)
    assert "kind=receipt" in client.get(url + "?kind=receipt").context["query"]


def test_a_movement_page_shows_its_entries_and_the_reversal_is_done_from_it(
        client, clerk, funded, food):
    client.force_login(clerk)
    gift = Movement.objects.get(fund=funded, ref="R-1")
    base = [funded.pact.code, funded.code]
    page = client.get(reverse("funds:movement", args=[*base, gift.pk]))
    assert len(page.context["entries"]) == 2
    url = reverse("funds:reverse", args=[*base, gift.pk])
    assert url in page.content.decode()
    confirm = client.get(url)
    summary = confirm.context["summary"]
    assert summary["reason"] is None and {line["account"].code for line in summary["lines"]} \
        == {"cash-money", "available-money-food"}
    assert all(line["after"] == 0 for line in summary["lines"])
    response = client.post(url, {"booked_on": "2025-12-30", "reason": "errore",
                                 "confirmed": summary["fingerprint"]})
    assert response.status_code == 302
    reversal = Movement.objects.get(reverses=gift)
    again = client.get(reverse("funds:movement", args=[*base, gift.pk]))
    assert again.context["reversed_by"] == reversal
    assert client.get(url).context["summary"]["reason"]


#: Queries of each kind's page, whatever the number of movements, donors and commitments:
#: session, user, fund, roles, the form's choices, the 10 latest; the totals are kept once per
#: data version (core.cache.versioned), so the page is read once after each change first.
KIND_QUERIES = {"receipt": 10, "pledge": 9, "commitment": 9, "payment": 7, "release": 7}


def _grow(fund, food, donor, count: int) -> None:
    """Receipts, pledges and open commitments, each kind's page lists or offers them."""
    for i in range(count):
        services.movement_receipt(fund=fund, donor=donor, amount="100.00", purpose=food,
                                  user=None)
        services.movement_pledge(fund=fund, donor=donor, amount="10.00", purpose=food,
                                 user=None)
        commitment = services.movement_commit(fund=fund, amount="50.00", purpose=food,
                                              beneficiary=f"Beneficiario {i}", user=None)
        services.movement_pay(commitment=commitment, amount="10.00", user=None)
        services.movement_release(commitment=commitment, amount="5.00", user=None)


@pytest.mark.parametrize("what", list(KIND_QUERIES))
def test_each_kind_page_reads_in_a_fixed_number_of_queries(
        client, clerk, fund, food, donor, what, django_assert_num_queries):
    client.force_login(clerk)
    url = reverse("funds:record", args=[fund.pact.code, fund.code, what])
    _grow(fund, food, donor, 2)
    client.get(url)
    with django_assert_num_queries(KIND_QUERIES[what]):
        small = client.get(url)
    _grow(fund, food, donor, 25)
    client.get(url)
    with django_assert_num_queries(KIND_QUERIES[what]):
        large = client.get(url)
    assert len(large.context["recent"]) == 10 > len(small.context["recent"])


def test_the_rule_form_shows_and_takes_amounts_the_italian_way(client, staff, equalisation):
    client.force_login(staff)
    base = [equalisation.pact.code, equalisation.code]
    url = reverse("funds:simulator", args=base) + "?regola=perequazione-2025-pesata"
    page = client.get(url)
    assert 'value="1.000.000,00"' in page.content.decode()  # the rule's amount, as typed
    rule = page.context["rule"]
    form = {"code": rule.code, "name": rule.name, "purpose": rule.purpose_id,
            "method": rule.method, "year": rule.year, "threshold": "50",
            "population_weight": "0,5", "floor": "5.000,00", "cap": "250.000",
            "total": "800.000,00", "ind-TOTAL_FORMS": "1", "ind-INITIAL_FORMS": "1",
            "ind-MIN_NUM_FORMS": "0", "ind-MAX_NUM_FORMS": "12"}
    first = rule.indicators.first()
    form.update({"ind-0-indicator": first.indicator_id, "ind-0-weight": "1",
                 "ind-0-fragile_when_high": "high" if first.fragile_when_high else "low"})
    refused = client.post(url, form)  # "250.000" could be 250 or 250,000: asked again
    assert refused.status_code == 200 and "cap" in refused.context["form"].errors
    form["cap"] = "250.000,00"
    assert client.post(url, form).status_code == 302
    rule.refresh_from_db()
    assert (rule.floor, rule.cap, rule.total) == (Decimal("5000.00"), Decimal("250000.00"),
                                                  Decimal("800000.00"))


def _synthetic(rule, count: int, seed: int):
    """A simulation of ``count`` municipalities, as a national pact's would be (lines only:
    the comparison reads the lines a simulation keeps, never the registry)."""
    import random

    from patto.funds.models import Simulation

    rng = random.Random(seed)
    lines = []
    for i in range(count):
        cents = rng.choice([0, rng.randint(1, 5_000_000)])
        lines.append({"territory": i + 1, "code": f"{i:06d}", "istat_code": f"{i:06d}",
                      "name": f"Comune {i:04d}", "population": 1000, "values": [1.0],
                      "index": 100.0, "eligible": cents > 0, "reason": "",
                      "share": 0.0, "amount": f"{Decimal(cents) / 100:.2f}",
                      "floored": False, "capped": False})
    total = sum((Decimal(line["amount"]) for line in lines), Decimal("0"))
    return Simulation.objects.create(rule=rule, parameters={"threshold": 100,
                                                            "population_weight": 0.5,
                                                            "floor": "0.00", "cap": None,
                                                            "indicators": []},
                                     lines=lines, allocated=total, unallocated=Decimal("0"))


#: session, user, fund, the two simulations, then per side what is available for its purpose
#: and the adopted rival, if any (2 x 2); the superuser needs no role query.
COMPARE_QUERIES = 9


def test_the_comparison_reads_55_or_7900_municipalities_alike(
        client, staff, equalisation, django_assert_num_queries):
    rule = AllocationRule.objects.get(fund=equalisation, code="perequazione-2025-ampi")
    client.force_login(staff)
    url = reverse("funds:compare", args=[equalisation.pact.code, equalisation.code])
    counts = []
    for size in (55, 7900):
        a, b = _synthetic(rule, size, 1), _synthetic(rule, size, 2)
        client.get(url + f"?a={a.pk}&b={b.pk}")
        with django_assert_num_queries(COMPARE_QUERIES) as captured:
            response = client.get(url + f"?a={a.pk}&b={b.pk}")
        counts.append(len(captured))
        totals, chart = response.context["totals"], response.context["chart"]
        assert (totals["a"], totals["b"]) == (a.allocated, b.allocated)
        assert len(chart["names"]) == size
        largest = [max(x, y) for x, y in zip(*(s["data"] for s in chart["series"]),
                                             strict=True)]
        assert largest == sorted(largest, reverse=True)
    assert counts[0] == counts[1]
