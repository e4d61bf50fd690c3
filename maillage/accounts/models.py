"""People, organisations, their memberships, API keys and the append-only audit journal."""

import enum
import hashlib
import secrets
from datetime import timedelta

from django.contrib.auth.models import AbstractBaseUser, BaseUserManager, PermissionsMixin
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.accounts.validators import validate_rna, validate_siret


class UserManager(BaseUserManager):
    use_in_migrations = True

    def normalize_email(self, email):
        return (email or "").strip().lower()

    def create_user(self, email, password=None, **extra_fields):
        if not email:
            raise ValueError("An e-mail address is required.")
        user = self.model(email=self.normalize_email(email), **extra_fields)
        user.set_password(password)
        user.save(using=self._db)
        return user

    def create_superuser(self, email, password=None, **extra_fields):
        extra_fields.update(is_staff=True, is_superuser=True)
        return self.create_user(email, password, **extra_fields)

    def get_by_natural_key(self, username):
        return self.get(email=self.normalize_email(username))

    def able_to(self, ability, organizations):
        """Active people whose role lets them do ``ability`` in one of ``organizations`` (a QuerySet
        or ids): the members a message or a list is for."""
        memberships = Membership.objects.able_to(ability).filter(organization__in=organizations)
        return self.filter(is_active=True, pk__in=memberships.values("user"))


class User(AbstractBaseUser, PermissionsMixin):
    """Someone who works in the network. People seeking help never need an account."""

    email = models.EmailField(_("e-mail address"), unique=True)
    first_name = models.CharField(_("first name"), max_length=150, blank=True)
    last_name = models.CharField(_("last name"), max_length=150, blank=True)
    is_active = models.BooleanField(_("active"), default=True)
    is_staff = models.BooleanField(_("platform staff"), default=False)
    date_joined = models.DateTimeField(_("date joined"), default=timezone.now)

    objects = UserManager()

    USERNAME_FIELD = "email"
    EMAIL_FIELD = "email"
    REQUIRED_FIELDS = []

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [models.UniqueConstraint(Lower("email"), name="user_email_unique_case_insensitive")]

    def __str__(self):
        return self.get_full_name() or self.email

    def clean(self):
        super().clean()
        self.email = User.objects.normalize_email(self.email)

    def get_full_name(self):
        return f"{self.first_name} {self.last_name}".strip()

    def get_short_name(self):
        return self.first_name or self.email

    def organization_kinds(self):
        """The kinds (Organization.Kind values) of the organisations this user may read in."""
        flags = Organization.objects.acted_in_by(self, Ability.READ).values(*Organization.KIND_FIELDS.values())
        return {kind.value for row in flags for kind, field in Organization.KIND_FIELDS.items() if row[field]}

    @property
    def requires_two_factor(self):
        """Staff and anyone whose role lets them see personal data (``Ability.ACT``) must use a second factor."""
        if self.is_staff or self.is_superuser:
            return True
        return Membership.objects.acting(self, Ability.ACT).exists()


class OrganizationQuerySet(models.QuerySet):
    def of_kind(self, kind):
        return self.filter(**{Organization.KIND_FIELDS[kind]: True})

    def acted_in_by(self, user, ability=None):
        """The organisations where ``user`` is a member whose role allows ``ability`` (any role
        without one). A stranger finds none: their pages answer 404."""
        return self.filter(pk__in=Membership.objects.acting(user, ability or Ability.READ).values("organization"))


