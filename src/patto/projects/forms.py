"""Forms of the staff pages: project sheets, status, contributions, progress reports with their
reported records, reviews and rounds."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django import forms
from django.utils.formats import number_format
from django.utils.translation import gettext_lazy as _

from patto.core.forms import DateField, DateInput, DecimalField, IntegerField, check_fields
from patto.pact.models import Challenge, Cluster, Party, Territory

from .models import Project, ProjectPlace


class CleanTextMixin:
    """Every text field refuses control characters (they break exports and spreadsheets) and
    every date field far years, and the error stays on the field it belongs to."""

    def _add_text_checks(self) -> None:
        check_fields(self)


class _Styled(CleanTextMixin):
    """Bootstrap Italia's look on every input, and the error linked to its field."""

    def _style(self) -> None:
        self.prepare_fields()
        self._add_text_checks()
        for field in self.fields.values():
            if isinstance(
                field.widget, (forms.RadioSelect, forms.HiddenInput, forms.CheckboxSelectMultiple)
            ):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def full_clean(self):
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                self.fields[name].widget.attrs["aria-invalid"] = "true"
                self.fields[name].widget.attrs["aria-describedby"] = f"{self[name].auto_id}-error"

    def prepare_fields(self) -> None:
        """Set choices that depend on the request (querysets) before the form is checked."""


class StyledForm(_Styled, forms.Form):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class StyledModelForm(_Styled, forms.ModelForm):
    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


# Projects -----------------------------------------------------------------------------------

#: What a referent keeps current on the sheet of their project.
SHEET_FIELDS = [
    "summary",
    "expected_results",
    "description",
    "start_on",
    "end_on",
    "cup",
    "budget",
    "challenges",
    "territories",
]
#: What a coordinator or the secretariat changes too.
MANAGER_FIELDS = ["title", "horizon", "lead_party", "progress_method", "parent", "weight"]
#: A date typed as the page's language writes it (13/01/2021) or the ISO way; see core.forms.
_DATE = DateInput()


class ProjectSheetForm(StyledModelForm):
    """The sheet's own fields; the version the page was read at travels with the form."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    class Meta:
        model = Project
        fields = MANAGER_FIELDS + SHEET_FIELDS
        field_classes = {"start_on": DateField, "end_on": DateField, "budget": DecimalField,
                         "weight": DecimalField}
        widgets = {
            "start_on": _DATE,
            "end_on": _DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
            "description": forms.Textarea(attrs={"rows": 6}),
            "challenges": forms.CheckboxSelectMultiple,
            "territories": forms.SelectMultiple(attrs={"size": 8}),
        }

    def __init__(self, *args, manager: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if not manager:
            for name in MANAGER_FIELDS:
                del self.fields[name]
        if not self.is_bound:
            self.fields["version"].initial = self.instance.version

    def prepare_fields(self) -> None:
        pact_id = self.instance.pact_id
        self.fields["challenges"].queryset = Challenge.objects.filter(pact_id=pact_id)
        self.fields["territories"].queryset = Territory.objects.defer("boundary").order_by(
            "kind", "name"
        )
        if "lead_party" in self.fields:
            self.fields["lead_party"].queryset = Party.objects.filter(pacts__id=pact_id).distinct()
        if "parent" in self.fields:
            self.fields["parent"].queryset = Project.objects.filter(pact_id=pact_id).exclude(
                pk=self.instance.pk).order_by("title")

    def changes(self) -> dict:
        """The fields to hand to the service: those shown, without the version."""
        return {name: self.cleaned_data[name] for name in self.fields if name != "version"}


class ProjectCreateForm(StyledModelForm):
    """A new project in a cluster; it starts as proposed, the Table approves it later."""

    class Meta:
        model = Project
        fields = [
            "cluster",
            "code",
            "title",
            "horizon",
            "lead_party",
            "summary",
            "expected_results",
            "start_on",
            "end_on",
            "cup",
            "budget",
        ]
        field_classes = {"start_on": DateField, "end_on": DateField, "budget": DecimalField,
                         "weight": DecimalField}
        widgets = {
            "start_on": _DATE,
            "end_on": _DATE,
            "summary": forms.Textarea(attrs={"rows": 4}),
            "expected_results": forms.Textarea(attrs={"rows": 3}),
        }
        help_texts = {
            "code": _(
                "Short name in the address: lower-case letters, digits and "
                "hyphens, unique in the pact."
            )
        }

    def __init__(self, *args, clusters=None, **kwargs):
        self._clusters = clusters
        super().__init__(*args, **kwargs)
        self.fields["cluster"].required = True
        self.fields["cluster"].empty_label = None

    def prepare_fields(self) -> None:
        clusters = self._clusters if self._clusters is not None else Cluster.objects.none()
        self.fields["cluster"].queryset = clusters.select_related("pact").order_by(
            "pact", "position"
        )
        self.fields["cluster"].label_from_instance = lambda c: f"{c.pact.short_title} · {c}"
        self.fields["lead_party"].queryset = (
            Party.objects.filter(pacts__clusters__in=clusters).distinct().order_by("name")
        )

    def clean(self):
        data = super().clean()
        if data.get("cluster"):
            # The pact is the cluster's: it is never chosen apart from it.
            self.instance.pact = data["cluster"].pact
        return data

    def values(self) -> dict:
        return {**self.cleaned_data, "pact": self.cleaned_data["cluster"].pact}


class StatusForm(StyledForm):
    """One step along the project's status transitions. The progress is not here: it changes
    only through an approved report (the service refuses it anywhere else)."""

    status = forms.ChoiceField(label=_("New status"))
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        self.project = project
        # A prefix of its own: the page also holds the sheet form, with its own version.
        kwargs.setdefault("prefix", "status")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["status"].initial = project.status
            self.fields["version"].initial = project.version

    def prepare_fields(self) -> None:
        from .services import next_statuses

        current = Project.Status(self.project.status)
        self.fields["status"].choices = [
            (current.value, _("%(status)s (unchanged)") % {"status": current.label})
        ] + [(s.value, s.label) for s in next_statuses(current)]


class CoordinateField(DecimalField):
    """A latitude or longitude, always shown with its five decimals: "44,512" would read as
    a thousands group and be refused on the next save (see core.forms.parse_decimal)."""

    def prepare_value(self, value):
        if isinstance(value, (Decimal, int, float)) and not isinstance(value, bool):
            return number_format(Decimal(value), 5)
        return value


class PlaceForm(StyledModelForm):
    """A point of a project: drawn on the map, or typed as latitude and longitude (the way
    for keyboards and screen readers, and what the map fills in)."""

    class Meta:
        model = ProjectPlace
        fields = ["name", "latitude", "longitude"]
        field_classes = {"latitude": CoordinateField, "longitude": CoordinateField}
        help_texts = {"latitude": _("Degrees north, e.g. 44,49434."),
                      "longitude": _("Degrees east, e.g. 11,34297.")}


class BasePlaceFormSet(forms.BaseModelFormSet):
    """The places of one project, with the project's version read with them."""

    def __init__(self, *args, project: Project, **kwargs):
        self.project = project
        kwargs.setdefault("prefix", "places")
        kwargs.setdefault("queryset", project.places.order_by("name", "pk"))
        super().__init__(*args, **kwargs)

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this place")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def changes(self) -> tuple[list, list]:
        """The places to save (new ones given their project) and those to delete."""
        saved = self.save(commit=False)
        for place in saved:
            place.project = self.project
        return saved, list(self.deleted_objects)


