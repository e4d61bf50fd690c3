from django.core.management.base import BaseCommand, CommandError

from maillage.accounts import services
from maillage.accounts.models import Organization, User


class Command(BaseCommand):
    help = "Make an API key for a partner's software, acting as one member of one organisation. Prints it once."

    def add_arguments(self, parser):
        parser.add_argument("organization_id", type=int)
        parser.add_argument("email", help="The member the key acts as (their role applies)")
        parser.add_argument("name", help="What uses the key, e.g. 'Logiciel du CCAS'")

    def handle(self, *args, organization_id, email, name, **options):
        organization = Organization.objects.filter(pk=organization_id).first()
        user = User.objects.filter(email__iexact=email).first()
        if organization is None or user is None:
            raise CommandError("No such organisation or member.")
        try:
            _token, key = services.issue_api_key(organization, user, name, by=None)
        except services.AccountsError as error:
            raise CommandError(f"{email} is not a member of {organization.name}.") from error
        self.stdout.write(f"API key for {organization.name} ({name}), shown once:\n{key}")