class Organization(models.Model):
    """A structure: one legal or working entity, which may play several parts in the network."""

    class Kind(models.TextChoices):
        PLACE_OPERATOR = "place_operator", _("runs help places")
        REFERRER = "referrer", _("refers people")
        FUNDER = "funder", _("funds accompaniment")
        COORDINATOR = "coordinator", _("coordinates the territory")
        PASS_DISTRIBUTOR = "pass_distributor", _("hands out Pass numérique")

    KIND_FIELDS = {
        Kind.PLACE_OPERATOR: "is_place_operator",
        Kind.REFERRER: "is_referrer",
        Kind.FUNDER: "is_funder",
        Kind.COORDINATOR: "is_coordinator",
        Kind.PASS_DISTRIBUTOR: "is_pass_distributor",
    }

    name = models.CharField(_("name"), max_length=200)
    siret = models.CharField(
        _("SIRET number"),
        max_length=14,
        blank=True,
        validators=[validate_siret],
        help_text=_("14 digits, if the structure has one."),
    )
    rna = models.CharField(
        _("RNA number"),
        max_length=10,
        blank=True,
        validators=[validate_rna],
        help_text=_("For an association: W followed by 9 digits."),
    )
    commune = models.ForeignKey(
        "territory.Commune",
        verbose_name=_("commune"),
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="organizations",
    )
    is_place_operator = models.BooleanField(default=False)
    is_referrer = models.BooleanField(default=False)
    is_funder = models.BooleanField(default=False)
    is_coordinator = models.BooleanField(default=False)
    is_pass_distributor = models.BooleanField(default=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        verbose_name = _("organisation")
        verbose_name_plural = _("organisations")
        ordering = ["name", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(is_place_operator=True)
                | models.Q(is_referrer=True)
                | models.Q(is_funder=True)
                | models.Q(is_coordinator=True)
                | models.Q(is_pass_distributor=True),
                name="organization_has_a_kind",
            ),
            models.UniqueConstraint(fields=["siret"], condition=~models.Q(siret=""), name="organization_siret_unique"),
        ]

    def __str__(self):
        return self.name

    @property
    def kinds(self):
        return [kind for kind, field in self.KIND_FIELDS.items() if getattr(self, field)]

    @kinds.setter
    def kinds(self, kinds):
        for kind, field in self.KIND_FIELDS.items():
            setattr(self, field, kind in kinds)

    def get_kinds_display(self):
        return [self.Kind(kind).label for kind in self.kinds]


class Ability(enum.StrEnum):
    """What a member may do in their organisation. Apps ask whether someone is able to do one of
    these (``accounts.access``), never which role they have: ``ROLES_ABLE_TO`` decides."""

    READ = "read"  # the organisation's pages and statistics: every member
    ACT = "act"  # help people and see their details, record activity, hand out and take passes, keep listings
    RECEIVE_ALERTS = "receive_alerts"  # told by e-mail when a request waits too long or expires
    MANAGE = "manage"  # the organisation's details, members, keys, orders, bank details, exports


class MembershipQuerySet(models.QuerySet):
    def of(self, organization):
        return self.filter(organization=organization)

    def able_to(self, ability):
        return self.filter(role__in=ROLES_ABLE_TO[ability])

    def acting(self, user, ability=Ability.READ):
        """The memberships of ``user`` whose role allows ``ability``."""
        if not user.is_authenticated:
            return self.none()
        return self.filter(user=user).able_to(ability)


class Membership(models.Model):
    class Role(models.TextChoices):
        ADMIN = "admin", _("administrator")
        MEDIATOR = "mediator", _("mediator")
        VOLUNTEER = "volunteer", _("volunteer")
        VIEWER = "viewer", _("viewer")

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="memberships")
    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(_("role"), max_length=20, choices=Role.choices)
    created_at = models.DateTimeField(default=timezone.now, editable=False)

    objects = MembershipQuerySet.as_manager()

    class Meta:
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        ordering = ["organization", "user__email"]
        constraints = [models.UniqueConstraint(fields=["user", "organization"], name="membership_one_per_organization")]

    def __str__(self):
        return f"{self.user} — {self.organization} ({self.get_role_display()})"

    @property
    def is_admin(self):
        return self.role == self.Role.ADMIN


