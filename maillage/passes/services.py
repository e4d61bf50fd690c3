"""Every way a pass, a booklet, an order or a statement changes: one function per action, one transaction.

Passes move by conditional UPDATEs on the statuses ``states.TRANSITIONS`` allows, and an action that
finds fewer passes than it expected in those statuses changes nothing (the transaction rolls back):
two places redeeming the same pass at once cannot both succeed, on SQLite as on PostgreSQL. Money
moves only through ``ledger.post``.
"""

from dataclasses import dataclass, field

from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone

from maillage.accounts import journal
from maillage.accounts.access import organizations_of
from maillage.accounts.models import AuditEvent, Organization
from maillage.months import bounds as month_bounds
from maillage.passes import codes, ledger
from maillage.passes.documents import pdf
from maillage.passes.models import (
    BankDetails,
    Booklet,
    Counter,
    CreditNote,
    FundingOrder,
    Handover,
    LedgerTransaction,
    Pass,
    PassProgram,
    PassStatus,
    Payout,
    Redemption,
)
from maillage.passes.refusals import PassActionRefused
from maillage.passes.states import TRANSITIONS, USED


def _move(passes, action, *, expected=None, **changes):
    """Move these passes with a conditional UPDATE; refuse (and roll back) if any was not where expected."""
    sources, target = TRANSITIONS[action]
    moved = passes.filter(status__in=sources).update(status=target, status_changed_at=timezone.now(), **changes)
    if expected is not None and moved != expected:
        raise PassActionRefused("moved_meanwhile", expected=expected, moved=moved)
    return moved


# Programmes and orders ----------------------------------------------------------------------------


def create_program(*, funder, by, qualified_places=(), communes=(), **fields):
    with transaction.atomic():
        program = PassProgram.objects.create(funder=funder, created_by=by, **fields)
        program.qualified_places.set(qualified_places)
        program.communes.set(communes)
    return program


def _fresh_codes(count):
    """``count`` codes that no pass has yet (a clash among 2⁷⁰ is unlikely, but it is checked)."""
    fresh = set()
    while len(fresh) < count:
        candidates = {codes.new_code() for _ in range(count - len(fresh))} - fresh
        fresh |= candidates - set(Pass.objects.filter(code__in=candidates).values_list("code", flat=True))
    return list(fresh)


