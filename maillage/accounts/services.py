"""Every write that matters about organisations and people: one function per action.

Each runs in one transaction, checks its invariants and writes the audit journal.
"""

import secrets
import time

from django.conf import settings
from django.core import signing
from django.core.mail import send_mail
from django.db import transaction
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts import journal
from maillage.accounts.models import Ability, ApiToken, Invitation, Membership, User
from maillage.parsing import is_ascii_digits

INVITATION_SALT = "maillage.accounts.invitation"
RECOVERY_DEVICE_NAME = "recovery"
AUTHENTICATOR_DEVICE_NAME = "authenticator"


class AccountsError(Exception):
    """A refused action; the message is for the person who tried it."""


class LastAdministratorError(AccountsError):
    pass


class InvitationInvalid(AccountsError):
    pass


# Organisations ----------------------------------------------------------------------------------


@transaction.atomic
def update_organization(organization, changed_fields, *, by):
    if not changed_fields:
        return organization
    organization.save()
    journal.record(
        journal.Action.ORGANIZATION_CHANGED,
        actor=by,
        organization=organization,
        target=organization,
        fields=sorted(changed_fields),
    )
    return organization


# Invitations ------------------------------------------------------------------------------------


def invitation_token(invitation):
    return signing.dumps({"invitation": invitation.pk}, salt=INVITATION_SALT, compress=True)


def invitation_from_token(token):
    """The pending invitation behind a link, or InvitationInvalid saying why in plain words."""
    try:
        payload = signing.loads(token, salt=INVITATION_SALT, max_age=settings.INVITATION_MAX_AGE.total_seconds())
    except signing.SignatureExpired as error:
        raise InvitationInvalid(
            _("This invitation has expired. Ask the person who invited you to send a new one.")
        ) from error
    except signing.BadSignature as error:
        raise InvitationInvalid(_("This invitation link is not valid. Check that you copied all of it.")) from error
    invitation = Invitation.objects.select_related("organization").filter(pk=payload.get("invitation")).first()
    if invitation is None or invitation.revoked_at:
        raise InvitationInvalid(_("This invitation has been cancelled."))
    if invitation.accepted_at:
        raise InvitationInvalid(_("This invitation has already been used. You can log in."))
    return invitation


def invitation_url(invitation):
    return reverse("accounts:invitation_accept", kwargs={"token": invitation_token(invitation)})


@transaction.atomic
def invite_member(organization, email, role, *, by, base_url):
    email = User.objects.normalize_email(email)
    if Membership.objects.filter(organization=organization, user__email=email).exists():
        raise AccountsError(_("This person is already a member of the organisation."))
    invitation = Invitation.objects.create(organization=organization, email=email, role=role, invited_by=by)
    journal.record(journal.Action.MEMBER_INVITED, actor=by, organization=organization, target=invitation, role=role)
    link = base_url + invitation_url(invitation)
    context = {"invitation": invitation, "link": link, "days": settings.INVITATION_MAX_AGE.days, "by": by}
    transaction.on_commit(
        lambda: send_mail(
            _("Invitation to join %(organization)s on Maillage") % {"organization": organization.name},
            render_to_string("accounts/email/invitation.txt", context),
            None,
            [email],
        )
    )
    return invitation


@transaction.atomic
def revoke_invitation(invitation, *, by):
    Invitation.objects.filter(pk=invitation.pk).update(revoked_at=timezone.now())
    journal.record(journal.Action.INVITATION_REVOKED, actor=by, organization=invitation.organization, target=invitation)


@transaction.atomic
def accept_invitation(invitation, user):
    # Locking the row makes a double click or a retried request accept only once.
    invitation = Invitation.objects.select_for_update().get(pk=invitation.pk)
    if invitation.accepted_at or invitation.revoked_at:
        raise InvitationInvalid(_("This invitation has already been used. You can log in."))
    membership, _created = Membership.objects.get_or_create(
        user=user, organization=invitation.organization, defaults={"role": invitation.role}
    )
    invitation.accepted_at = timezone.now()
    invitation.accepted_by = user
    invitation.save(update_fields=["accepted_at", "accepted_by"])
    journal.record(
        journal.Action.INVITATION_ACCEPTED,
        actor=user,
        organization=invitation.organization,
        target=membership,
        role=membership.role,
    )
    return membership


@transaction.atomic
def create_account_from_invitation(invitation, *, first_name, last_name, password):
    user = User.objects.create_user(invitation.email, password, first_name=first_name, last_name=last_name)
    return accept_invitation(invitation, user)


# Memberships ------------------------------------------------------------------------------------