# What each role may do: the one table of access. Volunteers act but are spared the alerts;
# viewers (a funder's, a board's) only read, and see no personal data.
_ROLE = Membership.Role
ROLES_ABLE_TO = {
    Ability.READ: frozenset(_ROLE),
    Ability.ACT: frozenset({_ROLE.ADMIN, _ROLE.MEDIATOR, _ROLE.VOLUNTEER}),
    Ability.RECEIVE_ALERTS: frozenset({_ROLE.ADMIN, _ROLE.MEDIATOR}),
    Ability.MANAGE: frozenset({_ROLE.ADMIN}),
}


class InvitationQuerySet(models.QuerySet):
    def pending(self):
        return self.filter(accepted_at__isnull=True, revoked_at__isnull=True)


class Invitation(models.Model):
    """An invitation to join an organisation; the link sent by e-mail is signed and expires."""

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="invitations")
    email = models.EmailField(_("e-mail address"))
    role = models.CharField(_("role"), max_length=20, choices=Membership.Role.choices)
    invited_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, related_name="+")
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    accepted_at = models.DateTimeField(null=True, blank=True)
    accepted_by = models.ForeignKey(User, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = InvitationQuerySet.as_manager()

    class Meta:
        verbose_name = _("invitation")
        verbose_name_plural = _("invitations")
        ordering = ["-created_at", "-pk"]

    def __str__(self):
        return f"{self.email} → {self.organization}"


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise AuditJournalIsAppendOnly("The audit journal cannot be updated.")

    def delete(self):
        raise AuditJournalIsAppendOnly("The audit journal cannot be deleted from.")

    def about(self, organization):
        return self.filter(organization=organization)


class AuditJournalIsAppendOnly(Exception):
    pass


# Actions about a precise object must say which one; a database constraint enforces it.
AUDIT_ACTIONS_WITH_TARGET = [
    "member_invited",
    "invitation_accepted",
    "invitation_revoked",
    "role_changed",
    "member_removed",
    "organization_changed",
    "personal_record_viewed",
    "pass_blocked",
    "pass_unblocked",
    "pass_places_changed",
]


class AuditEvent(models.Model):
    """One line of the append-only journal: who did what, when, on what.

    Rows are never changed: ``save`` refuses updates, ``delete`` always refuses, and database
    triggers (migration 0002) refuse UPDATE and DELETE from any client.
    """

    class Action(models.TextChoices):
        LOGIN = "login", _("logged in")
        LOGIN_FAILED = "login_failed", _("failed to log in")
        LOGOUT = "logout", _("logged out")
        TWO_FACTOR_ENABLED = "two_factor_enabled", _("turned on two-step verification")
        RECOVERY_CODES_RENEWED = "recovery_codes_renewed", _("renewed recovery codes")
        MEMBER_INVITED = "member_invited", _("invited a member")
        INVITATION_ACCEPTED = "invitation_accepted", _("accepted an invitation")
        INVITATION_REVOKED = "invitation_revoked", _("cancelled an invitation")
        ROLE_CHANGED = "role_changed", _("changed a role")
        MEMBER_REMOVED = "member_removed", _("removed a member")
        ORGANIZATION_CHANGED = "organization_changed", _("changed the organisation's details")
        EXPORT = "export", _("exported data")
        PERSONAL_RECORD_VIEWED = "personal_record_viewed", _("viewed a personal record")
        API_KEY_CREATED = "api_key_created", _("made an API key")
        API_KEY_REVOKED = "api_key_revoked", _("revoked an API key")
        PASS_BLOCKED = "pass_blocked", _("blocked a pass")
        PASS_UNBLOCKED = "pass_unblocked", _("unblocked a pass")
        PASS_PLACES_CHANGED = "pass_places_changed", _("changed the places that take a programme's passes")
        PERSONAL_RECORD_CHANGED = "personal_record_changed", _("recorded or changed a person's record")
        PERSONAL_RECORDS_MERGED = "personal_records_merged", _("merged two records of the same person")
        PERSONAL_RECORD_ANONYMISED = "personal_record_anonymised", _("anonymised a person's record")

    created_at = models.DateTimeField(default=timezone.now, editable=False, db_index=True)
    actor = models.ForeignKey(User, on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    actor_label = models.CharField(max_length=254, blank=True, help_text="Kept when the actor's account is gone.")
    action = models.CharField(max_length=40, choices=Action.choices)
    organization = models.ForeignKey(
        Organization, on_delete=models.PROTECT, null=True, blank=True, related_name="audit_events"
    )
    target_type = models.CharField(max_length=100, blank=True)
    target_id = models.CharField(max_length=64, blank=True)
    target_label = models.CharField(max_length=254, blank=True)
    details = models.JSONField(default=dict, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = _("audit event")
        verbose_name_plural = _("audit journal")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.CheckConstraint(
                condition=~models.Q(action__in=AUDIT_ACTIONS_WITH_TARGET)
                | (~models.Q(target_type="") & ~models.Q(target_id="")),
                name="audit_event_target_when_required",
            ),
        ]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_label} {self.action} {self.target_label}"

    def save(self, *args, **kwargs):
        if self.pk is not None or kwargs.get("force_update"):
            raise AuditJournalIsAppendOnly("An audit event cannot be changed once written.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AuditJournalIsAppendOnly("An audit event cannot be deleted.")


class ApiTokenQuerySet(models.QuerySet):
    def active(self):
        return self.filter(revoked_at__isnull=True, user__is_active=True)


class ApiToken(models.Model):
    """A key for a partner's software to act in Maillage as one member of one organisation.

    Only a hash is stored: the key is shown once, when it is made (``manage.py create_api_token``).
    It acts with the member's role in the organisation, and stops when the membership ends.
    """

    PREFIX = "mlg_"

    organization = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="api_tokens")
    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("name"), max_length=100, help_text=_("What uses this key, e.g. the CCAS's software."))
    key_hash = models.CharField(max_length=64, unique=True, editable=False)
    key_hint = models.CharField(max_length=12, editable=False)
    created_at = models.DateTimeField(default=timezone.now, editable=False)
    last_used_at = models.DateTimeField(null=True, blank=True)
    revoked_at = models.DateTimeField(null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    def __str__(self):
        return f"{self.name} ({self.key_hint}…)"

    @staticmethod
    def hash(key):
        return hashlib.sha256(key.encode()).hexdigest()

    @classmethod
    def issue(cls, organization, user, name):
        """(token, key): the key, to give once to the partner; only its hash is kept."""
        key = cls.PREFIX + secrets.token_urlsafe(32)
        token = cls.objects.create(
            organization=organization, user=user, name=name, key_hash=cls.hash(key), key_hint=key[:10]
        )
        return token, key

    def can(self, ability):
        """Whether the key's member may do ``ability`` in its organisation (after ``authenticate``)."""
        return self.member_role in ROLES_ABLE_TO[ability]

    @classmethod
    def authenticate(cls, key):
        """The active token of this key whose user is still a member of its organisation, or None.

        The token carries ``member_role``, the member's current role in the organisation (``can``).
        """
        if not key or not key.startswith(cls.PREFIX):
            return None
        token = cls.objects.active().select_related("organization", "user").filter(key_hash=cls.hash(key)).first()
        if token is None:
            return None
        # The member's role now, read once: callers check it without another query.
        token.member_role = (
            Membership.objects.filter(user=token.user_id, organization=token.organization_id)
            .order_by()
            .values_list("role", flat=True)
            .first()
        )
        if token.member_role is None:
            return None
        now = timezone.now()
        # To the minute is enough to see a key in use; a write per request would cost every scan a commit.
        if token.last_used_at is None or now - token.last_used_at > timedelta(minutes=1):
            cls.objects.filter(pk=token.pk).update(last_used_at=now)
        return token
