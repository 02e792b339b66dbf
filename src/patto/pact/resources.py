"""Spreadsheet import and export of parties and territories (CSV and XLSX), by code."""

from __future__ import annotations

from django.core.exceptions import FieldDoesNotExist
from django.db.models import CharField, TextField
from django.utils.translation import gettext as _
from import_export import fields, resources, widgets

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


class PartyResource(TextCellsResource):
    code = fields.Field(attribute="code", column_name="code")
    category = fields.Field(attribute="category", column_name="category",
                            widget=CodeWidget(PartyCategory, field="code"))
    territory = fields.Field(attribute="territory", column_name="territory",
                             widget=CodeWidget(Territory, field="code"))

    class Meta:
        model = Party
        import_id_fields = ["code"]
        fields = ["code", "name", "short_name", "category", "tax_code", "website", "territory",
                  "description"]
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


#: What staff can import, by the kind named in an import job.
IMPORTERS = {
    "parties": PartyResource,
    "territories": TerritoryResource,
}
