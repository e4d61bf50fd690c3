"""Posting to the double-entry ledger: the only way money moves in the Pass numérique.

A transaction is two or more entries in integer cents that sum to zero, written at once and never
changed: a mistake is fixed by a compensating transaction. Django refuses updates and deletes
(``AppendOnlyModel``); database triggers refuse them from any client; on PostgreSQL a deferred
constraint trigger also refuses, at commit, any transaction whose entries do not sum to zero
(ledger_guard.py). ``manage.py check_ledger`` proves the invariants over the whole ledger.
"""

from django.db import IntegrityError, transaction

from maillage.passes.models import Account, LedgerEntry, LedgerTransaction


class UnbalancedTransaction(ValueError):
    pass


def _key(kind, organization, program, place):
    owner = {
        Account.Kind.FUNDER: organization,
        Account.Kind.CREDIT_NOTE: organization,
        Account.Kind.PROGRAM: program,
        Account.Kind.PLACE: place,
        Account.Kind.PAID_OUT: place,
    }[kind]
    return f"{kind}:{owner.pk}"


def account(kind, *, organization=None, program=None, place=None):
    key = _key(kind, organization, program, place)
    found = Account.objects.filter(key=key).first()
    if found is not None:
        return found
    try:
        with transaction.atomic():
            return Account.objects.create(key=key, kind=kind, organization=organization, program=program, place=place)
    except IntegrityError:  # made by a concurrent first posting
        return Account.objects.get(key=key)


def funder_account(program):
    return account(Account.Kind.FUNDER, organization=program.funder)


def credit_note_account(program):
    return account(Account.Kind.CREDIT_NOTE, organization=program.funder)


def program_account(program):
    return account(Account.Kind.PROGRAM, program=program)


def place_account(place):
    return account(Account.Kind.PLACE, place=place)


def paid_out_account(place):
    return account(Account.Kind.PAID_OUT, place=place)


def program_and_place_accounts(program, place):
    """Both accounts a redemption moves money between, in one query once they exist."""
    keys = (_key(Account.Kind.PROGRAM, None, program, None), _key(Account.Kind.PLACE, None, None, place))
    found = {account.key: account for account in Account.objects.filter(key__in=keys)}
    if len(found) < 2:
        return program_account(program), place_account(place)
    return found[keys[0]], found[keys[1]]


def post(kind, program, lines, *, by=None, memo="", **links):
    """Write one transaction. ``lines`` are (account, amount_cents, pass or None); they must sum to zero."""
    lines = [(entry_account, amount, pass_item) for entry_account, amount, pass_item in lines if amount]
    if len(lines) < 2 or sum(amount for _account, amount, _pass in lines) != 0:
        raise UnbalancedTransaction(f"{kind}: {[(str(a), amount) for a, amount, _p in lines]}")
    # No savepoint of its own inside a caller's transaction: a failure rolls the caller's back whole.
    with transaction.atomic(savepoint=False):
        posted = LedgerTransaction.objects.create(
            kind=kind,
            program=program,
            created_by=by if by is not None and by.is_authenticated else None,
            memo=memo[:200],
            **links,
        )
        LedgerEntry.objects.bulk_create(
            LedgerEntry(transaction=posted, account=entry_account, amount_cents=amount, pass_item=pass_item)
            for entry_account, amount, pass_item in lines
        )
    return posted
