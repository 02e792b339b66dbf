"""Back office for monitoring: indicators and targets; observations are read-only history."""

from django.contrib import admin
from simple_history.admin import SimpleHistoryAdmin

from . import models


class TargetInline(admin.TabularInline):
    model = models.Target
    extra = 0


@admin.register(models.Indicator)
class IndicatorAdmin(SimpleHistoryAdmin):
    list_display = ["code", "name", "pact", "level", "sdg_goal", "direction", "is_example"]
    list_filter = ["pact", "level", "sdg_goal", "is_example"]
    search_fields = ["code", "name", "sdg_indicator"]
    list_select_related = ["pact", "sdg_goal"]
    filter_horizontal = ["challenges"]
    inlines = [TargetInline]
    readonly_fields = ["data_columns"]


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
