"""Secure by default: deploy checks, login lockout, staff-only back office, history views."""

from __future__ import annotations

import os
import secrets
import subprocess
import sys

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