def order_passes(program, *, pass_count, booklet_size, by, funder_reference="", submission_key=None):
    """A funder orders passes: booklets and codes are made now, usable once the order is paid.

    The same submission key twice returns the first order, unchanged.
    """
    if booklet_size not in FundingOrder.BookletSize.values:
        raise PassActionRefused("booklet_size")
    if timezone.localdate() > program.ends_on:
        raise PassActionRefused("program_ended")
    if submission_key and (earlier := FundingOrder.objects.filter(submission_key=submission_key).first()):
        return earlier
    try:
        with transaction.atomic():
            order = FundingOrder.objects.create(
                program=program,
                pass_count=pass_count,
                booklet_size=booklet_size,
                created_by=by,
                funder_reference=funder_reference,
                submission_key=submission_key,
            )
            booklet_count = -(-pass_count // booklet_size)
            booklets = Booklet.objects.bulk_create(Booklet(order=order, number=n) for n in range(1, booklet_count + 1))
            if not booklets[0].pk:  # backends that do not return ids from bulk inserts
                booklets = list(order.booklets.order_by("number"))
            fresh = iter(_fresh_codes(pass_count))
            Pass.objects.bulk_create(
                (
                    Pass(
                        program=program,
                        booklet=booklets[index // booklet_size],
                        position=index % booklet_size + 1,
                        code=next(fresh),
                    )
                    for index in range(pass_count)
                ),
                batch_size=1000,
            )
    except IntegrityError:
        if submission_key and (earlier := FundingOrder.objects.filter(submission_key=submission_key).first()):
            return earlier  # the same form, sent twice at the same moment
        raise
    return order


def mark_order_paid(order, *, by):
    """The operator received the funder's money: the passes become active and the float is credited."""
    if timezone.localdate() > order.program.expires_on:
        raise PassActionRefused("program_ended")  # its passes are expired: nothing to pay for
    with transaction.atomic():
        if not FundingOrder.objects.filter(pk=order.pk, paid_at__isnull=True).update(
            paid_at=timezone.now(), marked_paid_by=by
        ):
            raise PassActionRefused("order_already_paid")
        order.refresh_from_db()
        _move(Pass.objects.filter(booklet__order=order), "pay_order", expected=order.pass_count)
        value, program = order.value_cents, order.program
        ledger.post(
            LedgerTransaction.Kind.ORDER_PAID,
            program,
            [(ledger.funder_account(program), -value, None), (ledger.program_account(program), value, None)],
            by=by,
            order=order,
            memo=order.reference,
        )
    return order


# Stock and distribution ---------------------------------------------------------------------------


def assign_booklets(order, *, distributor, count, by, commune=None):
    """Give ``count`` booklets still in stock to a distributor (the first ones, in number order)."""
    if not distributor.is_pass_distributor:
        raise PassActionRefused("not_a_distributor")
    with transaction.atomic():
        in_stock = (
            order.booklets.filter(distributor__isnull=True)
            .exclude(passes__status__in=[s for s in PassStatus.values if s != PassStatus.ACTIVE])
            .order_by("number")[:count]
        )
        chosen = list(in_stock.values_list("pk", flat=True))
        if len(chosen) < count:
            raise PassActionRefused("not_enough_booklets", available=len(chosen))
        now = timezone.now()
        Booklet.objects.filter(pk__in=chosen).update(
            distributor=distributor, assigned_at=now, assigned_by=by, commune=commune
        )
        expected = Pass.objects.filter(booklet__in=chosen).count()
        _move(Pass.objects.filter(booklet__in=chosen), "assign", expected=expected)
    return list(Booklet.objects.filter(pk__in=chosen).order_by("number"))


def hand_out(booklet, *, distributor, by, positions=None, commune=None, age_band="", public=""):
    """A distributor gives a person the booklet's remaining passes, or only those at ``positions``.

    Only what the programme's report needs is kept, and all of it is optional: no name, ever.
    """
    if booklet.distributor_id != distributor.pk:
        raise PassActionRefused("not_your_booklet")
    if commune is not None and not booklet.order.program.covers_commune(commune):
        raise PassActionRefused("outside_territory")
    candidates = booklet.passes.filter(status=PassStatus.WITH_DISTRIBUTOR)
    if positions:
        candidates = candidates.filter(position__in=positions)
    chosen = list(candidates.values_list("pk", flat=True))
    if not chosen or (positions and len(chosen) != len(set(positions))):
        raise PassActionRefused("nothing_to_hand_out")
    with transaction.atomic():
        handover = Handover.objects.create(
            distributor=distributor, handed_by=by, commune=commune, age_band=age_band, public=public
        )
        _move(Pass.objects.filter(pk__in=chosen), "hand_out", expected=len(chosen), handover=handover)
    return handover


def _coordination_of(member):
    """The coordination an action of the scheme is journaled under (None for a system action)."""
    if member is None:
        return None
    return organizations_of(member, kind=Organization.Kind.COORDINATOR).first()


@transaction.atomic
def block(pass_item, *, reason, by):
    """Stop a pass (lost, stolen, handed out by mistake); ``unblock`` takes it back where it was.
    The reason is required: whoever unblocks it later must know why."""
    reason = (reason or "").strip()
    if not reason:
        raise PassActionRefused("no_reason")
    moved = Pass.objects.filter(pk=pass_item.pk, status__in=TRANSITIONS["block"][0]).update(
        status=PassStatus.BLOCKED,
        status_before_block=F("status"),
        blocked_reason=reason[:200],
        status_changed_at=timezone.now(),
    )
    if not moved:
        raise PassActionRefused("cannot_block")
    journal.record(
        AuditEvent.Action.PASS_BLOCKED, actor=by, organization=_coordination_of(by), target=pass_item, reason=reason
    )


@transaction.atomic
def unblock(pass_item, *, by):
    moved = Pass.objects.filter(pk=pass_item.pk, status=PassStatus.BLOCKED).update(
        status=F("status_before_block"), status_before_block="", blocked_reason="", status_changed_at=timezone.now()
    )
    if not moved:
        raise PassActionRefused("cannot_unblock")
    pass_item.refresh_from_db()
    journal.record(AuditEvent.Action.PASS_UNBLOCKED, actor=by, organization=_coordination_of(by), target=pass_item)


@transaction.atomic
def qualify_places(program, places, *, by):
    """The coordination says which places take the programme's passes from now on."""
    program.qualified_places.set(places)
    journal.record(
        AuditEvent.Action.PASS_PLACES_CHANGED,
        actor=by,
        organization=_coordination_of(by),
        target=program,
        places=sorted(place.pk for place in places),
    )


@transaction.atomic
def set_bank_details(organization, *, holder, iban, bic, by):
    """The account a place's organisation is paid to, or the coordination pays from (the SEPA file's debtor)."""
    BankDetails.objects.update_or_create(
        organization=organization, defaults={"holder": holder, "iban": iban, "bic": bic, "updated_at": timezone.now()}
    )
    journal.record(
        AuditEvent.Action.ORGANIZATION_CHANGED,
        actor=by,
        organization=organization,
        target=organization,
        fields=["bank_details"],
    )


def print_booklets(booklets, *, by, target, label):
    """The PDF of these booklets, live codes in it: printed codes are money, so who printed which,
    when, is in the audit journal (under the distributor for its booklet, else the coordination)."""
    document = pdf.booklet_pdf(booklets)
    journal.record(
        AuditEvent.Action.EXPORT,
        actor=by,
        organization=getattr(target, "distributor", None) or _coordination_of(by),
        target=target,
        target_label=label,
        what="pass_booklets_pdf",
    )
    return document


# Checking and redeeming ---------------------------------------------------------------------------


@dataclass
class PassCheck:
    """What a place may know about a code before redeeming it."""

    pass_item: Pass
    program: PassProgram
    usable: bool
    reason: str = ""
    passes_left: int = 0  # in the same handover, this one included
    services: list = field(default_factory=list)  # (Service, cost) the place may choose
    place: object = None  # where it was checked


def read_code(typed):
    """The canonical code; PassActionRefused("typo") or ("not_a_code") when it cannot be one."""
    try:
        return codes.normalize(typed)
    except codes.CodeTypo as error:
        raise PassActionRefused("typo") from error
    except codes.NotACode as error:
        raise PassActionRefused("not_a_code") from error


def _refusal(pass_item, program, place, today):
    """Why this pass cannot be used at this place today, or "" when it can."""
    if pass_item.status in USED:
        return "already_redeemed"
    if pass_item.status == PassStatus.BLOCKED:
        return "blocked"
    if pass_item.status == PassStatus.EXPIRED or today > program.expires_on:
        return "expired"
    if pass_item.status != PassStatus.HANDED_OUT:
        return "not_handed_out"
    if today < program.starts_on:
        return "not_started"
    if not program.qualified_places.filter(pk=place.pk).exists():
        return "not_qualified"
    return ""


def pass_of(typed_code):
    """The pass of a code as typed or scanned, with its programme: read once, looked up once.
    PassActionRefused("typo"), ("not_a_code") or ("unknown") when no pass can have it."""
    pass_item = Pass.objects.select_related("program").filter(code=read_code(typed_code)).first()
    if pass_item is None:
        raise PassActionRefused("unknown")
    return pass_item


def _pass_and_place(typed_code, places, place):
    """The pass of the code, and the place it is used at. Without ``places``, ``place`` as given; with
    them (those where the user or the key acts), ``place`` must be one of them (refused before the code
    is read), else the only one, else the only one qualified for the pass's programme. ``places`` is
    read once: not at all when the door has read it already (the till's form)."""
    if places is None:
        return pass_of(typed_code), place
    own = list(places)
    if place is not None:
        chosen = next((candidate for candidate in own if candidate.pk == getattr(place, "pk", place)), None)
        if chosen is None:
            raise PassActionRefused("not_your_place")
        return pass_of(typed_code), chosen
    if not own:
        raise PassActionRefused("no_place")
    pass_item = pass_of(typed_code)
    if len(own) == 1:
        return pass_item, own[0]
    qualified = set(
        PassProgram.qualified_places.through.objects.filter(
            passprogram=pass_item.program_id, place__in=[candidate.pk for candidate in own]
        ).values_list("place", flat=True)
    )
    found = [candidate for candidate in own if candidate.pk in qualified]
    if len(found) == 1:
        return pass_item, found[0]
    raise PassActionRefused("choose_place")


def check(typed_code, *, place=None, places=None, today=None):
    """Look a code up for a place, without redeeming it. Raises PassActionRefused for typos, unknown
    codes and a place that is not the caller's. The check carries ``place``, where it was checked."""
    pass_item, place = _pass_and_place(typed_code, places, place)
    program = pass_item.program
    reason = _refusal(pass_item, program, place, today or timezone.localdate())
    left = 0
    if pass_item.status == PassStatus.HANDED_OUT:
        left = Pass.objects.filter(handover=pass_item.handover_id, status=PassStatus.HANDED_OUT).count()
    services = [(service, cost) for service, cost in program.allowed_services() if cost <= left]
    return PassCheck(
        pass_item=pass_item,
        program=program,
        usable=not reason,
        reason=reason,
        passes_left=left,
        services=services,
        place=place,
    )


def _replayed(place, idempotency_key, code):
    """The redemption this key already made for this organisation, if any (a retried scan).

    Raises "key_reused" when the key went with another code, "cancelled" when its redemption was
    undone since (the first answer no longer holds: the pass can be used again, with a new key).
    """
    if not idempotency_key:
        return None
    earlier = Redemption.objects.filter(organization_id=place.organization_id, idempotency_key=idempotency_key).first()
    if earlier is not None and earlier.scanned_code != code:
        raise PassActionRefused("key_reused")
    if earlier is not None and earlier.is_cancelled:
        raise PassActionRefused("cancelled", redemption=earlier)
    return earlier


def redeem(
    typed_code, *, service, by, place=None, places=None, api_token=None, idempotency_key="", today=None, _retry=True
):
    """Use the pass (and, for a service that costs several, other passes of the same handover) at
    ``place``, or, at a door that knows where its user or key acts (``places``), at the place of
    theirs the code leaves (``place`` then chooses among ``places``).

    Returns (redemption, replayed): the same idempotency key gives back the first redemption and
    changes nothing. Raises PassActionRefused with the rule that stops it. The redemption carries
    ``taken_codes``, the passes it used, in order.

    The path is kept short (it is what every scan of the network waits for): the key is looked up
    only when the pass is found used or the insert meets the key's unique constraint — a retried
    scan always finds its pass used, or its key taken.
    """
    pass_item, place = _pass_and_place(typed_code, places, place)
    code, program = pass_item.code, pass_item.program
    reason = _refusal(pass_item, program, place, today or timezone.localdate())
    if reason:
        earlier = _replayed(place, idempotency_key, code) if reason == "already_redeemed" else None
        if earlier is not None:
            return earlier, True
        raise PassActionRefused(reason, pass_item=pass_item, redemption=pass_item.redemption)
    cost = program.cost_of(service)
    if cost is None:
        raise PassActionRefused("service_not_allowed", pass_item=pass_item)
    taken = [pass_item.pk]
    if cost > 1:
        others = Pass.objects.filter(handover=pass_item.handover_id, status=PassStatus.HANDED_OUT)
        others = list(others.exclude(pk=pass_item.pk).order_by("booklet", "position").values_list("pk", flat=True))
        if cost > 1 + len(others):
            raise PassActionRefused("not_enough_passes", pass_item=pass_item, passes_left=1 + len(others))
        taken += others[: cost - 1]
    try:
        with transaction.atomic():
            redemption = Redemption.objects.create(
                place=place,
                program=program,
                service=service,
                pass_count=cost,
                value_cents=cost * program.face_value_cents,
                minutes=cost * program.minutes_per_pass if program.minutes_per_pass else None,
                redeemed_by=by if by is not None and by.is_authenticated else None,
                api_token=api_token,
                organization_id=place.organization_id,
                idempotency_key=idempotency_key,
                scanned_code=code,
            )
            _move(Pass.objects.filter(pk__in=taken), "redeem", expected=len(taken), redemption=redemption)
            float_account, place_account = ledger.program_and_place_accounts(program, place)
            value = program.face_value_cents
            lines = []
            for pass_id in taken:
                lines += [(float_account, -value, Pass(pk=pass_id)), (place_account, value, Pass(pk=pass_id))]
            ledger.post(
                LedgerTransaction.Kind.REDEMPTION,
                program,
                lines,
                by=by,
                redemption=redemption,
                memo=codes.display(code),
            )
    except PassActionRefused:
        # Another redemption took one of the passes between our check and our update.
        pass_item.refresh_from_db()
        if pass_item.status != PassStatus.HANDED_OUT:
            if (earlier := _replayed(place, idempotency_key, code)) is not None:
                return earlier, True  # the same scan, sent twice at the same moment, won the other time
            reason = _refusal(pass_item, program, place, today or timezone.localdate())
            raise PassActionRefused(reason, pass_item=pass_item, redemption=pass_item.redemption) from None
        if not _retry:
            raise PassActionRefused("not_enough_passes", pass_item=pass_item, passes_left=0) from None
        # It was another pass of the same handover: count again, once.
        return redeem(
            code,
            place=place,
            service=service,
            by=by,
            api_token=api_token,
            idempotency_key=idempotency_key,
            today=today,
            _retry=False,
        )
    except IntegrityError:
        # The key is taken: by the same scan sent twice at the same moment (its first answer), by a
        # cancelled redemption, or by another code.
        earlier = _replayed(place, idempotency_key, code)
        if earlier is None:
            raise
        return earlier, True
    codes_by_pk = (
        dict(Pass.objects.filter(pk__in=taken).values_list("pk", "code")) if cost > 1 else {pass_item.pk: code}
    )
    redemption.taken_codes = [codes_by_pk[pk] for pk in taken]
    return redemption, False


def cancel_redemption(redemption, *, by, today=None):
    """The place undoes a redemption the same day, never once it is in a statement."""
    today = today or timezone.localdate()
    if timezone.localdate(redemption.redeemed_at) != today:
        raise PassActionRefused("not_same_day")
    with transaction.atomic():
        if not Redemption.objects.filter(pk=redemption.pk, cancelled_at__isnull=True, payout__isnull=True).update(
            cancelled_at=timezone.now(), cancelled_by=by
        ):
            raise PassActionRefused("cannot_cancel")
        passes = list(redemption.passes.values_list("pk", flat=True))
        _move(Pass.objects.filter(pk__in=passes), "cancel_redemption", expected=redemption.pass_count, redemption=None)
        program = redemption.program
        float_account, place_account = ledger.program_account(program), ledger.place_account(redemption.place)
        value = program.face_value_cents
        lines = []
        for pass_id in passes:
            lines += [(place_account, -value, Pass(pk=pass_id)), (float_account, value, Pass(pk=pass_id))]
        ledger.post(LedgerTransaction.Kind.REDEMPTION_CANCELLED, program, lines, by=by, redemption=redemption)
    redemption.refresh_from_db()
    return redemption


# Expiry -------------------------------------------------------------------------------------------


def expire_program(program, *, today=None):
    """Expire a programme's unused passes after its end date and grace; refund the paid ones to the funder.

    Returns the number of passes expired (0 when it is too early or nothing is left).
    """
    today = today or timezone.localdate()
    if today <= program.expires_on:
        return 0
    with transaction.atomic():
        # Locked first: a redemption, a payment or a cancellation committing between the count and
        # the move would otherwise be refunded to the funder and paid to a place, or neither.
        unused = Pass.objects.filter(program=program, status__in=TRANSITIONS["expire"][0]).select_for_update()
        ids = list(unused.values_list("pk", flat=True))
        paid_count = Pass.objects.filter(pk__in=ids, booklet__order__paid_at__isnull=False).count()
        expired = _move(Pass.objects.filter(pk__in=ids), "expire", expected=len(ids))
        if paid_count:
            value = paid_count * program.face_value_cents
            note = CreditNote.objects.create(
                number=next_number("credit_note"), program=program, pass_count=paid_count, amount_cents=value
            )
            ledger.post(
                LedgerTransaction.Kind.EXPIRY,
                program,
                [(ledger.program_account(program), -value, None), (ledger.credit_note_account(program), value, None)],
                credit_note=note,
                memo=note.reference,
            )
    return expired


# Payouts ------------------------------------------------------------------------------------------


def next_number(name):  # runs in its caller's transaction: the number and what it numbers commit together
    """The next number of a gapless series, taken under a row lock in the caller's transaction."""
    Counter.objects.get_or_create(name=name)
    counter = Counter.objects.select_for_update().get(name=name)
    Counter.objects.filter(name=name).update(last_value=F("last_value") + 1)
    return counter.last_value + 1


def create_payouts(month):
    """One statement per place for the passes it used in ``month`` and not yet in a statement.

    Run again, it makes statements only for what came late (a redemption committed after the
    month's statement): nothing is ever left out, nothing is in two statements. Two runs at once
    take the same redemptions' row locks; the second finds them stated and makes nothing.
    """
    start, end = month_bounds(month)
    month = month.replace(day=1)
    due = Redemption.objects.active().filter(payout__isnull=True, redeemed_at__gte=start, redeemed_at__lt=end)
    made = []
    for place_id in due.values_list("place", flat=True).distinct().order_by("place"):
        with transaction.atomic():
            chosen = list(due.filter(place_id=place_id).select_for_update().values_list("pk", flat=True))
            if not chosen:
                continue
            totals = [(r.pass_count, r.value_cents) for r in Redemption.objects.filter(pk__in=chosen)]
            payout = Payout.objects.create(
                number=next_number("payout"),
                place_id=place_id,
                month=month,
                pass_count=sum(count for count, _ in totals),
                total_cents=sum(value for _, value in totals),
            )
            Redemption.objects.filter(pk__in=chosen).update(payout=payout)
            _move(Pass.objects.filter(redemption__in=chosen), "include_in_payout", expected=payout.pass_count)
            made.append(payout)
    return made


def mark_payout_exported(payout):
    """The statement is frozen from its first export on (nothing in it could change anyway)."""
    Payout.objects.filter(pk=payout.pk, exported_at__isnull=True).update(exported_at=timezone.now())
    payout.refresh_from_db()


@transaction.atomic
def mark_in_transfer_file(payouts):
    """These statements went into a transfer file: later files leave them out (never paid twice)."""
    now = timezone.now()
    ids = [payout.pk for payout in payouts]
    Payout.objects.filter(pk__in=ids, transfer_file_at__isnull=True).update(transfer_file_at=now)
    Payout.objects.filter(pk__in=ids, exported_at__isnull=True).update(exported_at=now)


def mark_payout_paid(payout, *, by):
    """The transfer left: the place's passes are paid, and the ledger says where the money went."""
    with transaction.atomic():
        if not Payout.objects.filter(pk=payout.pk, paid_at__isnull=True).update(paid_at=timezone.now(), paid_by=by):
            raise PassActionRefused("payout_already_paid")
        mark_payout_exported(payout)
        _move(Pass.objects.filter(redemption__payout=payout), "pay_out", expected=payout.pass_count)
        by_program = {}
        for redemption in payout.redemptions.select_related("program"):
            by_program[redemption.program] = by_program.get(redemption.program, 0) + redemption.value_cents
        place_account, paid_out_account = ledger.place_account(payout.place), ledger.paid_out_account(payout.place)
        for program, value in by_program.items():
            ledger.post(
                LedgerTransaction.Kind.PAYOUT,
                program,
                [(place_account, -value, None), (paid_out_account, value, None)],
                by=by,
                payout=payout,
                memo=payout.reference,
            )
    payout.refresh_from_db()
    return payout
