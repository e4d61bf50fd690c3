"""The Pass numérique: programmes, funding orders, booklets and passes, handovers, redemptions, payouts,
and the double-entry ledger that accounts for every cent.

Who may do what lives in the QuerySets (``PassProgram.objects.visible_to(user)`` …); every change
goes through ``services.py``; the states a pass goes through are in ``states.py``.
"""

import datetime

from django.db import models
from django.db.models import Q, Sum
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Organization
from maillage.passes import codes


class Service(models.TextChoices):
    """What a pass pays for. A programme says which services it allows and how many passes each costs."""

    INDIVIDUAL = "individual", _("individual accompaniment")
    WORKSHOP = "workshop", _("collective workshop")
    COURSE = "course", _("course of several sessions")


class Public(models.TextChoices):
    """The publics a programme targets; a handover may say which one the person belongs to."""

    SENIORS = "seniors", _("older people")
    JOB_SEEKERS = "job_seekers", _("job seekers")
    YOUNG_PEOPLE = "young_people", _("young people")
    NEWCOMERS = "newcomers", _("newcomers to France")
    DISABILITY = "disability", _("people with a disability")
    LOW_INCOME = "low_income", _("people on low income")
    EVERYONE = "everyone", _("anyone who needs it")


class AgeBand(models.TextChoices):
    UNDER_26 = "under_26", _("under 26")
    FROM_26_TO_59 = "26_59", _("26 to 59")
    FROM_60_TO_74 = "60_74", _("60 to 74")
    FROM_75 = "75_plus", _("75 or over")


class PassStatus(models.TextChoices):
    ORDERED = "ordered", _("ordered, not paid yet")
    ACTIVE = "active", _("in stock")
    WITH_DISTRIBUTOR = "with_distributor", _("with a distributor")
    HANDED_OUT = "handed_out", _("handed out")
    REDEEMED = "redeemed", _("used")
    IN_PAYOUT = "in_payout", _("in a statement")
    PAID = "paid", _("paid to the place")
    BLOCKED = "blocked", _("blocked")
    EXPIRED = "expired", _("expired, refunded to the funder")


class PassProgramQuerySet(models.QuerySet):
    def reported_to(self, user):
        """The programmes whose figures the user sees: those their organisation funds; all of them
        for the territory's coordination. Places and distributors see none."""
        organizations = Organization.objects.acted_in_by(user)
        if organizations.of_kind(Organization.Kind.COORDINATOR).exists():
            return self.all()
        return self.filter(funder__in=organizations)

    def visible_to(self, user):
        """The programmes a member's organisation funds, distributes or redeems; all of them for the
        territory's coordination, which runs the scheme (marks orders paid, hands booklets out)."""
        organizations = Organization.objects.acted_in_by(user)
        if organizations.filter(is_coordinator=True).exists():
            return self.all()
        return self.filter(
            Q(funder__in=organizations)
            | Q(pk__in=Booklet.objects.filter(distributor__in=organizations).values("order__program"))
            | Q(
                pk__in=PassProgram.qualified_places.through.objects.filter(
                    place__organization__in=organizations
                ).values("passprogram")
            )
        )


class PassProgram(models.Model):
    """A funder's programme: what its passes are worth, where, for whom, for what and until when."""

    funder = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="pass_programs", verbose_name=_("funder")
    )
    name = models.CharField(_("name"), max_length=150)
    face_value_cents = models.PositiveIntegerField(_("value of one pass, in cents"), default=1000)
    minutes_per_pass = models.PositiveSmallIntegerField(
        _("accompaniment time one pass is worth, in minutes"), null=True, blank=True
    )
    department_codes = models.JSONField(_("départements"), default=list, blank=True)
    communes = models.ManyToManyField("territory.Commune", blank=True, related_name="+", verbose_name=_("communes"))
    target_publics = models.JSONField(_("publics"), default=list, blank=True)
    service_costs = models.JSONField(_("services and their cost in passes"), default=dict)
    starts_on = models.DateField(_("valid from"))
    ends_on = models.DateField(_("valid until"))
    grace_days = models.PositiveSmallIntegerField(_("grace period, in days"), default=30)
    qualified_places = models.ManyToManyField(
        "places.Place", blank=True, related_name="pass_programs", verbose_name=_("qualified places")
    )
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = PassProgramQuerySet.as_manager()

    class Meta:
        verbose_name = _("Pass numérique programme")
        verbose_name_plural = _("Pass numérique programmes")
        ordering = ["-starts_on", "name", "pk"]
        constraints = [
            models.CheckConstraint(condition=Q(face_value_cents__gt=0), name="pass_program_value_positive"),
            models.CheckConstraint(condition=Q(ends_on__gte=models.F("starts_on")), name="pass_program_dates_ordered"),
        ]

    def __str__(self):
        return self.name

    @property
    def expires_on(self):
        """The last day a pass can be used: the end date plus the grace period."""
        return self.ends_on + datetime.timedelta(days=self.grace_days)

    def cost_of(self, service):
        """How many passes the service costs in this programme; None when the programme does not pay for it."""
        return self.service_costs.get(service)

    def allowed_services(self):
        return [(Service(key), cost) for key, cost in self.service_costs.items() if key in Service.values]

    def covers_commune(self, commune):
        """Within the programme's départements or communes; anywhere when it names neither."""
        if not self.department_codes and not self.communes.exists():
            return True
        return commune.department_code in self.department_codes or self.communes.filter(pk=commune.pk).exists()


