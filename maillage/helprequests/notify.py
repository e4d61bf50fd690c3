"""Who is told what, for each move of a help request. Texts are short and plain (SMS first).

Called by ``services`` inside the move's transaction; ``notifications.notify`` sends after the
commit, once per (move, audience) whatever happens.
"""

from dataclasses import dataclass

from django.conf import settings
from django.utils import timezone, translation
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage import formatting, phones
from maillage.accounts.models import Ability, Organization, User
from maillage.helprequests import links
from maillage.helprequests.models import ContactPreference, HelpRequest, Status
from maillage.helprequests.states import DECLINE_REASONS
from maillage.notifications.models import Notification
from maillage.notifications.services import notify, texted_recently


def reaches_in_writing(help_request):
    """Whether ``_tell_person`` can reach the person (an e-mail, or a mobile for text messages)."""
    return bool(help_request.email) or bool(help_request.phone and phones.is_mobile(help_request.phone))


def may_text(help_request):
    """Whether the person's number may get a text now. Anyone can type a stranger's number in the
    public form: until a person shows the number is theirs (opens the follow link, or a member talks
    with them), a number gets at most one text a day, whatever the requests typed with it."""
    shown_real = HelpRequest.objects.filter(phone=help_request.phone, person_shown_real_at__isnull=False)
    return shown_real.exists() or not texted_recently(help_request.phone)


def _tell_person(help_request, key, text, subject):
    """By e-mail if the person chose it, else by SMS to a mobile; a landline only gets calls."""
    if help_request.contact_preference == ContactPreference.EMAIL and help_request.email:
        notify(key, Notification.Channel.EMAIL, help_request.email, text, subject=subject)
    elif help_request.phone and phones.is_mobile(help_request.phone):
        if may_text(help_request):  # otherwise the page and the call-back reach them
            notify(key, Notification.Channel.SMS, help_request.phone, text)
    elif help_request.email:
        notify(key, Notification.Channel.EMAIL, help_request.email, text, subject=subject)


def _tell_referrer(help_request, key, text, subject):
    if help_request.referred_by is not None and help_request.referred_by.email:
        notify(key, Notification.Channel.EMAIL, help_request.referred_by.email, text, subject=subject)


def _coordinators():
    """Who hears that a request waits for a place: the coordination's members who receive alerts."""
    return User.objects.able_to(Ability.RECEIVE_ALERTS, Organization.objects.of_kind(Organization.Kind.COORDINATOR))


def _place_members(help_request, ability=Ability.RECEIVE_ALERTS):
    if help_request.place is None or help_request.place.organization_id is None:
        return User.objects.none()
    return User.objects.able_to(ability, [help_request.place.organization_id])


def _tell_receiving_place(help_request, key, words, subject):
    """The members of the place's organisation, or, for a place without one, its listed addresses
    with a link to answer without an account (valid PLACE_LINK_DAYS days, renewable)."""
    place = help_request.place
    if place.organization_id is not None:  # never the no-account link to a place that has members
        text = _("A person is sent to %(place)s: request %(reference)s. Answer here: %(link)s") % words
        for member in _place_members(help_request, Ability.ACT):
            notify(f"{key}:place:{member.pk}", Notification.Channel.EMAIL, member.email, text, subject=subject)
        return
    _send_place_link(help_request, place, f"{key}:place", words, subject)


def _send_place_link(help_request, place, key, words, subject):
    link = settings.SITE_URL + links.place_url(help_request, place)
    text = _(
        "A person is sent to %(place)s by the Maillage network: request %(reference)s. "
        "Accept or decline within %(days)s days, without an account: %(link)s"
    )
    text = text % {**words, "link": link, "days": links.PLACE_LINK_DAYS}
    for address in place.emails:
        notify(f"{key}:{address}", Notification.Channel.EMAIL, address, text, subject=subject)


