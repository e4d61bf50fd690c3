from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from maillage.accounts import services
from maillage.accounts.models import Membership, Organization
from maillage.territory.models import Commune


class Command(BaseCommand):
    help = (
        "Create an organisation and invite its first administrator by e-mail: how a new territory "
        "starts (its coordination), and how the platform's staff add a structure."
    )

    def add_arguments(self, parser):
        parser.add_argument("name")
        parser.add_argument(
            "--kind",
            action="append",
            required=True,
            choices=Organization.Kind.values,
            dest="kinds",
            help="Repeatable: what the organisation does.",
        )
        parser.add_argument("--admin-email", required=True, help="Receives the invitation to administer it.")
        parser.add_argument("--commune", help="INSEE code of the organisation's commune.")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000", help="Address of the site, for the link.")

    @transaction.atomic
    def handle(self, *args, name, kinds, admin_email, commune=None, base_url, **options):
        if commune and not Commune.objects.filter(pk=commune).exists():
            raise CommandError(f"Unknown INSEE code {commune}: load the communes first (load_communes).")
        if Organization.objects.filter(name=name).exists():
            raise CommandError(f"An organisation named {name!r} already exists.")
        organization = Organization(name=name, commune_id=commune)
        organization.kinds = kinds
        organization.full_clean()
        organization.save()
        invitation = services.invite_member(
            organization, admin_email, Membership.Role.ADMIN, by=None, base_url=base_url.rstrip("/")
        )
        self.stdout.write(f"Created {organization} (id {organization.pk}).")
        self.stdout.write(
            f"Invitation sent to {invitation.email}: {base_url.rstrip('/')}{services.invitation_url(invitation)}"
        )