class FundingOrderQuerySet(models.QuerySet):
    def visible_to(self, user):
        return self.filter(program__in=PassProgram.objects.visible_to(user))

    def paid(self):
        return self.filter(paid_at__isnull=False)

    def awaiting_payment(self):
        return self.filter(paid_at__isnull=True)


class FundingOrder(models.Model):
    """A funder buys passes for a programme. They become usable only once the operator marks it paid."""

    class BookletSize(models.IntegerChoices):
        FIVE = 5, _("5 passes")
        TEN = 10, _("10 passes")

    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, related_name="orders")
    pass_count = models.PositiveIntegerField(_("number of passes"))
    booklet_size = models.PositiveSmallIntegerField(_("passes per booklet"), choices=BookletSize.choices)
    funder_reference = models.CharField(_("your order reference"), max_length=60, blank=True)
    # The order form's one-time key: sent twice (a double click, a reload), it orders once.
    submission_key = models.CharField(max_length=64, null=True, blank=True, unique=True, editable=False)
    created_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    paid_at = models.DateTimeField(null=True, blank=True)
    marked_paid_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = FundingOrderQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(condition=Q(pass_count__gt=0), name="funding_order_has_passes"),
            models.CheckConstraint(condition=Q(booklet_size__in=[5, 10]), name="funding_order_booklet_size"),
        ]

    def __str__(self):
        return f"{self.reference} — {self.program}"

    @property
    def reference(self):
        return f"CMD-{self.pk:05d}"

    @property
    def value_cents(self):
        return self.pass_count * self.program.face_value_cents

    @property
    def is_paid(self):
        return self.paid_at is not None


class BookletQuerySet(models.QuerySet):
    def held_by(self, user):
        """Booklets given to one of the user's distributor organisations."""
        return self.filter(distributor__in=Organization.objects.acted_in_by(user).filter(is_pass_distributor=True))


class Booklet(models.Model):
    """A printed booklet of 5 or 10 passes. Its state is derived from its passes, never stored."""

    order = models.ForeignKey(FundingOrder, on_delete=models.PROTECT, related_name="booklets")
    number = models.PositiveIntegerField(_("booklet number"))
    distributor = models.ForeignKey(
        Organization,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="pass_booklets",
        verbose_name=_("distributor"),
    )
    assigned_at = models.DateTimeField(null=True, blank=True)
    assigned_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune it is handed out in"),
    )

    objects = BookletQuerySet.as_manager()

    class Meta:
        ordering = ["order", "number"]
        constraints = [models.UniqueConstraint(fields=["order", "number"], name="booklet_number_unique_in_order")]

    def __str__(self):
        return self.label

    @property
    def label(self):
        return f"{self.order_id:05d}-{self.number:04d}"


class Pass(models.Model):
    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, related_name="passes")
    booklet = models.ForeignKey(Booklet, on_delete=models.PROTECT, related_name="passes")
    position = models.PositiveSmallIntegerField()
    code = models.CharField(max_length=codes.LENGTH, unique=True)
    status = models.CharField(max_length=20, choices=PassStatus.choices, default=PassStatus.ORDERED)
    status_changed_at = models.DateTimeField(default=timezone.now)
    blocked_reason = models.CharField(max_length=200, blank=True)
    status_before_block = models.CharField(max_length=20, choices=PassStatus.choices, blank=True)
    handover = models.ForeignKey("Handover", on_delete=models.PROTECT, null=True, blank=True, related_name="passes")
    redemption = models.ForeignKey("Redemption", on_delete=models.PROTECT, null=True, blank=True, related_name="passes")

    class Meta:
        verbose_name = _("pass")
        verbose_name_plural = _("passes")
        ordering = ["booklet", "position"]
        indexes = [models.Index(fields=["program", "status"]), models.Index(fields=["handover", "status"])]
        constraints = [
            models.UniqueConstraint(fields=["booklet", "position"], name="pass_position_unique_in_booklet"),
            # A pass counted as used always says by which redemption, and only then.
            models.CheckConstraint(
                condition=Q(status__in=["redeemed", "in_payout", "paid"], redemption__isnull=False)
                | (~Q(status__in=["redeemed", "in_payout", "paid"]) & Q(redemption__isnull=True)),
                name="pass_redemption_matches_status",
            ),
        ]

    def __str__(self):
        return codes.display(self.code)

    @property
    def display_code(self):
        return codes.display(self.code)