PlaceFormSet = forms.modelformset_factory(
    ProjectPlace, form=PlaceForm, formset=BasePlaceFormSet, extra=1, can_delete=True,
    max_num=100, absolute_max=100, validate_max=True)


class PlacesVersionForm(StyledForm):
    """The project's version the places were read at: a save over someone else's is refused."""

    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, project: Project, **kwargs):
        kwargs.setdefault("prefix", "places-meta")
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["version"].initial = project.version


class ContributionForm(StyledForm):
    """Money a project received, from the reporter's party."""

    project = forms.ModelChoiceField(label=_("Project"), queryset=Project.objects.none())
    activity = forms.CharField(label=_("Activity"), max_length=400)
    amount = DecimalField(
        label=_("Contribution (€)"), max_digits=14, decimal_places=2, min_value=Decimal("0.01")
    )
    party = forms.ModelChoiceField(
        label=_("Granting party"), queryset=Party.objects.none(), required=False
    )
    granted_by = forms.CharField(
        label=_("Granted by (as written in the deed)"),
        max_length=300,
        required=False,
        help_text=_("Empty: the granting party's name."),
    )
    received_on = DateField(label=_("Received on"), required=False)

    def __init__(self, *args, projects=None, parties=None, party_required=False, **kwargs):
        self._projects, self._parties = projects, parties
        super().__init__(*args, **kwargs)
        self.fields["party"].required = party_required
        if party_required:
            self.fields["party"].empty_label = None

    def prepare_fields(self) -> None:
        self.fields["project"].queryset = self._projects.select_related("pact")
        self.fields["project"].label_from_instance = lambda p: f"{p.pact.short_title} · {p}"
        self.fields["party"].queryset = self._parties.order_by("name")

    def clean(self):
        data = super().clean()
        if not data.get("granted_by") and not data.get("party"):
            self.add_error(
                "granted_by", _("Say who granted the contribution, or choose the granting party.")
            )
        elif not data.get("granted_by"):
            data["granted_by"] = data["party"].name
        return data


