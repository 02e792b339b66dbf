"""The funds' public pages and downloads, staff pages and their permissions, statements."""

from __future__ import annotations

import csv
import io
import json
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import translation
from django.utils.translation import gettext

from patto.funds.models import Fund, FundClerk, Movement


def body(response) -> bytes:
    """A response's bytes, whether the page streams them (downloads) or not."""
    return b"".join(response.streaming_content) if response.streaming else response.content


@pytest.fixture
def community(bologna):
    return Fund.objects.get(pact=bologna, code="comunita")


@pytest.fixture
def equalisation(bologna):
    return Fund.objects.get(pact=bologna, code="perequativo")


def test_package_example_funds_are_loaded_and_their_books_verified(bologna):
    from patto.funds.selectors import fund_totals, ledger_verify

    funds = Fund.objects.filter(pact=bologna)
    assert sorted(f.code for f in funds) == ["comunita", "perequativo"]
    assert ledger_verify(funds=funds) == []
    community = funds.get(code="comunita")
    totals = fund_totals(community)
    assert totals["money"].received == Decimal("512550.00")
    assert totals["kind"].received == Decimal("54000.00")
    assert Movement.objects.filter(fund__pact=bologna, is_example=True).exists()
    assert not Movement.objects.filter(fund__pact=bologna, is_example=False).exists()


