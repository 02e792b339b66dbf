"""Reminder emails before a deadline, through a real SMTP server on localhost."""

from __future__ import annotations

import datetime as dt
import socket

import pytest
from django.core.management import call_command

from patto.projects import services
from patto.projects.models import Reminder


class Inbox:
    def __init__(self):
        self.messages = []

    async def handle_DATA(self, server, session, envelope):
        self.messages.append((envelope.rcpt_tos, envelope.content.decode("utf-8", "replace")))
        return "250 OK"


@pytest.fixture
def smtp(settings):
    from aiosmtpd.controller import Controller

    with socket.socket() as probe:  # a free port on the loopback
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST, settings.EMAIL_PORT = "127.0.0.1", port
    settings.EMAIL_USE_TLS = False
    yield inbox
    controller.stop()


def test_late_referents_get_one_reminder(people, smtp, django_capture_on_commit_callbacks):
    reporting_round = services.round_open(pact=people.pact, title="Round", user=people.secretariat,
                                          opens_on=dt.date(2026, 3, 1),
                                          deadline=dt.date(2026, 3, 12))
    with django_capture_on_commit_callbacks(execute=True):
        sent = services.reminders_send(today=dt.date(2026, 3, 10), days_before=3)
    assert [(p.code, u.username) for _, p, u in sent] == [("prova-cluster-1", "referente")]
    assert len(smtp.messages) == 1
    recipients, content = smtp.messages[0]
    assert recipients == ["referente@example.org"]
    assert "Progetto prova-cluster-1" in content
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=dt.date(2026, 3, 11), days_before=3) == []
    assert len(smtp.messages) == 1
    assert Reminder.objects.filter(round=reporting_round).count() == 1


def test_no_reminder_once_submitted_or_far_from_deadline(people, smtp,
                                                         django_capture_on_commit_callbacks):
    reporting_round = services.round_open(pact=people.pact, title="Round", user=people.secretariat,
                                          opens_on=dt.date(2026, 3, 1),
                                          deadline=dt.date(2026, 3, 31))
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=dt.date(2026, 3, 10), days_before=3) == []
    update = services.update_save(reporting_round=reporting_round, project=people.own,
                                  user=people.referent, proposed_status="in_progress", progress=10,
                                  summary="Avviato.")
    services.update_submit(update=update, user=people.referent, expected_version=update.version)
    with django_capture_on_commit_callbacks(execute=True):
        assert services.reminders_send(today=dt.date(2026, 3, 30), days_before=3) == []
    assert smtp.messages == []


def test_command_dry_run_sends_nothing(people, smtp, capsys):
    services.round_open(pact=people.pact, title="Round", user=people.secretariat,
                        opens_on=dt.date(2026, 3, 1), deadline=dt.date(2026, 3, 12))
    call_command("send-reminders", "--today", "2026-03-10", "--dry-run")
    assert "reminders: 1 (dry run)" in capsys.readouterr().out
    assert smtp.messages == [] and not Reminder.objects.exists()
