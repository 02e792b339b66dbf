"""Forms of participation's staff pages: calls, criteria, documents, proposals, contributions,
declarations and scores. They read what people type; the services decide."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from patto.funds.forms import AmountField
from patto.funds.models import Purpose, Simulation
from patto.pact.models import Cluster, Pact, Party, SdgGoal, Territory
from patto.projects.forms import CoordinateField, StyledForm, StyledModelForm

from .models import Call, ProposalContribution

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class CallForm(StyledModelForm):
    money_available = AmountField(label=_("Money available (euro)"))
    max_request = AmountField(label=_("Maximum grant per proposal (euro)"), required=False)

    class Meta:
        model = Call
        fields = [
            "code",
            "title",
            "summary",
            "unions_may_propose",
            "municipalities_may_propose",
            "fragility",
            "opens_at",
            "deadline",
            "money_available",
            "max_request",
            "minimum_cofinancing",
            "tie_rule",
            "minimum_total",
            "skip_unaffordable",
            "fund_purpose",
            "cluster",
        ]
        widgets = {
            "opens_at": DATETIME,
            "deadline": DATETIME,
            "summary": forms.Textarea(attrs={"rows": 4}),
        }

    def __init__(self, *args, pact, **kwargs):
        self.pact = pact
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        self.fields["fragility"].queryset = Simulation.objects.filter(
            rule__fund__pact=self.pact, adopted_at__isnull=False
        ).select_related("rule")
        self.fields["fund_purpose"].queryset = Purpose.objects.filter(
            fund__pact=self.pact, fund__kind="equalisation"
        ).select_related("fund")
        self.fields["cluster"].queryset = Cluster.objects.filter(pact=self.pact)
        for name in ("opens_at", "deadline"):
            self.fields[name].input_formats = ["%Y-%m-%dT%H:%M"]
        for name in ("unions_may_propose", "municipalities_may_propose", "skip_unaffordable"):
            self.fields[name].widget.attrs["class"] = "form-check-input"

    def _post_clean(self):
        """The service validates the call: nothing is assigned to the instance here."""


class CriterionForm(StyledForm):
    title = forms.CharField(label=_("Criterion"), max_length=300)
    description = forms.CharField(
        label=_("What is judged"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
    weight = forms.DecimalField(
        label=_("Weight"), min_value=0, max_digits=6, decimal_places=2, localize=True
    )
    max_score = forms.IntegerField(
        label=_("Maximum score"), min_value=1, max_value=1000, initial=10
    )


class DocumentForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    file = forms.FileField(
        label=_("File"),
        help_text=_("PDF, ODT, ODS, DOCX, XLSX, CSV or TXT, within the platform's upload limit."),
    )


class EvaluatorForm(StyledForm):
    email = forms.EmailField(label=_("E-mail of the person (with an account)"))


class ProposalForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    objectives = forms.CharField(label=_("Objectives"), widget=forms.Textarea(attrs={"rows": 4}))
    content = forms.CharField(
        label=_("Content of the programme"), widget=forms.Textarea(attrs={"rows": 8})
    )
    places = forms.ModelMultipleChoiceField(
        label=_("Places (municipalities)"),
        queryset=Territory.objects.none(),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("The municipalities where the programme takes place."),
    )
    budget = AmountField(label=_("Total budget (euro)"))
    cofinancing = AmountField(
        label=_("Co-financing (euro)"),
        help_text=_("What the proposer and its partners pay; the call funds the rest."),
    )
    partners = forms.ModelMultipleChoiceField(
        label=_("Partners (parties of the pact)"),
        queryset=Party.objects.none(),
        required=False,
        widget=forms.SelectMultiple(attrs={"size": 8}),
    )
    reason = forms.CharField(
        label=_("What the amendment changes"),
        required=False,
        max_length=500,
        help_text=_("Required once the proposal is submitted: kept in its history."),
    )

    def __init__(self, *args, places, pact, **kwargs):
        self.place_choices, self.pact = places, pact
        super().__init__(*args, **kwargs)

    @property
    def place_codes(self) -> dict[str, str]:
        """The places one may choose, by id, with the code the territory GeoJSON names them by
        (the map of places ticks the list's boxes by it)."""
        return {str(p.pk): p.code for p in self.place_choices}

    def prepare_fields(self) -> None:
        self.fields["places"].queryset = Territory.objects.defer("boundary").filter(
            pk__in=[p.pk for p in self.place_choices]
        )
        self.fields["partners"].queryset = Party.objects.filter(pacts=self.pact).order_by("name")


class PointForm(StyledForm):
    """A point drawn on the map of the proposer's territory, or typed as latitude and longitude
    (the way for keyboards and screen readers, and what the map fills in)."""

    id = forms.IntegerField(required=False, widget=forms.HiddenInput)
    name = forms.CharField(label=_("Name of the point"), max_length=120)
    latitude = CoordinateField(
        label=_("Latitude"),
        max_digits=8,
        decimal_places=5,
        help_text=_("Degrees north, e.g. 44,31234."),
    )
    longitude = CoordinateField(
        label=_("Longitude"),
        max_digits=8,
        decimal_places=5,
        help_text=_("Degrees east, e.g. 11,41234."),
    )


class BasePointFormSet(forms.BaseFormSet):
    def add_fields(self, form, index):
        super().add_fields(form, index)
        if "DELETE" in form.fields:
            form.fields["DELETE"].label = _("Remove this point")
            form.fields["DELETE"].widget.attrs["class"] = "form-check-input"

    def points(self) -> list[dict] | None:
        """The points to keep, as the proposal services take them (the whole set); None when
        the form held no rows of points, so that the proposal's stay as they are."""
        if not self.is_bound:
            return None
        return [
            {k: f.cleaned_data[k] for k in ("id", "name", "latitude", "longitude")}
            for f in self.forms
            # An extra row left blank has no cleaned data; a removed one is left out.
            if f.cleaned_data and not f.cleaned_data.get("DELETE")
        ]


PointFormSet = forms.formset_factory(
    PointForm, formset=BasePointFormSet, extra=1, can_delete=True, max_num=50, validate_max=True
)


def point_formset(data=None, *, proposal=None) -> BasePointFormSet:
    """The drawn points of a proposal (none for a new one) as a formset prefixed ``points``."""
    initial = [
        {"id": p.pk, "name": p.name, "latitude": p.latitude, "longitude": p.longitude}
        for p in (proposal.points.all() if proposal is not None else [])
    ]
    # A form posted without the points' rows (a client that never drew any) changes none.
    if data is not None and "points-TOTAL_FORMS" not in data:
        data = None
    return PointFormSet(data, initial=initial, prefix="points")


class NewProposalForm(ProposalForm):
    proposer = forms.ModelChoiceField(label=_("Proposed by"), queryset=Territory.objects.none())

    field_order = ["proposer"]

    def __init__(self, *args, proposers, **kwargs):
        self.proposers = proposers
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        super().prepare_fields()
        self.fields["proposer"].queryset = self.proposers
        del self.fields["reason"]


class ContributionForm(StyledModelForm):
    class Meta:
        model = ProposalContribution
        fields = ["kind", "author_name", "author_email", "public_name", "text", "consent_public"]
        widgets = {"text": forms.Textarea(attrs={"rows": 3})}

    def prepare_fields(self) -> None:
        self.fields["consent_public"].widget.attrs["class"] = "form-check-input"

    def _post_clean(self):
        """The service validates the contribution."""


class DeclarationForm(StyledForm):
    has_conflict = forms.TypedChoiceField(
        label=_("Do you have a conflict of interest with this proposal?"),
        choices=[
            ("no", _("No, I have no conflict of interest")),
            ("yes", _("Yes, I have a conflict of interest")),
        ],
        coerce=lambda v: v == "yes",
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note (required with a conflict)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ScoreForm(StyledForm):
    value = forms.IntegerField(label=_("Score"), min_value=0)
    comment = forms.CharField(label=_("Comment"), widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, criterion, **kwargs):
        self.criterion = criterion
        super().__init__(*args, **kwargs)
        self.fields["value"].max_value = criterion.max_score
        self.fields["value"].widget.attrs["max"] = criterion.max_score
        self.fields["value"].label = _("Score (0 to %(max)s)") % {"max": criterion.max_score}


# --- Challenges and solutions ----------------------------------------------------------------


class HoneypotMixin:
    """A field people never see (hidden by CSS, skipped by keyboard and screen readers) that
    spam robots fill in: a form that comes back with it filled is dropped."""

    honeypot = "sito_web"

    def add_honeypot(self) -> None:
        self.fields[self.honeypot] = forms.CharField(
            required=False,
            label=_("Leave this field empty"),
            widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
        )

    def is_spam(self) -> bool:
        return bool((self.data.get(self.add_prefix(self.honeypot)) or "").strip())


class SolutionForm(HoneypotMixin, StyledForm):
    title = forms.CharField(label=_("Title"), max_length=200)
    text = forms.CharField(label=_("Your solution"), widget=forms.Textarea(attrs={"rows": 5}))
    administration = forms.ModelChoiceField(
        label=_("On behalf of"),
        queryset=Territory.objects.none(),
        required=False,
        empty_label=_("myself"),
    )

    def __init__(self, *args, administrations=None, **kwargs):
        self.administrations = administrations
        super().__init__(*args, **kwargs)
        self.add_honeypot()

    def prepare_fields(self) -> None:
        if self.administrations is not None and self.administrations.exists():
            self.fields["administration"].queryset = self.administrations
        else:
            del self.fields["administration"]


class CommentForm(HoneypotMixin, StyledForm):
    text = forms.CharField(
        label=_("Your comment"), widget=forms.Textarea(attrs={"rows": 3}), max_length=4000
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_honeypot()


class ReasonForm(StyledForm):
    reason = forms.CharField(label=_("Why"), max_length=1000)


class ChallengeForm(StyledForm):
    title = forms.CharField(label=_("Title"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 5}))
    publisher = forms.ModelChoiceField(
        label=_("Published by"),
        required=False,
        queryset=Territory.objects.none(),
        empty_label=_("the Pact's Table"),
    )

    def __init__(self, *args, publishers, **kwargs):
        self.publishers = publishers
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        self.fields["publisher"].queryset = self.publishers


class PublicNameForm(StyledForm):
    public_name = forms.CharField(
        label=_("Public name"),
        max_length=80,
        help_text=_(
            "The name shown with your solutions and comments; your account's name is never shown."
        ),
    )


class CloseAccountForm(StyledForm):
    confirm = forms.CharField(
        label=_("Your username, to confirm"),
        max_length=150,
        help_text=_("Closing cannot be undone: you will no longer be able to sign in."),
    )


class NetworkForm(StyledForm):
    code = forms.SlugField(
        label=_("Code"), max_length=60, help_text=_("Stable identifier, used in web addresses.")
    )
    name = forms.CharField(label=_("Name"), max_length=300)
    description = forms.CharField(label=_("Description"), widget=forms.Textarea(attrs={"rows": 4}))
    themes = forms.CharField(label=_("Themes"), max_length=500, required=False)
    sdgs = forms.ModelMultipleChoiceField(
        label=_("SDGs"), required=False, queryset=SdgGoal.objects.order_by("number")
    )
    territories = forms.ModelMultipleChoiceField(
        label=_("Territories"),
        required=False,
        queryset=Territory.objects.none(),
        help_text=_("A union stands for all its municipalities on the map."),
    )
    coordinator = forms.ModelChoiceField(
        label=_("Coordinated by"), required=False, queryset=Party.objects.none()
    )
    is_example = forms.BooleanField(label=_("Example data"), required=False)

    def __init__(self, *args, pact, **kwargs):
        self.pact = pact
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        from django.utils import timezone

        from patto.pact.selectors import territory_tree

        # The pact's own territory, its unions and districts, its municipalities (not the
        # whole country's): the tree is kept once per data version.
        tree = territory_tree(root=self.pact.territory, on=timezone.localdate())
        ids = [tree.root.territory.pk, *(n.territory.pk for n in tree.groups)]
        ids += [n.territory.pk for n in tree.municipalities]
        self.fields["territories"].queryset = (
            Territory.objects.filter(pk__in=ids).defer("boundary").order_by("kind", "name")
        )
        self.fields["coordinator"].queryset = self.pact.parties.order_by("name")
        self.fields["is_example"].widget.attrs["class"] = "form-check-input"


class PartnerForm(StyledForm):
    party = forms.ModelChoiceField(
        label=_("Party of the pact"), required=False, queryset=Party.objects.none()
    )
    name = forms.CharField(
        label=_("Or another organisation"),
        max_length=300,
        required=False,
        help_text=_("Only if it is not a party of the pact."),
    )
    role = forms.CharField(label=_("Role in the network"), max_length=200, required=False)

    def __init__(self, *args, pact, **kwargs):
        self.pact = pact
        super().__init__(*args, **kwargs)

    def prepare_fields(self) -> None:
        self.fields["party"].queryset = self.pact.parties.order_by("name")


class ActivityForm(StyledForm):
    title = forms.CharField(label=_("Activity"), max_length=300)
    held_on = forms.DateField(label=_("Date"), widget=forms.DateInput(attrs={"type": "date"}))
    output = forms.CharField(
        label=_("Output"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class RoleForm(StyledForm):
    """Give a role of participation to a person who has an account (found by e-mail)."""

    KINDS = (
        ("call_manager", _("Call manager (runs the calls and networks of a pact)")),
        ("moderator", _("Moderator (hides and restores content of a pact's challenges)")),
        ("proposer", _("Proposer (writes proposals for a union or municipality)")),
    )

    kind = forms.ChoiceField(label=_("Role"), choices=KINDS)
    email = forms.EmailField(
        label=_("The person's e-mail"),
        help_text=_("The e-mail of their account; invite them first if they have none."),
    )
    pact = forms.ModelChoiceField(
        label=_("Pact"),
        required=False,
        queryset=Pact.objects.none(),
        help_text=_("For call managers and moderators."),
    )
    territory = forms.ModelChoiceField(
        label=_("Union or municipality"),
        required=False,
        queryset=Territory.objects.none(),
        help_text=_("For proposers."),
    )

    def prepare_fields(self) -> None:
        from django.utils import timezone

        from patto.pact.selectors import territory_tree

        pacts = list(Pact.objects.select_related("territory").defer("territory__boundary"))
        self.fields["pact"].queryset = Pact.objects.order_by("code")
        ids: set[int] = set()
        for pact in pacts:  # a handful of pacts, each tree kept once per data version
            tree = territory_tree(root=pact.territory, on=timezone.localdate())
            ids.update(n.territory.pk for n in tree.groups)
            ids.update(n.territory.pk for n in tree.municipalities)
        self.fields["territory"].queryset = (
            Territory.objects.filter(pk__in=ids).defer("boundary").order_by("kind", "name")
        )

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind in ("call_manager", "moderator") and not data.get("pact"):
            self.add_error("pact", _("Choose the pact."))
        if kind == "proposer" and not data.get("territory"):
            self.add_error("territory", _("Choose the union or municipality."))
        return data
