"""A proposal's places picked on the map (Chromium): the proposer's municipalities are drawn from
the territory GeoJSON; clicking one ticks its box in the list, ticking a box colours its area,
the page is axe-core clean, and the saved proposal holds the places chosen. A point drawn on
the map of the territory fills its row, is saved with its municipality and shows on the
proposal's public map."""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

import pytest
from django.utils import timezone

from tests.browser.conftest import axe_violations
from tests.browser.test_reporting import PASSWORD, sign_in

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

MAP = "echarts.getInstanceByDom(document.getElementById('proposal-places-map'))"
POINTS = "echarts.getInstanceByDom(document.getElementById('proposal-points-map'))"
PUBLIC = "echarts.getInstanceByDom(document.getElementById('proposal-map'))"


def _inside(ring, x, y) -> bool:
    inside, j = False, len(ring) - 1
    for i in range(len(ring)):
        (xi, yi), (xj, yj) = ring[i][:2], ring[j][:2]
        if (yi > y) != (yj > y) and x < (xj - xi) * (y - yi) / (yj - yi) + xi:
            inside = not inside
        j = i
    return inside


def _a_point_inside(boundary: dict) -> list[float]:
    """A point well inside the municipality's largest ring: of a grid over its box, the inside
    point farthest from the ring's vertices (a click there hits this area, not a neighbour)."""
    polygons = boundary["coordinates"]
    if boundary["type"] == "Polygon":
        polygons = [polygons]
    ring = max((p[0] for p in polygons), key=len)
    xs, ys = [c[0] for c in ring], [c[1] for c in ring]
    best, far = None, -1.0
    for i in range(1, 30):
        for k in range(1, 30):
            x = min(xs) + (max(xs) - min(xs)) * i / 30
            y = min(ys) + (max(ys) - min(ys)) * k / 30
            if _inside(ring, x, y):
                near = min((x - c[0]) ** 2 + (y - c[1]) ** 2 for c in ring)
                if near > far:
                    best, far = [x, y], near
    return best


def _click_place(page, boundary: dict) -> None:
    point = _a_point_inside(boundary)
    x, y = page.evaluate(f"(p) => {MAP}.convertToPixel({{seriesIndex: 0}}, p)", point)
    # Relative to the map, which the click first scrolls into view (it stands below the list).
    page.locator("#proposal-places-map").click(position={"x": x, "y": y})


def _picked(page) -> set[str]:
    data = page.evaluate(f"() => {MAP}.getOption().series[0].data")
    return {d["name"] for d in data if d["picked"]}


@pytest.fixture
def call_and_agent(site, django_user_model):
    from patto.funds.models import Purpose
    from patto.pact.models import Cluster, Pact, Territory
    from patto.participation import services

    pact = Pact.objects.get(code="bologna-2021")
    staff = django_user_model.objects.create_superuser("segreteria", "s@example.org", PASSWORD)
    now = timezone.now()
    call = services.call_create(
        pact=pact, user=staff, code="bando-mappa", title="Bando con mappa",
        summary="Programmi di rigenerazione.", opens_at=now - dt.timedelta(days=1),
        deadline=now + dt.timedelta(days=30), money_available=Decimal("100000"),
        fund_purpose=Purpose.objects.get(fund__pact=pact, code="rigenerazione"),
        cluster=Cluster.objects.filter(pact=pact).order_by("position")[1],
    )
    services.criterion_save(call=call, user=staff, title="Qualità", weight="100")
    services.call_publish(call=call, user=staff)
    savena = Territory.objects.get(code="unione-savena-idice")
    agent = django_user_model.objects.create_user("unione", "u@example.org", PASSWORD)
    services.proposer_grant(territory=savena, person=agent, user=staff)
    return call, savena


