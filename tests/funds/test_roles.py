"""Who may write to the funds: every write goes through a service that checks the role, pages
and the back office included; a clerk sees only his funds' donors; typed text is clean."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import translation
from stdnum.it import codicefiscale

from patto.funds import selectors, services
from patto.funds.models import (
    AllocationRule,
    ChargeRule,
    Donor,
    Fund,
    FundClerk,
    Movement,
    RuleIndicator,
    Simulation,
)


def tax_code(base: str) -> str:
    return base + codicefiscale.calc_check_digit(base)


@pytest.fixture
def community(bologna):
    return Fund.objects.get(pact=bologna, code="comunita")


@pytest.fixture
def equalisation(bologna):
    return Fund.objects.get(pact=bologna, code="perequativo")


def _person(db, django_user_model, name: str, *, fund: Fund | None = None, staff=False):
    user = django_user_model.objects.create_user(name, f"{name}@example.org",
                                                 "a-long-test-password", is_staff=staff)
    if fund is not None:
        FundClerk.objects.create(fund=fund, user=user)
    return user


def state() -> tuple:
    """Everything a write of the funds could touch."""
    return (Movement.objects.count(), Donor.objects.count(), AllocationRule.objects.count(),
            RuleIndicator.objects.count(), Simulation.objects.count(),
            Simulation.objects.filter(adopted_at__isnull=False).count(),
            ChargeRule.objects.count(), FundClerk.objects.count(),
            sorted(Donor.objects.values_list("pk", "statement_version", "name")))


# ---------------------------------------------------------------------------------------------
# Services


def test_movement_services_refuse_people_without_the_role(
        db, django_user_model, fund, funded, food, donor, equalisation):
    from django.contrib.auth.models import AnonymousUser

    stranger = _person(db, django_user_model, "stranger")
    elsewhere = _person(db, django_user_model, "elsewhere", fund=equalisation)
    receipt = Movement.objects.get(fund=fund, ref="R-1")
    before = state()
    for user in (AnonymousUser(), stranger, elsewhere):
        with pytest.raises(PermissionDenied):
            services.movement_receipt(fund=fund, donor=donor, amount="5.00", purpose=food,
                                      user=user)
        with pytest.raises(PermissionDenied):
            services.movement_pledge(fund=fund, donor=donor, amount="5.00", purpose=food,
                                     user=user)
        with pytest.raises(PermissionDenied):
            services.movement_commit(fund=fund, amount="5.00", purpose=food,
                                     beneficiary="B", user=user)
        with pytest.raises(PermissionDenied):
            services.movement_reverse(movement=receipt, reason="no", user=user)
        with pytest.raises(PermissionDenied):
            services.donor_statement_revoke(donor=donor, user=user)
        with pytest.raises(PermissionDenied):
            services.donor_change(donor=donor, name="Renamed", user=user)
    for user in (AnonymousUser(), stranger):
        # A clerk of any fund of the pact may add donors to it; nobody else.
        with pytest.raises(PermissionDenied):
            services.donor_create(pact=fund.pact, code="x", kind="organisation", name="X",
                                  user=user)
    assert state() == before


def test_a_clerk_records_in_his_fund_and_only_the_secretariat_allocates(
        clerk, fund, funded, food, equalisation, staff):
    made = services.movement_commit(fund=fund, amount="5.00", purpose=food, beneficiary="B",
                                    user=clerk)
    assert made.recorded_by == clerk
    services.movement_pay(commitment=made, amount="5.00", user=clerk)
    rule = AllocationRule.objects.filter(fund=equalisation).first()
    before = state()
    with pytest.raises(PermissionDenied):
        services.simulation_run(rule=rule, user=clerk)
    with pytest.raises(PermissionDenied):
        services.charge_rule_save(fund=equalisation, valid_from=dt.date(2030, 1, 1),
                                  secondary_rate=Decimal("0.1"),
                                  extraordinary_rate=Decimal("0.1"), user=clerk)
    with pytest.raises(PermissionDenied):
        services.fund_clerk_add(fund=fund, person=staff, user=clerk)
    assert state() == before
    simulation = services.simulation_run(rule=rule, user=staff)
    with pytest.raises(PermissionDenied):
        services.simulation_adopt(simulation=simulation, user=clerk)
    simulation.refresh_from_db()
    assert simulation.adopted_at is None


@pytest.mark.parametrize("field", ["description", "ref", "beneficiary"])
def test_control_characters_in_typed_text_are_refused(funded, fund, food, clerk, field):
    values = {"description": "", "ref": "", "beneficiary": "Emporio"}
    values[field] = "ok\x0bnot ok"
    before = state()
    with translation.override("en"), pytest.raises(services.FundError) as caught:
        services.movement_commit(fund=fund, amount="5.00", purpose=food, user=clerk,
                                 **values)
    assert (caught.value.field, caught.value.code) == (field, "control-character")
    assert "position 3" in caught.value.message
    assert state() == before


def test_control_characters_in_a_reason_an_item_or_a_donor_are_refused(funded, fund, food,
                                                                        donor, clerk):
    receipt = Movement.objects.get(fund=fund, ref="R-1")
    before = state()
    with pytest.raises(services.FundError) as caught:
        services.movement_reverse(movement=receipt, reason="typo\x07", user=clerk)
    assert caught.value.field == "description"
    with pytest.raises(services.FundError) as caught:
        services.movement_receipt(fund=fund, donor=donor, amount="5.00", purpose=food,
                                  medium="kind", item="pasta\x1b", valued_by="CAAB",
                                  user=clerk)
    assert caught.value.field == "item"
    with pytest.raises(services.FundError) as caught:
        services.donor_create(pact=fund.pact, code="new", kind="person", name="Ann\x00a",
                              user=clerk)
    assert caught.value.field == "name"
    assert state() == before


def test_a_donor_with_gifts_is_never_deleted(funded, donor, staff):
    with pytest.raises(services.FundError) as caught:
        services.donor_delete(donor=donor, user=staff)
    assert caught.value.code == "donor-in-books"
    assert Donor.objects.filter(pk=donor.pk).exists()


# ---------------------------------------------------------------------------------------------
# Pages: a POST by someone without the role writes nothing


def _fingerprint(simulation) -> str:
    """The confirmation the adoption page carries: the figures it showed."""
    summary = selectors.adoption_summary(simulation)
    return f"{simulation.pk}:{summary['total']}:{summary['available']}"


def _posts(community, equalisation):
    """Every page that writes, with a POST that would write if it were allowed."""
    from patto.pact.models import Territory

    pact = community.pact
    hera = pact.donors.get(code="hera")
    gift = Movement.objects.filter(fund=community, kind="receipt").first()
    rule = AllocationRule.objects.filter(fund=equalisation).first()
    simulation = services.simulation_run(rule=rule, user=None)
    base = [pact.code, community.code]
    eq = [pact.code, equalisation.code]
    return [
        (reverse("funds:record", args=[*base, "receipt"]), {
            "receipt-booked_on": "2025-05-01", "receipt-amount": "10,00",
            "receipt-donor": hera.pk, "receipt-purpose": community.purposes.first().pk,
            "receipt-medium": "money"}),
        (reverse("funds:record", args=[*eq, "transformation"]), {
            "transformation-ref": "T-X", "transformation-municipality": Territory.objects
            .filter(kind="municipality").first().pk, "transformation-area": "functional_hub",
            "transformation-declared_on": "2025-05-01", "transformation-description": "x",
            "transformation-secondary_charges": "1000", "transformation-extraordinary_"
            "contribution": "0", "transformation-purpose": equalisation.purposes.first().pk}),
        (reverse("funds:reverse", args=[*base, gift.pk]), {
            "booked_on": "2025-12-30", "reason": "no",
            "confirmed": selectors.reversal_summary(gift)["fingerprint"]}),
        (reverse("funds:donors", args=base), {
            "code": "intruso", "kind": "organisation", "name": "Intruso"}),
        (reverse("funds:statement_revoke", args=[*base, hera.pk]), {}),
        (reverse("funds:simulator", args=eq) + f"?regola={rule.code}", {
            "code": rule.code, "name": "Changed", "purpose": rule.purpose_id,
            "method": "weighted", "year": rule.year, "threshold": "40",
            "population_weight": "0.2", "floor": "0", "cap": "", "total": "1000",
            "ind-TOTAL_FORMS": "0", "ind-INITIAL_FORMS": "0", "ind-MIN_NUM_FORMS": "0",
            "ind-MAX_NUM_FORMS": "12"}),
        (reverse("funds:adopt", args=[*eq, simulation.pk]), {
            "confirmed": _fingerprint(simulation)}),
    ]


@pytest.mark.parametrize("who", ["anonymous", "outsider", "clerk-elsewhere",
                                 "clerk-of-community"])
def test_a_post_to_each_writing_page_by_someone_without_the_role_writes_nothing(
        client, db, django_user_model, community, equalisation, fund, who):
    user = None
    if who == "outsider":
        user = _person(db, django_user_model, who)
    elif who == "clerk-elsewhere":
        # A clerk of another fund of the pact: none of these pages is his.
        user = _person(db, django_user_model, who, fund=fund)
    elif who == "clerk-of-community":
        user = _person(db, django_user_model, who, fund=community)
    if user is not None:
        client.force_login(user)
    posts = _posts(community, equalisation)
    if who == "clerk-of-community":
        # His own fund's pages are his; the equalisation fund's and the simulator are not.
        posts = [p for p in posts if f"/{equalisation.code}/" in p[0]]
    before = state()
    for url, data in posts:
        response = client.post(url, data)
        assert response.status_code in (302, 403), url
        if response.status_code == 302:
            assert reverse("site:login") in response["Location"], url
        assert state() == before, url


def test_a_page_shows_a_control_character_on_its_field_and_writes_nothing(
        client, community, staff):
    client.force_login(staff)
    before = state()
    with translation.override("en"):
        response = client.post(reverse("funds:record", args=[
            community.pact.code, community.code, "commitment"]), {
            "commitment-booked_on": "2025-05-01", "commitment-amount": "1,00",
            "commitment-purpose": community.purposes.get(code="casa").pk,
            "commitment-medium": "money", "commitment-beneficiary": "Emporio",
            "commitment-description": "vertical\x0btab"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "description" in errors
    assert state() == before


def test_a_clerk_adds_a_donor_on_the_page_through_the_service(client, community,
                                                              django_user_model, db):
    clerk = _person(db, django_user_model, "cassiere2", fund=community)
    client.force_login(clerk)
    response = client.post(reverse("funds:donors", args=[community.pact.code,
                                                         community.code]), {
        "code": "nuova-org", "kind": "organisation", "name": "Nuova organizzazione"})
    assert response.status_code == 302
    donor = Donor.objects.get(pact=community.pact, code="nuova-org")
    assert donor.history.first().history_user == clerk


# ---------------------------------------------------------------------------------------------
# The back office


@pytest.fixture
def scene(db, django_user_model, bologna, fund, funded, donor):
    """A staff clerk of the test fund; donors of his fund, of the pact's other fund and of
    another pact, each with a tax code."""
    from patto.pact.models import Pact

    clerk = _person(db, django_user_model, "sportello", fund=fund, staff=True)
    mine = Donor.objects.get(pk=donor.pk)
    mine.tax_code = tax_code("RSSMRA80A01H501")
    mine.save()
    theirs = Donor.objects.create(pact=bologna, code="dona-altrove", kind="person",
                                  name="Lucia Altrove", tax_code=tax_code("VRDLGU85M41F205"),
                                  email="lucia@example.org")
    community = Fund.objects.get(pact=bologna, code="comunita")
    services.movement_receipt(fund=community, donor=theirs, amount="5.00",
                              purpose=community.purposes.first(), user=None)
    other_pact = Pact.objects.exclude(pk=bologna.pk).first()
    foreign = Donor.objects.create(pact=other_pact, code="dona-fuori", kind="person",
                                   name="Paolo Fuori", tax_code=tax_code("BNCPLA70C15A944"),
                                   email="paolo@example.org")
    fresh = Donor.objects.create(pact=bologna, code="nuovo-donatore", kind="organisation",
                                 name="Nuovo donatore")
    return {"clerk": clerk, "mine": mine, "theirs": theirs, "foreign": foreign,
            "fresh": fresh}


def test_a_clerk_in_the_admin_sees_only_his_funds_donors_and_no_other_tax_code(client,
                                                                               scene):
    client.force_login(scene["clerk"])
    url = reverse("admin:funds_donor_changelist")
    response = client.get(url)
    assert response.status_code == 200
    listed = {d.code for d in response.context["cl"].result_list}
    assert listed == {scene["mine"].code, scene["fresh"].code}
    page = response.content.decode()
    for hidden in (scene["theirs"], scene["foreign"]):
        assert hidden.name not in page and hidden.tax_code not in page
        # Searching by the tax code finds nothing either.
        found = client.get(url, {"q": hidden.tax_code}).context["cl"].result_list
        assert list(found) == []
        change = client.get(reverse("admin:funds_donor_change", args=[hidden.pk]))
        assert change.status_code in (302, 404)
        assert hidden.tax_code not in change.content.decode()
        history = client.get(reverse("admin:funds_donor_history", args=[hidden.pk]))
        assert history.status_code in (302, 403, 404)
        assert hidden.tax_code.encode() not in history.content
    mine = client.get(reverse("admin:funds_donor_change", args=[scene["mine"].pk]))
    assert mine.status_code == 200 and scene["mine"].tax_code in mine.content.decode()


def test_a_clerk_in_the_admin_sees_only_his_funds_books(client, scene, fund):
    client.force_login(scene["clerk"])
    movements = client.get(reverse("admin:funds_movement_changelist"))
    assert {m.fund_id for m in movements.context["cl"].result_list} == {fund.pk}
    funds = client.get(reverse("admin:funds_fund_changelist"))
    assert [f.pk for f in funds.context["cl"].result_list] == [fund.pk]
    form = client.get(reverse("admin:funds_chargerule_changelist"))
    assert list(form.context["cl"].result_list) == []


def test_an_admin_donor_save_goes_through_the_service_with_its_checks(client, scene,
                                                                      bologna):
    clerk, mine = scene["clerk"], scene["mine"]
    client.force_login(clerk)
    url = reverse("admin:funds_donor_change", args=[mine.pk])
    form = client.get(url).context["adminform"].form
    # The pact can only be one of the clerk's funds' pacts.
    assert list(form.fields["pact"].queryset) == [bologna]
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(name="Nome corretto")
    response = client.post(url, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    mine.refresh_from_db()
    assert mine.name == "Nome corretto"
    assert mine.history.first().history_user == clerk
    data.update(name="Nome\x0bsporco")
    response = client.post(url, data)
    assert response.status_code == 200
    mine.refresh_from_db()
    assert mine.name == "Nome corretto"
    # The ledger stays read-only, for him as for everybody.
    movement = Movement.objects.filter(fund__clerks__user=clerk).first()
    change = client.post(reverse("admin:funds_movement_change", args=[movement.pk]),
                         {"amount": "1.00"})
    assert change.status_code == 403
    assert Movement.objects.get(pk=movement.pk).amount == movement.amount


def test_an_admin_revert_of_a_read_only_row_writes_nothing(client, staff, equalisation):
    """A history "revert" would save through save_model without asking for the change
    permission: rows no service writes refuse it."""
    rule = AllocationRule.objects.filter(fund=equalisation).first()
    record = rule.history.first()
    client.force_login(staff)
    url = reverse("admin:funds_allocationrule_simple_history", args=[rule.pk,
                                                                     record.history_id])
    data = {"code": rule.code, "name": "Reverted", "fund": rule.fund_id,
            "purpose": rule.purpose_id, "method": rule.method, "year": rule.year,
            "threshold": rule.threshold, "population_weight": rule.population_weight,
            "floor": rule.floor, "total": rule.total}
    response = client.post(url, data)
    assert response.status_code == 403
    rule.refresh_from_db()
    assert rule.name != "Reverted"


def test_the_secretariat_names_clerks_in_the_admin_through_the_service(client, staff,
                                                                       community, db,
                                                                       django_user_model):
    person = _person(db, django_user_model, "nuovo-cassiere")
    client.force_login(staff)
    url = reverse("admin:funds_fund_change", args=[community.pk])
    page = client.get(url)
    assert page.status_code == 200
    formsets = {fs.formset.prefix: fs.formset for fs in page.context["inline_admin_formsets"]}
    clerks = formsets["clerks"]
    data = {}
    for prefix, formset in formsets.items():
        management = formset.management_form
        for name in ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS"):
            data[f"{prefix}-{name}"] = management[name].value()
        for i, form in enumerate(formset.forms):
            for name in ("id", "fund"):
                value = form[name].value() if name in form.fields else None
                if value is not None:
                    data[f"{prefix}-{i}-{name}"] = value
    total = int(data["clerks-TOTAL_FORMS"])
    data["clerks-TOTAL_FORMS"] = str(total + 1)
    data[f"clerks-{total}-user"] = person.pk
    data[f"clerks-{total}-fund"] = community.pk
    response = client.post(url, data)
    assert response.status_code == 302, response.context and [
        f.errors for f in clerks.forms]
    assert FundClerk.objects.filter(fund=community, user=person).exists()
