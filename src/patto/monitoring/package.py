"""Loads a pact package's agenda (an Open SDG data folder named `agenda/`), if it has one."""

from __future__ import annotations

from typing import Any

from patto.engine.datapackage import PackageData
from patto.engine.problems import InputError
from patto.pact.models import Pact

from .services import opensdg_import


def load_agenda_section(*, data: PackageData, writer: Any, pact: Pact, parties: dict) -> None:
    folder = data.root / "agenda"
    if not (folder / "data").is_dir():
        return
    from patto.core.errors import ApplicationError

    try:
        totals = opensdg_import(path=folder, pact=pact, user=writer.user)
    except ApplicationError as exc:
        raise InputError([p for p in exc.problems]) from exc
    result = writer.result
    for counter, key, label in ((result.created, "created", "observations"),
                                (result.updated, "revised", "observations (revised)"),
                                (result.unchanged, "unchanged", "observations")):
        if totals[key]:
            counter[label] += totals[key]
