from collections import defaultdict

from django.core.mail import send_mail
from django.core.management.base import BaseCommand
from django.template.loader import render_to_string
from django.utils import translation

from maillage.accounts.models import Ability, User
from maillage.places.services import stale_places


class Command(BaseCommand):
    help = (
        "Remind the administrators of organisations whose places were not checked for 6 months. "
        "Dry run by default: says what it would send; --wet-run sends."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really send the e-mails")
        parser.add_argument("--base-url", default="http://127.0.0.1:8000")

    def handle(self, *args, wet_run=False, base_url, **options):
        by_organization = defaultdict(list)
        for place in stale_places().filter(organization__isnull=False).select_related("organization"):
            by_organization[place.organization].append(place)
        unowned = stale_places().filter(organization__isnull=True).count()
        translation.activate("fr")
        for organization, places in by_organization.items():
            emails = list(
                User.objects.able_to(Ability.MANAGE, [organization]).order_by("email").values_list("email", flat=True)
            )
            self.stdout.write(
                f"{organization}: {len(places)} place(s) to check → {', '.join(emails) or 'no administrator'}"
            )
            if wet_run and emails:
                context = {
                    "organization": organization,
                    "places": places,
                    "link": f"{base_url.rstrip('/')}/lieux/mes-lieux/",
                }
                send_mail(
                    render_to_string("places/email/stale_subject.txt", context).strip(),
                    render_to_string("places/email/stale.txt", context),
                    None,
                    emails,
                )
        self.stdout.write(
            f"{sum(map(len, by_organization.values()))} place(s) of {len(by_organization)} organisation(s) to remind; "
            f"{unowned} stale place(s) have no owner (the coordination sees them)."
            + ("" if wet_run else " Dry run: nothing sent (use --wet-run).")
        )
