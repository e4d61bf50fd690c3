from django.core.management.base import BaseCommand

from maillage.activities import beneficiaries, retention


class Command(BaseCommand):
    help = (
        "Erase what the workspace no longer needs: notes of activity records after a year, workshop "
        "registrations a month after the session, and anonymise people's records two years after their last "
        "accompaniment (their accompaniments stay, as statistics). Dry run by default: says how many; "
        "--wet-run acts."
    )

    def add_arguments(self, parser):
        parser.add_argument("--wet-run", action="store_true", help="Really erase")

    def handle(self, *args, wet_run=False, **options):
        notes, registrations, people = (
            retention.notes_due(),
            retention.registrations_due_for_erasure(),
            retention.people_due(),
        )
        if not wet_run:
            self.stdout.write(
                f"[dry run] {notes.count()} note(s), {registrations.count()} workshop registration(s) "
                f"and {people.count()} person record(s) would be erased."
            )
            return
        self.stdout.write(f"{notes.update(note='')} note(s) erased.")
        self.stdout.write(f"{retention.erase_registrations(registrations)} workshop registration(s) erased.")
        anonymised = 0
        for person in people:
            beneficiaries.anonymise_person(person, reason="retention")
            anonymised += 1
        self.stdout.write(f"{anonymised} person record(s) anonymised.")