def person_message(help_request, message):
    """Who reads what the person adds: the place's members, else the coordination (still waiting)."""
    if help_request.place is not None and help_request.place.organization_id is not None:
        readers = _place_members(help_request, Ability.ACT)
    else:
        readers = _coordinators()
    with translation.override(settings.LANGUAGE_CODE):
        words = {"reference": help_request.reference, "link": _staff_link(help_request)}
        text = _("The person of request %(reference)s added a message. Read it: %(link)s") % words
        for reader in readers:
            notify(
                f"helprequest:{help_request.pk}:message:{message.pk}:{reader.pk}",
                Notification.Channel.EMAIL,
                reader.email,
                text,
                subject=_("Request %(reference)s") % words,
            )


def renew_place_link(help_request, place):
    """A fresh link to the place's listed addresses (at most one a day): never to whoever asks."""
    with translation.override(settings.LANGUAGE_CODE):
        words = {"reference": help_request.reference, "place": place.name}
        key = f"helprequest:{help_request.pk}:place-link:{place.pk}:{timezone.localdate().isoformat()}"
        _send_place_link(help_request, place, key, words, _("Request %(reference)s") % words)


def _follow_link(help_request):
    return settings.SITE_URL + links.follow_url(help_request, sent=True)


def _staff_link(help_request):
    from django.urls import reverse

    return settings.SITE_URL + reverse("helprequests:detail", kwargs={"request_id": help_request.pk})


# Who is told what after each move: the moves of ``states.TRANSITIONS`` as rows of data (a test checks
# that every move has its row, even an empty one). A message goes to an audience, in words with the
# request's reference, the place, the staff link…; ``only`` narrows when it goes.
PERSON, REFERRER, RECEIVING_PLACE, COORDINATION, PLACE_MEMBERS = (
    "person",
    "referrer",
    "receiving_place",
    "coordination",
    "place_members",
)
NEW = "new"  # a request just made (not a move of one that existed)
UPCOMING_APPOINTMENT = "upcoming_appointment"  # the move cancels an appointment still to come
MOVED_BY_SOMEONE_ELSE = "moved_by_someone_else"  # the referrer hears of every change they did not make


@dataclass(frozen=True)
class Told:
    audience: str
    # A text with %(reference)s, %(place)s, %(link)s, %(status)s, %(reason)s, %(phone)s; for the person,
    # None means the appointment's own words (when and where).
    words: object = None
    only: str = ""


RECEIVED = gettext_lazy(
    "Maillage: your request %(reference)s is received. A help place will contact you. Follow it: %(link)s"
)
TAKEN = gettext_lazy("Maillage: %(place)s takes your request %(reference)s and will contact you soon.")
STATUS_CHANGED = gettext_lazy("Request %(reference)s: %(status)s. %(link)s")
CLOSED = gettext_lazy("Request %(reference)s is closed: %(status)s. %(link)s")
APPOINTMENT_CANCELLED = gettext_lazy(
    "Maillage: your appointment of %(appointment)s is cancelled, and your request %(reference)s is closed. "
    "Questions? Call us: %(phone)s"
)
NOT_FOUND_IN_TIME = gettext_lazy(
    "Maillage: we could not find help in time for your request %(reference)s. Call us, we will help you: %(phone)s"
)

TOLD = {
    "submit": [Told(PERSON, RECEIVED, only=NEW)],
    "refer": [
        Told(PERSON, RECEIVED, only=NEW),
        Told(RECEIVING_PLACE),
        Told(REFERRER, STATUS_CHANGED, only=MOVED_BY_SOMEONE_ELSE),
    ],
    "claim": [Told(PERSON, TAKEN), Told(REFERRER, gettext_lazy("%(place)s accepted request %(reference)s. %(link)s"))],
    "accept": [Told(PERSON, TAKEN), Told(REFERRER, gettext_lazy("%(place)s accepted request %(reference)s. %(link)s"))],
    "decline": [
        Told(
            REFERRER,
            gettext_lazy(
                "%(place)s cannot take request %(reference)s: %(reason)s. Send the person elsewhere: %(link)s"
            ),
        )
    ],
    "transfer": [Told(RECEIVING_PLACE), Told(REFERRER, STATUS_CHANGED, only=MOVED_BY_SOMEONE_ELSE)],
    "reoffer": [],  # the nearest places see it in their inbox; the hourly upkeep reminds them
    "escalate": [
        Told(
            COORDINATION,
            gettext_lazy("No place took request %(reference)s in time: it is now with the coordination. %(link)s"),
        ),
        Told(REFERRER, STATUS_CHANGED, only=MOVED_BY_SOMEONE_ELSE),
    ],
    "book": [Told(PERSON), Told(REFERRER, STATUS_CHANGED, only=MOVED_BY_SOMEONE_ELSE)],
    "close": [Told(REFERRER, CLOSED), Told(PERSON, APPOINTMENT_CANCELLED, only=UPCOMING_APPOINTMENT)],
    "withdraw": [Told(REFERRER, CLOSED)],
    "expire": [Told(REFERRER, CLOSED), Told(PLACE_MEMBERS, CLOSED), Told(PERSON, NOT_FOUND_IN_TIME)],
}