def test_fund_pages_show_totals_charts_and_destinations(client, community,
                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(40):
        response = client.get(community.get_absolute_url())
    assert response.status_code == 200
    page = response.content.decode()
    assert "512.550,00" in page  # money received, Italian formatting
    data = response.context["charts"]
    assert data["flows"]["links"] and data["time"]["years"]
    assert any(d.project for d in response.context["destinations"])
    index = client.get(reverse("funds:index"))
    assert index.status_code == 200 and community.name in index.content.decode()


def test_equalisation_page_has_the_map_and_the_transformations(client, equalisation):
    response = client.get(equalisation.get_absolute_url() + "?mostra=assegnazioni")
    assert response.status_code == 200
    values = response.context["map"]["values"]
    assert len(values) == 55
    assert values["037033"] and values["037033"] > 0  # Lizzano in Belvedere received money
    assert len(response.context["transformations"]) == 6


def test_people_without_consent_stay_anonymous_in_every_public_output(client, community,
                                                                      bologna):
    from patto.funds.models import Donor

    hidden = [d.name for d in Donor.objects.filter(pact=bologna, kind="person",
                                                   consent_public=False)]
    shown = [d.name for d in Donor.objects.filter(pact=bologna, kind="person",
                                                  consent_public=True)]
    assert hidden and shown
    urls = [community.get_absolute_url()] + [
        reverse(name, args=[bologna.code, community.code, fmt])
        for name in ("funds:movements_download", "funds:journal", "funds:trial_balance")
        for fmt in ("csv", "json")]
    for url in urls:
        text = body(client.get(url)).decode()
        for name in hidden:
            assert name not in text, url
    assert "Donatore anonimo" in body(client.get(urls[1])).decode()
    assert any(name in body(client.get(urls[1])).decode() for name in shown)


def test_downloads_in_three_formats_carry_every_movement(client, community, bologna):
    count = Movement.objects.filter(fund=community).count()
    url = reverse("funds:movements_download", args=[bologna.code, community.code, "csv"])
    rows = list(csv.DictReader(io.StringIO(body(client.get(url)).decode())))
    assert len(rows) == count
    url = reverse("funds:movements_download", args=[bologna.code, community.code, "json"])
    assert len(json.loads(body(client.get(url)))) == count
    url = reverse("funds:movements_download", args=[bologna.code, community.code, "xlsx"])
    assert client.get(url)["Content-Type"].startswith("application/vnd.openxmlformats")
    bad = reverse("funds:movements_download", args=[bologna.code, community.code, "pdf"])
    assert client.get(bad).status_code == 404


def test_trial_balance_download_reconciles(client, community, bologna):
    url = reverse("funds:trial_balance", args=[bologna.code, community.code, "csv"])
    rows = list(csv.DictReader(io.StringIO(body(client.get(url)).decode())))
    total = rows[-1]
    assert total["account"] == "TOTAL" and total["debits"] == total["credits"]
    assert sum(Decimal(r["debits"]) for r in rows[:-1]) == Decimal(total["debits"])


@pytest.mark.parametrize(("who", "expected"), [
    ("anonymous", 302), ("outsider", 403), ("clerk-elsewhere", 403), ("clerk", 200),
    ("secretariat", 200)])
def test_staff_pages_need_the_fund_clerk_role_or_the_secretariat(
        client, community, equalisation, django_user_model, staff, who, expected):
    user = None
    if who != "anonymous":
        user = staff if who == "secretariat" else django_user_model.objects.create_user(
            who, f"{who}@example.org", "a-long-test-password")
    if who == "clerk":
        FundClerk.objects.create(fund=community, user=user)
    if who == "clerk-elsewhere":
        FundClerk.objects.create(fund=equalisation, user=user)
    if user:
        client.force_login(user)
    url = reverse("funds:manage", args=[community.pact.code, community.code])
    assert client.get(url).status_code == expected
    before = Movement.objects.count()
    response = client.post(reverse("funds:record", args=[
        community.pact.code, community.code, "receipt"]), {
        "receipt-booked_on": "2025-05-01", "receipt-amount": "10,00",
        "receipt-donor": community.pact.donors.get(code="hera").pk,
        "receipt-purpose": community.purposes.first().pk, "receipt-medium": "money"})
    assert Movement.objects.count() == before + (1 if expected == 200 else 0)
    assert response.status_code == (302 if expected == 200 else expected)


def test_the_simulator_is_for_the_secretariat_alone(client, equalisation, django_user_model):
    clerk = django_user_model.objects.create_user("c2", "c2@example.org",
                                                  "a-long-test-password")
    FundClerk.objects.create(fund=equalisation, user=clerk)
    client.force_login(clerk)
    url = reverse("funds:simulator", args=[equalisation.pact.code, equalisation.code])
    assert client.get(url).status_code == 403


def test_a_refused_movement_shows_the_field_and_writes_nothing(client, community, staff):
    client.force_login(staff)
    before = Movement.objects.count()
    response = client.post(reverse("funds:record", args=[
        community.pact.code, community.code, "commitment"]), {
        "commitment-booked_on": "2025-05-01", "commitment-amount": "99999999,00",
        "commitment-purpose": community.purposes.get(code="casa").pk,
        "commitment-medium": "money", "commitment-beneficiary": "Troppo"})
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "amount" in errors and "disponibile" in errors["amount"][0]
    assert Movement.objects.count() == before


def test_reversal_from_the_staff_page(client, community, staff):
    from patto.funds import services
    from patto.funds.models import Account

    client.force_login(staff)
    purpose = community.purposes.get(code="casa")
    gift = services.movement_receipt(fund=community, donor=community.pact.donors.get(
        code="hera"), amount="10.00", purpose=purpose, ref="R-TWICE", user=staff)
    balances = dict(Account.objects.filter(fund=community).values_list("code",
                                                                       "balance_cents"))
    page = client.get(reverse("funds:movement", args=[community.pact.code, community.code,
                                                       gift.pk]))
    url = reverse("funds:reverse", args=[community.pact.code, community.code, gift.pk])
    assert page.status_code == 200 and url in page.content.decode()
    # Without the confirmation step the page only shows what would happen.
    shown = client.post(url, {"booked_on": "2025-12-30", "reason": "registrato due volte"})
    assert shown.status_code == 200 and not Movement.objects.filter(reverses=gift).exists()
    fingerprint = shown.context["summary"]["fingerprint"]
    response = client.post(url, {"booked_on": "2025-12-30", "reason": "registrato due volte",
                                 "confirmed": fingerprint})
    assert response.status_code == 302
    reversal = Movement.objects.get(reverses=gift)
    assert (reversal.kind, reversal.amount, reversal.recorded_by) == ("reversal",
                                                                      gift.amount, staff)
    assert dict(Account.objects.filter(fund=community).values_list(
        "code", "balance_cents")) == {**balances, "cash-money": balances["cash-money"] - 1000,
                                      "available-money-casa":
                                      balances["available-money-casa"] + 1000}


def test_a_refused_reversal_from_the_staff_page_says_why_and_writes_nothing(
        client, community, staff):
    from patto.funds import services
    from patto.funds.models import Account

    client.force_login(staff)
    purpose = community.purposes.get(code="casa")
    gift = services.movement_receipt(fund=community, donor=community.pact.donors.get(
        code="hera"), amount="10.00", purpose=purpose, ref="R-SPENT", user=staff)
    # Everything available for the purpose is committed: the gift cannot be taken back.
    available = Account.objects.get(fund=community, code="available-money-casa").normal_balance
    services.movement_commit(fund=community, amount=available, purpose=purpose,
                             beneficiary="Tutto impegnato", user=staff)
    before = Movement.objects.count()
    url = reverse("funds:reverse", args=[community.pact.code, community.code, gift.pk])
    summary = client.get(url).context["summary"]
    assert summary["reason"] and any(line["short"] for line in summary["lines"])
    response = client.post(url, {"booked_on": "2025-12-30", "reason": "errore",
                                 "confirmed": summary["fingerprint"]}, follow=True)
    assert Movement.objects.count() == before
    assert not Movement.objects.filter(reverses=gift).exists()
    assert any("disponibile" in str(m) for m in response.context["messages"])


def test_donor_statement_by_signed_link_and_a_forged_one_is_refused(client, community,
                                                                    bologna):
    from patto.funds.models import Donor
    from patto.funds.views import statement_token

    donor = Donor.objects.get(pact=bologna, code="fondazione-carisbo")
    response = client.get(reverse("funds:statement", args=[statement_token(donor)]))
    assert response.status_code == 200
    assert response["Cache-Control"] == "private, no-store"
    gifts = Movement.objects.filter(donor=donor, kind="receipt", reversed_by__isnull=True)
    assert response.context["given"] == sum(m.amount for m in gifts) > 0
    assert response.context["attributions"]
    token = statement_token(donor)
    assert client.get(reverse("funds:statement", args=[token[:-2] + "xx"])).status_code == 404


def _import(tmp_path, rows: list[dict], user, name: str = "upload.csv") -> dict:
    """Rows posted through the one import pipeline, as a staff upload is."""
    from patto.core.importing import import_run
    from patto.funds import exchange

    path = tmp_path / name
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=exchange.MOVEMENT_COLUMNS)
        writer.writeheader()
        writer.writerows(rows)
    return import_run(importer=exchange.IMPORTER, path=path, name=name, user=user)


