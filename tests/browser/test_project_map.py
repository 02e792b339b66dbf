"""Projects on the map in Chromium: municipalities coloured from the territory's GeoJSON, a
drawn place, the list's filters kept both ways, the roll-up charts of a project and a cluster,
and axe-core finding nothing serious on any of them."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from tests.browser.conftest import axe_violations

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_projects_map_with_filters_table_and_roll_up_charts(site, page):
    from django.contrib.auth import get_user_model

    from patto.pact.models import Pact, Territory
    from patto.projects import services
    from patto.projects.models import Milestone, Project, ProjectPlace

    pact = Pact.objects.get(code="bologna-2021")
    project = pact.projects.filter(cluster__code="1").order_by("code").first()
    project.territories.add(Territory.objects.get(code="037006"))  # Bologna
    ProjectPlace.objects.create(
        project=project, name="Tecnopolo", latitude=Decimal("44.51"), longitude=Decimal("11.35")
    )
    staff = get_user_model().objects.create_superuser("segr", "s@example.org", "x-long-pass")
    project = services.project_change(
        project=project,
        user=staff,
        expected_version=project.version,
        progress_method=Project.ProgressMethod.MILESTONES,
    )
    first, second = (
        Milestone(project=project, title="Avvio"),
        Milestone(project=project, title="Chiusura"),
    )
    services.project_records_change(
        project=project, user=staff, model_name="milestone", saved=[first, second]
    )
    Milestone.objects.filter(pk=first.pk).update(done_on=dt.date(2026, 3, 1))
    services.progress_refresh(projects=[project.pk])

    page.goto(site.url + "/progetti/?cluster=1")
    page.locator("[data-testid='views'] a[href*='/progetti/mappa/']").click()
    page.wait_for_selector("#project-map[data-ready='true']", timeout=20000)
    assert "cluster=1" in page.url
    assert page.locator("#project-map svg path").count() >= 55
    drawn = (
        "() => echarts.getInstanceByDom(document.getElementById('project-map'))"
        ".getOption().series[1].data.length"
    )
    assert page.evaluate(drawn) == 1  # the drawn place
    table = page.locator("[data-testid='map-table']")
    assert table.get_by_role("link", name="Bologna", exact=True).count() == 1
    # The filters stay as chosen: the form shows them and the list link carries them.
    assert page.locator("#f-cluster").input_value() == "1"
    assert axe_violations(page, "project-map") == []
    table.get_by_role("link", name="Bologna", exact=True).click()
    assert "territory=037006" in page.url and "cluster=1" in page.url
    assert page.get_by_role("link", name=project.title).count() == 1

    page.goto(site.url + project.get_absolute_url())
    page.wait_for_selector("#project-rollup-chart[data-ready='true']", timeout=20000)
    # Half the weight each, one of them done (Italian wording once the catalog is merged).
    assert page.locator("[data-testid='rollup-parts'] li").count() == 2
    assert page.locator("progress").first.get_attribute("value") == "50"
    assert axe_violations(page, "project-rollup") == []

    page.goto(site.url + project.cluster.get_absolute_url())
    page.wait_for_selector("#group-rollup-chart[data-ready='true']", timeout=20000)
    assert axe_violations(page, "cluster-rollup") == []
    assert page.errors == []
