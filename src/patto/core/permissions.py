"""Who the secretariat is, for every app, and the admin that only the secretariat may use.

The Django admin is the secretariat's tool: its saves and deletions go through
:func:`record_save` and :func:`record_delete`, which check the role and keep the history, so
that the admin is never a way around a rule. Apps whose records have states or versions give
their admin their own services instead (projects, funds).
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import models, transaction
from django.utils.translation import gettext as _

from .errors import ApplicationError
from .forms import check_field

SECRETARIAT_GROUP = "secretariat"


def is_secretariat(user: Any) -> bool:
    return bool(user and user.is_authenticated and user.is_active and (
        user.is_superuser or user.groups.filter(name=SECRETARIAT_GROUP).exists()))


def _require_secretariat(user: Any) -> None:
    if not is_secretariat(user):
        raise ApplicationError(_("Only the secretariat may change these records."),
                               code="forbidden")


def record_save(*, obj: models.Model, user: Any, reason: str = "") -> models.Model:
    """Save a registry record that the secretariat changed, validated, with its history."""
    _require_secretariat(user)
    with transaction.atomic():
        obj._history_user = user
        obj._change_reason = reason or _("changed in the back office")
        obj.full_clean(validate_unique=False, validate_constraints=False)
        obj.save()
    return obj


def record_delete(*, obj: models.Model, user: Any, reason: str = "") -> None:
    _require_secretariat(user)
    with transaction.atomic():
        obj._history_user = user
        obj._change_reason = reason or _("deleted in the back office")
        obj.delete()


def _text_checked(formfield):
    """The platform's checks (text, dates) on every field of the admin."""
    return check_field(formfield) if formfield is not None else formfield


class SecretariatAdminMixin:
    """An admin page for the secretariat alone, whose writes go through the services above."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _text_checked(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request, *args):
        return is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def save_model(self, request, obj, form, change):
        record_save(obj=obj, user=request.user)

    def delete_model(self, request, obj):
        record_delete(obj=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for obj in queryset:
            record_delete(obj=obj, user=request.user)

    def save_formset(self, request, form, formset, change):
        for obj in formset.save(commit=False):
            record_save(obj=obj, user=request.user)
        for obj in formset.deleted_objects:
            record_delete(obj=obj, user=request.user)
        formset.save_m2m()


class SecretariatInlineMixin:
    """An inline of a secretariat-only page."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        return _text_checked(super().formfield_for_dbfield(db_field, request, **kwargs))

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_add_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_delete_permission(self, request, obj=None):
        return is_secretariat(request.user)


class SecretariatModelAdmin(SecretariatAdminMixin, admin.ModelAdmin):
    pass
