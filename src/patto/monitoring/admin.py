"""Back office for monitoring: indicators and targets; observations are read-only history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from patto.core.permissions import SecretariatAdminMixin, SecretariatInlineMixin

from . import models
from .assessments import assessments_refresh, goals_assess


class TargetInline(SecretariatInlineMixin, admin.TabularInline):
    model = models.Target
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(SecretariatAdminMixin, SimpleHistoryAdmin):
    """The secretariat's page for indicators and their targets: saves go through
    ``record_save`` and then assess the indicator and its pact's goals again, in the same
    transaction, so no page shows a status from the old options or targets."""

    list_display = ["code", "name", "pact", "level", "sdg_goal", "direction", "is_example"]
    list_filter = ["pact", "level", "sdg_goal", "is_example"]
    search_fields = ["code", "name", "sdg_indicator"]
    list_select_related = ["pact", "sdg_goal"]
    filter_horizontal = ["challenges"]
    inlines = [TargetInline]
    readonly_fields = ["data_columns"]

    def save_related(self, request, form, formsets, change):
        # After the indicator (save_model) and its targets (the inline's formset).
        super().save_related(request, form, formsets, change)
        assessments_refresh(indicators=[form.instance])

    def delete_model(self, request, obj):
        pact = obj.pact
        super().delete_model(request, obj)
        goals_assess(pact=pact)

    def delete_queryset(self, request, queryset):
        pacts = {i.pact for i in queryset}
        super().delete_queryset(request, queryset)
        for pact in pacts:
            goals_assess(pact=pact)


@admin.register(models.Observation)
class ObservationAdmin(admin.ModelAdmin):
    """Values are never edited in place: a correction is a new import or a new value."""

    list_display = ["indicator", "year", "series", "territory", "value_text", "status",
                    "is_current", "created_by", "created_at"]
    list_filter = ["is_current", "status", "indicator__pact"]
    search_fields = ["indicator__code", "series"]
    list_select_related = ["indicator", "territory", "created_by"]

    def has_change_permission(self, request, obj=None):
        return False

    def has_add_permission(self, request):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.ImportBatch)
class ImportBatchAdmin(admin.ModelAdmin):
    list_display = ["kind", "name", "created_by", "created_at"]
    readonly_fields = ["kind", "name", "created_by", "created_at", "summary"]
