"""The demo territory: Maine-et-Loire (49), with organisations of every kind and a member per role.

Idempotent: running it again finds what it made and changes nothing. Later issues add places,
requests, passes and activities to it.
"""

import base64

from django.db import transaction
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from maillage.accounts.models import ROLES_ABLE_TO, Ability, Membership, Organization, User
from maillage.territory.models import Commune

DEMO_DEPARTMENT = "49"
DEMO_PASSWORD = "demo-maillage-49"  # noqa: S105  (printed for the demo on purpose)
DEMO_EMAIL_DOMAIN = "demo.maillage.test"
# A fixed authenticator key for demo accounts only, so that a newcomer can add it to an app
# (or run `manage.py demo_code`) and pass the two-step verification their role requires.
DEMO_TOTP_KEY_HEX = "3132333435363738393031323334353637383930"

Kind = Organization.Kind
Role = Membership.Role

ORGANIZATIONS = [
    {
        "key": "coordination",
        "name": "Coordination numérique du Maine-et-Loire",
        "siret": "",
        "commune": "49007",
        "kinds": [Kind.COORDINATOR],
    },
    {
        "key": "mediatheque",
        "name": "Médiathèque Toussaint",
        "commune": "49007",
        "kinds": [Kind.PLACE_OPERATOR, Kind.PASS_DISTRIBUTOR],
    },
    {
        "key": "association",
        "name": "Association Les Connectés du Saumurois",
        "rna": "W491000123",
        "commune": "49328",
        "kinds": [Kind.PLACE_OPERATOR],
    },
    {
        "key": "ccas",
        "name": "CCAS de Cholet",
        "commune": "49099",
        # Its desk refers people, hands out passes, and helps with paperwork at its own place.
        "kinds": [Kind.REFERRER, Kind.PASS_DISTRIBUTOR, Kind.PLACE_OPERATOR],
    },
    {
        "key": "departement",
        "name": "Département de Maine-et-Loire",
        "commune": "49007",
        "kinds": [Kind.FUNDER],
    },
]

# One account per role, plus the administrators of the other organisations.
MEMBERS = [
    {"email": "admin", "first_name": "Alice", "last_name": "Martin", "organization": "mediatheque", "role": Role.ADMIN},
    {
        "email": "mediateur",
        "first_name": "Mehdi",
        "last_name": "Benali",
        "organization": "mediatheque",
        "role": Role.MEDIATOR,
    },
    {
        "email": "benevole",
        "first_name": "Béatrice",
        "last_name": "Roux",
        "organization": "mediatheque",
        "role": Role.VOLUNTEER,
    },
    {
        "email": "observateur",
        "first_name": "Victor",
        "last_name": "Lemoine",
        "organization": "mediatheque",
        "role": Role.VIEWER,
    },
    {
        "email": "coordination",
        "first_name": "Claire",
        "last_name": "Dubois",
        "organization": "coordination",
        "role": Role.ADMIN,
    },
    {
        "email": "association",
        "first_name": "Samuel",
        "last_name": "Petit",
        "organization": "association",
        "role": Role.ADMIN,
    },
    {"email": "ccas", "first_name": "Rachida", "last_name": "Haddad", "organization": "ccas", "role": Role.ADMIN},
    # The CCAS's desk: hands out Pass numérique booklets to the people it receives.
    {"email": "accueil", "first_name": "Nadia", "last_name": "Girard", "organization": "ccas", "role": Role.MEDIATOR},
    {
        "email": "financeur",
        "first_name": "François",
        "last_name": "Leroy",
        "organization": "departement",
        "role": Role.VIEWER,
    },
    # The Département's officer for the Pass numérique: creates programmes and orders passes.
    {
        "email": "programmes",
        "first_name": "Hélène",
        "last_name": "Marchand",
        "organization": "departement",
        "role": Role.ADMIN,
    },
]


def demo_email(local_part):
    return f"{local_part}@{DEMO_EMAIL_DOMAIN}"


def demo_totp_code(user):
    """The current code of a demo account's authenticator (for `manage.py demo_code`)."""
    device = TOTPDevice.objects.get(user=user, name="authenticator", confirmed=True)
    return f"{TOTP(device.bin_key, device.step, device.t0, device.digits).token():0{device.digits}d}"


def demo_totp_secret():
    return base64.b32encode(bytes.fromhex(DEMO_TOTP_KEY_HEX)).decode().rstrip("=")


@transaction.atomic
def load_demo_territory():
    """Create (once) the demo organisations and members; returns the accounts to print."""
    if not Commune.objects.in_department(DEMO_DEPARTMENT).exists():
        raise RuntimeError("Load the communes reference first: python manage.py load_communes")
    organizations = {}
    for spec in ORGANIZATIONS:
        organization = Organization.objects.filter(name=spec["name"]).first() or Organization(name=spec["name"])
        organization.siret = spec.get("siret", "")
        organization.rna = spec.get("rna", "")
        organization.commune_id = spec["commune"]
        organization.kinds = spec["kinds"]
        organization.save()
        organizations[spec["key"]] = organization
    accounts = []
    for spec in MEMBERS:
        email = demo_email(spec["email"])
        user = User.objects.filter(email=email).first()
        if user is None:
            user = User.objects.create_user(
                email, DEMO_PASSWORD, first_name=spec["first_name"], last_name=spec["last_name"]
            )
        organization = organizations[spec["organization"]]
        Membership.objects.update_or_create(user=user, organization=organization, defaults={"role": spec["role"]})
        if spec["role"] in ROLES_ABLE_TO[Ability.ACT]:  # they see personal data: a second factor
            TOTPDevice.objects.update_or_create(
                user=user, name="authenticator", defaults={"key": DEMO_TOTP_KEY_HEX, "confirmed": True}
            )
        accounts.append((email, organization.name, Role(spec["role"]).label))
    return accounts
