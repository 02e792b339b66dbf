"""The 2015 monitoring sheet held whole (issue 11, point 3), and projects' inferred values
flagged on their pages (point 2)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from patto.projects.models import Contribution, Project, ProjectLink

SHEET = "/progetti/bologna-2015/patto-lavoro-occupazione/"


def test_the_sheet_keeps_its_own_update_date_and_working_method(bologna):
    project = Project.objects.get(pact__code="bologna-2015", code="patto-lavoro-occupazione")
    assert str(project.sheet_updated_on) == "2015-05-04"
    assert project.working_method.startswith("Queste attività rientrano nel metodo di lavoro")


def test_links_keep_their_note_both_ways(bologna):
    project = Project.objects.get(pact__code="bologna-2015", code="patto-lavoro-occupazione")
    links = ProjectLink.objects.filter(from_project=project)
    assert links.count() == 4 and all("trasversalità" in k.note for k in links)
    back = ProjectLink.objects.get(from_project__code="irma", to_project=project)
    assert back.note == links.get(to_project__code="irma").note
    assert {p.code for p in project.links.all()} == {k.to_project.code for k in links}


def test_sheet_page_shows_the_2015_fields(client, bologna):
    html = client.get(SHEET).content.decode()
    assert 'data-testid="sheet-updated"' in html and "2015" in html
    assert 'data-testid="link-note"' in html
    assert 'data-testid="working-method"' in html
    assert "Città metropolitana di Bologna" in html  # the event's organiser
    assert 'data-basis="inferred"' in html  # status and lead party


def test_printed_sheet_follows_the_original(client, bologna):
    html = client.get(SHEET + "stampa/").content.decode()
    # The original's sections, in its order.
    order = [
        "Descrizione del progetto",
        "Referenti del progetto",
        "Attori coinvolti",
        "Risultati attesi",
        "Integrazione e/o trasversalità con altri progetti",
        "Attività previste",
        "Attività svolte",
        "Criticità riscontrate",
        "Fattori di successo",
    ]
    places = [html.find(h) for h in order]
    assert -1 not in places and places == sorted(places), places
    assert "4 maggio 2015" in html
    assert "Queste attività rientrano nel metodo di lavoro" in html
    event = html[html.find('data-testid="print-event"') :]
    assert "Città metropolitana di Bologna" in event[:600] and "13 aprile 2015" in event[:600]


def test_project_partners_show_their_basis(client, bologna):
    html = client.get("/progetti/bologna-2021/az-8/").content.decode()
    assert 'data-basis="inferred"' in html  # status, lead party
    html = client.get("/progetti/bologna-2021/transizione-filiere/").content.decode()
    assert html.count('data-basis="inferred"') >= 8 + 2


@pytest.mark.django_db
def test_contributions_in_kind_need_a_description_and_money_an_amount(bologna):
    project = Project.objects.get(pact__code="bologna-2015", code="patto-lavoro-occupazione")
    room = Contribution(
        project=project,
        activity="Seminario",
        kind=Contribution.Kind.RESOURCES,
        resource="Sala del Consiglio per 100 persone",
        granted_by="Città",
    )
    room.full_clean()
    with pytest.raises(ValidationError):
        Contribution(
            project=project, activity="Seminario", kind="money", granted_by="Città"
        ).full_clean()
    with pytest.raises(ValidationError):
        Contribution(
            project=project,
            activity="Seminario",
            kind="in_kind",
            granted_by="Città",
            amount=Decimal("10"),
        ).full_clean()
