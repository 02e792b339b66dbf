"""Models of the pact's funds: a double-entry ledger per fund, donors, and the equalisation rules.

The ledger is append-only. A movement (pledge, receipt, commitment, payment, release,
reversal) posts balanced entries to accounts; a mistake is corrected by a reversal that names
the movement it cancels. Each account keeps its balance beside its entries so that a posting
can refuse an overdraft with one guarded UPDATE; `funds.selectors.ledger_verify` re-derives
every balance from the entries.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy
from simple_history.models import HistoricalRecords

from patto.core.models import ExampleDataModel, TimeStampedModel
from patto.core.text import validate_text
from patto.pact.models import Instrument, Pact, Party, Territory, validate_tax_code

CENT = Decimal("0.01")
money_help = _("Euro, exact to the cent.")


def money_field(verbose_name, **kwargs) -> models.DecimalField:
    return models.DecimalField(verbose_name, max_digits=14, decimal_places=2, **kwargs)


class Medium(models.TextChoices):
    MONEY = "money", _("money")
    KIND = "kind", _("goods and services")


class Fund(ExampleDataModel, TimeStampedModel):
    """A fund of the pact: an instrument of kind community or equalisation fund, with books."""

    class Kind(models.TextChoices):
        COMMUNITY = "community", _("community fund")
        EQUALISATION = "equalisation", _("equalisation fund")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="funds",
                             verbose_name=_("pact"))
    instrument = models.OneToOneField(Instrument, on_delete=models.PROTECT,
                                      related_name="fund", verbose_name=_("instrument"))
    code = models.SlugField(_("code"), max_length=40)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    allow_overcommit = models.BooleanField(_("commitments may exceed receipts"), default=False,
                                           help_text=_(
        "Only when the fund's rules allow committing money not yet received (for example "
        "against a guarantee). Payments never exceed the money held."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "instrument__position"]
        verbose_name = _("fund")
        verbose_name_plural = _("funds")
        constraints = [models.UniqueConstraint(fields=["pact", "code"], name="fund_unique_code")]

    def __str__(self) -> str:
        return self.instrument.name

    @property
    def name(self) -> str:
        return self.instrument.name

    def get_absolute_url(self) -> str:
        return reverse("funds:fund", kwargs={"pact": self.pact.code, "fund": self.code})


class Purpose(models.Model):
    """What a fund's money is given for and spent on (basic needs, housing, regeneration…)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="purposes",
                             verbose_name=_("fund"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    name_en = models.CharField(_("name in English"), max_length=200, blank=True)
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "position"]
        verbose_name = _("purpose")
        verbose_name_plural = _("purposes")
        constraints = [models.UniqueConstraint(fields=["fund", "code"],
                                               name="purpose_unique_code")]

    def __str__(self) -> str:
        from django.utils.translation import get_language

        if self.name_en and (get_language() or "").startswith("en"):
            return self.name_en
        return self.name


