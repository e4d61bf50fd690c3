"""Prove the Pass numérique ledger's invariants; exits with an error when one does not hold."""

from django.core.management.base import BaseCommand, CommandError

from maillage.passes import ledger_check


class Command(BaseCommand):
    help = "Check the Pass numérique ledger: balanced transactions, one redemption per used pass, statements."

    def handle(self, *args, **options):
        problems = ledger_check.problems()
        for problem in problems:
            self.stderr.write(problem)
        if problems:
            raise CommandError(f"{len(problems)} problem(s) in the ledger.")
        self.stdout.write("The ledger is consistent.")
