"""A referent draws a project's place on the staff page's map in Chromium: a click adds it
(named after its municipality), a drag moves it, the form saves it through the records' service,
and its row's box removes it; axe-core finds nothing serious on the page."""

from __future__ import annotations

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "a-long-test-password"
BOLOGNA = [11.3426, 44.4949]  # lon, lat: Piazza Maggiore


def _pixel(page, coord):
    """Where a point is drawn on the page (ECharts' own conversion, plus the map's box, once
    the map is in view: the mouse reaches only what the viewport shows)."""
    page.locator("#place-map").scroll_into_view_if_needed()
    px = page.evaluate(
        "(c) => echarts.getInstanceByDom(document.getElementById('place-map'))"
        ".convertToPixel('geo', c)", coord)
    box = page.locator("#place-map").bounding_box()
    return box["x"] + px[0], box["y"] + px[1]


def _coords(page):
    return [float(page.locator(f"#id_places-0-{name}").input_value().replace(",", "."))
            for name in ("longitude", "latitude")]


def test_referent_draws_moves_saves_and_removes_a_place(site, page, django_user_model):
    from patto.projects.models import Project, ProjectPlace, ProjectReferent

    project = Project.objects.get(pact__code="bologna-2021", code="attrazione-talenti")
    ProjectPlace.objects.filter(project=project).delete()
    referent = django_user_model.objects.create_user("referente", "r@example.org", PASSWORD)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente di prova", user=referent)
    page.goto(site.url + "/accedi/")
    page.get_by_label("Nome utente").fill("referente")
    page.get_by_label("Password").fill(PASSWORD)
    page.get_by_role("button", name="Accedi").click()
    page.wait_for_load_state()

    page.goto(f"{site.url}/gestione/progetti/{project.pk}/")
    page.wait_for_selector("#place-map[data-ready='true']", timeout=20000)
    assert page.locator("#place-map svg path").count() >= 55  # the municipalities
    assert axe_violations(page, "place-drawing") == []

    # A click on the map fills the free row: the point and its municipality's name.
    page.mouse.click(*_pixel(page, BOLOGNA))
    page.wait_for_selector("#place-map[data-points='1']")
    assert page.locator("#id_places-0-name").input_value() == "Bologna"
    lon, lat = _coords(page)
    assert abs(lon - BOLOGNA[0]) < 0.05 and abs(lat - BOLOGNA[1]) < 0.05
    page.locator("#id_places-0-name").fill("Cantiere di prova")

    # Dragged north-east, it moves there (the map does not pan under it).
    x, y = _pixel(page, [lon, lat])
    page.mouse.move(x, y)
    page.mouse.down()
    page.mouse.move(x + 20, y - 20, steps=5)
    page.mouse.move(x + 40, y - 30, steps=5)
    page.mouse.up()
    moved_lon, moved_lat = _coords(page)
    assert moved_lon > lon and moved_lat > lat

    # A second click elsewhere adds a second row; its box removes it before saving.
    x, y = _pixel(page, [moved_lon, moved_lat])
    page.mouse.click(x - 100, y + 90)
    page.wait_for_selector("#place-map[data-points='2']")
    page.locator("label[for='id_places-1-DELETE']").click()  # Bootstrap Italia's box
    page.wait_for_selector("#place-map[data-points='1']")

    with page.expect_navigation():
        page.locator("#places-form button[type=submit]").click()
    page.wait_for_selector("#place-map[data-ready='true']", timeout=20000)
    place = ProjectPlace.objects.get(project=project)
    assert place.name == "Cantiere di prova"
    assert float(place.longitude) == pytest.approx(moved_lon, abs=1e-5)
    assert float(place.latitude) == pytest.approx(moved_lat, abs=1e-5)
    assert place.history.get().history_user == referent
    assert page.locator("#place-map[data-points='1']").count() == 1  # drawn again from the row

    # Removed by keyboard: its box, then the save button.
    page.locator("label[for='id_places-0-DELETE']").click()  # Bootstrap Italia's box
    page.wait_for_selector("#place-map[data-points='0']")
    with page.expect_navigation():
        page.locator("#places-form button[type=submit]").click()
    page.wait_for_selector("#place-map[data-ready='true']", timeout=20000)
    assert not ProjectPlace.objects.filter(project=project).exists()
    assert page.errors == []
