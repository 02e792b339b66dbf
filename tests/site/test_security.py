"""Secure by default: deploy checks, login lockout, staff-only back office, history views."""

from __future__ import annotations

import os
import secrets
import stat
import subprocess
import sys
import time

import pytest
from django.urls import reverse

from patto.pact.models import Party


def test_check_deploy_is_clean_with_production_settings():
    env = {**os.environ, "PATTO_PRODUCTION": "1", "SECRET_KEY": secrets.token_urlsafe(50),
           "ALLOWED_HOSTS": "patto.example.org", "DJANGO_SETTINGS_MODULE": "patto.settings"}
    for name in ("DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "-m", "patto.cli", "check", "--deploy", "--fail-level", "WARNING"],
        env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


def test_production_refuses_to_start_without_secret_key():
    env = {**os.environ, "PATTO_PRODUCTION": "1", "DJANGO_SETTINGS_MODULE": "patto.settings"}
    env.pop("SECRET_KEY", None)
    result = subprocess.run([sys.executable, "-m", "patto.cli", "check"], env=env,
                            capture_output=True, text=True, check=False)
    assert result.returncode != 0
    assert "SECRET_KEY" in result.stderr


def test_login_is_locked_after_repeated_failures(client, staff, settings):
    url = reverse("admin:login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "segreteria", "password": "wrong"})
    response = client.post(url, {"username": "segreteria", "password": "a-long-test-password"})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_back_office_needs_login(client, bologna):
    response = client.get(reverse("admin:pact_party_changelist"))
    assert response.status_code == 302
    assert reverse("admin:login") in response["Location"]


def test_staff_edits_are_kept_in_history_with_who_and_before(client, bologna, staff):
    client.force_login(staff)
    party = Party.objects.get(code="cgil-bologna")
    old_name = party.short_name
    url = reverse("admin:pact_party_change", args=[party.pk])
    form = client.get(url).context["adminform"].form
    data = {k: ("" if v is None else v) for k, v in form.initial.items()}
    data.update(short_name="CGIL BO", category=party.category_id,
                territory=party.territory_id or "")
    response = client.post(url, data)
    assert response.status_code == 302, response.content[:2000]
    record = party.history.first()
    assert record.history_user == staff and record.short_name == "CGIL BO"
    assert record.prev_record.short_name == old_name
    history = client.get(reverse("admin:pact_party_history", args=[party.pk]))
    assert history.status_code == 200
    assert b"segreteria" in history.content


def test_admin_lists_have_search_and_export(client, bologna, staff):
    client.force_login(staff)
    response = client.get(reverse("admin:pact_party_changelist"), {"q": "CGIL"})
    assert response.status_code == 200
    assert b"CGIL" in response.content
    assert b"/gestione/importazioni/parties/nuova/" in response.content


def test_markdown_texts_are_sanitised(bologna):
    from patto.site.templatetags.patto_tags import markdown

    html = markdown("**ok** <script>alert(1)</script> [x](javascript:alert(1))")
    assert "<strong>ok</strong>" in html
    assert "<script>" not in html and "javascript:" not in html


def test_missing_assets_fail_the_system_check(settings, tmp_path):
    from patto.core.checks import check_front_end_assets

    settings.STATICFILES_DIRS = [("vendor/echarts", tmp_path / "nowhere")]
    [error] = check_front_end_assets(None)
    assert error.id == "core.E001" and "npm ci" in error.hint


# ---------------------------------------------------------------------------------------------
# The secret key, staff sessions and the login lockout


PUBLISHED_KEY = "insecure-development-key-set-SECRET_KEY-in-production"
SHOW_KEY = ("import hashlib, django; django.setup(); from django.conf import settings; "
            "print(hashlib.sha256(settings.SECRET_KEY.encode()).hexdigest())")


def _start(tmp_path, **env):
    """Start Django's settings in a clean environment (no pytest, no key unless given)."""
    clean = {"PATH": os.environ.get("PATH", ""), "DJANGO_SETTINGS_MODULE": "patto.settings",
             "PATTO_VAR_DIR": str(tmp_path / "var"), **env}
    return subprocess.run([sys.executable, "-c", SHOW_KEY], env=clean, capture_output=True,
                          text=True, check=False)


def test_settings_refuse_to_start_without_a_key_outside_debug_demo_and_tests(tmp_path):
    result = _start(tmp_path)
    assert result.returncode != 0
    assert "ImproperlyConfigured" in result.stderr and "SECRET_KEY" in result.stderr
    assert not (tmp_path / "var" / "secret_key").exists()
    # PATTO_PRODUCTION needs a key even with DEBUG.
    assert _start(tmp_path, DEBUG="1", PATTO_PRODUCTION="1").returncode != 0
    given = _start(tmp_path, SECRET_KEY=secrets.token_urlsafe(50))
    assert given.returncode == 0, given.stderr


def test_the_published_development_key_is_refused_everywhere(tmp_path):
    for extra in ({}, {"DEBUG": "1"}, {"PATTO_DEMO": "1"}):
        result = _start(tmp_path, SECRET_KEY=PUBLISHED_KEY, **extra)
        assert result.returncode != 0 and "published" in result.stderr, extra


@pytest.mark.parametrize("mode", [{"DEBUG": "1"}, {"PATTO_DEMO": "1"}])
def test_debug_and_the_demo_make_a_private_key_once_in_var(tmp_path, mode):
    first = _start(tmp_path, **mode)
    assert first.returncode == 0, first.stderr
    path = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    assert len(path.read_text().strip()) >= 50
    second = _start(tmp_path, **mode)
    assert second.stdout == first.stdout  # the same key on every start


def test_under_pytest_each_process_has_a_random_key(tmp_path, settings):
    one, two = (_start(tmp_path, PYTEST_VERSION="9") for _ in range(2))
    assert one.returncode == two.returncode == 0, one.stderr
    assert one.stdout != two.stdout
    assert not (tmp_path / "var" / "secret_key").exists()
    assert settings.SECRET_KEY != PUBLISHED_KEY


@pytest.fixture
def signed_in(client, staff):
    """A staff member signed in through the login page, with one page served since."""
    response = client.post(reverse("site:login"), {"username": "segreteria",
                                                   "password": "a-long-test-password"})
    assert response.status_code == 302
    assert client.get(reverse("admin:index")).status_code == 200
    return client


def _shift(client, **seconds):
    """Move the session's stored times into the past (no sleeping)."""
    from patto.core import middleware

    session = client.session
    for name, delta in seconds.items():
        key = {"signed_in": middleware.SIGNED_IN_AT, "seen": middleware.SEEN_AT}[name]
        session[key] -= delta
    session.save()


def _still_signed_in(client) -> bool:
    response = client.get(reverse("admin:index"))
    return response.status_code == 200


def test_sign_in_stamps_the_session_times(signed_in):
    from patto.core import middleware

    session = signed_in.session
    assert abs(session[middleware.SIGNED_IN_AT] - time.time()) < 60
    assert abs(session[middleware.SEEN_AT] - time.time()) < 60


def test_a_session_idle_for_an_hour_ends(signed_in, settings):
    assert settings.PATTO_SESSION_IDLE_SECONDS == 3600
    _shift(signed_in, seen=59 * 60)
    assert _still_signed_in(signed_in)  # 59 minutes idle: still in, and the clock restarts
    _shift(signed_in, seen=60 * 60)
    response = signed_in.get(reverse("admin:index"))
    assert response.status_code == 302 and reverse("admin:login") in response["Location"]
    assert "_auth_user_id" not in signed_in.session


def test_a_busy_session_ends_eight_hours_after_sign_in(signed_in, settings):
    assert settings.PATTO_SESSION_MAX_SECONDS == 8 * 3600
    _shift(signed_in, signed_in=8 * 3600 - 120)
    assert _still_signed_in(signed_in)
    _shift(signed_in, signed_in=120)
    assert not _still_signed_in(signed_in)
    assert "_auth_user_id" not in signed_in.session


def test_login_is_locked_per_address_whatever_the_usernames(client, staff, settings):
    url = reverse("admin:login")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": f"guess-{attempt}", "password": "wrong"},
                    REMOTE_ADDR="203.0.113.7")
    locked = client.post(url, {"username": "segreteria", "password": "a-long-test-password"},
                         REMOTE_ADDR="203.0.113.7")
    assert locked.status_code == 429
    assert "_auth_user_id" not in client.session
    elsewhere = client.post(url, {"username": "segreteria",
                                  "password": "a-long-test-password"},
                            REMOTE_ADDR="198.51.100.2")
    assert elsewhere.status_code == 302 and "_auth_user_id" in client.session


def test_behind_trusted_proxies_the_lockout_reads_the_address_they_saw(client, staff,
                                                                        settings):
    from django.test import RequestFactory

    from patto.core.middleware import client_ip

    def address(forwarded: str, count: int) -> str:
        settings.PATTO_TRUSTED_PROXY_COUNT = count
        request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.2",
                                       HTTP_X_FORWARDED_FOR=forwarded)
        return client_ip(request)

    assert address("6.6.6.6, 203.0.113.7", 0) == "10.0.0.2"
    assert address("6.6.6.6, 203.0.113.7", 1) == "203.0.113.7"  # the client wrote 6.6.6.6
    assert address("6.6.6.6, 203.0.113.7, 10.0.0.1", 2) == "203.0.113.7"
    assert address("203.0.113.7", 2) == "10.0.0.2"  # not through every proxy
    assert address("6.6.6.6, not-an-address", 1) == "10.0.0.2"
    # A client that forges a new address on each try is still locked out.
    settings.PATTO_TRUSTED_PROXY_COUNT = 1
    url = reverse("admin:login")
    for attempt in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": f"guess-{attempt}", "password": "wrong"},
                    REMOTE_ADDR="10.0.0.2",
                    HTTP_X_FORWARDED_FOR=f"192.0.2.{attempt}, 203.0.113.7")
    locked = client.post(url, {"username": "segreteria", "password": "a-long-test-password"},
                         REMOTE_ADDR="10.0.0.2", HTTP_X_FORWARDED_FOR="192.0.2.99, 203.0.113.7")
    assert locked.status_code == 429
