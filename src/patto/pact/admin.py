"""Back office for the pact registry: lists, search, filters, history and spreadsheet export."""

from django.contrib import admin
from import_export.admin import ExportMixin
from simple_history.admin import SimpleHistoryAdmin

from patto.core.permissions import SecretariatAdminMixin, SecretariatInlineMixin

from . import models
from .resources import PartyResource, TerritoryResource


class HistoryAdmin(SecretariatAdminMixin, SimpleHistoryAdmin):
    """The secretariat's pages: every change goes through the registry's service and is kept
    (the history page shows who, when, and before and after)."""


class ImportLinkMixin:
    """Adds a link to the background import page above the change list."""

    import_export_change_list_template = "admin/pact/import_changelist.html"
    import_kind = ""

    def changelist_view(self, request, extra_context=None):
        return super().changelist_view(request, {**(extra_context or {}),
                                                 "import_kind": self.import_kind})


class MembershipInline(SecretariatInlineMixin, admin.TabularInline):
    model = models.TerritoryMembership
    fk_name = "territory"
    extra = 0
    autocomplete_fields = ["parent"]


@admin.register(models.Territory)
class TerritoryAdmin(ImportLinkMixin, ExportMixin, HistoryAdmin):
    resource_classes = [TerritoryResource]
    list_display = ["name", "kind", "istat_code", "population", "population_year"]
    list_filter = ["kind"]
    search_fields = ["name", "code", "istat_code", "cadastral_code"]
    inlines = [MembershipInline]
    exclude = ["boundary"]
    import_kind = "territories"


@admin.register(models.TerritoryMembership)
class TerritoryMembershipAdmin(HistoryAdmin):
    list_display = ["territory", "parent", "start_on", "end_on", "source"]
    list_filter = ["parent"]
    search_fields = ["territory__name", "parent__name"]
    autocomplete_fields = ["territory", "parent"]
    list_select_related = ["territory", "parent"]


@admin.register(models.PartyCategory)
class PartyCategoryAdmin(HistoryAdmin):
    list_display = ["name", "code", "position"]
    search_fields = ["name"]


@admin.register(models.Party)
class PartyAdmin(ImportLinkMixin, ExportMixin, HistoryAdmin):
    resource_classes = [PartyResource]
    list_display = ["name", "short_name", "category", "tax_code", "territory"]
    list_filter = ["category", "pact_roles__pact", "pact_roles__role"]
    search_fields = ["name", "short_name", "code", "tax_code"]
    autocomplete_fields = ["territory", "category"]
    list_select_related = ["category", "territory"]
    import_kind = "parties"


class PactPartyInline(SecretariatInlineMixin, admin.TabularInline):
    model = models.PactParty
    extra = 0
    autocomplete_fields = ["party"]


class DocumentInline(SecretariatInlineMixin, admin.TabularInline):
    model = models.PactDocument
    extra = 0


@admin.register(models.Pact)
class PactAdmin(HistoryAdmin):
    list_display = ["short_title", "signed_on", "territory"]
    search_fields = ["title", "short_title", "code"]
    inlines = [PactPartyInline, DocumentInline]
    autocomplete_fields = ["territory"]


@admin.register(models.PactParty)
class PactPartyAdmin(HistoryAdmin):
    list_display = ["party", "pact", "role", "joined_on", "position"]
    list_filter = ["pact", "role"]
    search_fields = ["party__name"]
    list_select_related = ["party", "pact"]
    autocomplete_fields = ["party"]


class PactPartAdmin(HistoryAdmin):
    list_filter = ["pact"]
    list_select_related = ["pact"]


@admin.register(models.Cluster)
class ClusterAdmin(PactPartAdmin):
    list_display = ["code", "short_title", "pact", "position"]
    search_fields = ["title", "short_title"]


@admin.register(models.Challenge)
class ChallengeAdmin(PactPartAdmin):
    list_display = ["code", "title", "pact", "position"]
    search_fields = ["title"]
    filter_horizontal = ["sdgs", "clusters"]


class MemberInline(SecretariatInlineMixin, admin.TabularInline):
    model = models.WorkingGroupMember
    extra = 0
    autocomplete_fields = ["party"]


@admin.register(models.WorkingGroup)
class WorkingGroupAdmin(PactPartAdmin):
    list_display = ["code", "name", "cluster", "pact"]
    search_fields = ["name"]
    inlines = [MemberInline]
    list_select_related = ["pact", "cluster"]


@admin.register(models.EmergencyAction)
class EmergencyActionAdmin(PactPartAdmin):
    list_display = ["code", "title", "pact", "position"]
    search_fields = ["title"]


@admin.register(models.Instrument)
class InstrumentAdmin(PactPartAdmin):
    list_display = ["code", "name", "kind", "pact"]
    list_filter = ["pact", "kind"]
    search_fields = ["name"]


@admin.register(models.TableDuty)
class TableDutyAdmin(PactPartAdmin):
    list_display = ["code", "title", "pact", "position"]
    search_fields = ["title"]


@admin.register(models.SdgGoal)
class SdgGoalAdmin(SecretariatAdminMixin, admin.ModelAdmin):
    list_display = ["number", "title"]