class Handover(models.Model):
    """A distributor gives passes to a person. Only what the programme's report needs, and no name."""

    distributor = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="pass_handovers")
    handed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    handed_at = models.DateTimeField(default=timezone.now)
    commune = models.ForeignKey(
        "territory.Commune",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("the person's commune"),
    )
    age_band = models.CharField(_("age"), max_length=10, choices=AgeBand.choices, blank=True)
    public = models.CharField(_("situation"), max_length=20, choices=Public.choices, blank=True)

    class Meta:
        ordering = ["-handed_at", "-pk"]

    def __str__(self):
        return f"{self.distributor} {self.handed_at:%Y-%m-%d}"


class RedemptionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(cancelled_at__isnull=True)

    def at_places_of(self, user):
        return self.filter(place__organization__in=Organization.objects.acted_in_by(user))


class Redemption(models.Model):
    """A qualified place takes one or more passes of one handover for one service."""

    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="pass_redemptions")
    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, related_name="redemptions")
    service = models.CharField(_("service"), max_length=20, choices=Service.choices)
    pass_count = models.PositiveSmallIntegerField()
    value_cents = models.PositiveIntegerField()
    minutes = models.PositiveIntegerField(null=True, blank=True)
    redeemed_at = models.DateTimeField(default=timezone.now)
    redeemed_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, related_name="+")
    api_token = models.ForeignKey(
        "accounts.ApiToken", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    # A retried scan with the same key gets the first answer back: the key is unique per organisation.
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+")
    idempotency_key = models.CharField(max_length=64, blank=True)
    scanned_code = models.CharField(max_length=codes.LENGTH)
    cancelled_at = models.DateTimeField(null=True, blank=True)
    cancelled_by = models.ForeignKey(
        "accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )
    payout = models.ForeignKey("Payout", on_delete=models.PROTECT, null=True, blank=True, related_name="redemptions")

    objects = RedemptionQuerySet.as_manager()

    class Meta:
        ordering = ["-redeemed_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["organization", "idempotency_key"],
                condition=~Q(idempotency_key=""),
                name="redemption_idempotency_key_unique",
            ),
            models.CheckConstraint(
                condition=Q(cancelled_at__isnull=True) | Q(payout__isnull=True), name="redemption_cancelled_never_paid"
            ),
        ]

    def __str__(self):
        return f"{self.place} {self.get_service_display()} {self.redeemed_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self):
        return self.cancelled_at is not None


class PayoutQuerySet(models.QuerySet):
    def visible_to(self, user):
        """Statements of the user's places; all of them for the coordination, which pays them."""
        organizations = Organization.objects.acted_in_by(user)
        if organizations.filter(is_coordinator=True).exists():
            return self.all()
        return self.filter(place__organization__in=organizations)


class Payout(models.Model):
    """A monthly statement for one place: the passes it took in the month, paid in one transfer.

    Numbers have no gaps (``Counter``); a statement is frozen once exported.
    """

    number = models.PositiveIntegerField(unique=True)
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, related_name="pass_payouts")
    month = models.DateField(help_text="First day of the month the passes were used in.")
    pass_count = models.PositiveIntegerField()
    total_cents = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)
    exported_at = models.DateTimeField(null=True, blank=True)
    # When it first went into a transfer file: later files leave it out, so it is never paid twice.
    transfer_file_at = models.DateTimeField(null=True, blank=True)
    paid_at = models.DateTimeField(null=True, blank=True)
    paid_by = models.ForeignKey("accounts.User", on_delete=models.SET_NULL, null=True, blank=True, related_name="+")

    objects = PayoutQuerySet.as_manager()

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"REL-{self.number:06d}"


class CreditNote(models.Model):
    """What expiry gives back to a funder: the value of its paid passes never used (gapless numbers)."""

    number = models.PositiveIntegerField(unique=True)
    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, related_name="credit_notes")
    pass_count = models.PositiveIntegerField()
    amount_cents = models.PositiveIntegerField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-number"]

    def __str__(self):
        return self.reference

    @property
    def reference(self):
        return f"AV-{self.number:06d}"


