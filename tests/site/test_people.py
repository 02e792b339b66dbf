"""People and roles outside the admin: only the secretariat manages them; an invitation by e-mail
leads to a one-time sign-up; roles are given and taken away through the apps' services, with
history; a person sees their own roles; the admin speaks Italian in its JavaScript too."""

from __future__ import annotations

import re
import socket

import pytest
from django.contrib.auth.models import Group
from django.core import mail
from django.utils import translation

from patto.core import people
from patto.core.errors import ApplicationError
from patto.funds.models import Fund, FundClerk
from patto.pact.models import Party
from patto.projects.models import ClusterCoordinator, PartyReporter, Project, ProjectReferent
from patto.site import selectors
from patto.site import services as site_services

PASSWORD = "a-long-test-password"
NEW_PASSWORD = "Un-altra-parola-d-ordine-lunga-42"
ROLES = ["secretariat", "coordinator", "referent", "clerk", "outsider", "anonymous"]


@pytest.fixture
def cast(bologna, django_user_model):
    def user(name, **kw):
        return django_user_model.objects.create_user(name, f"{name}@example.org", PASSWORD,
                                                     **kw)

    secretariat = user("segreteria1", is_staff=True)
    secretariat.groups.add(Group.objects.get_or_create(name="secretariat")[0])
    project = Project.objects.filter(pact=bologna, cluster__isnull=False).order_by("pk")[0]
    coordinator, referent, clerk, outsider = (user("coordinatrice"), user("referente"),
                                              user("cassiere"), user("estraneo"))
    ClusterCoordinator.objects.create(cluster=project.cluster, user=coordinator)
    ProjectReferent.objects.create(project=project, party=project.lead_party,
                                   person="Referente", user=referent)
    fund = Fund.objects.filter(pact=bologna).order_by("pk")[0]
    FundClerk.objects.create(fund=fund, user=clerk)
    return {"secretariat": secretariat, "coordinator": coordinator, "referent": referent,
            "clerk": clerk, "outsider": outsider, "anonymous": None, "project": project,
            "fund": fund, "pact": bologna}


def _pages(cast):
    target = cast["outsider"].pk
    return [("get", "/gestione/persone/", {}), ("get", "/gestione/persone/invita/", {}),
            ("post", "/gestione/persone/invita/", {"email": "nuovo@example.org"}),
            ("get", f"/gestione/persone/{target}/", {}),
            ("post", f"/gestione/persone/{target}/ruoli/assegna/", {"kind": "secretariat"}),
            ("post", f"/gestione/persone/{target}/ruoli/revoca/", {"kind": "secretariat"})]


@pytest.mark.parametrize("who", ROLES)
def test_only_the_secretariat_reaches_the_people_pages(client, cast, who):
    if cast[who]:
        client.force_login(cast[who])
    for method, url, data in _pages(cast):
        status = getattr(client, method)(url, data).status_code
        if who == "secretariat":
            assert status in (200, 302), url
        elif who == "anonymous":
            assert status == 302, url  # to the sign-in page
        else:
            assert status == 403, url
    if who != "secretariat":
        assert not cast["outsider"].groups.exists()
        assert not type(cast["outsider"]).objects.filter(email="nuovo@example.org").exists()


def test_invitation_leads_to_a_one_time_signup_then_sign_in(client, cast,
                                                           django_capture_on_commit_callbacks):
    client.force_login(cast["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post("/gestione/persone/invita/", {
            "email": "Nuova.Persona@Example.org", "first_name": "Nuova", "last_name": "Persona"})
    person = type(cast["secretariat"]).objects.get(email="nuova.persona@example.org")
    assert response.status_code == 302
    assert response["Location"] == f"/gestione/persone/{person.pk}/"
    assert not person.is_active and not person.has_usable_password()
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["nuova.persona@example.org"]
    link = re.search(r"http://testserver(/accedi/iscrizione/\S+/)", message.body).group(1)

    client.logout()
    form_page = client.get(link, follow=True)
    assert form_page.status_code == 200
    set_url = form_page.redirect_chain[-1][0]
    done = client.post(set_url, {"new_password1": NEW_PASSWORD, "new_password2": NEW_PASSWORD})
    assert done.status_code == 302
    person.refresh_from_db()
    assert person.is_active and person.check_password(NEW_PASSWORD)
    # The link worked once.
    again = client.get(link, follow=True)
    assert 'data-testid="bad-link"' in again.content.decode()

    signed = client.post("/accedi/", {"username": "nuova.persona@example.org",
                                      "password": NEW_PASSWORD})
    assert signed.status_code == 302 and signed["Location"] == "/gestione/"