class UpdateForm(StyledForm):
    proposed_status = forms.ChoiceField(label=_("Project status"), choices=Project.Status.choices)
    progress = IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    summary = forms.CharField(
        label=_("What happened in this period"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    issues = forms.CharField(
        label=_("Critical issues (one per line)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    progress_reason = forms.CharField(
        label=_("Why the progress is this figure"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("The progress of this project is set by hand: say what it rests on."),
    )
    milestones = forms.TypedMultipleChoiceField(
        label=_("Milestones reached"), coerce=int, required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("They count as done once the coordinator approves the report."))
    milestones_on = DateField(label=_("Date they were reached"), required=False)
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, project: Project | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        # Only what applies to this project's way of measuring progress is asked.
        open_milestones = [] if project is None else [
            (m.pk, m.title) for m in project.milestones.filter(done_on__isnull=True)]
        if open_milestones:
            self.fields["milestones"].choices = open_milestones
        else:
            del self.fields["milestones"], self.fields["milestones_on"]
        if project is None or project.progress_method != Project.ProgressMethod.MANUAL:
            del self.fields["progress_reason"]

    def clean(self):
        data = super().clean()
        if data.get("milestones") and not data.get("milestones_on"):
            self.add_error("milestones_on", _("Give the date the milestones were reached."))
        return data

    def progress_payload(self) -> dict:
        """The milestones reached and the reason, as the report's payload keeps them."""
        data, extra = self.cleaned_data, {}
        if data.get("milestones"):
            titles = dict(self.fields["milestones"].choices)
            extra["milestones"] = [{"id": pk, "title": titles.get(pk, ""),
                                    "done_on": data["milestones_on"].isoformat()}
                                   for pk in data["milestones"]]
        if data.get("progress_reason", "").strip():
            extra["progress_reason"] = data["progress_reason"].strip()
        return extra


class CompletedForm(StyledForm):
    done_on = DateField(label=_("Date"), required=False)
    text = forms.CharField(label=_("Activity done"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("done_on"):
            self.add_error("done_on", _("Give the date of the activity."))
        return data


class MeetingForm(StyledForm):
    held_on = DateField(label=_("Date"), required=False)
    title = forms.CharField(label=_("Meeting"), required=False)
    participants = IntegerField(label=_("Participants"), min_value=0, required=False)


class EventForm(StyledForm):
    title = forms.CharField(label=_("Event"), required=False)
    held_on = DateField(label=_("Date"), required=False)
    place = forms.CharField(label=_("Place"), required=False)
    participants = IntegerField(label=_("Participants"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("held_on"):
            self.add_error("held_on", _("Give the date of the event."))
        return data


# One blank row each; "add a row" brings more (htmx, or a plain post without JavaScript) and
# each row can be removed. The caps keep a forged TOTAL_FORMS from building huge forms.
class RowFormSet(forms.BaseFormSet):
    """Rows of a report; each has a "remove" box, and a removed row is neither checked nor
    kept."""

    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this row")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"


_ROWS = {
    "formset": RowFormSet,
    "extra": 1,
    "can_delete": True,
    "max_num": 200,
    "absolute_max": 200,
    "validate_max": True,
}
CompletedFormSet = forms.formset_factory(CompletedForm, **_ROWS)
MeetingFormSet = forms.formset_factory(MeetingForm, **_ROWS)
EventFormSet = forms.formset_factory(EventForm, **_ROWS)
#: The report's row kinds, by the formset prefix the form and the row endpoint use.
ROW_FORMSETS = {"completed": CompletedFormSet, "meetings": MeetingFormSet, "events": EventFormSet}


def kept(formset) -> list:
    """The rows of a formset that are not marked for removal."""
    return [f for f in formset if not (f.cleaned_data.get("DELETE"))]


def payload_from(completed, meetings, events, issues: str) -> dict:
    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "completed": [
            {"done_on": iso(f.cleaned_data["done_on"]), "text": f.cleaned_data["text"]}
            for f in kept(completed)
            if f.cleaned_data.get("text")
        ],
        "issues": [line for line in issues.splitlines() if line.strip()],
        "meetings": [
            {
                "held_on": iso(f.cleaned_data["held_on"]),
                "title": f.cleaned_data.get("title") or "",
                "participants": f.cleaned_data.get("participants"),
            }
            for f in kept(meetings)
            if f.cleaned_data.get("held_on")
        ],
        "events": [
            {
                "title": f.cleaned_data["title"],
                "held_on": iso(f.cleaned_data["held_on"]),
                "place": f.cleaned_data.get("place") or "",
                "participants": f.cleaned_data.get("participants"),
            }
            for f in kept(events)
            if f.cleaned_data.get("title")
        ],
    }


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(
        label=_("Decision"),
        widget=forms.RadioSelect,
        choices=[("approve", _("Approve: publish it")), ("return", _("Send back with a comment"))],
    )
    comment = forms.CharField(
        label=_("Comment"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )


class RoundForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = DateField(label=_("Opens on"))
    deadline = DateField(label=_("Deadline"))