def test_staff_export_reimports_exactly_into_an_empty_fund(client, community, staff,
                                                           bologna, tmp_path):
    from patto.funds import exchange
    from patto.funds.models import Purpose
    from patto.pact.models import Instrument

    client.force_login(staff)
    exported = body(client.get(reverse("funds:export", args=[bologna.code, community.code])))
    rows = list(csv.DictReader(io.StringIO(exported.decode())))
    assert len(rows) == Movement.objects.filter(fund=community).count()
    instrument = Instrument.objects.create(pact=bologna, code="copy", name="Copy",
                                           kind="community_fund", summary="c")
    copy = Fund.objects.create(pact=bologna, instrument=instrument, code="copy",
                               kind="community")
    for p in community.purposes.all():
        Purpose.objects.create(fund=copy, code=p.code, name=p.name, position=p.position)
    for row in rows:
        row["fund"] = "copy"
    _import(tmp_path, rows, staff, "copy.csv")
    fund_column = exchange.MOVEMENT_COLUMNS.index("fund")

    def without_fund(found):
        return [row[:fund_column] + row[fund_column + 1:] for row in found]

    assert without_fund(exchange.movements_export_rows(copy)) == without_fund(
        exchange.movements_export_rows(community))


def test_a_malformed_import_row_names_its_place_and_writes_nothing(community, bologna,
                                                                   staff, tmp_path):
    from patto.core.errors import ApplicationError

    before = Movement.objects.count()
    rows = [
        {"pact": bologna.code, "fund": "comunita", "ref": "N-1", "kind": "receipt",
         "date": "2025-06-01", "donor": "hera", "purpose": "lavoro", "amount": "100.00"},
        {"pact": bologna.code, "fund": "comunita", "ref": "N-2", "kind": "receipt",
         "date": "2025-06-01", "donor": "nobody", "purpose": "lavoro", "amount": "5"},
    ]
    with pytest.raises(ApplicationError) as caught:
        _import(tmp_path, rows, staff)
    problem = caught.value.problems[0]
    assert (problem.file, problem.row, problem.field) == ("upload.csv", 3, "donor")
    assert Movement.objects.count() == before
    rows[1]["donor"] = "hera"
    rows[1]["amount"] = "-5"
    with pytest.raises(ApplicationError) as caught:
        _import(tmp_path, rows, staff)
    assert (caught.value.problems[0].row, caught.value.problems[0].field) == (3, "amount")
    assert Movement.objects.count() == before


