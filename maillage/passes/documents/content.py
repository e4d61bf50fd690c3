"""What the Pass numérique's documents hold, checked before anything is printed or paid: a statement's
lines, the bank details that pay it."""

import datetime

from django.utils import timezone
from django.utils.translation import override

from maillage.passes.models import BankDetails, Payout


def local_date(value):
    """The local day of a moment (a day stays itself)."""
    if isinstance(value, datetime.datetime):
        return timezone.localdate(value) if timezone.is_aware(value) else value.date()
    return value


def compact(identifier):
    """An IBAN or a BIC without its spaces, in capitals."""
    return "".join((identifier or "").split()).upper()


def statement_lines(payout):
    """(redemption, service label in French) in date order; checked against the statement's totals."""
    redemptions = list(payout.redemptions.select_related("program").order_by("redeemed_at", "pk"))
    if (sum(r.pass_count for r in redemptions), sum(r.value_cents for r in redemptions)) != (
        payout.pass_count,
        payout.total_cents,
    ):
        # A statement whose lines do not add up to what is transferred must never be sent.
        raise ValueError(f"{payout.reference}: its lines do not add up to its totals.")
    with override("fr"):
        return [(redemption, str(redemption.get_service_display())) for redemption in redemptions]


def bank_details_of(organization):
    if organization is None:
        return None
    try:
        return organization.bank_details
    except BankDetails.DoesNotExist:
        return None


class MissingBankDetails(Exception):
    """Some statements cannot be paid: their organisations have no bank details (or the place has no organisation).

    ``organizations`` lists those organisations, ``places`` the places that belong to none. The message is
    only their names, comma-separated, so that a page can put it in a sentence of its own language.
    """

    def __init__(self, organizations, places=()):
        self.organizations = list(organizations)
        self.places = list(places)
        self.names = [organization.name for organization in self.organizations] + [place.name for place in self.places]
        super().__init__(", ".join(self.names))


def payable(payouts):
    """The payouts in the given order with their bank details; MissingBankDetails when any has none."""
    wanted = [payout.pk for payout in payouts]
    found = Payout.objects.filter(pk__in=wanted).select_related("place__organization__bank_details")
    found = {payout.pk: payout for payout in found}
    payable, organizations, places = [], {}, {}
    for pk in wanted:
        payout = found[pk]
        organization = payout.place.organization
        details = bank_details_of(organization)
        if organization is None:
            places[payout.place.pk] = payout.place
        elif details is None:
            organizations[organization.pk] = organization
        else:
            payable.append((payout, details))
    if organizations or places:
        raise MissingBankDetails(organizations.values(), places.values())
    return payable