def test_an_invited_person_cannot_sign_in_before_choosing_a_password(client, cast):
    person = people.person_invite(email="attesa@example.org", user=cast["secretariat"],
                                  site_url="http://testserver")
    person.set_password(PASSWORD)  # even knowing a password, the account is not open yet
    person.save()
    response = client.post("/accedi/", {"username": "attesa@example.org", "password": PASSWORD})
    assert response.status_code == 200  # the form again, with its error


def test_no_mail_for_an_invitation_that_rolled_back(cast, django_capture_on_commit_callbacks):
    from django.db import transaction

    with django_capture_on_commit_callbacks(execute=True), pytest.raises(RuntimeError):
        with transaction.atomic():
            people.person_invite(email="annullata@example.org", user=cast["secretariat"],
                                 site_url="http://testserver")
            raise RuntimeError("boom")
    assert mail.outbox == []


@pytest.mark.parametrize(("email", "code"), [
    ("non-un-indirizzo", "invalid"), ("referente@example.org", "exists"),
    ("REFERENTE@example.org", "exists")])
def test_a_bad_or_known_address_is_refused_with_nothing_written(cast, email, code):
    before = type(cast["secretariat"]).objects.count()
    with pytest.raises(ApplicationError) as caught:
        people.person_invite(email=email, user=cast["secretariat"], site_url="http://x")
    assert caught.value.code == code
    assert caught.value.field == "email"
    assert type(cast["secretariat"]).objects.count() == before


def test_invite_page_shows_the_refusal_on_the_field(client, cast):
    client.force_login(cast["secretariat"])
    with translation.override("en"):
        response = client.post("/en/gestione/persone/invita/", {"email": "referente@example.org",
                                                                "first_name": "A\x07B"})
    html = response.content.decode()
    assert response.status_code == 200
    assert 'id="id_first_name-error"' in html  # control character refused on its field
    assert mail.outbox == []


