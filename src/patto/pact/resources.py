"""Spreadsheet import and export of parties and territories (CSV and XLSX), by code."""

from __future__ import annotations

import tablib
from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, TextField
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

from patto.core.importing import ImportContext
from patto.core.permissions import record_save
from patto.engine.problems import Problem

from .models import Party, PartyCategory, Territory


class CodeWidget(widgets.ForeignKeyWidget):
    """A foreign key written as the related row's code; an unknown code names the fix."""

    def clean(self, value, row=None, **kwargs):
        value = (value or "").strip() if isinstance(value, str) else value
        if not value:
            return None
        try:
            return self.get_queryset(value, row, **kwargs).get(**{self.field: value})
        except self.model.DoesNotExist:
            raise ValueError(_(
                "“%(value)s” does not exist among: %(model)s. Use an existing code or add it "
                "first.") % {"value": value, "model": self.model._meta.verbose_name_plural}
            ) from None


class TextCellsResource(resources.ModelResource):
    """Empty spreadsheet cells become '' for text fields, as the database keeps them."""

    def before_import_row(self, row, **kwargs):
        for name in row.keys():
            try:
                field = self._meta.model._meta.get_field(name)
            except FieldDoesNotExist:
                continue
            if row[name] is None and isinstance(field, (CharField, TextField)) \
                    and not field.null and not field.is_relation:
                row[name] = ""

    def save_instance(self, instance, is_create, row, **kwargs):
        # Writes go through the registry's service, which checks the role and keeps history.
        if not kwargs.get("dry_run"):
            record_save(obj=instance, user=kwargs.get("user"), reason=_("spreadsheet import"))


class PartyResource(TextCellsResource):
    code = fields.Field(attribute="code", column_name="code")
    category = fields.Field(attribute="category", column_name="category",
                            widget=CodeWidget(PartyCategory, field="code"))
    territory = fields.Field(attribute="territory", column_name="territory",
                             widget=CodeWidget(Territory, field="code"))

    class Meta:
        model = Party
        import_id_fields = ["code"]
        fields = ["code", "name", "legal_name", "short_name", "category", "tax_code", "website",
                  "territory", "description"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().select_related("category", "territory")


class TerritoryResource(TextCellsResource):
    class Meta:
        model = Territory
        import_id_fields = ["code"]
        fields = ["code", "name", "kind", "istat_code", "cadastral_code", "population",
                  "population_year", "population_source", "website"]
        export_order = fields
        clean_model_instances = True
        skip_unchanged = True
        report_skipped = True

    def get_queryset(self):
        return super().get_queryset().defer("boundary")


def _problems(result, resource, table) -> list[Problem]:
    """import-export's findings with their places in the uploaded table."""
    columns = {f.attribute: f.column_name for f in resource.fields.values()}

    def row(number: int):
        return table.rows[number - 1]

    problems: list[Problem] = []
    for error in result.base_errors:
        problems.append(Problem(file=table.place, code="file-error", detail=str(error.error)))
    for number, errors in result.row_errors():
        for error in errors:
            problems.append(row(number).problem(None, str(error.error), code="row-error"))
    for invalid in result.invalid_rows:
        for attribute, messages in invalid.error_dict.items():
            column = columns.get(attribute, attribute)
            for message in messages:
                problems.append(row(invalid.number).problem(
                    None if column == "__all__" else column, str(message)))
    return problems


def resource_runner(resource_class: type) -> callable:
    """An importer (see patto.core.importing) that runs a resource on the uploaded table."""

    def run(context: ImportContext) -> dict:
        table = context.table()
        dataset = tablib.Dataset(headers=table.header)
        for row in table.rows:
            dataset.append([row.cells[h] or None for h in table.header])
        resource = resource_class()
        result = resource.import_data(dataset, dry_run=False, raise_errors=False,
                                      use_transactions=False, user=context.user)
        context.problems.extend(_problems(result, resource, table))
        context.progress(100)
        return {k: v for k, v in result.totals.items() if v}

    return run