class FundClerk(models.Model):
    """A person who records a fund's movements (object-level permission)."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="clerks",
                             verbose_name=_("fund"))
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE,
                             related_name="fund_roles", verbose_name=_("user"))
    history = HistoricalRecords()

    class Meta:
        verbose_name = _("fund clerk")
        verbose_name_plural = _("fund clerks")
        constraints = [models.UniqueConstraint(fields=["fund", "user"],
                                               name="fund_clerk_unique")]

    def __str__(self) -> str:
        return f"{self.user} – {self.fund}"


class Donor(ExampleDataModel, TimeStampedModel):
    """Who gives to a fund: a party of the pact, another organisation, a person, a municipality.

    A person's name, tax code and e-mail are personal data: the public sees the name only with
    the person's recorded consent, otherwise "anonymous donor".
    """

    class Kind(models.TextChoices):
        PARTY = "party", _("party of the pact")
        ORGANISATION = "organisation", _("other organisation")
        PERSON = "person", _("person")
        MUNICIPALITY = "municipality", _("municipality")

    pact = models.ForeignKey(Pact, on_delete=models.PROTECT, related_name="donors",
                             verbose_name=_("pact"))
    code = models.SlugField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    party = models.ForeignKey(Party, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="donations", verbose_name=_("party"))
    territory = models.ForeignKey(Territory, on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="donors", verbose_name=_("municipality"))
    name = models.CharField(_("name"), max_length=200, blank=True, validators=[validate_text],
                            help_text=_("For organisations and people; parties and "
                                        "municipalities take their registry name."))
    tax_code = models.CharField(_("tax code"), max_length=16, blank=True,
                                validators=[validate_tax_code])
    email = models.EmailField(_("e-mail"), blank=True, help_text=_(
        "Only to send the donor's statement; never shown in public."))
    consent_public = models.BooleanField(_("consents to public name"), default=False,
                                         help_text=_(
        "A person's name is public only with consent; organisations are always named."))
    consent_on = models.DateField(_("consent recorded on"), null=True, blank=True)
    statement_version = models.PositiveIntegerField(
        _("statement link version"), default=1, editable=False, help_text=_(
            "Signed into the donor's statement links: revoking them raises it, and every "
            "link sent before stops working."))
    history = HistoricalRecords()

    class Meta:
        ordering = ["pact", "code"]
        verbose_name = _("donor")
        verbose_name_plural = _("donors")
        constraints = [models.UniqueConstraint(fields=["pact", "code"],
                                               name="donor_unique_code")]

    def __str__(self) -> str:
        return self.full_name

    def clean(self) -> None:
        needs = {self.Kind.PARTY: ("party", self.party_id),
                 self.Kind.MUNICIPALITY: ("territory", self.territory_id)}
        if self.kind in needs and not needs[self.kind][1]:
            raise ValidationError({needs[self.kind][0]: _(
                "A donor of this kind names its %(field)s: choose one.") % {
                    "field": needs[self.kind][0]}})
        if self.kind in (self.Kind.ORGANISATION, self.Kind.PERSON) and not self.name:
            raise ValidationError({"name": _("Write the donor's name.")})
        if self.consent_public and self.kind == self.Kind.PERSON and not self.consent_on:
            raise ValidationError({"consent_on": _(
                "Record the date on which the person gave consent to publish the name.")})

    @property
    def full_name(self) -> str:
        """The name as staff see it."""
        if self.kind == self.Kind.PARTY and self.party_id:
            return self.party.name
        if self.kind == self.Kind.MUNICIPALITY and self.territory_id:
            return self.territory.name
        return self.name

    @property
    def public_name(self) -> str:
        """The name as the public sees it: a person without consent stays anonymous."""
        if self.kind == self.Kind.PERSON and not self.consent_public:
            return str(_("Anonymous donor"))
        return self.full_name

    @property
    def public_group(self) -> str:
        """Who gave, at the level the flow diagram shows: anonymous people are pooled."""
        if self.kind == self.Kind.PERSON and not self.consent_public:
            return str(_("Anonymous donors"))
        return self.full_name


class ImmutableQuerySet(models.QuerySet):
    """Ledger rows are written once: bulk updates and deletes are refused."""

    def update(self, **kwargs):
        raise ValidationError(_("Ledger rows are never changed: post a reversal instead."))

    def delete(self):
        raise ValidationError(_("Ledger rows are never deleted: post a reversal instead."))


class Movement(ExampleDataModel):
    """One posting in a fund's books, balanced, never changed after it is written."""

    class Kind(models.TextChoices):
        PLEDGE = "pledge", _("pledge")
        RECEIPT = "receipt", _("receipt")
        COMMITMENT = "commitment", _("commitment")
        PAYMENT = "payment", _("payment")
        RELEASE = "release", _("release of a commitment")
        REVERSAL = "reversal", _("reversal")

    # No index of its own on fund, recorded_by: the (fund, ref) and (fund, kind) indexes
    # lead with the fund, and nobody looks movements up by who recorded them; every index
    # is one more write in every posting.
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="movements",
                             verbose_name=_("fund"), db_index=False)
    ref = models.CharField(_("reference"), max_length=40, help_text=_(
        "Unique in the fund: the number on the receipt, the deed or the package row."))
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    booked_on = models.DateField(_("date"))
    recorded_at = models.DateTimeField(_("recorded at"), auto_now_add=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                    null=True, blank=True, related_name="+",
                                    verbose_name=_("recorded by"), db_index=False)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices,
                              default=Medium.MONEY)
    amount = money_field(_("amount"), help_text=money_help)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="movements", verbose_name=_("purpose"))
    donor = models.ForeignKey(Donor, on_delete=models.PROTECT, null=True, blank=True,
                              related_name="movements", verbose_name=_("donor"))
    pledge = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                               related_name="receipts", verbose_name=_("pledge honoured"))
    commitment = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="settlements",
                                   verbose_name=_("commitment settled"))
    reverses = models.OneToOneField("self", on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="reversed_by", verbose_name=_("reverses"))
    project = models.ForeignKey("projects.Project", on_delete=models.PROTECT, null=True,
                                blank=True, related_name="fund_movements",
                                verbose_name=_("project"))
    beneficiary_territory = models.ForeignKey(
        Territory, on_delete=models.PROTECT, null=True, blank=True,
        related_name="fund_allocations", verbose_name=_("beneficiary municipality"))
    beneficiary = models.CharField(_("beneficiary"), max_length=200, blank=True, help_text=_(
        "A programme or body that is not a project or a municipality of the pact."))
    item = models.CharField(_("goods or services"), max_length=300, blank=True)
    quantity = models.DecimalField(_("quantity"), max_digits=12, decimal_places=3, null=True,
                                   blank=True)
    unit = models.CharField(_("unit"), max_length=40, blank=True)
    valued_by = models.CharField(_("valued by"), max_length=200, blank=True, help_text=_(
        "Who declared the value of goods or services: the donor, an appraiser, a price list."))
    simulation = models.ForeignKey("Simulation", on_delete=models.PROTECT, null=True,
                                   blank=True, related_name="commitments",
                                   verbose_name=_("allocation"))
    description = models.TextField(_("description"), blank=True)

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["fund", "booked_on", "id"]
        verbose_name = _("movement")
        verbose_name_plural = _("movements")
        constraints = [
            models.UniqueConstraint(fields=["fund", "ref"], name="movement_unique_ref"),
            models.CheckConstraint(condition=models.Q(amount__gt=0),
                                   name="movement_amount_positive"),
        ]
        indexes = [models.Index(fields=["fund", "kind"])]

    def __str__(self) -> str:
        return f"{self.ref} ({self.get_kind_display()})"

    def save(self, *args, **kwargs):
        if self.pk is not None and not kwargs.get("force_insert"):
            raise ValidationError(_("Ledger rows are never changed: post a reversal instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger rows are never deleted: post a reversal instead."))

    @property
    def destination(self) -> str:
        if self.project_id:
            return self.project.title
        if self.beneficiary_territory_id:
            return self.beneficiary_territory.name
        return self.beneficiary


