from maillage.activities import retention
from maillage.management.wet_run import WetRunCommand


class Command(WetRunCommand):
    help = (
        "Erase what the workspace no longer needs: notes of activity records after a year, workshop "
        "registrations a month after the session, and anonymise people's records two years after their last "
        "accompaniment (their accompaniments stay, as statistics). Dry run by default: says how many; "
        "--wet-run acts."
    )

    def run(self, act, **options):
        notes, registrations, people = (
            retention.notes_due(),
            retention.registrations_due_for_erasure(),
            retention.people_due(),
        )
        if not act:
            return [
                f"{notes.count()} note(s), {registrations.count()} workshop registration(s) and "
                f"{people.count()} person record(s) would be erased."
            ]
        return [
            f"{retention.erase_notes(notes)} note(s) erased.",
            f"{retention.erase_registrations(registrations)} workshop registration(s) erased.",
            f"{retention.anonymise_people(people)} person record(s) anonymised.",
        ]
