"""Back office for the funds: registry rows with history; the ledger is read-only here."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


class PurposeInline(admin.TabularInline):
    model = models.Purpose
    extra = 0


class ClerkInline(admin.TabularInline):
    model = models.FundClerk
    extra = 0
    autocomplete_fields = ["user"]


@admin.register(models.Fund)
class FundAdmin(SimpleHistoryAdmin):
    list_display = ["code", "instrument", "kind", "allow_overcommit", "is_example"]
    inlines = [PurposeInline, ClerkInline]


@admin.register(models.Donor)
class DonorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "kind", "full_name", "consent_public", "is_example"]
    list_filter = ["kind", "consent_public"]
    search_fields = ["code", "name", "party__name", "territory__name"]
    autocomplete_fields = ["party", "territory"]


@admin.register(models.ChargeRule)
class ChargeRuleAdmin(SimpleHistoryAdmin):
    list_display = ["fund", "valid_from", "secondary_rate", "extraordinary_rate"]


class RuleIndicatorInline(admin.TabularInline):
    model = models.RuleIndicator
    extra = 0
    autocomplete_fields = ["indicator"]


@admin.register(models.AllocationRule)
class AllocationRuleAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "fund", "method", "year", "total"]
    inlines = [RuleIndicatorInline]


class ReadOnlyAdmin(admin.ModelAdmin):
    """Ledger rows are written by the services only and never changed."""

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class EntryInline(admin.TabularInline):
    model = models.Entry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(models.Movement)
class MovementAdmin(ReadOnlyAdmin):
    list_display = ["ref", "fund", "kind", "booked_on", "medium", "amount", "recorded_by"]
    list_filter = ["fund", "kind", "medium"]
    search_fields = ["ref", "description"]
    inlines = [EntryInline]


@admin.register(models.Account)
class AccountAdmin(ReadOnlyAdmin):
    list_display = ["code", "fund", "kind", "medium", "balance_cents", "guarded"]
    list_filter = ["fund", "kind"]