class Account(models.Model):
    """An account of a fund's chart, with its balance kept in step with its entries.

    Amounts are signed: debits positive, credits negative. A guarded account may not cross
    zero against its normal side: cash and goods held, money available per purpose, what is
    left of each pledge and of each commitment.
    """

    class Kind(models.TextChoices):
        CASH = "cash", _("money held")
        GOODS = "goods", _("goods and services held")
        PLEDGES = "pledges", _("pledges receivable")
        PLEDGED = "pledged", _("pledged, not yet received")
        AVAILABLE = "available", _("available to commit")
        COMMITTED = "committed", _("committed, not yet paid")

    DEBIT_NORMAL = {Kind.CASH, Kind.GOODS, Kind.PLEDGES}

    # Indexed by the (fund, code) constraint, which leads with the fund.
    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="accounts",
                             verbose_name=_("fund"), db_index=False)
    code = models.CharField(_("code"), max_length=60)
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    medium = models.CharField(_("medium"), max_length=10, choices=Medium.choices)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="accounts", verbose_name=_("purpose"))
    movement = models.OneToOneField(Movement, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="account",
                                    verbose_name=_("pledge or commitment"))
    guarded = models.BooleanField(_("may not be overdrawn"), default=True)
    # Integer cents: exact arithmetic in the guarded UPDATE on every database (SQLite's
    # NUMERIC arithmetic is floating point).
    balance_cents = models.BigIntegerField(_("balance (cents)"), default=0)

    class Meta:
        ordering = ["fund", "code"]
        verbose_name = pgettext_lazy("ledger", "account")
        verbose_name_plural = pgettext_lazy("ledger", "accounts")
        constraints = [models.UniqueConstraint(fields=["fund", "code"],
                                               name="account_unique_code")]

    def __str__(self) -> str:
        return f"{self.code} {self.get_kind_display()}"

    @property
    def sign(self) -> int:
        """+1 for a debit-normal account, -1 for a credit-normal one."""
        return 1 if self.kind in self.DEBIT_NORMAL else -1

    @property
    def balance(self) -> Decimal:
        """Signed balance in euro: debit positive."""
        return Decimal(self.balance_cents) / 100

    @property
    def normal_balance(self) -> Decimal:
        return self.balance * self.sign