def test_invitation_through_a_real_smtp_server(cast, smtp, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        people.person_invite(email="smtp@example.org", user=cast["secretariat"],
                             site_url="https://patto.example.org")
    assert len(smtp.messages) == 1
    recipients, content = smtp.messages[0]
    assert recipients == ["smtp@example.org"]
    assert "https://patto.example.org/accedi/iscrizione/" in content


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    from tests.projects.test_reminders import Inbox

    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT, settings.EMAIL_USE_TLS = "127.0.0.1", port, False
    yield inbox
    controller.stop()


# Giving and taking away roles ------------------------------------------------------------------

def _targets(cast):
    other_cluster = cast["pact"].clusters.exclude(pk=cast["project"].cluster_id).first()
    return {"coordinator": other_cluster.pk, "referent": cast["project"].pk,
            "reporter": Party.objects.get(code="comune-bologna").pk, "clerk": cast["fund"].pk,
            "secretariat": None}


@pytest.mark.parametrize("kind", ["coordinator", "referent", "reporter", "clerk", "secretariat"])
def test_role_given_and_taken_away_on_the_person_page_with_history(client, cast, kind):
    outsider = cast["outsider"]
    client.force_login(cast["secretariat"])
    data = {"kind": kind}
    if _targets(cast)[kind] is not None:
        data[f"{kind}-target"] = str(_targets(cast)[kind])
    response = client.post(f"/gestione/persone/{outsider.pk}/ruoli/assegna/", data)
    assert response.status_code == 302
    roles = selectors.roles_of(selectors.person_get(pk=outsider.pk))
    assert [r.kind for r in roles] == [kind]

    # The person sees it on their own page.
    client.force_login(outsider)
    mine = client.get("/gestione/i-miei-ruoli/").content.decode()
    assert f'data-kind="{kind}"' in mine
    client.force_login(cast["secretariat"])

    remove = {"kind": kind}
    if roles[0].pk:
        remove["role"] = str(roles[0].pk)
    assert client.post(f"/gestione/persone/{outsider.pk}/ruoli/revoca/",
                       remove).status_code == 302
    person = selectors.person_get(pk=outsider.pk)
    assert selectors.roles_of(person) == []
    history = selectors.role_history(person)
    changes = [e.change for e in history if e.kind in (kind, "account")]
    assert changes[:2] in (["-", "+"], ["~", "~"])
    page = client.get(f"/gestione/persone/{outsider.pk}/").content.decode()
    assert "segreteria1" in page  # who did it is on the page


def test_a_referent_keeps_their_place_on_the_sheet_when_the_account_loses_the_role(cast):
    referent = cast["referent"]
    role = ProjectReferent.objects.get(user=referent)
    site_services.role_remove(person=referent, kind="referent", pk=role.pk,
                              user=cast["secretariat"])
    role.refresh_from_db()
    assert role.user_id is None and role.person == "Referente"
    events = selectors.role_history(referent)
    assert [(e.kind, e.change, e.by) for e in events][:2] == [
        ("referent", "-", "segreteria1"), ("referent", "+", "")]


@pytest.mark.parametrize("who", ["coordinator", "referent", "clerk", "outsider"])
def test_nobody_but_the_secretariat_gives_roles_through_the_service(cast, who):
    from django.core.exceptions import PermissionDenied

    with pytest.raises(PermissionDenied):
        site_services.role_assign(person=cast["outsider"], kind="coordinator",
                                  target=cast["project"].cluster_id, user=cast[who])
    assert not ClusterCoordinator.objects.filter(user=cast["outsider"]).exists()


def test_a_role_given_twice_is_refused(cast):
    with pytest.raises(ApplicationError) as caught:
        site_services.role_assign(person=cast["coordinator"], kind="coordinator",
                                  target=cast["project"].cluster_id, user=cast["secretariat"])
    assert caught.value.code == "exists"
    assert ClusterCoordinator.objects.filter(user=cast["coordinator"]).count() == 1


def test_an_unknown_target_is_refused(client, cast):
    client.force_login(cast["secretariat"])
    response = client.post(f"/gestione/persone/{cast['outsider'].pk}/ruoli/assegna/",
                           {"kind": "reporter", "reporter-target": "999999"})
    assert response.status_code == 200
    assert 'aria-invalid="true"' in response.content.decode()
    assert not PartyReporter.objects.filter(user=cast["outsider"]).exists()


def test_the_secretariat_cannot_remove_itself(cast):
    with pytest.raises(ApplicationError) as caught:
        site_services.role_remove(person=cast["secretariat"], kind="secretariat",
                                  user=cast["secretariat"])
    assert caught.value.code == "self"


def test_people_list_queries_do_not_grow_with_people(client, cast, django_user_model,
                                                     django_assert_num_queries):
    client.force_login(cast["secretariat"])
    # Session, user, secretariat check; count, people, then their groups, coordinated
    # clusters, referent records, parties reported for and funds kept (one query each).
    expected = 3 + 2 + 5
    with django_assert_num_queries(expected):
        small = client.get("/gestione/persone/")
    for n in range(40):
        person = django_user_model.objects.create_user(f"p{n}", f"p{n}@example.org")
        ClusterCoordinator.objects.create(cluster=cast["project"].cluster, user=person)
        FundClerk.objects.create(fund=cast["fund"], user=person)
    with django_assert_num_queries(expected):
        large = client.get("/gestione/persone/")
    assert large.content.decode().count("/gestione/persone/") > \
        small.content.decode().count("/gestione/persone/") + 30


# The admin stays the secretariat's tool --------------------------------------------------------

def test_admin_javascript_catalogue_is_italian(client, cast):
    client.force_login(cast["secretariat"])
    catalogue = client.get("/gestione/admin/jsi18n/")
    assert catalogue.status_code == 200
    text = catalogue.content.decode()
    # Django 5.2 leaves these untranslated in Italian: our djangojs.po fills them in.
    assert "Scegli tutti: %s" in text and "Rimuovi tutti: %s" in text
    assert "%s disponibili" in text  # and Django's own Italian is kept
    english = client.get("/en/gestione/admin/jsi18n/").content.decode()
    assert "Scegli tutti" not in english


def test_secretariat_reads_and_corrects_accounts_in_the_admin_but_not_the_guarded_flags(
        client, cast):
    client.force_login(cast["secretariat"])
    outsider = cast["outsider"]
    assert client.get("/gestione/admin/auth/user/").status_code == 200
    page = client.get(f"/gestione/admin/auth/user/{outsider.pk}/change/")
    assert page.status_code == 200
    html = page.content.decode()
    assert 'name="email"' in html
    assert 'name="is_superuser"' not in html and 'name="groups"' not in html
    response = client.post(f"/gestione/admin/auth/user/{outsider.pk}/change/", {
        "username": outsider.username, "email": "corretto@example.org", "first_name": "Est",
        "last_name": "Raneo", "is_active": "on", "is_superuser": "on", "is_staff": "on"})
    assert response.status_code == 302
    outsider.refresh_from_db()
    assert outsider.email == "corretto@example.org"
    assert not outsider.is_superuser and not outsider.is_staff
    # New people come through an invitation; a superuser's account is not theirs to change.
    assert client.get("/gestione/admin/auth/user/add/").status_code == 403
    root = type(outsider).objects.create_superuser("radice", "r@example.org", PASSWORD)
    client.post(f"/gestione/admin/auth/user/{root.pk}/change/", {
        "username": "radice", "email": "preso@example.org", "is_active": "on"})
    root.refresh_from_db()
    assert root.email == "r@example.org"


@pytest.mark.parametrize("who", ["coordinator", "clerk", "outsider"])
def test_others_do_not_reach_accounts_in_the_admin(client, cast, who):
    person = cast[who]
    person.is_staff = True
    person.save()
    client.force_login(person)
    assert client.get("/gestione/admin/auth/user/").status_code == 403


def test_secretariat_membership_opens_and_closes_the_admin(client, cast):
    outsider = cast["outsider"]
    site_services.role_assign(person=outsider, kind="secretariat", user=cast["secretariat"])
    outsider.refresh_from_db()
    assert outsider.is_staff
    client.force_login(outsider)
    assert client.get("/gestione/admin/auth/user/").status_code == 200
    site_services.role_remove(person=outsider, kind="secretariat", user=cast["secretariat"])
    outsider.refresh_from_db()
    assert not outsider.is_staff and not outsider.groups.exists()
    assert client.get("/gestione/persone/").status_code == 403


def test_person_page_queries_do_not_grow_with_roles(client, cast, django_assert_num_queries):
    client.force_login(cast["secretariat"])
    coordinator = cast["coordinator"]
    url = f"/gestione/persone/{coordinator.pk}/"
    # Session, user, secretariat check (3); the person and their five prefetched kinds of
    # role (6); the person's secretariat check (1); history: coordinators, reporters, clerks,
    # referent records, the account's log (5); the four lists a role is given on (4); the
    # instruments' roles and the pacts they are given in (2).
    expected = 3 + 6 + 1 + 5 + 4 + 2
    with django_assert_num_queries(expected):
        small = client.get(url)
    for cluster in cast["pact"].clusters.exclude(pk=cast["project"].cluster_id):
        site_services.role_assign(person=coordinator, kind="coordinator", target=cluster.pk,
                                  user=cast["secretariat"])
    for fund in Fund.objects.all():
        site_services.role_assign(person=coordinator, kind="clerk", target=fund.pk,
                                  user=cast["secretariat"])
    with django_assert_num_queries(expected):
        large = client.get(url)
    assert large.content.decode().count('data-change="+"') > \
        small.content.decode().count('data-change="+"') + 3


def test_invitation_sent_again_until_the_person_signs_up(client, cast,
                                                         django_capture_on_commit_callbacks):
    person = people.person_invite(email="ritardo@example.org", user=cast["secretariat"],
                                  site_url="http://testserver")
    client.force_login(cast["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(f"/gestione/persone/{person.pk}/invita-di-nuovo/")
    assert response.status_code == 302
    assert [m.to for m in mail.outbox] == [["ritardo@example.org"]]
    assert "/accedi/iscrizione/" in mail.outbox[0].body
    with pytest.raises(ApplicationError) as caught:
        people.person_reinvite(person=cast["referent"], user=cast["secretariat"],
                               site_url="http://testserver")
    assert caught.value.code == "signed_up"
    client.force_login(cast["coordinator"])
    assert client.post(f"/gestione/persone/{person.pk}/invita-di-nuovo/").status_code == 403


def test_invitation_link_uses_the_configured_public_address(client, cast, settings,
                                                           django_capture_on_commit_callbacks):
    settings.PATTO_SITE_URL = "https://patto.example.org/"
    client.force_login(cast["secretariat"])
    with django_capture_on_commit_callbacks(execute=True):
        client.post("/gestione/persone/invita/", {"email": "pubblico@example.org"})
    assert "https://patto.example.org/accedi/iscrizione/" in mail.outbox[0].body
