"""The accounts in the admin, for the secretariat: it may read and correct people's details, while
roles and membership of the secretariat change on the people pages (with their history) and new
people are invited from there; only a superuser edits the superuser and staff flags."""

from __future__ import annotations

from django.contrib import admin
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from patto.core.forms import check_field
from patto.core.permissions import is_secretariat

User = get_user_model()

#: What a secretariat member who is not a superuser may not change here.
GUARDED = ("is_superuser", "is_staff", "groups", "user_permissions", "last_login",
           "date_joined")


class PersonAdmin(UserAdmin):
    list_display = ("username", "email", "first_name", "last_name", "is_active", "roles_link")

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        return check_field(field) if field is not None else field

    @admin.display(description=_("Roles"))
    def roles_link(self, obj):
        return format_html('<a href="{}">{}</a>', reverse("site:person_detail", args=[obj.pk]),
                           _("People and roles"))

    def has_module_permission(self, request):
        return is_secretariat(request.user)

    def has_view_permission(self, request, obj=None):
        return is_secretariat(request.user)

    def has_change_permission(self, request, obj=None):
        if obj is not None and obj.is_superuser and not request.user.is_superuser:
            return False
        return is_secretariat(request.user)

    def has_add_permission(self, request):
        return request.user.is_active and request.user.is_superuser  # others invite

    def has_delete_permission(self, request, obj=None):
        return request.user.is_active and request.user.is_superuser  # others close accounts

    def get_readonly_fields(self, request, obj=None):
        readonly = tuple(super().get_readonly_fields(request, obj))
        return readonly if request.user.is_superuser else readonly + GUARDED


if admin.site.is_registered(User):
    admin.site.unregister(User)
admin.site.register(User, PersonAdmin)
