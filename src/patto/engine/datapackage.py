"""Reads a Frictionless Data Package into plain records, or reports every problem with its place.

The reader validates the package against its own ``datapackage.json`` (types, required
values, patterns, enumerations, primary and foreign keys) with the Frictionless Framework
and returns the typed rows of each resource. It never touches a database.
"""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from frictionless import Package, system
from frictionless.exception import FrictionlessException

from .problems import InputError, Problem

#: What to tell the person for each kind of Frictionless error.
_FIXES = {
    "type-error": "write a value of the field's type ({type}); dates as YYYY-MM-DD",
    "constraint-error": "change the value so that it meets the constraint",
    "primary-key": "make the row's key unique, or remove the duplicate row",
    "foreign-key": "use a value that exists in the referenced table, or add it there first",
    "missing-label": "add the missing column to the header",
    "extra-label": "remove the column or declare it in datapackage.json",
    "incorrect-label": "rename the header to the name declared in datapackage.json",
    "duplicate-label": "remove the duplicate column",
    "blank-row": "delete the empty row",
    "extra-cell": "remove the cells beyond the declared columns",
    "missing-cell": "fill in the missing cells or add the separators",
    "scheme-error": "add the file, or fix its path in datapackage.json",
    "source-error": "save the file as UTF-8 CSV",
    "encoding-error": "save the file as UTF-8 CSV",
}


@dataclass(frozen=True, slots=True)
class PackageData:
    """The typed rows of every resource of a package, by resource name."""

    root: Path
    descriptor: dict
    tables: dict[str, list[dict[str, Any]]]

    @property
    def name(self) -> str:
        return self.descriptor.get("name", self.root.name)

    def text(self, relative: str | None, *, resource: str | None = None,
             row: dict | None = None) -> str:
        """The content of a file shipped in the package (Markdown texts), '' when unset.

        The file must lie inside the package folder once every link is followed: an absolute
        path, ``..`` or a symbolic link that leaves the package is refused with its place, so
        that no file of the server can be read through a package or an upload.
        """
        if not relative:
            return ""
        path = self.contained(relative)
        if path is None or not path.is_file():
            code = "outside-package" if path is None else "missing-text"
            raise InputError([Problem(
                file=f"{resource}.csv" if resource else self.root.name,
                row=(row or {}).get("_row"), field="text_file", code=code,
                detail=f"{relative!r} is not a file inside the package; use a path inside it",
                params={"value": relative})])
        return path.read_text(encoding="utf-8")

    def contained(self, relative: str) -> Path | None:
        """The path of a package file, or None when it would lead outside the package."""
        if Path(relative).is_absolute() or "\x00" in relative:
            return None
        root = self.root.resolve()
        path = (root / relative).resolve()
        return path if path.is_relative_to(root) and path != root else None


def _descriptor_path(path: str | Path) -> Path:
    path = Path(path).resolve()
    if path.is_dir():
        path = path / "datapackage.json"
    return path


_FK_FIELD = re.compile(r'for "([^"]+)"')


def _problem_from_error(resource: Any, path: str, error: Any, schema_types: dict) -> Problem:
    code = error.type
    field = getattr(error, "field_name", None) or None
    note = getattr(error, "note", "") or ""
    if code == "foreign-key" and (match := _FK_FIELD.search(note)):
        field = match.group(1)
    elif code == "primary-key" and resource is not None:
        field = ", ".join(resource.schema.primary_key)
    row = getattr(error, "row_number", None)
    cell = getattr(error, "cell", None)
    fix = _FIXES.get(code, "correct the file").format(type=schema_types.get(field, "text"))
    if code == "foreign-key":
        detail = f"refers to something that does not exist ({note}); {fix}"
    elif code == "primary-key":
        detail = f"duplicates the key of another row ({note}); {fix}"
    elif code == "constraint-error":
        detail = f"value {cell!r} does not meet the constraint ({note}); {fix}"
    elif code == "type-error":
        detail = f"value {cell!r} is not a valid {schema_types.get(field, 'value')}; {fix}"
    else:
        detail = f"{error.message}; {fix}"
    return Problem(
        file=path, row=row, field=field, code=code, detail=detail,
        params={"cell": cell, "note": note, "type": schema_types.get(field, "value")},
    )


def read_package(path: str | Path) -> PackageData:
    """Validate and read a data package.

    Parameters
    ----------
    path : str or Path
        The package folder or its ``datapackage.json``.

    Returns
    -------
    PackageData
        Typed rows per resource; dates are :class:`datetime.date`, integers ``int``.

    Raises
    ------
    InputError
        With every problem found, each naming file, row and field. The caller writes
        nothing when this is raised.
    """
    descriptor_path = _descriptor_path(path)
    if not descriptor_path.is_file():
        raise InputError([Problem(
            file=str(descriptor_path), code="missing-descriptor",
            detail="no datapackage.json here; pass the package folder or its datapackage.json",
        )])
    root = descriptor_path.parent
    try:
        # Packages are local folders: refuse remote or out-of-tree paths in resources.
        with system.use_context(trusted=False):
            package = Package(str(descriptor_path))
            report = package.validate()
    except FrictionlessException as exc:
        raise InputError([Problem(
            file=descriptor_path.name, code="invalid-descriptor",
            detail=f"datapackage.json is not a valid package descriptor: {exc.error.message}",
        )]) from exc

    problems: list[Problem] = []
    for task in report.tasks:
        resource = package.get_resource(task.name) if package.has_resource(task.name) else None
        file = resource.path if resource is not None else task.name
        types = {f.name: f.type for f in resource.schema.fields} if resource is not None else {}
        problems.extend(_problem_from_error(resource, file, e, types) for e in task.errors)
    for error in report.errors:
        problems.append(Problem(file=descriptor_path.name, code=error.type, detail=error.message))
    if problems:
        raise InputError(problems)

    tables: dict[str, list[dict[str, Any]]] = {}
    for resource in package.resources:
        with system.use_context(trusted=False):
            rows = resource.read_rows()
        tables[resource.name] = [
            {**{k: _plain(v) for k, v in row.items()}, "_row": row.row_number} for row in rows
        ]
    return PackageData(root=root, descriptor=package.to_descriptor(), tables=tables)


def _plain(value: Any) -> Any:
    """Frictionless returns its own year type as int and strings stripped; keep plain types."""
    if isinstance(value, dt.datetime):
        return value.date()
    return value
