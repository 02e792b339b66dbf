"""Public pages: content readable without JavaScript, no query per row, downloads, languages."""

from __future__ import annotations

import csv
import io
import re

import openpyxl
import pytest
from django.urls import reverse

from patto.pact.models import Party, WorkingGroupMember

PAGES = [
    "/", "/soggetti/", "/soggetti/cgil-bologna/", "/territorio/", "/territorio/037006/",
    "/territorio/unione-reno-galliera/", "/patti/bologna-2021/", "/patti/bologna-2021/cluster/1/",
    "/patti/bologna-2021/sfide/1/", "/note-legali/", "/privacy/", "/accessibilita/",
]


STRICT_CSP = {
    "default-src": "'self'", "script-src": "'self'", "style-src": "'self'",
    "img-src": "'self' data:", "font-src": "'self' data:", "connect-src": "'self'",
    "object-src": "'none'", "base-uri": "'self'", "frame-ancestors": "'none'",
    "form-action": "'self'",
}


@pytest.mark.parametrize("url", PAGES)
def test_page_renders_with_few_queries(client, bologna, url, django_assert_max_num_queries):
    # A fixed number of queries per page, whatever the number of rows.
    with django_assert_max_num_queries(40):
        response = client.get(url)
    assert response.status_code == 200
    # The whole strict policy, directive by directive; a nonce may join script-src only.
    policy = dict(d.strip().split(" ", 1) for d in response["Content-Security-Policy"].split(";"))
    script = policy["script-src"].split()
    assert all(re.fullmatch(r"'nonce-[\w+/=-]{16,}'", s) for s in script if s != "'self'")
    assert {**policy, "script-src": "'self'"} == STRICT_CSP and "'self'" in script
    assert b'<html lang="it">' in response.content


def test_home_shows_the_pact_at_a_glance(client, bologna):
    html = client.get("/").content.decode()
    assert "Patto metropolitano per il lavoro e lo sviluppo sostenibile" in html
    assert "Il Patto in sintesi" in html
    for cluster in bologna.clusters.all():
        assert cluster.get_absolute_url() in html
    assert html.count('class="patto-sdg') >= 14
    assert "Fondo perequativo metropolitano" in html


def test_party_list_filters_by_category_and_search(client, bologna):
    html = client.get("/soggetti/", {"categoria": "organizzazioni-sindacali"}).content.decode()
    assert "CGIL" in html and "Confindustria" not in html
    html = client.get("/soggetti/", {"q": "hera"}).content.decode()
    assert "Hera" in html and "TPER" not in html


def test_party_list_query_count_does_not_grow_with_rows(client, bologna,
                                                        django_assert_max_num_queries):
    with django_assert_max_num_queries(8):
        client.get("/soggetti/")


def test_party_list_downloads_csv_and_xlsx(client, bologna):
    response = client.get("/soggetti/", {"formato": "csv", "patto": "bologna-2021"})
    assert response["Content-Type"].startswith("text/csv")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode("utf-8"))))
    assert len(rows) == Party.objects.filter(pact_roles__pact=bologna).count() == 52
    assert {"code", "name", "category", "tax_code"} <= set(rows[0])
    response = client.get("/soggetti/", {"formato": "xlsx", "categoria": "diocesi"})
    sheet = openpyxl.load_workbook(io.BytesIO(response.getvalue())).active
    assert sheet.max_row == 1 + 2  # header and the two dioceses


def test_unknown_download_format_is_404(client, bologna):
    assert client.get("/soggetti/", {"formato": "pdf"}).status_code == 404


def test_territory_page_has_map_and_same_content_as_table(client, bologna):
    html = client.get("/territorio/").content.decode()
    assert 'id="territory-map"' in html
    assert "Unione Reno Galliera" in html
    assert html.count("<th scope=\"row\" class=\"fw-normal\">") == 55
    assert "ISTAT, elaborazione openpolis" in html


def test_territory_as_of_another_date(client, bologna):
    html = client.get("/territorio/", {"al": "2020-12-31"}).content.decode()
    html = html[html.index('id="comuni"'):]  # the table of municipalities, past the summary
    budrio_row = html.index(">Budrio<")
    pianura = html.index("Unione dei Comuni Terre di Pianura")
    ungrouped = html.find("Comuni non associati")
    assert pianura < budrio_row and (ungrouped == -1 or budrio_row < ungrouped)


def test_boundaries_geojson(client, bologna):
    data = client.get(reverse("pact:territory_geojson")).json()
    assert data["type"] == "FeatureCollection"
    assert len(data["features"]) == 55
    groups = {f["properties"]["group"] for f in data["features"]}
    assert "Nuovo Circondario Imolese" in groups and "" in groups


