from django.core.management import call_command
from django.core.management.base import BaseCommand

from maillage.accounts import demo
from maillage.accounts.models import Organization
from maillage.activities.demo import load_demo_workshops
from maillage.passes.demo import load_demo_passes
from maillage.places.demo import load_demo_places
from maillage.territory.models import Commune


class Command(BaseCommand):
    help = "Create the demo territory (Maine-et-Loire) once: organisations of every kind, a member per role, places."

    def handle(self, *args, **options):
        if not Commune.objects.exists():
            call_command("load_communes", stdout=self.stdout)
        accounts = demo.load_demo_territory()
        places = load_demo_places({organization.name: organization for organization in Organization.objects.all()})
        program = load_demo_passes()
        workshop_count = load_demo_workshops()
        self.stdout.write(self.style.SUCCESS("Demo territory ready: Maine-et-Loire (49)."))
        self.stdout.write(f"Help places: {places.accepted} (search them at /lieux/).")
        self.stdout.write(f"Pass numérique: {program.name} (see /pass-numerique/).")
        self.stdout.write(f"Workshops: {workshop_count} (see /ateliers/).")
        self.stdout.write(f"Every demo account's password: {demo.DEMO_PASSWORD}")
        for email, organization, role in accounts:
            self.stdout.write(f"  {email:<40} {role:<15} {organization}")
        self.stdout.write(
            "Administrators, mediators and volunteers confirm their login with a code: add the key "
            f"{demo.demo_totp_secret()} to an authenticator app, or run `make demo-code EMAIL=...`."
        )
