"""Back office for the funds: every save goes through the services; a fund clerk sees only his
funds' rows and donors; what no service writes is read-only here, and the ledger always is."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext_lazy as _
from simple_history.admin import SimpleHistoryAdmin

from patto.core.errors import ApplicationError
from patto.pact.models import Pact
from patto.projects.rules import is_secretariat

from . import models, selectors, services


class ScopedAdmin(admin.ModelAdmin):
    """Rows narrowed to the funds the person keeps, permissions asked with the object (so a
    clerk's rights on another fund's row are those of a stranger), choices narrowed too."""

    #: The path from the model to its fund ("" for the fund itself).
    fund_path = "fund"

    def get_queryset(self, request):
        found = super().get_queryset(request)
        if is_secretariat(request.user):
            return found
        kept = selectors.funds_kept(user=request.user)
        return found.filter(**{f"{self.fund_path}__in" if self.fund_path else "pk__in": kept})

    def formfield_for_foreignkey(self, db_field, request, **kwargs):
        kept = selectors.funds_kept(user=request.user)
        if db_field.related_model is models.Fund:
            kwargs["queryset"] = kept
        elif db_field.related_model is Pact:
            kwargs["queryset"] = Pact.objects.filter(pk__in=kept.values("pact"))
        return super().formfield_for_foreignkey(db_field, request, **kwargs)

    def _perm(self, request, action, obj):
        opts = self.opts
        return request.user.has_perm(f"{opts.app_label}.{action}_{opts.model_name}", obj)

    def has_module_permission(self, request):
        return self._perm(request, "view", None)

    def has_view_permission(self, request, obj=None):
        return self._perm(request, "view", obj) or self.has_change_permission(request, obj)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def save_model(self, request, obj, form, change):
        # What no service writes is never written here, whatever the request (a history
        # "revert" posts to save_model without asking for the change permission).
        raise PermissionDenied

    def _refused(self, request, exc: ApplicationError):
        """A service's refusal, after the form's own checks passed (a race, a rule)."""
        self.message_user(request, exc.message, messages.ERROR)


class ScopedHistoryAdmin(ScopedAdmin, SimpleHistoryAdmin):
    pass


class PurposeInline(admin.TabularInline):
    model = models.Purpose
    extra = 0
    # Funds and purposes come from the pact's data package (funds.csv, fund_purposes.csv).
    readonly_fields = ["code", "name", "name_en", "position"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class ClerkInline(admin.TabularInline):
    model = models.FundClerk
    extra = 0
    autocomplete_fields = ["user"]

    def has_add_permission(self, request, obj=None):
        return request.user.has_perm("funds.change_fund", obj)

    def has_change_permission(self, request, obj=None):
        return False  # a clerk row is a fund and a person: remove it and add another

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("funds.change_fund", obj)


@admin.register(models.Fund)
class FundAdmin(ScopedHistoryAdmin):
    """A fund's data come from its package; here the secretariat names its clerks."""

    fund_path = ""
    list_display = ["code", "instrument", "kind", "allow_overcommit", "is_example"]
    readonly_fields = ["pact", "instrument", "code", "kind", "allow_overcommit", "is_example"]
    inlines = [PurposeInline, ClerkInline]

    def has_change_permission(self, request, obj=None):
        return request.user.has_perm("funds.change_fund", obj)

    def save_model(self, request, obj, form, change):
        """Nothing of the fund itself is written here (every field is read-only)."""

    def save_formset(self, request, form, formset, change):
        if formset.model is not models.FundClerk:
            # Purposes are read-only here: nothing to write, nothing to report.
            formset.new_objects, formset.changed_objects, formset.deleted_objects = [], [], []
            return
        added = formset.save(commit=False)  # fills deleted_objects too; writes nothing
        for clerk in formset.deleted_objects:
            services.fund_clerk_remove(clerk=clerk, user=request.user)
        for clerk in added:
            if clerk.pk is None:
                services.fund_clerk_add(fund=form.instance, person=clerk.user,
                                        user=request.user)


@admin.register(models.Donor)
class DonorAdmin(ScopedHistoryAdmin):
    list_display = ["code", "kind", "full_name", "consent_public", "is_example"]
    list_filter = ["kind", "consent_public"]
    search_fields = ["code", "name", "tax_code", "party__name", "territory__name"]
    autocomplete_fields = ["party", "territory"]
    readonly_fields = ["statement_version"]
    actions = ["revoke_statements"]

    def get_queryset(self, request):
        return selectors.donors_visible(user=request.user).select_related(
            "party", "territory")

    def has_add_permission(self, request):
        return self._perm(request, "add", None)

    def has_change_permission(self, request, obj=None):
        return self._perm(request, "change", obj)

    def has_delete_permission(self, request, obj=None):
        return self._perm(request, "delete", obj)

    def save_model(self, request, obj, form, change):
        fields = {name: form.cleaned_data[name] for name in services.DONOR_FIELDS
                  if name in form.cleaned_data}
        # The admin's form has already run the model's checks, so a refusal here is a race
        # (two people adding the same code) and fails the request rather than pretend.
        if change:
            services.donor_change(donor=obj, user=request.user, **fields)
        else:
            obj.pk = services.donor_create(pact=form.cleaned_data["pact"],
                                           user=request.user, **fields).pk

    def delete_model(self, request, obj):
        try:
            services.donor_delete(donor=obj, user=request.user)
        except ApplicationError as exc:
            self._refused(request, exc)

    def delete_queryset(self, request, queryset):
        for donor in queryset:
            self.delete_model(request, donor)

    @admin.action(description=_("Revoke the statement links sent so far"))
    def revoke_statements(self, request, queryset):
        for donor in queryset:
            services.donor_statement_revoke(donor=donor, user=request.user)


@admin.register(models.ChargeRule)
class ChargeRuleAdmin(ScopedHistoryAdmin):
    list_display = ["fund", "valid_from", "secondary_rate", "extraordinary_rate"]

    def has_add_permission(self, request):
        return self._perm(request, "add", None)

    def has_change_permission(self, request, obj=None):
        return self._perm(request, "change", obj)

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        saved = services.charge_rule_save(
            fund=data["fund"], valid_from=data["valid_from"],
            secondary_rate=data["secondary_rate"], extraordinary_rate=data["extraordinary_rate"],
            note=data.get("note", ""), user=request.user, rule=obj if change else None)
        obj.pk = saved.pk


class RuleIndicatorInline(admin.TabularInline):
    model = models.RuleIndicator
    extra = 0
    readonly_fields = ["indicator", "weight", "fragile_when_high"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(models.AllocationRule)
class AllocationRuleAdmin(ScopedHistoryAdmin):
    """Rules are edited and simulated on the simulator page; here they are read."""

    list_display = ["code", "name", "fund", "method", "year", "total"]
    inlines = [RuleIndicatorInline]


class EntryInline(admin.TabularInline):
    model = models.Entry
    extra = 0
    can_delete = False
    readonly_fields = ["account", "amount"]

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.Movement)
class MovementAdmin(ScopedAdmin):
    """Ledger rows are written by the services only and never changed."""

    list_display = ["ref", "fund", "kind", "booked_on", "medium", "amount", "recorded_by"]
    list_filter = ["fund", "kind", "medium"]
    search_fields = ["ref", "description"]
    inlines = [EntryInline]


@admin.register(models.Account)
class AccountAdmin(ScopedAdmin):
    list_display = ["code", "fund", "kind", "medium", "balance_cents", "guarded"]
    list_filter = ["fund", "kind"]
