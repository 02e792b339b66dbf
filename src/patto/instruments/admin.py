"""The secretariat's back office for the instruments: who holds which role.

Only the roles are kept here, through ``patto.core.permissions.record_save`` (the
secretariat alone, with history). Cases, pathways, the register and agreements have states
and rules of their own: they change only through their pages and services, never here.
"""

from django.contrib import admin

from patto.core.permissions import SecretariatModelAdmin

from .models import InstrumentRole


@admin.register(InstrumentRole)
class InstrumentRoleAdmin(SecretariatModelAdmin):
    list_display = ["user", "role", "pact"]
    list_filter = ["role", "pact"]
    search_fields = ["user__username", "user__email"]