class BankDetails(models.Model):
    """Where a place's organisation is paid."""

    organization = models.OneToOneField(Organization, on_delete=models.CASCADE, related_name="bank_details")
    holder = models.CharField(_("account holder"), max_length=70)
    iban = models.CharField(_("IBAN"), max_length=34)
    bic = models.CharField(_("BIC"), max_length=11, blank=True)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return f"{self.holder} {self.iban[:4]}…"


class Counter(models.Model):
    """Gapless numbering (statements): the next number is taken under a row lock in the same transaction."""

    name = models.CharField(max_length=40, primary_key=True)
    last_value = models.PositiveIntegerField(default=0)

    def __str__(self):
        return f"{self.name}: {self.last_value}"


# The ledger ---------------------------------------------------------------------------------------


class Account(models.Model):
    """A ledger account. A positive balance is money the account holds for the network.

    - ``funder``: what a funder has paid in (negative: money that came from outside);
    - ``program``: the float of a programme — the value of its paid passes not yet used or expired;
    - ``place``: what is owed to a place for the passes it took and not yet paid out;
    - ``paid_out``: what has left the network to places' bank accounts;
    - ``credit_note``: value returned to a funder for passes that expired unused.
    """

    class Kind(models.TextChoices):
        FUNDER = "funder", _("funder")
        PROGRAM = "program", _("programme float")
        PLACE = "place", _("owed to a place")
        PAID_OUT = "paid_out", _("paid out")
        CREDIT_NOTE = "credit_note", _("credit note to the funder")

    key = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=20, choices=Kind.choices)
    organization = models.ForeignKey(Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    place = models.ForeignKey("places.Place", on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    def __str__(self):
        return self.key

    def balance_cents(self):
        return self.entries.aggregate(total=Sum("amount_cents"))["total"] or 0


class LedgerIsAppendOnly(Exception):
    pass


class AppendOnlyQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise LedgerIsAppendOnly("The ledger cannot be updated: post a compensating transaction.")

    def delete(self):
        raise LedgerIsAppendOnly("The ledger cannot be deleted from.")


class AppendOnlyModel(models.Model):
    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise LedgerIsAppendOnly("A ledger row cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise LedgerIsAppendOnly("A ledger row cannot be deleted.")


class LedgerTransaction(AppendOnlyModel):
    """One movement of money: two or more entries that sum to zero, written together, never changed."""

    class Kind(models.TextChoices):
        ORDER_PAID = "order_paid", _("order paid by the funder")
        REDEMPTION = "redemption", _("passes used at a place")
        REDEMPTION_CANCELLED = "redemption_cancelled", _("use of passes cancelled")
        PAYOUT = "payout", _("statement paid to a place")
        EXPIRY = "expiry", _("expired passes refunded to the funder")

    kind = models.CharField(max_length=30, choices=Kind.choices)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)
    created_by = models.ForeignKey("accounts.User", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    program = models.ForeignKey(PassProgram, on_delete=models.PROTECT, related_name="+")
    order = models.ForeignKey(FundingOrder, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    redemption = models.ForeignKey(Redemption, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    payout = models.ForeignKey(Payout, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    credit_note = models.ForeignKey(CreditNote, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    memo = models.CharField(max_length=200, blank=True)

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["created_at", "pk"]
        constraints = [
            # One paid-order movement per order and one payout movement per statement and programme, ever.
            models.UniqueConstraint(fields=["order"], condition=Q(kind="order_paid"), name="ledger_order_paid_once"),
            models.UniqueConstraint(
                fields=["payout", "program"], condition=Q(kind="payout"), name="ledger_payout_once"
            ),
            models.UniqueConstraint(
                fields=["redemption", "kind"], condition=Q(redemption__isnull=False), name="ledger_redemption_kind_once"
            ),
        ]

    def __str__(self):
        return f"{self.get_kind_display()} {self.created_at:%Y-%m-%d} {self.memo}"


class LedgerEntry(AppendOnlyModel):
    transaction = models.ForeignKey(LedgerTransaction, on_delete=models.PROTECT, related_name="entries")
    account = models.ForeignKey(Account, on_delete=models.PROTECT, related_name="entries")
    amount_cents = models.BigIntegerField()
    # Redemptions and their cancellations name each pass: the ledger check counts them.
    pass_item = models.ForeignKey(Pass, on_delete=models.PROTECT, null=True, blank=True, related_name="entries")

    objects = AppendOnlyQuerySet.as_manager()

    class Meta:
        ordering = ["transaction", "pk"]
        constraints = [models.CheckConstraint(condition=~Q(amount_cents=0), name="ledger_entry_not_zero")]

    def __str__(self):
        return f"{self.account} {self.amount_cents:+d}"
