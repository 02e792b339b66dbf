"""Calls: who may write and publish them, what is fixed once published, bounded documents."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import IntegrityError, transaction
from django.utils import timezone

from patto.participation import services
from patto.participation.models import Call, CallDocument
from patto.participation.services import ParticipationError


def test_only_call_managers_and_the_secretariat_draft_calls(bologna, people, call_fields):
    for name in ("union", "evaluator", "other"):
        with pytest.raises(PermissionDenied):
            services.call_create(pact=bologna, user=people[name], **call_fields)
    call = services.call_create(pact=bologna, user=people["staff"], **call_fields)
    assert call.status == Call.Status.DRAFT
    assert call.history.first().history_user == people["staff"]


def test_a_call_needs_someone_who_may_propose_and_a_later_deadline(bologna, people, call_fields):
    with pytest.raises(ParticipationError, match="Nobody could propose") as exc:
        services.call_create(
            pact=bologna,
            user=people["manager"],
            **call_fields,
            unions_may_propose=False,
            municipalities_may_propose=False,
        )
    assert exc.value.field == "unions_may_propose"
    fields = {**call_fields, "deadline": call_fields["opens_at"] - dt.timedelta(hours=1)}
    with pytest.raises(ParticipationError, match="deadline must come after") as exc:
        services.call_create(pact=bologna, user=people["manager"], **fields)
    assert exc.value.field == "deadline"
    assert not Call.objects.exists()


def test_the_database_refuses_a_call_with_no_money_or_a_deadline_before_opening(bologna):
    now = timezone.now()
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.create(
            pact=bologna,
            code="x",
            title="x",
            summary="x",
            opens_at=now,
            deadline=now + dt.timedelta(days=1),
            money_available=0,
        )
    with pytest.raises(IntegrityError), transaction.atomic():
        Call.objects.create(
            pact=bologna,
            code="y",
            title="y",
            summary="y",
            opens_at=now,
            deadline=now,
            money_available=1,
        )


def test_publishing_needs_criteria_then_fixes_them(bologna, people, call_fields):
    manager = people["manager"]
    call = services.call_create(pact=bologna, user=manager, **call_fields)
    with pytest.raises(ParticipationError, match="at least one criterion"):
        services.call_publish(call=call, user=manager)
    criterion = services.criterion_save(call=call, user=manager, title="Qualità", weight="1")
    services.call_publish(call=call, user=manager)
    with pytest.raises(ParticipationError, match="cannot change"):
        services.criterion_save(call=call, user=manager, title="Altro", weight="1")
    with pytest.raises(ParticipationError, match="cannot change"):
        services.criterion_delete(criterion=criterion, user=manager)
    call.refresh_from_db()
    with pytest.raises(ParticipationError, match="only its deadline") as exc:
        services.call_change(call=call, user=manager, money_available=Decimal("1.00"))
    assert exc.value.field == "money_available"
    with pytest.raises(ParticipationError, match="never brought forward"):
        services.call_change(call=call, user=manager, deadline=call.deadline - dt.timedelta(days=1))
    later = call.deadline + dt.timedelta(days=7)
    assert services.call_change(call=call, user=manager, deadline=later).deadline == later


def test_criteria_weights_must_be_positive(draft, people):
    with pytest.raises(ParticipationError, match="weight greater than zero") as exc:
        services.criterion_save(call=draft, user=people["manager"], title="Zero", weight="0")
    assert exc.value.field == "weight"
    with pytest.raises(ParticipationError, match="already has a criterion"):
        services.criterion_save(
            call=draft, user=people["manager"], title="Partecipazione", weight="1"
        )


def test_fragility_threshold_must_be_an_adopted_allocation(bologna, people, call_fields):
    from patto.funds.models import Simulation

    pending = Simulation.objects.filter(rule__fund__pact=bologna, adopted_at__isnull=True)
    if not pending.exists():
        from patto.funds.models import AllocationRule
        from patto.funds.services import simulation_run

        simulation_run(
            rule=AllocationRule.objects.filter(fund__pact=bologna).first(), user=people["staff"]
        )
    with pytest.raises(ParticipationError, match="adopted allocation") as exc:
        services.call_create(
            pact=bologna, user=people["manager"], **call_fields, fragility=pending.first()
        )
    assert exc.value.field == "fragility"


def test_documents_are_stored_in_the_media_folder_within_the_upload_limit(draft, people, settings):
    settings.PATTO_UPLOAD_MAX_BYTES = 1000
    manager = people["manager"]
    big = SimpleUploadedFile("bando.pdf", b"%PDF" + b"x" * 2000)
    with pytest.raises(ParticipationError, match="over the limit") as exc:
        services.call_document_add(call=draft, title="Bando", uploaded_file=big, user=manager)
    assert exc.value.field == "file"
    with pytest.raises(ParticipationError, match="not accepted"):
        services.call_document_add(
            call=draft,
            title="Bando",
            user=manager,
            uploaded_file=SimpleUploadedFile("run.exe", b"MZ"),
        )
    sneaky = SimpleUploadedFile("../../../etc/bando.pdf", b"%PDF-1.4 bando")
    document = services.call_document_add(
        call=draft, title="Bando", uploaded_file=sneaky, user=manager
    )
    path = document.file.path
    assert path.startswith(str(settings.MEDIA_ROOT))
    assert document.file.name.startswith(f"participation/calls/{draft.pk}/bando")
    assert CallDocument.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.call_document_add(
            call=draft,
            title="Altro",
            user=people["union"],
            uploaded_file=SimpleUploadedFile("a.pdf", b"%PDF"),
        )
