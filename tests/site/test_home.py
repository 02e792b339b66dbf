"""The back office's home: each role signs in and lands on /gestione/ with its panel, the header
names who is signed in, and the page costs the same queries whatever the number of projects."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

import pytest
from django.contrib.auth.models import Group
from django.utils import translation

from patto.funds.models import Fund, FundClerk
from patto.pact.models import Party
from patto.projects.models import (
    ClusterCoordinator,
    PartyReporter,
    Project,
    ProjectReferent,
    ProjectUpdate,
    ReportingRound,
)
from tests.projects.conftest import make_project

PASSWORD = "a-long-test-password"
HOME = "/gestione/"
PANELS = ["secretariat", "coordinator", "referent", "clerk", "reporter"]


@pytest.fixture
def cast(bologna, django_user_model):
    def user(name, **kw):
        return django_user_model.objects.create_user(name, f"{name}@example.org", PASSWORD,
                                                     first_name=name.title(), **kw)

    secretariat = user("segreteria1", is_staff=True)  # as `secretariat_grant` makes them
    secretariat.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    coordinator, referent, clerk, reporter, outsider = (
        user("coordinatrice"), user("referente"), user("cassiere"), user("rendicontatore"),
        user("estraneo"))
    project = Project.objects.filter(pact=bologna, cluster__isnull=False,
                                     status__in=["approved", "in_progress"]).order_by("pk")[0]
    ClusterCoordinator.objects.create(cluster=project.cluster, user=coordinator)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente Prova", user=referent)
    fund = Fund.objects.filter(pact=bologna).order_by("pk")[0]
    FundClerk.objects.create(fund=fund, user=clerk)
    PartyReporter.objects.create(party=Party.objects.get(code="comune-bologna"), user=reporter)
    reporting_round = ReportingRound.objects.create(
        pact=bologna, title="Primo semestre", opens_on=dt.date(2026, 1, 1),
        deadline=dt.date(2099, 6, 30), created_by=secretariat)
    return SimpleNamespace(secretariat=secretariat, coordinator=coordinator, referent=referent,
                           clerk=clerk, reporter=reporter, outsider=outsider, project=project,
                           fund=fund, round=reporting_round, pact=bologna)


def _panels(html: str) -> set[str]:
    return {name for name in PANELS if f'id="panel-{name}"' in html}


@pytest.mark.parametrize(("who", "panels"), [
    ("secretariat", {"secretariat"}),
    ("coordinator", {"coordinator"}),
    ("referent", {"referent"}),
    ("clerk", {"clerk"}),
    ("reporter", {"reporter"}),
    ("outsider", set()),
])
def test_each_role_signs_in_and_lands_on_its_panel(client, cast, who, panels):
    person = getattr(cast, who)
    response = client.post("/accedi/", {"username": person.username, "password": PASSWORD})
    assert response.status_code == 302
    assert response["Location"] == HOME
    page = client.get(HOME)
    html = page.content.decode()
    assert page.status_code == 200
    assert _panels(html) == panels
    assert ('data-testid="no-role"' in html) == (not panels)
    # The header names the person and links to the home, with a POST sign-out.
    assert f"{person.first_name}</span>" in html
    assert f'href="{HOME}"' in html
    assert 'action="/esci/"' in html


def test_a_person_with_several_roles_sees_each_panel(client, cast):
    FundClerk.objects.create(fund=cast.fund, user=cast.coordinator)
    ProjectReferent.objects.create(project=cast.project, party=cast.project.lead_party,
                                   person="Coordinatrice", user=cast.coordinator)
    client.force_login(cast.coordinator)
    assert _panels(client.get(HOME).content.decode()) == {"coordinator", "referent", "clerk"}


def test_home_asks_to_sign_in(client, db):
    response = client.get(HOME)
    assert response.status_code == 302
    assert response["Location"].startswith("/accedi/")


def test_referent_sees_what_is_due_and_the_comment_sent_back(client, cast):
    ProjectUpdate.objects.create(round=cast.round, project=cast.project, status="returned",
                                 proposed_status="in_progress", progress=40, base_version=1,
                                 review_comment="Manca il numero di partecipanti")
    client.force_login(cast.referent)
    html = client.get(HOME).content.decode()
    due = html.split('data-testid="due"')[1].split("</ul>")[0]
    assert cast.project.title in due
    assert f"/gestione/rendicontazione/{cast.round.pk}/progetti/{cast.project.pk}/" in due
    assert "Manca il numero di partecipanti" in due


def test_a_sent_report_is_no_longer_due(client, cast):
    ProjectUpdate.objects.create(round=cast.round, project=cast.project, status="submitted",
                                 proposed_status="in_progress", progress=40, base_version=1)
    client.force_login(cast.referent)
    html = client.get(HOME).content.decode()
    due = html.split('data-testid="due"')[1].split("</ul>")[0]
    assert cast.project.title not in due
    assert 'data-state="submitted"' in html


def test_coordinator_sees_the_reports_to_review_of_their_cluster_only(client, cast):
    other_cluster = cast.pact.clusters.exclude(pk=cast.project.cluster_id).first()
    other = make_project(cast.pact, other_cluster.code, "altro-cluster")
    mine = ProjectUpdate.objects.create(round=cast.round, project=cast.project,
                                        status="submitted", proposed_status="in_progress",
                                        progress=40, base_version=1)
    theirs = ProjectUpdate.objects.create(round=cast.round, project=other, status="submitted",
                                          proposed_status="in_progress", progress=40,
                                          base_version=1)
    client.force_login(cast.coordinator)
    html = client.get(HOME).content.decode()
    review = html.split('data-testid="to-review"')[1].split("</ul>")[0]
    assert f"/gestione/rendicontazione/resoconti/{mine.pk}/" in review
    assert f"/gestione/rendicontazione/resoconti/{theirs.pk}/" not in review


def test_every_staff_page_of_the_secretariat_is_one_click_from_home(client, cast):
    client.force_login(cast.secretariat)
    html = client.get(HOME).content.decode()
    for address in ["/gestione/persone/", "/gestione/persone/invita/", "/gestione/progetti/",
                    "/gestione/contributi/", "/gestione/rendicontazione/",
                    "/gestione/importazioni/", "/gestione/admin/",
                    f"/gestione/fondi/{cast.pact.code}/{cast.fund.code}/",
                    f"/gestione/fondi/{cast.pact.code}/{cast.fund.code}/simulatore/",
                    f"/gestione/rendicontazione/{cast.round.pk}/"]:
        assert f'href="{address}' in html, address
        assert client.get(address).status_code == 200, address


def test_the_outsider_note_reads_in_english_too(client, cast):
    client.force_login(cast.outsider)
    with translation.override("en"):
        html = client.get("/en" + HOME).content.decode()
    assert "Ask the secretariat to give you a role" in html


def test_clerk_sees_what_is_left_to_record(client, cast):
    from patto.funds import services
    from patto.funds.models import Donor

    fund = cast.fund
    purpose = fund.purposes.order_by("pk")[0]
    donor = Donor.objects.create(pact=cast.pact, code="prova", kind=Donor.Kind.ORGANISATION,
                                 name="Organizzazione di prova")
    client.force_login(cast.clerk)

    def shown(what):
        html = client.get(HOME).content.decode()
        cell = html.split(f'data-testid="open-{what}-{fund.pk}">')[1].split("</span>")[0]
        return int(cell.split()[0])

    pledges, commitments = shown("pledges"), shown("commitments")
    pledge = services.movement_pledge(fund=fund, donor=donor, amount="500.00", purpose=purpose,
                                      user=cast.clerk, booked_on=dt.date(2026, 2, 1))
    services.movement_receipt(fund=fund, donor=donor, amount="800.00", purpose=purpose,
                              user=cast.clerk, booked_on=dt.date(2026, 2, 2))
    commitment = services.movement_commit(fund=fund, amount="300.00", purpose=purpose,
                                          beneficiary="Mensa di prova", user=cast.clerk,
                                          booked_on=dt.date(2026, 2, 3))
    assert (shown("pledges"), shown("commitments")) == (pledges + 1, commitments + 1)
    services.movement_receipt(fund=fund, donor=donor, amount="500.00", purpose=purpose,
                              pledge=pledge, user=cast.clerk, booked_on=dt.date(2026, 2, 4))
    services.movement_pay(commitment=commitment, amount="300.00", user=cast.clerk,
                          booked_on=dt.date(2026, 2, 5))
    assert (shown("pledges"), shown("commitments")) == (pledges, commitments)


# Query counts: the same at one project and at every project of two pacts.

def _grow(cast, django_user_model, size: str) -> None:
    if size == "small":
        return
    projects = list(Project.objects.filter(cluster__isnull=False).select_related("cluster"))
    ProjectReferent.objects.bulk_create(
        [ProjectReferent(project=p, party=p.lead_party, person="Altro", user=cast.referent)
         for p in projects if p.lead_party_id], ignore_conflicts=True)
    clusters = {p.cluster for p in projects}
    ClusterCoordinator.objects.bulk_create(
        [ClusterCoordinator(cluster=c, user=cast.coordinator) for c in clusters],
        ignore_conflicts=True)
    for pact in {p.pact for p in projects}:
        ReportingRound.objects.create(pact=pact, title="Secondo", opens_on=dt.date(2026, 1, 1),
                                      deadline=dt.date(2099, 12, 31),
                                      created_by=cast.secretariat)
    rounds = list(ReportingRound.objects.filter(status="open"))
    ProjectUpdate.objects.bulk_create(
        [ProjectUpdate(round=r, project=p, status="submitted", proposed_status="in_progress",
                       progress=50, base_version=1)
         for r in rounds for p in projects if p.pact_id == r.pact_id], ignore_conflicts=True)
    FundClerk.objects.bulk_create([FundClerk(fund=f, user=cast.clerk)
                                   for f in Fund.objects.all()], ignore_conflicts=True)


# Session and user (2); then the page's own: secretariat group (1), referent's projects,
# open rounds and updates (3 when referent, else 1), coordinator's clusters, their projects
# and the reports to review (3 when coordinator, else 1), clerk's funds (1), party reporter (1);
# the secretariat adds open rounds and every fund (2), each selector checking the role
# again (2); the registered panels of participation, the work instruments and governance one
# each (3).
PANELS_OF_APPS = 3
EXPECTED = {"secretariat": 2 + 1 + 1 + 1 + 1 + 1 + 2 + 2 + PANELS_OF_APPS,
            "coordinator": 2 + 1 + 1 + 3 + 1 + 1 + PANELS_OF_APPS,
            "referent": 2 + 1 + 3 + 1 + 1 + 1 + PANELS_OF_APPS,
            "clerk": 2 + 1 + 1 + 1 + 1 + 1 + PANELS_OF_APPS,
            "outsider": 2 + 1 + 1 + 1 + 1 + 1 + PANELS_OF_APPS}


@pytest.mark.parametrize("size", ["small", "large"])
@pytest.mark.parametrize("who", list(EXPECTED))
def test_home_queries_do_not_grow_with_projects(client, cast, django_user_model,
                                                django_assert_num_queries, who, size):
    _grow(cast, django_user_model, size)
    client.force_login(getattr(cast, who))
    with django_assert_num_queries(EXPECTED[who]):
        response = client.get(HOME)
    assert response.status_code == 200
    if size == "large" and who == "referent":
        assert response.content.decode().count('data-state="submitted"') >= 10
    if size == "large" and who == "coordinator":
        review = response.content.decode().split('data-testid="to-review"')[1]
        assert review.split("</ul>")[0].count("<li>") >= 10


@pytest.mark.parametrize(("who", "addresses"), [
    ("referent", ["/gestione/progetti/", "/gestione/contributi/", "/gestione/rendicontazione/"]),
    ("coordinator", ["/gestione/progetti/", "/gestione/progetti/nuovo/",
                     "/gestione/rendicontazione/"]),
    ("reporter", ["/gestione/contributi/"]),
])
def test_each_role_reaches_its_staff_pages_from_home(client, cast, who, addresses):
    client.force_login(getattr(cast, who))
    html = client.get(HOME).content.decode()
    for address in addresses:
        assert f'href="{address}"' in html, address
        assert client.get(address).status_code == 200, address


def test_participation_and_instrument_roles_get_their_panels_through_the_registry(client, cast):
    """Apps below the site add their panels (patto.core.homepanels): a moderator, an operator
    and the secretariat find them; a person without those roles finds only what is everyone's."""
    from patto.instruments.models import InstrumentRole
    from patto.participation.models import Moderator

    Moderator.objects.create(pact=cast.pact, user=cast.outsider)
    InstrumentRole.objects.create(pact=cast.pact, user=cast.clerk,
                                  role=InstrumentRole.Role.INCLUSION_OPERATOR)
    client.force_login(cast.outsider)
    html = client.get(HOME).content.decode()
    assert 'id="panel-participation"' in html and 'id="panel-instruments"' not in html
    assert 'href="/gestione/partecipazione/moderazione/"' in html
    assert 'data-testid="no-role"' not in html
    client.force_login(cast.clerk)
    html = client.get(HOME).content.decode()
    # Participation's panel is everyone's (their data), without the moderator's links.
    assert 'id="panel-instruments"' in html and 'id="panel-participation"' in html
    assert 'href="/gestione/partecipazione/moderazione/"' not in html
    assert f'href="/gestione/strumenti/{cast.pact.code}/percorsi/"' in html
    assert f'href="/gestione/strumenti/{cast.pact.code}/salvaguardia/"' not in html
    client.force_login(cast.secretariat)
    html = client.get(HOME).content.decode()
    assert 'id="panel-participation"' in html and 'id="panel-instruments"' in html
    assert f'href="/gestione/strumenti/{cast.pact.code}/salvaguardia/"' in html
    client.force_login(cast.referent)
    html = client.get(HOME).content.decode()
    assert 'id="panel-instruments"' not in html
    assert 'href="/gestione/partecipazione/moderazione/"' not in html