def test_english_pages(client, bologna):
    response = client.get("/en/soggetti/")
    assert response.status_code == 200
    assert b'<html lang="en">' in response.content
    assert b'hreflang="it"' in response.content


def test_person_names_are_not_public(client, bologna, staff):
    member = WorkingGroupMember.objects.filter(working_group__pact=bologna).first()
    member.person = "Maria Rossi"
    member.save()
    url = member.working_group.cluster.get_absolute_url()
    assert "Maria Rossi" not in client.get(url).content.decode()
    client.force_login(staff)
    assert "Maria Rossi" in client.get(url).content.decode()


def test_unknown_things_are_404(client, bologna):
    for url in ("/soggetti/nobody/", "/territorio/999999/", "/patti/bologna-2021/cluster/9/",
                "/patti/nope/", "/patti/bologna-2021/sfide/99/"):
        assert client.get(url).status_code == 404, url


def test_illustrative_members_are_marked_as_example(client, bologna):
    member = WorkingGroupMember.objects.filter(working_group__pact=bologna, is_example=True)
    assert member.exists()
    html = client.get(member.first().working_group.cluster.get_absolute_url()).content.decode()
    assert html.count(">esempio</span>") == member.filter(
        working_group=member.first().working_group).count()


def test_party_list_shows_the_current_pact_unless_asked(client, bologna):
    assert len(client.get("/soggetti/").context["parties"]) == 52
    everyone = client.get("/soggetti/", {"patto": "tutti"}).context["parties"]
    assert len(everyone) == Party.objects.count() > 52
    assert len(client.get("/soggetti/", {"patto": "bologna-2015"}).context["parties"]) < 52


TERRITORY_QUERIES = 2


def grow_territory(pact, n: int = 100) -> None:
    """``n`` more municipalities in the Reno Galliera union, named to sort after Bologna's."""
    from patto.pact.models import Territory, TerritoryMembership

    union = Territory.objects.get(code="unione-reno-galliera")
    towns = Territory.objects.bulk_create(
        Territory(code=f"zz-comune-{k:03}", name=f"Zz Comune {k:03}", istat_code=f"9{k:05}",
                  kind=Territory.Kind.MUNICIPALITY) for k in range(n))
    TerritoryMembership.objects.bulk_create(
        TerritoryMembership(territory=t, parent=union, source="test") for t in towns)


def test_territory_pages_its_municipalities_in_fixed_queries(client, bologna,
                                                              django_assert_num_queries):
    client.get("/territorio/")  # the tree is built once per data version
    with django_assert_num_queries(TERRITORY_QUERIES):
        html = client.get("/territorio/").content.decode()
    assert html.count('<th scope="row" class="fw-normal">') == 55
    assert "pagina=" not in html
    grow_territory(bologna)
    client.get("/territorio/")
    with django_assert_num_queries(TERRITORY_QUERIES):
        first = client.get("/territorio/").content.decode()
    with django_assert_num_queries(TERRITORY_QUERIES):
        second = client.get("/territorio/", {"pagina": 2}).content.decode()
    row = re.compile(r'<th scope="row" class="fw-normal"><a href="[^"]+">([^<]+)</a>')
    first_rows, second_rows = row.findall(first), row.findall(second)
    assert len(first_rows) == 100 and len(second_rows) == 55
    assert not set(first_rows) & set(second_rows)
    assert "pagina=2" in first and "Zz Comune 099" in second and "Zz Comune 099" not in first
    # Every group keeps its count in the summary whatever the page.
    assert re.search(r"Unione Reno Galliera</a></th><td class=\"text-end\">1[0-9][0-9]<", second)


def test_territory_filters_by_group_and_keeps_the_whole_download(client, bologna):
    grow_territory(bologna)
    html = client.get("/territorio/", {"gruppo": "unione-reno-galliera", "pagina": 2}).content
    table = html.decode()[html.decode().index('id="comuni"'):]
    assert "Zz Comune 099" in table and "Terre di Pianura" not in table
    html = html.decode()
    assert "gruppo=unione-reno-galliera&amp;pagina=1" in html
    rows = list(csv.DictReader(io.StringIO(
        client.get("/territorio/", {"formato": "csv"}).getvalue().decode("utf-8"))))
    assert len([r for r in rows if r["name"].startswith("Zz Comune")]) == 100
    assert len([r for r in rows if r["kind"] == "municipality"]) == 155
    html = client.get("/territorio/", {"gruppo": "nowhere"}).content.decode()
    assert "nowhere" in html and html.count('<th scope="row" class="fw-normal">') == 0


