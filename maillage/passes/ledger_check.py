"""The ledger's invariants, checked over the whole database (``manage.py check_ledger``).

Each check returns readable problems; an empty list means the books are right:

- every transaction has two entries or more, summing to zero;
- every used pass has exactly one redemption entry not cancelled, and it is the redemption the
  pass points to; every other pass has none;
- every pass in a statement is in exactly one statement, through its redemption; statement totals
  are the sum of their redemptions; a paid statement's ledger movement equals its total;
- every account's balance is what the passes' states say it must be: a programme's float holds
  the value of its paid passes not used nor expired, a place is owed its used passes not yet paid,
  a funder paid in its paid orders, its credit notes are its expired paid passes.
"""

from collections import Counter, defaultdict

from django.db.models import Count, Q, Sum

from maillage.passes.models import (
    Account,
    CreditNote,
    FundingOrder,
    LedgerEntry,
    LedgerTransaction,
    Pass,
    PassProgram,
    PassStatus,
    Payout,
    Redemption,
)
from maillage.passes.states import IN_FLOAT, USED

Kind = LedgerTransaction.Kind


def unbalanced_transactions():
    rows = LedgerTransaction.objects.annotate(total=Sum("entries__amount_cents"), lines=Count("entries")).filter(
        ~Q(total=0) | Q(lines__lt=2) | Q(total__isnull=True)
    )
    return [f"transaction {row.pk} ({row.kind}) has {row.lines} entries summing to {row.total}" for row in rows]


def redemption_entries():
    """Net redemption entries per pass (redemptions minus cancellations), on the programme side."""
    net = Counter()
    last_redemption = {}
    entries = LedgerEntry.objects.filter(
        account__kind=Account.Kind.PROGRAM,
        pass_item__isnull=False,
        transaction__kind__in=[Kind.REDEMPTION, Kind.REDEMPTION_CANCELLED],
    ).values_list("pass_item", "transaction__kind", "transaction__redemption")
    for pass_id, kind, redemption_id in entries.order_by("transaction_id"):
        net[pass_id] += 1 if kind == Kind.REDEMPTION else -1
        if kind == Kind.REDEMPTION:
            last_redemption[pass_id] = redemption_id
    return net, last_redemption


def pass_redemptions():
    problems = []
    net, last_redemption = redemption_entries()
    for pass_id, status, redemption_id, code in Pass.objects.values_list("pk", "status", "redemption", "code"):
        expected = 1 if status in USED else 0
        if net.get(pass_id, 0) != expected:
            problems.append(f"pass {code} ({status}) has {net.get(pass_id, 0)} redemption entries, not {expected}")
        elif expected and last_redemption.get(pass_id) != redemption_id:
            problems.append(f"pass {code} points to redemption {redemption_id}, the ledger to another")
    return problems


def payouts():
    problems = []
    for code, status, payout_id in Pass.objects.filter(status__in=[PassStatus.IN_PAYOUT, PassStatus.PAID]).values_list(
        "code", "status", "redemption__payout"
    ):
        if payout_id is None:
            problems.append(f"pass {code} ({status}) is in no statement")
    for code in Pass.objects.filter(status=PassStatus.REDEEMED, redemption__payout__isnull=False).values_list(
        "code", flat=True
    ):
        problems.append(f"pass {code} is in a statement but still marked used")
    moved = dict(
        LedgerEntry.objects.filter(transaction__kind=Kind.PAYOUT, account__kind=Account.Kind.PAID_OUT)
        .values("transaction__payout")
        .annotate(total=Sum("amount_cents"))
        .values_list("transaction__payout", "total")
    )
    for payout in Payout.objects.annotate(
        summed=Sum("redemptions__value_cents"),
        passes=Sum("redemptions__pass_count"),
        cancelled=Count("redemptions", filter=Q(redemptions__cancelled_at__isnull=False)),
    ):
        if payout.summed != payout.total_cents or payout.passes != payout.pass_count:
            problems.append(f"statement {payout.reference} says {payout.total_cents}, its redemptions {payout.summed}")
        if payout.cancelled:
            problems.append(f"statement {payout.reference} holds a cancelled redemption")
        paid_out = moved.get(payout.pk, 0)
        if paid_out != (payout.total_cents if payout.paid_at else 0):
            problems.append(f"statement {payout.reference}: {paid_out} paid out in the ledger")
        wrong = Pass.objects.filter(redemption__payout=payout).exclude(
            status=PassStatus.PAID if payout.paid_at else PassStatus.IN_PAYOUT
        )
        if wrong.exists():
            problems.append(f"statement {payout.reference} has passes in the wrong status")
    return problems


def _expected_balances():
    expected = defaultdict(int)
    for program in PassProgram.objects.all():
        paid = Pass.objects.filter(program=program, booklet__order__paid_at__isnull=False)
        in_float = paid.filter(status__in=IN_FLOAT).count()
        expected[f"program:{program.pk}"] = in_float * program.face_value_cents
        expired = paid.filter(status=PassStatus.EXPIRED).count()
        expected[f"credit_note:{program.funder_id}"] += expired * program.face_value_cents
    for order in FundingOrder.objects.paid().select_related("program"):
        expected[f"funder:{order.program.funder_id}"] -= order.value_cents
    owed = Redemption.objects.active().filter(Q(payout__isnull=True) | Q(payout__paid_at__isnull=True))
    for place_id, total in owed.values("place").annotate(total=Sum("value_cents")).values_list("place", "total"):
        expected[f"place:{place_id}"] = total
    paid_out = Redemption.objects.active().filter(payout__paid_at__isnull=False)
    for place_id, total in paid_out.values("place").annotate(total=Sum("value_cents")).values_list("place", "total"):
        expected[f"paid_out:{place_id}"] = total
    return expected


def balances():
    actual = dict(Account.objects.annotate(balance=Sum("entries__amount_cents")).values_list("key", "balance"))
    expected = _expected_balances()
    problems = []
    for key in sorted(set(actual) | set(expected)):
        if (actual.get(key) or 0) != expected.get(key, 0):
            problems.append(f"account {key} holds {actual.get(key) or 0}, the passes say {expected.get(key, 0)}")
    return problems


def credit_notes():
    """Every credit note is one expiry movement of its amount; every expiry movement has its note."""
    problems = []
    moved = dict(
        LedgerEntry.objects.filter(transaction__kind=Kind.EXPIRY, account__kind=Account.Kind.CREDIT_NOTE)
        .values("transaction__credit_note")
        .annotate(total=Sum("amount_cents"))
        .values_list("transaction__credit_note", "total")
    )
    for note in CreditNote.objects.all():
        if moved.pop(note.pk, 0) != note.amount_cents:
            problems.append(f"credit note {note.reference} is not the expiry movement of its amount")
    if moved:
        problems.append(f"expiry movements without a credit note: {sorted(moved)}")
    return problems


CHECKS = [unbalanced_transactions, pass_redemptions, payouts, balances, credit_notes]


def problems():
    return [problem for check in CHECKS for problem in check()]
