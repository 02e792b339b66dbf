"""Back office for projects, for the secretariat alone: every save and delete goes through the
services (versions, transitions, roles, history); status, progress, pact and cluster are shown,
never edited, here.

Referents, coordinators and party reporters have their own pages (``/gestione/progetti/``),
so being ``is_staff`` gives them nothing more here.
"""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.http import HttpResponseRedirect
from simple_history.admin import SimpleHistoryAdmin

from patto.core.errors import ApplicationError

from . import models, services
from .forms import CleanTextMixin


class _Refused(Exception):
    """A service refused an admin save: shown to the person, nothing kept."""

    def __init__(self, message: str):
        self.message = message
        super().__init__(message)


class CleanTextForm(CleanTextMixin, forms.ModelForm):
    """Every text refuses control characters, in the back office too."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._add_text_checks()


class SecretariatOnly:
    """Only the secretariat sees and changes these records here."""

    def _secretariat(self, request) -> bool:
        return request.user.has_perm("projects.admin_project")

    def has_module_permission(self, request):
        return self._secretariat(request)

    def has_view_permission(self, request, obj=None):
        return self._secretariat(request)

    def has_add_permission(self, request, *args):
        return self._secretariat(request)

    def has_change_permission(self, request, obj=None):
        return self._secretariat(request)

    def has_delete_permission(self, request, obj=None):
        return self._secretariat(request)

    def revert_disabled(self, request, obj=None):
        return True

    def history_form_view(self, request, object_id, version_id, extra_context=None):
        if request.method == "POST":
            raise PermissionDenied  # a revert would write the old row past the services
        return super().history_form_view(request, object_id, version_id, extra_context)

    def changeform_view(self, request, object_id=None, form_url="", extra_context=None):
        # The admin wraps its save in a transaction: a refusal raised inside rolls it all
        # back, and the person is sent back to the page with the reason.
        try:
            return super().changeform_view(request, object_id, form_url, extra_context)
        except _Refused as exc:
            messages.error(request, exc.message)
            return HttpResponseRedirect(request.get_full_path())


def _adopt(obj, saved) -> None:
    """Make the admin's unsaved ``obj`` the record the service saved, so that the inlines
    and the change message that follow refer to it."""
    obj.pk = saved.pk
    obj._state.adding = False
    obj._state.db = saved._state.db
    for field in ("version",):
        if hasattr(saved, field):
            setattr(obj, field, getattr(saved, field))


class ProjectInline(admin.TabularInline):
    extra = 0
    form = CleanTextForm

    def has_view_permission(self, request, obj=None):
        return request.user.has_perm("projects.admin_project")

    has_add_permission = has_change_permission = has_delete_permission = has_view_permission


class InvolvedInline(ProjectInline):
    model = models.ProjectParty
    autocomplete_fields = ["party"]


class ReferentInline(ProjectInline):
    model = models.ProjectReferent
    autocomplete_fields = ["party", "user"]


class FundingInline(ProjectInline):
    model = models.Funding


class ProcedureStepInline(ProjectInline):
    model = models.ProcedureStep


class MilestoneInline(ProjectInline):
    model = models.Milestone
    fk_name = "project"
    # Done only through an approved report (the service refuses it here).
    exclude = ["update"]
    readonly_fields = ["done_on"]
    raw_id_fields = ["parent"]


class PlaceInline(ProjectInline):
    model = models.ProjectPlace
    autocomplete_fields = ["territory"]


class PlannedInline(ProjectInline):
    model = models.PlannedActivity


class CompletedInline(ProjectInline):
    model = models.CompletedActivity
    exclude = ["update"]


class IssueInline(ProjectInline):
    model = models.CriticalIssue
    exclude = ["update"]


class FactorInline(ProjectInline):
    model = models.SuccessFactor


class MeetingInline(ProjectInline):
    model = models.Meeting
    exclude = ["update"]


class EventInline(ProjectInline):
    model = models.Event
    exclude = ["update"]


class ContributionInline(ProjectInline):
    model = models.Contribution
    autocomplete_fields = ["party"]


class ProjectForm(CleanTextForm):
    """Carries the version the person started from: a save over someone else's is refused
    here for a clear form error, and again by the service, which alone decides."""

    version_seen = forms.IntegerField(widget=forms.HiddenInput, required=False)

    class Meta:
        model = models.Project
        fields = "__all__"  # noqa: DJ007 - the ModelAdmin decides which fields it shows

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.instance.pk:
            self.fields["version_seen"].initial = self.instance.version

    def clean(self):
        data = super().clean()
        if self.instance.pk:
            current = models.Project.objects.filter(pk=self.instance.pk).values_list(
                "version", flat=True).first()
            if data.get("version_seen") != current:
                raise forms.ValidationError(_stale_message(), code="stale_version")
        return data


def _stale_message() -> str:
    return services._stale(str(models.Project._meta.verbose_name)).message


def _form_values(form, exclude=()) -> dict:
    """The model's fields (many-to-many included) as the form cleaned them."""
    names = {f.name for f in form._meta.model._meta.get_fields()
             if getattr(f, "concrete", False) or getattr(f, "many_to_many", False)}
    return {name: value for name, value in form.cleaned_data.items()
            if name in names and name not in exclude}