def test_places_are_picked_on_the_map_and_in_the_list_alike(site, call_and_agent, page):
    from patto.participation import services
    from patto.participation.models import Proposal

    call, savena = call_and_agent
    places = services.proposer_places(savena)
    assert len(places) >= 3
    first, second = places[0], places[1]
    sign_in(page, site.url, "unione")
    page.wait_for_url(re.compile(r"/gestione/$"))
    page.goto(site.url + f"/gestione/partecipazione/bandi/{call.pk}/proposte/nuova/")
    page.wait_for_selector("#proposal-places-map[data-ready='true']", timeout=30000)
    # Only the union's municipalities are drawn, under the list of places.
    drawn = page.evaluate(f"() => {MAP}.getOption().series[0].data.map(d => d.name)")
    assert sorted(drawn) == sorted(p.code for p in places)
    assert page.locator("fieldset + #proposal-places-figure").count() == 1
    box = {p.code: page.locator(f"input[name='places'][value='{p.pk}']") for p in places}

    _click_place(page, first.boundary)  # the map ticks the list
    expect_chosen = page.get_by_test_id("places-chosen")
    assert box[first.code].is_checked()
    assert [c for c, b in box.items() if b.is_checked()] == [first.code]
    assert _picked(page) == {first.code}
    assert first.name in expect_chosen.inner_text()

    # The list colours the map, used from the keyboard (Bootstrap Italia draws the box on its
    # label, so the input itself is under it).
    box[second.code].focus()
    page.keyboard.press("Space")
    assert box[second.code].is_checked()
    assert _picked(page) == {first.code, second.code}
    _click_place(page, first.boundary)  # a second click unselects
    assert not box[first.code].is_checked()
    assert _picked(page) == {second.code}
    assert second.name in expect_chosen.inner_text() and first.name not in \
        expect_chosen.inner_text()
    assert axe_violations(page, "proposal-places") == []

    page.locator("input[name='title']").fill("Borghi vivi")
    page.locator("textarea[name='objectives']").fill("Spazi comuni.")
    page.locator("textarea[name='content']").fill("Tre interventi.")
    page.locator("input[name='budget']").fill("50000")
    page.locator("input[name='cofinancing']").fill("10000")
    page.locator("form:has(input[name='title']) button[type='submit']").click()
    page.wait_for_url(re.compile(r"/proposte/\d+/$"))
    proposal = Proposal.objects.get(call=call)
    assert [p.pk for p in proposal.places.all()] == [second.pk]
    # The proposal's own page shows the same map with its place chosen.
    page.wait_for_selector("#proposal-places-map[data-ready='true']", timeout=30000)
    assert _picked(page) == {second.code}
    assert axe_violations(page, "proposal-manage-places") == []
    assert page.errors == []

    # A point drawn on the map of the territory fills a row, named after its municipality.
    page.wait_for_selector("#proposal-points-map[data-ready='true']", timeout=30000)
    spot = _a_point_inside(second.boundary)
    x, y = page.evaluate(f"(p) => {POINTS}.convertToPixel({{seriesIndex: 0}}, p)", spot)
    page.locator("#proposal-points-map").click(position={"x": x, "y": y})
    page.wait_for_selector("#proposal-points-map[data-points='1']")
    name = page.locator("input[name='points-0-name']")
    assert name.input_value() == second.name
    assert page.locator("input[name='points-0-latitude']").input_value() != ""
    name.fill("Piazza del mercato")
    assert axe_violations(page, "proposal-points") == []
    with page.expect_navigation():
        page.locator("form:has(input[name='proposal-title']) button[type='submit']").click()
    point = proposal.points.get()
    assert (point.name, point.territory_id) == ("Piazza del mercato", second.pk)
    assert abs(float(point.longitude) - spot[0]) < 0.01
    assert abs(float(point.latitude) - spot[1]) < 0.01
    # Saved, it is drawn again from its row.
    page.wait_for_selector("#proposal-points-map[data-points='1']", timeout=30000)

    # Submitted, the public page draws it on the proposal's map.
    with page.expect_navigation():
        page.locator("form[action$='/invia/'] button").click()
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.SUBMITTED
    page.goto(site.url + proposal.get_absolute_url())
    page.wait_for_selector("#proposal-map[data-ready='true']", timeout=30000)
    dots = page.evaluate(f"() => {PUBLIC}.getOption().series[0].data.map(d => d.name)")
    assert dots == ["Piazza del mercato"]
    assert "Piazza del mercato" in page.get_by_test_id("proposal-points").inner_text()
    assert axe_violations(page, "proposal-public-points") == []
    assert page.errors == []
