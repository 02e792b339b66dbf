"""Forms of the funds' staff pages: recording movements, donors, rules and simulations."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.core.forms import AmountField
from patto.pact.models import Territory
from patto.projects.forms import StyledForm

from .amounts import euro_text
from .models import AllocationRule, Donor, Medium, Movement

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class MovementForm(StyledForm):
    booked_on = forms.DateField(label=_("Date"), widget=DATE)
    amount = AmountField(label=_("Amount (euro)"))
    ref = forms.CharField(label=_("Reference (receipt, deed)"), required=False, max_length=40,
                          help_text=_("Left empty, one is generated."))
    description = forms.CharField(label=_("Description"), required=False,
                                  widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, fund, user=None, **kwargs):
        self.fund, self.user = fund, user
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        super().prepare_fields()
        fund = self.fund
        if "purpose" in self.fields:
            self.fields["purpose"].queryset = fund.purposes.all()
        if "donor" in self.fields:
            # Only the donors whose data the clerk may see (see selectors.donors_visible).
            from .selectors import donors_visible

            self.fields["donor"].queryset = donors_visible(
                user=self.user, pact=fund.pact).select_related("party", "territory")
            self.fields["donor"].label_from_instance = lambda d: f"{d.full_name} ({d.code})"
        if "commitment" in self.fields:
            self.fields["commitment"].queryset = (
                Movement.objects.filter(fund=fund, kind=Movement.Kind.COMMITMENT,
                                        account__balance_cents__lt=0)
                .select_related("project", "beneficiary_territory", "account"))
            self.fields["commitment"].label_from_instance = lambda m: (
                f"{m.ref} · {m.destination} · {m.get_medium_display()} · "
                f"{euro_text(-m.account.balance)}")
        if "pledge" in self.fields:
            self.fields["pledge"].queryset = (
                Movement.objects.filter(fund=fund, kind=Movement.Kind.PLEDGE,
                                        account__balance_cents__gt=0)
                .select_related("donor__party", "donor__territory", "account"))
            self.fields["pledge"].label_from_instance = lambda m: (
                f"{m.ref} · {m.donor.full_name} · {euro_text(m.account.balance)}")
        if "project" in self.fields:
            self.fields["project"].queryset = fund.pact.projects.all()
        if "beneficiary_territory" in self.fields:
            self.fields["beneficiary_territory"].queryset = Territory.objects.filter(
                kind=Territory.Kind.MUNICIPALITY).defer("boundary").order_by("name")


class ReceiptForm(MovementForm):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.none())
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=None)
    medium = forms.ChoiceField(label=_("Given in"), choices=Medium.choices)
    pledge = forms.ModelChoiceField(label=_("Honours pledge"), required=False, queryset=None)
    item = forms.CharField(label=_("Goods or services (in kind)"), required=False)
    quantity = forms.DecimalField(label=_("Quantity"), required=False, min_value=0)
    unit = forms.CharField(label=_("Unit"), required=False, max_length=40)
    valued_by = forms.CharField(label=_("Value declared by"), required=False, max_length=200)


class PledgeForm(MovementForm):
    donor = forms.ModelChoiceField(label=_("Donor"), queryset=Donor.objects.none())
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=None)


class CommitmentForm(MovementForm):
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=None)
    medium = forms.ChoiceField(label=_("In"), choices=Medium.choices)
    project = forms.ModelChoiceField(label=_("Project"), required=False, queryset=None)
    beneficiary_territory = forms.ModelChoiceField(label=_("Municipality"), required=False,
                                                   queryset=None)
    beneficiary = forms.CharField(label=_("Other beneficiary or programme"), required=False)


class SettlementForm(MovementForm):
    commitment = forms.ModelChoiceField(label=_("Commitment"), queryset=None)


class ReversalForm(StyledForm):
    booked_on = forms.DateField(label=_("Date"), widget=DATE)
    reason = forms.CharField(label=_("Why it is reversed"), widget=forms.Textarea(
        attrs={"rows": 2}))


class DonorForm(StyledForm, forms.ModelForm):
    class Meta:
        model = Donor
        fields = ["code", "kind", "party", "territory", "name", "tax_code", "email",
                  "consent_public", "consent_on"]
        widgets = {"consent_on": DATE}


class TransformationForm(StyledForm):
    ref = forms.CharField(label=_("Reference"), max_length=40)
    municipality = forms.ModelChoiceField(label=_("Municipality"), queryset=Territory.objects
                                          .filter(kind=Territory.Kind.MUNICIPALITY)
                                          .defer("boundary").order_by("name"))
    area = forms.ChoiceField(label=_("Area"), choices=[
        ("functional_hub", _("functional hub")),
        ("productive_area", _("metropolitan productive area"))])
    declared_on = forms.DateField(label=_("Declared on"), widget=DATE)
    description = forms.CharField(label=_("Description"), max_length=300)
    secondary_charges = AmountField(label=_("Secondary urbanisation charges (euro)"))
    extraordinary_contribution = AmountField(label=_("Extraordinary contribution (euro)"))
    purpose = forms.ModelChoiceField(label=_("Purpose"), queryset=None)

    def __init__(self, *args, fund, user=None, **kwargs):
        self.fund, self.user = fund, user
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        super().prepare_fields()
        self.fields["purpose"].queryset = self.fund.purposes.all()


class RuleForm(StyledForm, forms.ModelForm):
    floor = AmountField(label=_("Floor per municipality (euro)"))
    cap = AmountField(label=_("Cap per municipality (euro)"), required=False)
    total = AmountField(label=_("Amount to allocate (euro)"))

    class Meta:
        model = AllocationRule
        fields = ["code", "name", "purpose", "method", "year", "threshold",
                  "population_weight", "floor", "cap", "total"]
        # Read and shown with the page's decimal comma ("0,5"), like the amounts.
        localized_fields = ["threshold", "population_weight"]

    def __init__(self, *args, fund, **kwargs):
        self.fund = fund
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        super().prepare_fields()
        self.fields["purpose"].queryset = self.fund.purposes.all()


class RuleIndicatorForm(StyledForm):
    indicator = forms.ModelChoiceField(label=_("Indicator"), queryset=None, required=False)
    weight = forms.FloatField(label=_("Weight"), min_value=0.0001, initial=1, required=False,
                              localize=True)
    fragile_when_high = forms.TypedChoiceField(
        label=_("More fragile when the value is"), coerce=lambda v: v == "high",
        choices=[("high", _("higher")), ("low", _("lower"))], initial="high", required=False)

    def __init__(self, *args, pact=None, **kwargs):
        self.pact = pact
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        from patto.monitoring.models import Indicator

        self.fields["indicator"].queryset = Indicator.objects.filter(
            pact=self.pact, observations__territory__kind=Territory.Kind.MUNICIPALITY,
            observations__is_current=True).distinct().order_by("code")
        self.fields["indicator"].label_from_instance = lambda i: f"{i.code} {i.name}"


RuleIndicatorFormSet = forms.formset_factory(RuleIndicatorForm, extra=2, max_num=12)
