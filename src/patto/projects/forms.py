"""Forms of the reporting pages: a progress report with its reported records, and reviews."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Project


class StyledForm(forms.Form):
    """Bootstrap Italia's look on every input, and the error linked to its field."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.prepare_fields()
        for name, field in self.fields.items():
            if isinstance(field.widget, (forms.RadioSelect, forms.HiddenInput)):
                continue
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs.setdefault("class", css)
            if self.is_bound and name in self.errors:
                field.widget.attrs["aria-invalid"] = "true"

    def prepare_fields(self) -> None:
        """Set choices that depend on the request (querysets) before the form is checked."""


class UpdateForm(StyledForm):
    proposed_status = forms.ChoiceField(label=_("Project status"), choices=Project.Status.choices)
    progress = forms.IntegerField(label=_("Progress (%)"), min_value=0, max_value=100)
    summary = forms.CharField(label=_("What happened in this period"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))
    issues = forms.CharField(label=_("Critical issues (one per line)"), required=False,
                             widget=forms.Textarea(attrs={"rows": 3}))
    version = forms.IntegerField(widget=forms.HiddenInput, required=False)


class CompletedForm(StyledForm):
    done_on = forms.DateField(label=_("Date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    text = forms.CharField(label=_("Activity done"), required=False)

    def clean(self):
        data = super().clean()
        if data.get("text") and not data.get("done_on"):
            self.add_error("done_on", _("Give the date of the activity."))
        return data


class MeetingForm(StyledForm):
    held_on = forms.DateField(label=_("Date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    title = forms.CharField(label=_("Meeting"), required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, required=False)


class EventForm(StyledForm):
    title = forms.CharField(label=_("Event"), required=False)
    held_on = forms.DateField(label=_("Date"), required=False,
                              widget=forms.DateInput(attrs={"type": "date"}))
    place = forms.CharField(label=_("Place"), required=False)
    participants = forms.IntegerField(label=_("Participants"), min_value=0, required=False)

    def clean(self):
        data = super().clean()
        if data.get("title") and not data.get("held_on"):
            self.add_error("held_on", _("Give the date of the event."))
        return data


CompletedFormSet = forms.formset_factory(CompletedForm, extra=3)
MeetingFormSet = forms.formset_factory(MeetingForm, extra=2)
EventFormSet = forms.formset_factory(EventForm, extra=1)


def payload_from(completed, meetings, events, issues: str) -> dict:
    def iso(value: dt.date | None) -> str | None:
        return value.isoformat() if value else None

    return {
        "completed": [{"done_on": iso(f.cleaned_data["done_on"]), "text": f.cleaned_data["text"]}
                      for f in completed if f.cleaned_data.get("text")],
        "issues": [line for line in issues.splitlines() if line.strip()],
        "meetings": [{"held_on": iso(f.cleaned_data["held_on"]),
                      "title": f.cleaned_data.get("title") or "",
                      "participants": f.cleaned_data.get("participants")}
                     for f in meetings if f.cleaned_data.get("held_on")],
        "events": [{"title": f.cleaned_data["title"], "held_on": iso(f.cleaned_data["held_on"]),
                    "place": f.cleaned_data.get("place") or "",
                    "participants": f.cleaned_data.get("participants")}
                   for f in events if f.cleaned_data.get("title")],
    }


class ReviewForm(StyledForm):
    decision = forms.ChoiceField(label=_("Decision"), widget=forms.RadioSelect, choices=[
        ("approve", _("Approve: publish it")), ("return", _("Send back with a comment"))])
    comment = forms.CharField(label=_("Comment"), required=False,
                              widget=forms.Textarea(attrs={"rows": 3}))


class RoundForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    opens_on = forms.DateField(label=_("Opens on"), widget=forms.DateInput(attrs={"type": "date"}))
    deadline = forms.DateField(label=_("Deadline"), widget=forms.DateInput(attrs={"type": "date"}))
