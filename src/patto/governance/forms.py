"""The secretariat's forms for governance: convocation, agenda, documents, attendance, minutes,
decisions and follow-ups. They parse input; the services decide."""

from __future__ import annotations

from django import forms
from django.contrib.auth import get_user_model
from django.utils.translation import gettext_lazy as _

from patto.core.forms import check_fields
from patto.funds.models import Fund
from patto.monitoring.models import Indicator
from patto.pact.models import Party
from patto.projects.models import Project

from .models import Attendance, Body, Decision, FollowUp, Meeting

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class StyledForm(forms.Form):
    """Bootstrap Italia classes and the platform's checks on every field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        check_fields(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
                continue
            if isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class MeetingForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    starts_at = forms.DateTimeField(label=_("Starts at"), widget=DATETIME,
                                    input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    ends_at = forms.DateTimeField(label=_("Ends at"), widget=DATETIME, required=False,
                                  input_formats=["%Y-%m-%dT%H:%M", "%Y-%m-%d %H:%M"])
    place = forms.CharField(label=_("Place"), max_length=300, required=False)
    link = forms.URLField(label=_("Link to join"), required=False, assume_scheme="https")


def _pact_choices(form, pact) -> None:
    form.fields["projects"].queryset = Project.objects.filter(pact=pact).order_by("code")
    form.fields["indicators"].queryset = Indicator.objects.filter(pact=pact).order_by("code")
    form.fields["funds"].queryset = Fund.objects.filter(pact=pact).order_by("code")


class AgendaItemForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 3}))
    projects = forms.ModelMultipleChoiceField(label=_("Projects"), queryset=None,
                                              required=False)
    indicators = forms.ModelMultipleChoiceField(label=_("Indicators"), queryset=None,
                                                required=False)
    funds = forms.ModelMultipleChoiceField(label=_("Funds"), queryset=None, required=False)
    decisions = forms.ModelMultipleChoiceField(label=_("Earlier decisions"), queryset=None,
                                               required=False)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        _pact_choices(self, meeting.body.pact)
        self.fields["decisions"].queryset = Decision.objects.filter(
            body__pact=meeting.body.pact).exclude(meeting=meeting).select_related("body")


class DocumentForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(label=_("File"), help_text=_(
        "PDF, ODT, ODS, ODP, DOCX, XLSX, PPTX, CSV or TXT, within the platform's upload "
        "limit."))


class MinutesForm(StyledForm):
    text = forms.CharField(label=_("Minutes"), widget=forms.Textarea(attrs={"rows": 12}))


class ApproveForm(StyledForm):
    at = forms.ModelChoiceField(label=_("Approved at the meeting"), queryset=None)

    def __init__(self, *args, meeting: Meeting, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["at"].queryset = Meeting.objects.filter(
            body=meeting.body, starts_at__gt=meeting.starts_at).exclude(
            status=Meeting.Status.CANCELLED).order_by("starts_at")


class DecisionForm(StyledForm):
    decided_on = forms.DateField(label=_("Decided on"), widget=DATE)
    title = forms.CharField(label=_("Title"), max_length=300)
    text = forms.CharField(label=_("Text"), widget=forms.Textarea(attrs={"rows": 6}))
    projects = forms.ModelMultipleChoiceField(label=_("Projects"), queryset=None,
                                              required=False)
    indicators = forms.ModelMultipleChoiceField(label=_("Indicators"), queryset=None,
                                                required=False)
    funds = forms.ModelMultipleChoiceField(label=_("Funds"), queryset=None, required=False)
    votes_for = forms.IntegerField(label=_("Votes for"), min_value=0, required=False)
    votes_against = forms.IntegerField(label=_("Votes against"), min_value=0, required=False)
    abstained = forms.IntegerField(label=_("Abstained"), min_value=0, required=False)

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        _pact_choices(self, body.pact)


class FollowUpForm(StyledForm):
    title = forms.CharField(label=_("Action"), max_length=300)
    owner_party = forms.ModelChoiceField(label=_("Owner party"), queryset=None)
    owner_person = forms.ModelChoiceField(label=_("Owner person (optional)"), queryset=None,
                                          required=False)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)

    def __init__(self, *args, body: Body, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["owner_party"].queryset = Party.objects.filter(
            body_seats__body=body).distinct().order_by("name")
        self.fields["owner_person"].queryset = get_user_model().objects.filter(
            body_seats__member__body=body).distinct().order_by("last_name", "username")


class FollowUpStatusForm(StyledForm):
    status = forms.ChoiceField(label=_("Status"), choices=FollowUp.Status.choices)
    due_on = forms.DateField(label=_("Due on"), widget=DATE)


class AttendanceForm(StyledForm):
    """One row per member party: its status, who came, and the delegation."""

    def __init__(self, *args, members, recorded, people, **kwargs):
        super().__init__(*args, **kwargs)
        self.members = list(members)
        choices = [("", "—"), *Attendance.Status.choices]
        parties = [(m.party.pk, str(m.party)) for m in self.members]
        for m in self.members:
            done = recorded.get(m.party_id)
            self.fields[f"status_{m.party_id}"] = forms.ChoiceField(
                label=str(m.party), choices=choices, required=False,
                initial=done.status if done else "")
            persons = [("", "—"), *[(p.pk, p.get_full_name() or p.username)
                                    for p in people.get(m.party_id, [])]]
            self.fields[f"person_{m.party_id}"] = forms.TypedChoiceField(
                label=_("Person for %(party)s") % {"party": m.party}, choices=persons,
                required=False, coerce=int, empty_value=None,
                initial=done.person_id if done else "")
            self.fields[f"delegate_{m.party_id}"] = forms.TypedChoiceField(
                label=_("Delegated to (for %(party)s)") % {"party": m.party},
                choices=[("", "—"), *parties], required=False, coerce=int, empty_value=None,
                initial=done.delegate_id if done else "")
        for field in self.fields.values():
            field.widget.attrs["class"] = "form-select"

    def rows(self):
        """The filled rows: (member, status, person pk, delegate pk)."""
        for m in self.members:
            status = self.cleaned_data.get(f"status_{m.party_id}")
            if status:
                yield (m, status, self.cleaned_data.get(f"person_{m.party_id}"),
                       self.cleaned_data.get(f"delegate_{m.party_id}"))

    def bound_rows(self):
        for m in self.members:
            yield (m, self[f"status_{m.party_id}"], self[f"person_{m.party_id}"],
                   self[f"delegate_{m.party_id}"])
