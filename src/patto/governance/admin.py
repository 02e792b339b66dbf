"""Governance in the admin: read-only. Bodies, meetings, minutes, decisions and follow-ups have
states, numbers and versions that only the services keep, so the admin shows them and the
office pages (/gestione/governance/) change them: the admin is never a way around a rule."""

from django.contrib import admin

from patto.core.permissions import SecretariatModelAdmin

from .models import Body, BodyMember, Decision, FollowUp, Meeting, Minutes


class ReadOnlyAdmin(SecretariatModelAdmin):
    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(Body)
class BodyAdmin(ReadOnlyAdmin):
    list_display = ["name", "kind", "pact", "code"]
    list_filter = ["pact", "kind"]


@admin.register(BodyMember)
class BodyMemberAdmin(ReadOnlyAdmin):
    list_display = ["party", "body", "role", "start_on", "end_on"]
    list_filter = ["body"]


@admin.register(Meeting)
class MeetingAdmin(ReadOnlyAdmin):
    list_display = ["title", "body", "starts_at", "status"]
    list_filter = ["body", "status"]


@admin.register(Minutes)
class MinutesAdmin(ReadOnlyAdmin):
    list_display = ["meeting", "version", "status", "approved_on"]


@admin.register(Decision)
class DecisionAdmin(ReadOnlyAdmin):
    list_display = ["label", "title", "body", "decided_on"]
    list_filter = ["body", "year"]


@admin.register(FollowUp)
class FollowUpAdmin(ReadOnlyAdmin):
    list_display = ["title", "owner_party", "due_on", "status"]
    list_filter = ["status"]