def _ensure_an_admin_remains(membership, new_role=None):
    if membership.role != Membership.Role.ADMIN or new_role == Membership.Role.ADMIN:
        return
    other_admins = (
        Membership.objects.select_for_update()
        .able_to(Ability.MANAGE)
        .of(membership.organization)
        .exclude(pk=membership.pk)
    )
    if not other_admins.exists():
        raise LastAdministratorError(
            _("An organisation needs at least one administrator. Name another administrator first.")
        )


@transaction.atomic
def change_role(membership, role, *, by):
    membership = Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    if membership.role == role:
        return membership
    _ensure_an_admin_remains(membership, new_role=role)
    previous = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    journal.record(
        journal.Action.ROLE_CHANGED,
        actor=by,
        organization=membership.organization,
        target=membership,
        previous_role=previous,
        role=role,
    )
    return membership


@transaction.atomic
def remove_member(membership, *, by):
    membership = Membership.objects.select_for_update().select_related("organization", "user").get(pk=membership.pk)
    _ensure_an_admin_remains(membership)
    journal.record(
        journal.Action.MEMBER_REMOVED,
        actor=by,
        organization=membership.organization,
        target=membership,
        role=membership.role,
    )
    membership.delete()


# API keys for partners' software -----------------------------------------------------------------


@transaction.atomic
def issue_api_key(organization, member, name, *, by):
    """A key for a partner's software acting as ``member`` in ``organization``: (token, key), the
    key to show once (only its hash is kept)."""
    if not Membership.objects.of(organization).filter(user=member).exists():
        raise AccountsError(_("A key acts as a member of the organisation: this person is not one."))
    token, key = ApiToken.issue(organization, member, name)
    journal.record(journal.Action.API_KEY_CREATED, actor=by, organization=organization, target=token)
    return token, key


@transaction.atomic
def revoke_api_key(token, *, by):
    """The key stops working at once. Revoking it again (a double click) changes nothing and writes nothing."""
    if ApiToken.objects.filter(pk=token.pk, revoked_at__isnull=True).update(revoked_at=timezone.now()):
        journal.record(journal.Action.API_KEY_REVOKED, actor=by, organization=token.organization, target=token)


# Two-factor authentication ----------------------------------------------------------------------


def pending_authenticator(user):
    """The authenticator being set up: created once, kept until confirmed."""
    device = TOTPDevice.objects.filter(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name=AUTHENTICATOR_DEVICE_NAME, confirmed=False)


def confirmed_devices(user):
    return [
        *TOTPDevice.objects.devices_for_user(user, confirmed=True),
        *StaticDevice.objects.devices_for_user(user, confirmed=True),
    ]


def has_two_factor(user):
    return TOTPDevice.objects.devices_for_user(user, confirmed=True).exists()


def _new_recovery_codes(user):
    device, _created = StaticDevice.objects.get_or_create(user=user, name=RECOVERY_DEVICE_NAME)
    device.token_set.all().delete()
    codes = []
    for _index in range(settings.OTP_RECOVERY_CODE_COUNT):
        # 10 characters from an alphabet without look-alikes, grouped to be copied by hand.
        raw = "".join(secrets.choice("abcdefghjkmnpqrstuvwxyz23456789") for _char in range(10))
        StaticToken.objects.create(device=device, token=raw)
        codes.append(f"{raw[:5]}-{raw[5:]}")
    return codes


@transaction.atomic
def confirm_authenticator(device, token):
    """Confirm a new authenticator with its first code; returns the recovery codes, shown once."""
    if not device.verify_token(token):
        return None
    TOTPDevice.objects.filter(user=device.user, confirmed=True).exclude(pk=device.pk).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    codes = _new_recovery_codes(device.user)
    journal.record(journal.Action.TWO_FACTOR_ENABLED, actor=device.user)
    return codes


@transaction.atomic
def renew_recovery_codes(user):
    codes = _new_recovery_codes(user)
    journal.record(journal.Action.RECOVERY_CODES_RENEWED, actor=user)
    return codes


def code_already_used(user, token):
    """Whether ``token`` is the code an authenticator of ``user`` accepted last, still on its screen.

    django-otp rightly refuses a code twice (a colleague reading over a shoulder must not reuse it);
    the person is told to wait for the next one rather than that the code is wrong.
    """
    token = (token or "").replace(" ", "")
    if not is_ascii_digits(token):
        return False
    for device in confirmed_devices(user):
        if not isinstance(device, TOTPDevice) or device.last_t < 0:
            continue
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift)
        totp.time = time.time()
        if totp.t() - device.last_t > device.tolerance:  # accepted long ago: any code now is simply wrong
            continue
        totp.time = device.t0 + (device.last_t - device.drift) * device.step
        if totp.token() == int(token):
            return True
    return False


def verify_second_factor(user, token):
    """The device that accepts this code (authenticator or recovery code), or None."""
    token = (token or "").replace(" ", "").replace("-", "").lower()
    if not token:
        return None
    for device in confirmed_devices(user):
        if device.verify_token(token):
            return device
    return None