def test_an_import_by_someone_without_the_role_writes_nothing(community, bologna, tmp_path,
                                                              django_user_model):
    from patto.core.errors import ApplicationError

    outsider = django_user_model.objects.create_user("intruso", "i@example.org",
                                                     "a-long-test-password")
    before = Movement.objects.count()
    rows = [{"pact": bologna.code, "fund": "comunita", "ref": "N-1", "kind": "receipt",
             "date": "2025-06-01", "donor": "hera", "purpose": "lavoro", "amount": "1.00"}]
    with pytest.raises(ApplicationError) as caught:
        _import(tmp_path, rows, outsider)
    assert (caught.value.problems[0].row, caught.value.problems[0].field) == (2, "fund")
    assert Movement.objects.count() == before


def _grow(fund, food, bologna, n: int) -> None:
    """More donors, receipts, commitments to projects and payments: what a fund's public
    pages read grows, their queries must not."""
    from patto.funds import services
    from patto.funds.models import Donor
    from patto.projects.models import Project

    projects = list(Project.objects.filter(pact=bologna)[:5])
    start = Donor.objects.filter(code__startswith="grow-").count()
    for k in range(start, start + n):
        giver = Donor.objects.create(pact=bologna, code=f"grow-{k}",
                                     kind=Donor.Kind.ORGANISATION, name=f"Donor {k}")
        services.movement_receipt(user=None, fund=fund, donor=giver, purpose=food,
                                  amount=Decimal("100.00"), ref=f"G-R-{k}")
        made = services.movement_commit(user=None, fund=fund, purpose=food,
                                        amount=Decimal("40.00"), ref=f"G-C-{k}",
                                        project=projects[k % len(projects)])
        services.movement_pay(user=None, commitment=made, amount=Decimal("10.00"),
                              ref=f"G-P-{k}")


#: The funds' public pages: the same queries whatever the number of movements, donors and
#: destinations. After a change the figures are computed (grouped sums); until the next
#: change they are read back from the cache (patto.core.cache.versioned).
FUND_PAGE_QUERIES = {"computed": 9, "stored": 1}
FUND_INDEX_QUERIES = {"computed": 8, "stored": 2}


def test_fund_page_and_index_take_the_same_exact_queries_at_two_sizes(
        client, funded, food, bologna, django_assert_num_queries):
    page, index = funded.get_absolute_url(), reverse("funds:index")
    for size in (2, 30):
        _grow(funded, food, bologna, size)
        for state in ("computed", "stored"):
            with django_assert_num_queries(FUND_PAGE_QUERIES[state]):
                assert client.get(page).status_code == 200
        _grow(funded, food, bologna, 1)
        for state in ("computed", "stored"):
            with django_assert_num_queries(FUND_INDEX_QUERIES[state]):
                assert client.get(index).status_code == 200


def test_destinations_are_paginated_and_the_flow_diagram_pools_the_smaller_ones(
        client, funded, food, bologna):
    from patto.funds import selectors, views
    from patto.projects.models import Project

    _grow(funded, food, bologna, 40)
    assert Project.objects.filter(pact=bologna).count() >= 5
    flows = selectors.flows(funded)
    donors = [n for n in flows["nodes"] if n["depth"] == 0]
    assert len(donors) == selectors.FLOW_NODES + 1  # the 15 largest and the others pooled
    assert gettext("Other donors") in {n["name"] for n in donors}
    # Every euro received is still in the diagram.
    received = sum(Decimal(str(link["value"])) for link in flows["links"]
                   if link["source"] in {n["name"] for n in donors})
    assert received == Decimal("1000.00") + 40 * Decimal("100.00")
    first = client.get(funded.get_absolute_url())
    assert len(first.context["destinations"].object_list) <= views.DESTINATIONS_PER_PAGE


def _card(page: str, name: str) -> str:
    """The funds index's card of one fund: from its name to the next card."""
    start = page.index(name)
    end = page.find("card-title", start)
    return page[start:end if end > 0 else len(page)]


def test_funds_index_says_when_a_total_includes_example_data(client, funded, food, donor,
                                                             community, settings):
    from patto.funds import services

    settings.PATTO_DEMO = False
    url = reverse("funds:index") + f"?patto={funded.pact.code}"
    page = client.get(url).content.decode()
    with translation.override("it"):
        badge = gettext("totals include example data")  # "dati di esempio"
    assert badge in _card(page, community.name)  # the package's movements are examples
    assert badge not in _card(page, funded.name)
    services.movement_receipt(user=None, fund=funded, donor=donor, purpose=food,
                              amount=Decimal("5.00"), ref="EX-1", is_example=True)
    page = client.get(url).content.decode()
    assert badge in _card(page, funded.name)
