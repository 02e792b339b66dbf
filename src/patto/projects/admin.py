"""Back office for projects: object permissions decide each edit, history keeps every change."""

from django import forms
from django.contrib import admin
from rules.contrib.admin import ObjectPermissionsModelAdmin
from simple_history.admin import SimpleHistoryAdmin

from . import models


class ProjectInline(admin.TabularInline):
    extra = 0


class InvolvedInline(ProjectInline):
    model = models.ProjectParty
    autocomplete_fields = ["party"]


class ReferentInline(ProjectInline):
    model = models.ProjectReferent
    autocomplete_fields = ["party", "user"]


class FundingInline(ProjectInline):
    model = models.Funding


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


class ProjectForm(forms.ModelForm):
    """Carries the version the person started from: a save over someone else's is refused."""

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
    from .services import _stale

    return _stale(str(models.Project._meta.verbose_name)).message


@admin.register(models.Project)
class ProjectAdmin(ObjectPermissionsModelAdmin, SimpleHistoryAdmin):
    form = ProjectForm
    list_display = ["title", "pact", "cluster", "status", "progress", "lead_party", "is_example"]
    list_filter = ["pact", "cluster", "status", "horizon", "is_example"]
    search_fields = ["title", "code", "summary", "cup"]
    list_select_related = ["pact", "cluster", "lead_party"]
    autocomplete_fields = ["lead_party", "territories", "links"]
    filter_horizontal = ["challenges", "sdg_targets"]
    readonly_fields = ["version"]
    inlines = [InvolvedInline, ReferentInline, FundingInline, PlannedInline, CompletedInline,
               IssueInline, FactorInline, MeetingInline, EventInline, ContributionInline]

    def get_queryset(self, request):
        projects = super().get_queryset(request)
        user = request.user
        if user.has_perm("projects.delete_project"):
            return projects
        return projects.filter(
            models.models.Q(cluster__coordinators__user=user)
            | models.models.Q(referents__user=user)).distinct()

    def save_model(self, request, obj, form, change):
        # The form checked the version it started from; saving moves it on.
        if change:
            obj.version = form.cleaned_data["version_seen"] + 1
        super().save_model(request, obj, form, change)


@admin.register(models.ReportingRound)
class ReportingRoundAdmin(ObjectPermissionsModelAdmin, SimpleHistoryAdmin):
    list_display = ["title", "pact", "opens_on", "deadline", "status"]
    list_filter = ["pact", "status"]


@admin.register(models.ProjectUpdate)
class ProjectUpdateAdmin(SimpleHistoryAdmin):
    list_display = ["project", "round", "status", "progress", "submitted_at", "reviewed_at"]
    list_filter = ["round", "status"]
    list_select_related = ["project", "round"]
    readonly_fields = [f.name for f in models.ProjectUpdate._meta.fields]

    def has_add_permission(self, request):
        return False


for model in (models.ClusterCoordinator, models.PartyReporter):
    admin.site.register(model, SimpleHistoryAdmin)
