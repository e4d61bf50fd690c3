"""What the scheduler does each hour with help requests (``manage.py help_request_upkeep``):
remind places of people waiting, escalate to the coordination, expire the forgotten, remind
people of tomorrow's appointment. Each step says what it would do; nothing acts without ``act``."""

import contextlib
from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage import formatting
from maillage.accounts.models import Ability, User
from maillage.helprequests import notify, routing, services
from maillage.helprequests.models import HelpRequest, Status
from maillage.helprequests.states import WAITING, IllegalTransition
from maillage.notifications.models import Notification
from maillage.notifications.services import notify as queue_message

UNCLAIMED_REMINDER_AFTER = timedelta(hours=24)


def remind_unclaimed(act, now):
    """Once a day, the members of the places a waiting person could go to hear about them."""
    waiting_since = now - UNCLAIMED_REMINDER_AFTER
    done = []
    for help_request in HelpRequest.objects.filter(status=Status.NEW, status_changed_at__lte=waiting_since):
        organizations = {offer.place.organization_id for offer in routing.eligible_places(help_request)}
        members = list(User.objects.able_to(Ability.RECEIVE_ALERTS, organizations))
        done.append(
            f"{help_request.reference}: remind {len(members)} member(s) of {len(organizations)} organisation(s)"
        )
        if act:
            with translation.override(settings.LANGUAGE_CODE):
                text = _(
                    "Someone near your places has been waiting for help since %(since)s: %(need)s, %(commune)s. "
                    "Take the request: %(link)s"
                )
                commune = help_request.commune
                words = {
                    "since": formatting.moment(help_request.created_at, weekday=False),
                    "need": help_request.need_label,
                    "commune": commune.label if commune else "",
                    "link": settings.SITE_URL + reverse("helprequests:inbox"),
                }
                for member in members:
                    key = f"helprequest:{help_request.pk}:unclaimed:{now.date().isoformat()}:{member.pk}"
                    queue_message(
                        key,
                        Notification.Channel.EMAIL,
                        member.email,
                        text % words,
                        subject=_("A person is waiting for help near you"),
                    )
    return done


def _move_each(requests, move, description, act):
    """Apply ``move`` to each request; one that changed meanwhile (claimed, withdrawn) is skipped."""
    done = []
    for help_request in requests:
        done.append(f"{help_request.reference}: {description}")
        if act:
            with contextlib.suppress(IllegalTransition):
                move(help_request)
    return done


def escalate(act, now):
    """New, declined, or sent to a place that never answered: to the coordination."""
    limit = now - timedelta(hours=settings.HELP_REQUEST_ESCALATION_HOURS)
    due = HelpRequest.objects.filter(
        status__in=[Status.NEW, Status.REFERRED, Status.DECLINED], status_changed_at__lte=limit
    )
    return _move_each(due, services.escalate, "escalate to the coordination", act)


def expire(act, now):
    """Counted from the request itself: moving between places does not make it wait longer."""
    if not _daytime(now):
        return []
    limit = now - timedelta(days=settings.HELP_REQUEST_EXPIRY_DAYS)
    due = HelpRequest.objects.filter(status__in=WAITING, created_at__lte=limit)
    description = f"expire, {settings.HELP_REQUEST_EXPIRY_DAYS} days without a place"
    return _move_each(due, services.expire, description, act)


def _daytime(now):
    """Messages to people leave between 9:00 and 20:00, local time: never a text message at night."""
    return 9 <= timezone.localtime(now).hour < 20


def remind_appointments(act, now):
    if not _daytime(now):
        return []
    tomorrow = timezone.localtime(now).date() + timedelta(days=1)
    done = []
    for help_request in HelpRequest.objects.filter(status=Status.APPOINTMENT).select_related("place"):
        if timezone.localtime(help_request.appointment_at).date() == tomorrow:
            done.append(f"{help_request.reference}: remind the person of tomorrow's appointment")
            if act:
                notify.appointment_reminder(help_request)
    return done


# Expiry first: a request forgotten for 30 days expires rather than escalates.
STEPS = (expire, escalate, remind_unclaimed, remind_appointments)


def run(act=False, now=None):
    now = now or timezone.now()
    return [line for step in STEPS for line in step(act, now)]
