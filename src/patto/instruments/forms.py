"""Forms of the instruments' staff pages; they parse, the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.core.forms import AmountField, check_fields
from patto.pact.models import Territory

from .models import (
    Agreement,
    CaseWorkers,
    Commitment,
    CrisisCase,
    DevelopmentService,
    InstrumentRole,
    Investment,
    Pathway,
    Placement,
    Protocol,
    ProtocolUpdate,
    SafetyNet,
    ServiceActivity,
)

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one field (Django's documented recipe)."""

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("widget", MultipleFileInput())
        super().__init__(*args, **kwargs)

    def clean(self, data, initial=None):
        single = super().clean
        if isinstance(data, list | tuple):
            return [single(d, initial) for d in data]
        return [single(data, initial)] if data else []


class _Styled:
    """Bootstrap Italia classes and the platform's checks on every field."""

    def _style(self) -> None:
        check_fields(self)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")


class CrisisCaseForm(_Styled, forms.ModelForm):
    class Meta:
        model = CrisisCase
        fields = [
            "code",
            "company_name",
            "company_tax_code",
            "ateco_code",
            "municipality",
            "reported_on",
            "summary",
            "confidential",
            "unions",
        ]
        widgets = {"reported_on": DATE, "summary": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, pact, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = (
            Territory.objects.filter(kind=Territory.Kind.MUNICIPALITY)
            .defer("boundary")
            .order_by("name")
        )
        self.fields["unions"].queryset = pact.parties.order_by("name")
        self.fields["unions"].required = False
        if self.instance.pk:
            self.fields["code"].disabled = True
        self._style()

    def _post_clean(self):
        # The service validates the model (with the pact it belongs to); the form parses.
        pass


class TransitionForm(_Styled, forms.Form):
    status = forms.ChoiceField(
        label=_("New status"),
        choices=[c for c in CrisisCase.Status.choices if c[0] != CrisisCase.Status.REPORTED],
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    outcome = forms.ChoiceField(
        label=_("Outcome (when closing)"),
        required=False,
        choices=[("", "–"), *CrisisCase.Outcome.choices],
    )
    note = forms.CharField(label=_("Note for the history"), required=False, max_length=200)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class MeetingForm(_Styled, forms.Form):
    held_on = forms.DateField(label=_("Held on"), widget=DATE)
    subject = forms.CharField(label=_("Subject"), max_length=300)
    outcome = forms.CharField(
        label=_("Outcome"), required=False, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class SafetyNetForm(_Styled, forms.Form):
    kind = forms.ChoiceField(label=_("Safety net"), choices=SafetyNet.Kind.choices)
    workers = forms.IntegerField(label=_("Workers covered"), min_value=0, max_value=10**6)
    start_on = forms.DateField(label=_("From"), widget=DATE)
    end_on = forms.DateField(label=_("To"), widget=DATE, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class WorkersForm(_Styled, forms.Form):
    """One number per sex and contract: ``f-permanent``, ``m-agency``, ..."""

    def __init__(self, *args, case=None, **kwargs):
        super().__init__(*args, **kwargs)
        current = {(w.sex, w.contract): w.count for w in case.workers.all()} if case else {}
        for sex in CaseWorkers.Sex:
            for contract in CaseWorkers.Contract:
                self.fields[f"{sex.value}-{contract.value}"] = forms.IntegerField(
                    label=f"{contract.label.capitalize()}, {sex.label}",
                    min_value=0,
                    max_value=10**6,
                    initial=current.get((sex.value, contract.value), 0),
                )
        self._style()

    def counts(self) -> dict[tuple[str, str], int]:
        return {tuple(name.split("-", 1)): value for name, value in self.cleaned_data.items()}


class PathwayForm(_Styled, forms.ModelForm):
    class Meta:
        model = Pathway
        fields = ["person_code", "sex", "age_band", "target", "municipality", "started_on"]
        widgets = {"started_on": DATE}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = (
            Territory.objects.filter(kind=Territory.Kind.MUNICIPALITY)
            .defer("boundary")
            .order_by("name")
        )
        self._style()

    def _post_clean(self):
        # The service validates the pathway with its pact and operator.
        pass


class StageForm(_Styled, forms.Form):
    stage = forms.ChoiceField(
        label=_("Stage"),
        choices=[c for c in Pathway.Stage.choices if c[0] in ("orientation", "training")],
    )
    on = forms.DateField(label=_("Reached on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class PlacementForm(_Styled, forms.Form):
    company_name = forms.CharField(label=_("Company"), max_length=300)
    company_tax_code = forms.CharField(label=_("Company tax code"), max_length=16, required=False)
    contract = forms.ChoiceField(label=_("Contract"), choices=Placement.Contract.choices)
    started_on = forms.DateField(label=_("Job started on"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class FollowUpForm(_Styled, forms.Form):
    on = forms.DateField(label=_("Follow-up on"), widget=DATE)
    employed = forms.TypedChoiceField(
        label=_("Still employed?"),
        coerce=lambda v: v == "si",
        choices=[("si", _("yes")), ("no", _("no"))],
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RegisterApplicationForm(_Styled, forms.Form):
    """A company's application: who it is, one statement per published criterion, and up to
    five documents (checked again by the service)."""

    company_name = forms.CharField(label=_("Company name"), max_length=300)
    company_tax_code = forms.CharField(label=_("Company tax code (partita IVA)"), max_length=16)
    ateco_code = forms.CharField(
        label=_("ATECO code"),
        max_length=8,
        help_text=_("As in the chamber of commerce's register, such as 25.62.00."),
    )
    municipality = forms.ModelChoiceField(label=_("Municipality of the site"), queryset=None)
    contact_email = forms.EmailField(
        label=_("Contact e-mail"),
        help_text=_("For the office's answer and the renewal reminder; never published."),
    )
    website = forms.URLField(label=_("Website"), required=False, assume_scheme="https")
    documents = MultipleFileField(
        label=_("Documents (PDF, PNG or JPEG, at most 5)"), required=False
    )

    def __init__(self, *args, criteria, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self.criteria = list(criteria)
        for c in self.criteria:
            self.fields[f"criterion_{c.pk}"] = forms.CharField(
                label=c.title, help_text=c.description, widget=forms.Textarea(attrs={"rows": 3})
            )
        self._style()

    def statements(self) -> dict[int, str]:
        return {c.pk: self.cleaned_data.get(f"criterion_{c.pk}", "") for c in self.criteria}


class DecisionForm(_Styled, forms.Form):
    register = forms.TypedChoiceField(
        label=_("Decision"),
        coerce=lambda v: v == "iscrivi",
        choices=[("iscrivi", _("register")), ("respingi", _("reject"))],
    )
    on = forms.DateField(label=_("Date"), widget=DATE)
    valid_until = forms.DateField(
        label=_("Valid until (if registered)"), widget=DATE, required=False
    )
    reason = forms.CharField(
        label=_("Reason"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RenewForm(_Styled, forms.Form):
    valid_until = forms.DateField(label=_("New validity date"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class RevokeForm(_Styled, forms.Form):
    reason = forms.CharField(
        label=_("Reason for the revocation"), widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class CriterionForm(_Styled, forms.Form):
    code = forms.SlugField(label=_("Code"), max_length=40)
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ActivityForm(_Styled, forms.Form):
    """Consultations counted, an event or a meeting of one of the pact's services."""

    service = forms.ModelChoiceField(label=_("Service"), queryset=None)
    kind = forms.ChoiceField(label=_("What"), choices=ServiceActivity.Kind.choices)
    held_on = forms.DateField(
        label=_("Held on"),
        widget=DATE,
        help_text=_("For consultations counted over a period, its last day."),
    )
    count = forms.IntegerField(
        label=_("How many"),
        min_value=1,
        max_value=100_000,
        initial=1,
        help_text=_("1 for an event or a meeting; more for a total over a period."),
    )
    title = forms.CharField(
        label=_("Title or topic"),
        max_length=300,
        required=False,
        help_text=_("Never a person's name."),
    )
    participants = forms.IntegerField(
        label=_("Participants"), min_value=0, max_value=1_000_000, required=False
    )
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None, required=False)
    note = forms.CharField(
        label=_("Note for the office"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, services, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].queryset = services
        self.fields["municipality"].queryset = municipalities
        self._style()


class InvestmentForm(_Styled, forms.Form):
    """An investor assisted by the service for investors (new, or changed by its code)."""

    code = forms.SlugField(label=_("Code"), max_length=60)
    company_name = forms.CharField(label=_("Investor"), max_length=300)
    country = forms.CharField(
        label=_("Country of origin"),
        max_length=2,
        required=False,
        help_text=_("Two-letter ISO code, such as DE."),
    )
    ateco_code = forms.CharField(label=_("ATECO code"), max_length=8, required=False)
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=None, required=False)
    assisted_on = forms.DateField(label=_("First assisted on"), widget=DATE)
    status = forms.ChoiceField(label=_("Status"), choices=Investment.Status.choices)
    amount = AmountField(label=_("Investment (euro)"), required=False)
    jobs = forms.IntegerField(
        label=_("Jobs expected"), min_value=0, max_value=1_000_000, required=False
    )
    confidential = forms.BooleanField(label=_("Confidential (not announced yet)"), required=False)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self._style()


class ProtocolUpdateForm(_Styled, forms.Form):
    protocol = forms.ModelChoiceField(label=_("Protocol"), queryset=None)
    kind = forms.ChoiceField(label=_("Kind"), choices=ProtocolUpdate.Kind.choices)
    on = forms.DateField(label=_("Date"), widget=DATE)
    note = forms.CharField(label=_("What changed"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, protocols, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["protocol"].queryset = protocols
        self._style()


class AgreementForm(_Styled, forms.ModelForm):
    class Meta:
        model = Agreement
        fields = [
            "code",
            "company_name",
            "company_tax_code",
            "site",
            "municipality",
            "signed_on",
            "ends_on",
            "summary",
        ]
        widgets = {
            "signed_on": DATE,
            "ends_on": DATE,
            "summary": forms.Textarea(attrs={"rows": 3}),
        }

    def __init__(self, *args, municipalities, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["municipality"].queryset = municipalities
        self._style()

    def _post_clean(self):
        # The service validates the agreement with its pact.
        pass


class CommitmentForm(_Styled, forms.Form):
    # An empty first choice: the blank rows of a new agreement stay unchanged, and skipped.
    kind = forms.ChoiceField(label=_("Kind"), choices=[("", "–"), *Commitment.Kind.choices])
    description = forms.CharField(label=_("Commitment"), max_length=300)
    target = forms.IntegerField(label=_("Target"), min_value=1, max_value=10**9)
    due_on = forms.DateField(label=_("Due by"), widget=DATE)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class BaseCommitmentFormSet(forms.BaseFormSet):
    def clean(self):
        super().clean()
        if not any(f.cleaned_data for f in self.forms if f.is_valid()):
            raise forms.ValidationError(_("Write at least one commitment of the agreement."))

    def commitments(self) -> list[dict]:
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


CommitmentFormSet = forms.formset_factory(
    CommitmentForm, formset=BaseCommitmentFormSet, extra=3, max_num=20, validate_max=True
)


class CommitmentReportForm(_Styled, forms.Form):
    commitment = forms.ModelChoiceField(label=_("Commitment"), queryset=None)
    reported_on = forms.DateField(label=_("Reported on"), widget=DATE)
    value = forms.IntegerField(
        label=_("Achieved so far"),
        min_value=0,
        max_value=10**9,
        help_text=_("The total reached by that day, not what was added since the last report."),
    )
    note = forms.CharField(
        label=_("Note"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, commitments, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["commitment"].queryset = commitments
        self._style()


class DevelopmentServiceForm(_Styled, forms.Form):
    """A service, desk or table of the pact under its local name (the code fixes it)."""

    code = forms.SlugField(label=_("Code"), max_length=60)
    name = forms.CharField(label=_("Name"), max_length=200)
    kind = forms.ChoiceField(label=_("Kind"), choices=DevelopmentService.Kind.choices)
    description = forms.CharField(
        label=_("Description"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    started_on = forms.DateField(label=_("Active since"), required=False, widget=DATE)
    position = forms.IntegerField(label=_("Position"), min_value=0, max_value=999, initial=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class ProtocolForm(_Styled, forms.Form):
    """A protocol with its signatories: parties of the pact, and others by name."""

    code = forms.SlugField(label=_("Code"), max_length=60)
    kind = forms.ChoiceField(label=_("Kind"), choices=Protocol.Kind.choices)
    title = forms.CharField(label=_("Title"), max_length=300)
    site = forms.CharField(label=_("Site"), max_length=300, required=False)
    signed_on = forms.DateField(label=_("Signed on"), widget=DATE)
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    signatories = forms.ModelMultipleChoiceField(
        label=_("Signatories among the pact's parties"), queryset=None, required=False
    )
    other_signatories = forms.CharField(
        label=_("Other signatories"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("One a line."),
    )

    def __init__(self, *args, parties, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["signatories"].queryset = parties
        self._style()


class PrizeEditionForm(_Styled, forms.Form):
    """An edition of a prize; its awards are the formset beside it."""

    prize = forms.CharField(label=_("Prize"), max_length=200)
    year = forms.IntegerField(label=_("Year"), min_value=1990, max_value=2100)
    awarded_on = forms.DateField(label=_("Awarded on"), required=False, widget=DATE)
    applications = forms.IntegerField(
        label=_("Applications received"), min_value=0, max_value=1_000_000, required=False
    )
    summary = forms.CharField(
        label=_("Summary"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class AwardForm(_Styled, forms.Form):
    winner = forms.CharField(
        label=_("Winner"), max_length=300, help_text=_("The enterprise or project awarded.")
    )
    category = forms.CharField(label=_("Category"), max_length=200, required=False)
    amount = AmountField(label=_("Prize (euro)"), required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self._style()


class BaseAwardFormSet(forms.BaseFormSet):
    def awards(self) -> list[dict]:
        """The filled rows, in their order (blank rows are skipped)."""
        return [f.cleaned_data for f in self.forms if f.cleaned_data]


AwardFormSet = forms.formset_factory(
    AwardForm, formset=BaseAwardFormSet, extra=3, max_num=50, validate_max=True
)


class InstrumentRoleForm(_Styled, forms.Form):
    """A role in a pact's work instruments, given from the people page."""

    pact = forms.ModelChoiceField(label=_("Pact"), queryset=None)
    role = forms.ChoiceField(label=_("Role"), choices=InstrumentRole.Role.choices)

    def __init__(self, *args, pacts, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pact"].queryset = pacts
        self._style()
