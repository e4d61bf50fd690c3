"""The Pass numérique's files for software: a statement's lines, and the transfers that pay the statements
as a spreadsheet any bank imports (``sepa.py`` writes the ISO 20022 file)."""

import csv
import io

from django.utils import timezone

from maillage.formatting import decimal_euros
from maillage.passes.documents.content import compact, payable, statement_lines
from maillage.passes.documents.sepa import sepa_text, transfer_label
from maillage.spreadsheets import cell

STATEMENT_CSV_HEADER = ("releve", "date", "programme", "prestation", "pass", "montant_euros", "minutes")
BANK_CSV_HEADER = ("releve", "beneficiaire", "iban", "bic", "montant_euros", "libelle")


def _csv(rows):
    buffer = io.StringIO()
    csv.writer(buffer, delimiter=";", lineterminator="\r\n").writerows(rows)
    return buffer.getvalue()


def statement_csv(payout):
    """The statement's lines for software: ISO dates, amounts with a decimal point, minutes empty when unknown."""
    rows = [STATEMENT_CSV_HEADER]
    for redemption, service in statement_lines(payout):
        rows.append(
            (
                payout.reference,
                timezone.localdate(redemption.redeemed_at).isoformat(),
                cell(redemption.program.name),
                cell(service),
                redemption.pass_count,
                decimal_euros(redemption.value_cents),
                "" if redemption.minutes is None else redemption.minutes,
            )
        )
    return _csv(rows)


def bank_transfers_csv(payouts):
    """One transfer per statement, for a bank's bulk-transfer import or a person keying them in."""
    rows = [BANK_CSV_HEADER]
    for payout, details in payable(payouts):
        rows.append(
            (
                payout.reference,
                cell(sepa_text(details.holder)),
                compact(details.iban),
                compact(details.bic),
                decimal_euros(payout.total_cents),
                transfer_label(payout),
            )
        )
    return _csv(rows)