def test_indicator_map_pages_its_table_but_colours_every_municipality(
        client, bologna, django_assert_num_queries):
    # Here because the map's rows are the territory's municipalities (grown as above); the
    # map's exact query count stays in tests/monitoring/test_stored.py.
    from patto.monitoring.services import NewValue, observations_record
    from patto.pact.models import Territory

    grow_territory(bologna)
    indicator = bologna.indicators.get(code="8-5-2")
    observations_record(indicator=indicator, values=[
        NewValue(year=2020, value_text=f"{k}.5", geocode=t.istat_code, territory=t)
        for k, t in enumerate(Territory.objects.filter(code__startswith="zz-comune-")
                              .defer("boundary"))])
    url = "/monitoraggio/bologna-2021/indicatori/8-5-2/territorio/"
    client.get(url)
    first = client.get(url, {"anno": 2020})
    with django_assert_num_queries(4):
        second = client.get(url, {"anno": 2020, "pagina": 2})
    row = re.compile(r'<th scope="row" class="fw-normal">([^<]+)</th>')
    one, two = row.findall(first.content.decode()), row.findall(second.content.decode())
    assert len(one) == 100 and len(two) == 55 and not set(one) & set(two)
    assert "anno=2020&amp;pagina=2" in first.content.decode()
    # The map still colours them all, from its JSON (named by the page), not inlined.
    assert "choropleth-data" not in first.content.decode()
    assert "territorio/valori.json?anno=2020&amp;livello=comuni" in first.content.decode()
    values = client.get(url + "valori.json", {"anno": 2020}).json()
    assert len(values["values"]) == 155 and values["year"] == 2020
    assert values["max"] == 99.5


def test_plain_value_views_of_the_territory_match_its_tree(bologna):
    # The territory page and the indicator map read plain values kept in the cache; the
    # tree of model instances stays the reference they must agree with.
    from patto.pact.selectors import (
        overview_rows,
        pact_counts,
        territory_overview,
        territory_places,
        territory_rows,
        territory_tree,
    )

    grow_territory(bologna)
    root, on = bologna.territory, bologna.signed_on
    tree = territory_tree(root=root, on=on)
    overview = territory_overview(root=root, on=on)
    assert overview.root_name == tree.root.territory.name
    assert overview.municipalities == len(tree.municipalities) > 100
    assert [(g.territory.code, g.territory.name, g.count, g.population)
            for g in overview.groups] == [(g.territory.code, g.territory.name,
                                           len(g.children), g.population)
                                          for g in tree.groups]
    assert overview.ungrouped == len(tree.ungrouped)
    for code in (None, tree.groups[0].territory.code, "nessuno"):
        assert [(g.territory.code if g else None, m.territory.code, m.territory.istat_code,
                 m.territory.population)
                for g, m in overview_rows(overview=overview, group_code=code)] == [
            (g.territory.code if g else None, m.territory.code, m.territory.istat_code,
             m.territory.population)
            for g, m in territory_rows(tree=tree, group_code=code)]
    places = territory_places(root_id=root.pk, on=on)
    assert [(p.pk, p.code, p.group_name) for p in places] == [
        (n.territory.pk, n.territory.code,
         n.parent.name if n.parent and n.parent.pk != root.pk else "")
        for n in tree.municipalities]
    # The home's counts, from plain values too.
    counts = pact_counts(bologna)
    assert counts["municipalities"] == len(tree.municipalities) == 155
    assert counts["municipalities_with_boundaries"] == sum(
        1 for m in tree.municipalities if m.has_boundary) == 55
    assert (counts["unions"], counts["districts"]) == (
        sum(1 for g in tree.groups if g.territory.kind == "union"),
        sum(1 for g in tree.groups if g.territory.kind == "district")) == (6, 1)


def test_home_counts_what_it_shows_in_fixed_queries_after_a_change(
        client, bologna, django_assert_num_queries):
    """The first render after a change counts the pact again, but only what the page shows:
    no observations, movements or activities (tables of millions at national scale)."""
    from patto.core.cache import data_changed

    client.get("/")
    data_changed()
    with django_assert_num_queries(HOME_FIRST_QUERIES) as context:
        html = client.get("/").content.decode()
    sql = " ".join(q["sql"] for q in context.captured_queries)
    for table in ("monitoring_observation", "funds_movement", "projects_plannedactivity"):
        assert table not in sql
    assert "pact_territory" in sql  # the territory counted, not read from a stale copy
    agenda = bologna.indicators.filter(level="agenda").count()
    assert agenda > 0 and f">{agenda}</a>indicatori dell" in html.replace("\n", "")
    grow_territory(bologna)
    data_changed()
    with django_assert_num_queries(HOME_FIRST_QUERIES):
        html = client.get("/").content.decode()
    assert '<span class="patto-count">155</span>' in html


HOME_FIRST_QUERIES = 27
