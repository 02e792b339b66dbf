"""Procedural steps and the CUP (issue 11, point 5): written through the services, shown on
the sheet with their delays, carried by the exchange file."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from patto.projects import services
from patto.projects.exchange import COLUMNS, export_tables
from patto.projects.models import ProcedureStep, Project


def test_steps_go_through_the_service_and_show_their_delay(client, people):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    step = ProcedureStep(
        project=project,
        step="tender",
        planned_start_on=dt.date(2022, 1, 10),
        planned_end_on=dt.date(2022, 3, 1),
        actual_start_on=dt.date(2022, 1, 10),
        actual_end_on=dt.date(2022, 3, 11),
        note="Ricorso al TAR",
    )
    services.project_records_change(
        project=project, user=people.secretariat, model_name="procedurestep", saved=[step]
    )
    assert step.delay_days == 10 and step.history.count() == 1
    html = client.get(project.get_absolute_url()).content.decode()
    steps = html[html.find('data-testid="procedure-steps"') :]
    assert "Ricorso al TAR" in steps and "10" in steps[:2000]
    rows = export_tables(Project.objects.filter(pk=project.pk))["procedure_steps"]
    values = dict(zip(COLUMNS["procedure_steps"], rows[0], strict=True))
    assert values["step"] == "tender" and values["actual_end_on"] == "2022-03-11"


def test_a_step_outside_ones_roles_is_refused(people):
    project = Project.objects.get(pact=people.pact, code="reshoring")
    with pytest.raises(PermissionDenied):
        services.project_records_change(
            project=project,
            user=people.outsider,
            model_name="procedurestep",
            saved=[ProcedureStep(project=project, step="works")],
        )


@pytest.mark.parametrize(
    ("cup", "ok"),
    [
        ("J31B21000440001", True),
        ("J31B2100044000", False),
        ("J31B99000440001", True),
        ("J31B89000440001", False),
    ],
)
def test_the_cup_is_checked(bologna, cup, ok):
    project = Project.objects.get(pact=bologna, code="reshoring")
    project.cup = cup
    if ok:
        project.full_clean()
    else:
        with pytest.raises(ValidationError, match="CUP"):
            project.full_clean()