class Entry(models.Model):
    """One line of a movement: an amount to one account, debit positive, credit negative."""

    movement = models.ForeignKey(Movement, on_delete=models.PROTECT, related_name="entries",
                                 verbose_name=_("movement"))
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries",
                                verbose_name=pgettext_lazy("ledger", "account"))
    amount = money_field(_("amount"))

    objects = ImmutableQuerySet.as_manager()

    class Meta:
        ordering = ["movement", "id"]
        verbose_name = _("entry")
        verbose_name_plural = _("entries")
        constraints = [models.CheckConstraint(condition=~models.Q(amount=0),
                                              name="entry_amount_not_zero")]

    def __str__(self) -> str:
        return f"{self.account.code} {self.amount}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise ValidationError(_("Ledger rows are never changed: post a reversal instead."))
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(_("Ledger rows are never deleted: post a reversal instead."))


class ChargeRule(TimeStampedModel):
    """The share of the charges on large transformations due to the equalisation fund, by date."""

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="charge_rules",
                             verbose_name=_("fund"))
    valid_from = models.DateField(_("in force from"))
    secondary_rate = models.DecimalField(
        _("share of secondary urbanisation charges"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))], help_text=_("From 0 to 1."))
    extraordinary_rate = models.DecimalField(
        _("share of the extraordinary contribution"), max_digits=5, decimal_places=4,
        validators=[MinValueValidator(Decimal("0"))], help_text=_("From 0 to 1."))
    note = models.CharField(_("act or note"), max_length=300, blank=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "valid_from"]
        verbose_name = _("charge rule")
        verbose_name_plural = _("charge rules")
        constraints = [models.UniqueConstraint(fields=["fund", "valid_from"],
                                               name="charge_rule_unique_date")]

    def __str__(self) -> str:
        return f"{self.fund} {self.valid_from}"

    def clean(self) -> None:
        for name in ("secondary_rate", "extraordinary_rate"):
            value = getattr(self, name)
            if value is not None and value > 1:
                raise ValidationError({name: _("A share is between 0 and 1 (0.25 is 25%).")})