def _goes(told, help_request, transition):
    if told.only == NEW:
        return not transition.from_status
    if told.only == UPCOMING_APPOINTMENT:
        moment = help_request.appointment_at
        return transition.from_status == Status.APPOINTMENT and moment is not None and moment > transition.at
    if told.only == MOVED_BY_SOMEONE_ELSE:
        by_the_referrer = transition.actor_id is not None and transition.actor_id == help_request.referred_by_id
        return bool(transition.from_status) and not by_the_referrer
    return True


def _send(told, help_request, key, words):
    """One row of TOLD: its words to its audience, each message under its own key."""
    subject = _("Your request %(reference)s") % words
    staff_subject = _("Request %(reference)s") % words
    key = f"{key}:{told.audience}"
    if told.audience == PERSON:  # the person's link is their follow-up page
        words = {**words, "link": _follow_link(help_request)}
        text = _appointment_text(help_request) if told.words is None else told.words % words
        _tell_person(help_request, key, text, subject)
    elif told.audience == REFERRER:
        _tell_referrer(help_request, key, told.words % words, staff_subject)
    elif told.audience == RECEIVING_PLACE:
        if help_request.place is not None:
            _tell_receiving_place(help_request, key, words, staff_subject)
    else:
        members = _coordinators() if told.audience == COORDINATION else _place_members(help_request)
        for member in members:
            notify(
                f"{key}:{member.pk}",
                Notification.Channel.EMAIL,
                member.email,
                told.words % words,
                subject=staff_subject,
            )


def after_move(help_request, transition):
    """Queue the messages the move's row of TOLD calls for."""
    key = f"helprequest:{help_request.pk}:move:{transition.pk}"
    with translation.override(settings.LANGUAGE_CODE):
        place = transition.place or help_request.place
        words = {
            "reference": help_request.reference,
            "place": place.name if place else "",
            "link": _staff_link(help_request),
            "status": help_request.get_status_display(),
            "reason": DECLINE_REASONS.get(transition.reason, ""),
            "phone": formatting.phone_display(settings.HELP_PHONE_NUMBER),
            "appointment": formatting.moment(help_request.appointment_at),
        }
        for told in TOLD[transition.action]:
            if _goes(told, help_request, transition):
                _send(told, help_request, key, words)


def _appointment_text(help_request, reminder=False):
    moment = timezone.localtime(help_request.appointment_at)
    place = help_request.appointment_place
    words = {"day": formatting.day(moment, weekday=True, year=False), "time": formatting.time_of_day(moment)}
    if help_request.appointment_remote or place is None:
        if reminder:
            return _("Maillage reminder: tomorrow, %(day)s at %(time)s, a help place calls you.") % words
        return _("Maillage: a help place will call you on %(day)s at %(time)s.") % words
    words.update(place=place.name, address=f"{place.address}, {place.postcode} {place.commune_name}".strip(", "))
    if reminder:
        text = _("Maillage reminder: your appointment is tomorrow, %(day)s at %(time)s, %(place)s, %(address)s.")
    else:
        text = _("Maillage: your appointment is on %(day)s at %(time)s, %(place)s, %(address)s.")
    return text % words


def appointment_reminder(help_request):
    """The day before: once per appointment (a new time makes a new reminder)."""
    with translation.override(settings.LANGUAGE_CODE):
        key = f"helprequest:{help_request.pk}:reminder:{help_request.appointment_at.isoformat()}"
        _tell_person(help_request, key, _appointment_text(help_request, reminder=True), _("Your appointment tomorrow"))
