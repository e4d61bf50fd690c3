"""How the tests build people, organisations and memberships (factory-boy), and read the journal back."""

import factory
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.models import AuditEvent, Membership, Organization, User


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        skip_postgeneration_save = True

    email = factory.Sequence(lambda number: f"person{number}@example.org")
    first_name = factory.Faker("first_name", locale="fr_FR")
    last_name = factory.Faker("last_name", locale="fr_FR")
    password = factory.PostGenerationMethodCall("set_password", "a long enough password 2026")

    @factory.post_generation
    def _saved(self, create, extracted, **kwargs):
        if create:
            self.save()


class OrganizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organization

    name = factory.Sequence(lambda number: f"Structure {number}")
    is_place_operator = True


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    user = factory.SubFactory(UserFactory)
    organization = factory.SubFactory(OrganizationFactory)
    role = Membership.Role.MEDIATOR


def with_second_factor(user):
    """The user, with a confirmed authenticator: as every member who sees personal data has."""
    TOTPDevice.objects.create(user=user, name="authenticator", confirmed=True)
    return user


def current_code(device):
    """The code an authenticator app shows right now for this TOTP device."""
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"


def wrong_code(device):
    """A 6-digit code that the device refuses now, whatever the tolerated clock drift."""
    accepted = set()
    for offset in range(-device.tolerance, device.tolerance + 1):
        totp = TOTP(device.bin_key, device.step, device.t0, device.digits, device.drift + offset)
        accepted.add(totp.token())
    return f"{next(code for code in range(1, 10) if code not in accepted) * 111111:06d}"


def journal_actions(**filters):
    """The journal's actions, oldest first."""
    return list(AuditEvent.objects.filter(**filters).order_by("created_at", "pk").values_list("action", flat=True))