class Transformation(ExampleDataModel, TimeStampedModel):
    """A large transformation a municipality declares, with the charges it raised and the
    contribution due to the equalisation fund (posted as a pledge)."""

    class Area(models.TextChoices):
        FUNCTIONAL_HUB = "functional_hub", _("functional hub")
        PRODUCTIVE_AREA = "productive_area", _("metropolitan productive area")

    fund = models.ForeignKey(Fund, on_delete=models.PROTECT, related_name="transformations",
                             verbose_name=_("fund"))
    ref = models.CharField(_("reference"), max_length=40)
    municipality = models.ForeignKey(Territory, on_delete=models.PROTECT,
                                     related_name="transformations",
                                     verbose_name=_("municipality"))
    area = models.CharField(_("area"), max_length=20, choices=Area.choices)
    declared_on = models.DateField(_("declared on"))
    description = models.CharField(_("description"), max_length=300)
    secondary_charges = money_field(_("secondary urbanisation charges"))
    extraordinary_contribution = money_field(_("extraordinary contribution"))
    rule = models.ForeignKey(ChargeRule, on_delete=models.PROTECT, related_name="+",
                             verbose_name=_("rule applied"))
    due = money_field(_("contribution due"))
    pledge = models.OneToOneField(Movement, on_delete=models.PROTECT, related_name="+",
                                  verbose_name=_("pledge"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "declared_on", "ref"]
        verbose_name = _("transformation")
        verbose_name_plural = _("transformations")
        constraints = [models.UniqueConstraint(fields=["fund", "ref"],
                                               name="transformation_unique_ref")]

    def __str__(self) -> str:
        return f"{self.ref} {self.municipality}"


class AllocationRule(ExampleDataModel, TimeStampedModel):
    """A published rule that shares equalisation money among fragile municipalities."""

    class Method(models.TextChoices):
        COMPOSITE = "composite", _("composite index (AMPI, as in monitoring)")
        WEIGHTED = "weighted", _("simple weighted index")

    fund = models.ForeignKey(Fund, on_delete=models.CASCADE, related_name="allocation_rules",
                             verbose_name=_("fund"))
    code = models.SlugField(_("code"), max_length=40)
    name = models.CharField(_("name"), max_length=200)
    purpose = models.ForeignKey(Purpose, on_delete=models.PROTECT, related_name="+",
                                verbose_name=_("purpose charged"))
    method = models.CharField(_("index"), max_length=20, choices=Method.choices)
    year = models.PositiveSmallIntegerField(_("year of the indicators"))
    threshold = models.FloatField(_("eligibility threshold"), help_text=_(
        "Municipalities whose fragility index is at or above it are eligible."))
    population_weight = models.FloatField(_("weight of population"), default=0.5, help_text=_(
        "0 shares by the index alone, 1 by population alone."))
    floor = money_field(_("floor per municipality"), default=Decimal("0"))
    cap = money_field(_("cap per municipality"), null=True, blank=True)
    total = money_field(_("amount to allocate"))
    history = HistoricalRecords()

    class Meta:
        ordering = ["fund", "code"]
        verbose_name = _("allocation rule")
        verbose_name_plural = _("allocation rules")
        constraints = [models.UniqueConstraint(fields=["fund", "code"],
                                               name="allocation_rule_unique_code")]

    def __str__(self) -> str:
        return self.name


class RuleIndicator(models.Model):
    """An indicator of the monitoring part that enters a rule's fragility index."""

    rule = models.ForeignKey(AllocationRule, on_delete=models.CASCADE,
                             related_name="indicators", verbose_name=_("rule"))
    indicator = models.ForeignKey("monitoring.Indicator", on_delete=models.PROTECT,
                                  related_name="+", verbose_name=_("indicator"))
    weight = models.FloatField(_("weight"), default=1.0)
    fragile_when_high = models.BooleanField(_("higher values mean more fragility"),
                                            default=True)
    history = HistoricalRecords()

    class Meta:
        ordering = ["rule", "id"]
        verbose_name = _("rule indicator")
        verbose_name_plural = _("rule indicators")
        constraints = [models.UniqueConstraint(fields=["rule", "indicator"],
                                               name="rule_indicator_unique")]

    def __str__(self) -> str:
        return f"{self.indicator.code} × {self.weight}"


class Simulation(TimeStampedModel):
    """One run of a rule on the data of its day: the parameters and every municipality's line,
    kept as computed so that an adopted allocation shows exactly how it was made."""

    rule = models.ForeignKey(AllocationRule, on_delete=models.CASCADE,
                             related_name="simulations", verbose_name=_("rule"))
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("run by"))
    parameters = models.JSONField(_("parameters"))
    lines = models.JSONField(_("lines"))
    allocated = money_field(_("allocated"))
    unallocated = money_field(_("unallocated"))
    adopted_at = models.DateTimeField(_("adopted at"), null=True, blank=True)
    adopted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT,
                                   null=True, blank=True, related_name="+",
                                   verbose_name=_("adopted by"))

    class Meta:
        ordering = ["rule", "-created_at"]
        verbose_name = _("simulation")
        verbose_name_plural = _("simulations")

    def __str__(self) -> str:
        return f"{self.rule} #{self.pk}"