@admin.register(models.Project)
class ProjectAdmin(SecretariatOnly, SimpleHistoryAdmin):
    form = ProjectForm
    list_display = ["title", "pact", "cluster", "status", "progress", "lead_party", "is_example"]
    list_filter = ["pact", "cluster", "status", "horizon", "is_example"]
    search_fields = ["title", "code", "summary", "cup"]
    list_select_related = ["pact", "cluster", "lead_party"]
    # Links carry a note (ProjectLink): they come with the package or the projects import.
    autocomplete_fields = ["lead_party", "territories", "parent"]
    filter_horizontal = ["challenges", "sdg_targets"]
    inlines = [InvolvedInline, ReferentInline, FundingInline, ProcedureStepInline,
               MilestoneInline, PlaceInline, PlannedInline, CompletedInline,
               IssueInline, FactorInline, MeetingInline, EventInline, ContributionInline]

    def get_readonly_fields(self, request, obj=None):
        # Status and progress move by transitions and approved reports; where a project sits
        # in the pact is set once, when it is created.
        fixed = ["version", "status", "progress", "progress_reason"]
        return fixed + (["pact", "cluster", "emergency_action"] if obj else [])

    def has_delete_permission(self, request, obj=None):
        return request.user.has_perm("projects.delete_project", obj) \
            and self._secretariat(request)

    def save_model(self, request, obj, form, change):
        try:
            if change:
                values = _form_values(form)
                services.project_change(
                    project=models.Project.objects.get(pk=obj.pk), user=request.user,
                    expected_version=form.cleaned_data["version_seen"],
                    **{name: values[name] for name in form.changed_data if name in values})
                obj.version = models.Project.objects.values_list("version", flat=True) \
                    .get(pk=obj.pk)
            else:
                _adopt(obj, services.project_create(user=request.user, **_form_values(form)))
        except ApplicationError as exc:
            raise _Refused(exc.message) from exc

    def save_related(self, request, form, formsets, change):
        # Many-to-many values went through the service with the project itself.
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def save_formset(self, request, form, formset, change):
        saved = formset.save(commit=False)
        try:
            services.project_records_change(
                project=form.instance, user=request.user,
                model_name=formset.model._meta.model_name,
                saved=saved, deleted=formset.deleted_objects)
        except ApplicationError as exc:
            raise _Refused(exc.message) from exc

    def delete_model(self, request, obj):
        services.project_delete(project=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for project in queryset:
            try:
                services.project_delete(project=project, user=request.user)
            except ApplicationError as exc:
                self.message_user(request, exc.message, messages.ERROR)


@admin.register(models.ReportingRound)
class ReportingRoundAdmin(SecretariatOnly, SimpleHistoryAdmin):
    list_display = ["title", "pact", "opens_on", "deadline", "status"]
    list_filter = ["pact", "status"]
    exclude = ["created_by"]

    def get_readonly_fields(self, request, obj=None):
        return ["pact"] if obj else []

    def has_delete_permission(self, request, obj=None):
        return False  # a round's reports keep referring to it

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        try:
            if change:
                services.round_change(
                    reporting_round=models.ReportingRound.objects.get(pk=obj.pk),
                    user=request.user, **{name: data[name] for name in form.changed_data
                                          if name in ("title", "opens_on", "deadline",
                                                      "status")})
            else:
                _adopt(obj, services.round_open(pact=data["pact"], title=data["title"],
                                                opens_on=data["opens_on"],
                                                deadline=data["deadline"], user=request.user))
        except ApplicationError as exc:
            raise _Refused(exc.message) from exc


class SubmissionInline(admin.TabularInline):
    """Each time the report was sent, and the comment it came back with: read only."""

    model = models.ReportSubmission
    fields = ["number", "submitted_by", "submitted_at", "return_comment", "content"]
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


@admin.register(models.ProjectUpdate)
class ProjectUpdateAdmin(SecretariatOnly, SimpleHistoryAdmin):
    """Reports are written and reviewed on the reporting pages; here they are only read."""

    inlines = [SubmissionInline]
    list_display = ["project", "round", "status", "progress", "submitted_at", "reviewed_at"]
    list_filter = ["round", "status"]
    list_select_related = ["project", "round"]
    readonly_fields = [f.name for f in models.ProjectUpdate._meta.fields]

    def has_add_permission(self, request, *args):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


class RoleAdmin(SecretariatOnly, SimpleHistoryAdmin):
    """A role is granted or revoked, never edited in place."""

    def has_change_permission(self, request, obj=None):
        return obj is None and self._secretariat(request)

    def save_model(self, request, obj, form, change):
        try:
            services.role_grant(role=obj, user=request.user)
        except ApplicationError as exc:
            raise _Refused(exc.message) from exc

    def delete_model(self, request, obj):
        services.role_revoke(role=obj, user=request.user)

    def delete_queryset(self, request, queryset):
        for role in queryset:
            services.role_revoke(role=role, user=request.user)


@admin.register(models.ClusterCoordinator)
class ClusterCoordinatorAdmin(RoleAdmin):
    list_display = ["user", "cluster"]
    list_select_related = ["user", "cluster", "cluster__pact"]
    autocomplete_fields = ["user"]


@admin.register(models.PartyReporter)
class PartyReporterAdmin(RoleAdmin):
    list_display = ["user", "party"]
    list_select_related = ["user", "party"]
    autocomplete_fields = ["user", "party"]

