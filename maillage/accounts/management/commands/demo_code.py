from django.core.management.base import BaseCommand, CommandError

from maillage.accounts import demo
from maillage.accounts.models import User


class Command(BaseCommand):
    help = "Print the current two-step verification code of a demo account (demo accounts only)."

    def add_arguments(self, parser):
        parser.add_argument("email")

    def handle(self, *args, email, **options):
        if not email.endswith("@" + demo.DEMO_EMAIL_DOMAIN):
            raise CommandError(f"Only demo accounts (…@{demo.DEMO_EMAIL_DOMAIN}) have a known code.")
        user = User.objects.filter(email=email).first()
        if user is None:
            raise CommandError("No such demo account: run `python manage.py load_demo` first.")
        self.stdout.write(demo.demo_totp_code(user))
