"""What the scheduler does each hour with help requests (``manage.py help_request_upkeep``):
remind places of people waiting, escalate to the coordination, expire the forgotten, remind
people of tomorrow's appointment. Each step says what it would do; nothing acts without ``act``."""

from datetime import timedelta

from django.conf import settings
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage.helprequests import notify, routing, services
from maillage.helprequests.models import HelpRequest, Status
from maillage.helprequests.states import WAITING
from maillage.notifications.models import Notification
from maillage.notifications.services import notify as queue_message

UNCLAIMED_REMINDER_AFTER = timedelta(hours=24)


def remind_unclaimed(act, now):
    """Once a day, the members of the places a waiting person could go to hear about them."""
    waiting_since = now - UNCLAIMED_REMINDER_AFTER
    done = []
    for help_request in HelpRequest.objects.filter(status=Status.NEW, status_changed_at__lte=waiting_since):
        organizations = {offer.place.organization_id for offer in routing.eligible_places(help_request)}
        members = list(notify.helpers(organization_id__in=organizations))
        done.append(
            f"{help_request.reference}: remind {len(members)} member(s) of {len(organizations)} organisation(s)"
        )
        if act:
            with translation.override(settings.LANGUAGE_CODE):
                text = _("Someone near your places has been waiting for help since %(since)s: %(need)s, %(commune)s. "
                         "Take the request: %(link)s")  # fmt: skip
                commune = help_request.commune
                words = {
                    "since": timezone.localtime(help_request.created_at).strftime("%d/%m %H:%M"),
                    "need": help_request.need_label, "commune": commune.label if commune else "",
                    "link": settings.SITE_URL + reverse("helprequests:inbox"),
                }  # fmt: skip
                for member in members:
                    key = f"helprequest:{help_request.pk}:unclaimed:{now.date().isoformat()}:{member.pk}"
                    queue_message(key, Notification.Channel.EMAIL, member.email, text % words,
                                  subject=_("A person is waiting for help near you"))  # fmt: skip
    return done


def escalate(act, now):
    limit = now - timedelta(hours=settings.HELP_REQUEST_ESCALATION_HOURS)
    due = HelpRequest.objects.filter(status__in=[Status.NEW, Status.DECLINED], status_changed_at__lte=limit)
    done = []
    for help_request in due:
        done.append(f"{help_request.reference}: escalate to the coordination")
        if act:
            services.escalate(help_request)
    return done


def expire(act, now):
    limit = now - timedelta(days=settings.HELP_REQUEST_EXPIRY_DAYS)
    done = []
    for help_request in HelpRequest.objects.filter(status__in=WAITING, status_changed_at__lte=limit):
        done.append(f"{help_request.reference}: expire, {settings.HELP_REQUEST_EXPIRY_DAYS} days without an answer")
        if act:
            services.expire(help_request)
    return done


def remind_appointments(act, now):
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
