"""Every change of a workshop: create it with its sessions, register people (the waiting list moves
up when someone cancels), remind them the day before, take attendance into a collective record.

Registration is serialised per session (a row lock on the session), so that two people never get
the last place together; a form sent twice registers once (its submission key), and so does the
same person registering again with the same contact.
"""

import datetime

from django.conf import settings
from django.core import signing
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.translation import gettext as _

from maillage import formatting, phones
from maillage.accounts import journal
from maillage.accounts.models import AuditEvent
from maillage.activities import services
from maillage.activities.models import (
    Autonomy,
    Beneficiary,
    ConsentPurpose,
    Kind,
    Registration,
    RegistrationStatus,
    Setting,
    Workshop,
    WorkshopSession,
)
from maillage.activities.themes import THEMES
from maillage.notifications.models import Notification
from maillage.notifications.services import notify

MAX_REPEATS = 12
LINK_SALT = "maillage.activities.registration"


class WorkshopRefused(Exception):
    def __init__(self, reason):
        super().__init__(reason)
        self.reason = reason


def create_workshop(*, organization, place, by, first_start, repeat_weeks=0, submission_key="", **fields):
    """A workshop and its sessions: one on ``first_start``, then the same weekday and hour for
    ``repeat_weeks`` more weeks (local time, so that summer time does not shift it). The same form
    sent twice (its submission key) creates one workshop."""
    if submission_key and (sent := Workshop.objects.filter(created_by=by, submission_key=submission_key).first()):
        return sent
    try:
        return _create_workshop(organization, place, by, first_start, repeat_weeks, submission_key, fields)
    except IntegrityError:  # a double tap: the other request made it meanwhile
        if sent := Workshop.objects.filter(created_by=by, submission_key=submission_key).first():
            return sent
        raise


def _create_workshop(organization, place, by, first_start, repeat_weeks, submission_key, fields):
    if place.organization_id != organization.pk or not 0 <= repeat_weeks <= MAX_REPEATS:
        raise WorkshopRefused("place")
    if not fields.get("themes") or any(theme not in THEMES for theme in fields["themes"]):
        raise WorkshopRefused("themes")  # its attendance becomes an activity record, which needs them
    with transaction.atomic():
        workshop = Workshop.objects.create(
            organization=organization, place=place, created_by=by, submission_key=submission_key, **fields
        )
        local = timezone.localtime(first_start)
        for week in range(repeat_weeks + 1):
            naive = local.replace(tzinfo=None) + datetime.timedelta(weeks=week)
            WorkshopSession.objects.create(workshop=workshop, starts_at=timezone.make_aware(naive))
    return workshop


# Links and messages to the person ---------------------------------------------------------------


def token_for(registration):
    return signing.Signer(salt=LINK_SALT).sign_object([registration.pk, registration.created_at.timestamp()])


def registration_from(token):
    """The registration of a valid link, or None (forged, damaged, or erased since)."""
    try:
        registration_id, created = signing.Signer(salt=LINK_SALT).unsign_object(token)
    except (signing.BadSignature, ValueError, TypeError):
        return None
    registration = (
        Registration.objects.filter(pk=registration_id, erased_at__isnull=True)
        .select_related("session__workshop__place")
        .first()
    )
    if registration is None or registration.created_at.timestamp() != created:
        return None
    return registration


def link_for(registration):
    return settings.SITE_URL + reverse("activities:registration", kwargs={"token": token_for(registration)})


def _when(session):
    return formatting.moment(session.starts_at)


def _tell(registration, key, text):
    """By SMS to a mobile, else by e-mail; a person with neither was registered by staff, who tell them.
    Nothing goes to a person whose record says they no longer agree to be contacted. Returns the
    message queued, or None (already sent for this key, or no way to send it)."""
    person = registration.beneficiary
    if person is not None and ConsentPurpose.CONTACT not in person.consent_purposes:
        return None
    with translation.override(settings.LANGUAGE_CODE):
        subject = registration.session.workshop.title
        if registration.phone and phones.is_mobile(registration.phone):
            return notify(key, Notification.Channel.SMS, registration.phone, text)
        if registration.email:
            return notify(key, Notification.Channel.EMAIL, registration.email, text, subject=subject)
    return None


def _words(registration):
    session = registration.session
    return {
        "title": session.workshop.title,
        "when": _when(session),
        "place": formatting.after_a(session.workshop.place.name),
        "link": link_for(registration),
    }


def _confirm(registration):
    with translation.override(settings.LANGUAGE_CODE):
        if registration.status == RegistrationStatus.REGISTERED:
            text = _("You are registered for the workshop %(title)s, %(when)s, at %(place)s. To cancel: %(link)s")
        else:
            text = _(
                "The workshop %(title)s, %(when)s, is full: you are on the waiting list. We will tell you if "
                "a place frees up. To cancel: %(link)s"
            )
        _tell(registration, f"workshop:registered:{registration.pk}", text % _words(registration))


def _tell_promoted(registration):
    with translation.override(settings.LANGUAGE_CODE):
        text = _(
            "Good news: a place freed up. You are registered for the workshop %(title)s, %(when)s, at "
            "%(place)s. To cancel: %(link)s"
        )
        _tell(registration, f"workshop:promoted:{registration.pk}", text % _words(registration))


# Registration and the waiting list ---------------------------------------------------------------


def _same_person(session, first_name, phone, email, beneficiary):
    """The person registered already: the same record, or the same first name with the same contact
    (two people of a household may share one phone)."""
    existing = Registration.objects.filter(session=session).exclude(status=RegistrationStatus.CANCELLED)
    if beneficiary is not None:
        return existing.filter(beneficiary=beneficiary).first()
    existing = existing.filter(first_name__iexact=first_name.strip())
    if phone:
        return existing.filter(phone=phone).first()
    if email:
        return existing.filter(email__iexact=email).first()
    return None


def register(session, *, first_name, phone="", email="", by=None, beneficiary=None, submission_key="", now=None):
    """A place in the session, or on its waiting list once it is full. Returns the registration;
    ``found_again`` is set on it when the person was registered already (then nothing changes)."""
    if beneficiary is not None and beneficiary.organization_id != session.workshop.organization_id:
        raise WorkshopRefused("beneficiary")
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().select_related("workshop").get(pk=session.pk)
        if session.cancelled_at or session.starts_at <= (now or timezone.now()):
            raise WorkshopRefused("closed")
        if submission_key and (sent := session.registrations.filter(submission_key=submission_key).first()):
            if sent.first_name.strip().lower() == first_name.strip().lower():
                return sent  # the same form sent again
            submission_key = ""  # the page was sent back for someone else (Back, a new first name)
        if already := _same_person(session, first_name, phone, email, beneficiary):
            already.found_again = True
            return already
        registered = session.registrations.filter(status=RegistrationStatus.REGISTERED).count()
        full = registered >= session.workshop.capacity
        registration = Registration.objects.create(
            session=session,
            first_name=first_name,
            phone=phone,
            email=email,
            beneficiary=beneficiary,
            registered_by=by,
            submission_key=submission_key,
            status=RegistrationStatus.WAITING if full else RegistrationStatus.REGISTERED,
        )
        if beneficiary is not None:  # a registration is activity: the record is kept from now on
            Beneficiary.objects.filter(pk=beneficiary.pk).update(last_activity_at=timezone.now())
        _confirm(registration)
    return registration


def send_link_again(registration):
    """Someone registered already fills the form again: their link goes to their own contact — never
    to the page, where anyone knowing a first name and a phone number would get it. At most once an hour."""
    with translation.override(settings.LANGUAGE_CODE):
        text = _("You are already registered for the workshop %(title)s, %(when)s. Your link: %(link)s")
        hour = int(timezone.now().timestamp() // 3600)
        _tell(registration, f"workshop:link-again:{registration.pk}:{hour}", text % _words(registration))


def cancel(registration, *, now=None):
    """Free the place before the session; the first on the waiting list takes it and is told.
    Cancelling twice does nothing; once the session has begun or is cancelled, nothing is left to free."""
    now = now or timezone.now()
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().get(pk=registration.session_id)
        registration = Registration.objects.get(pk=registration.pk)
        if registration.status == RegistrationStatus.CANCELLED:
            return None
        if session.cancelled_at is not None or session.starts_at <= now:
            raise WorkshopRefused("closed")
        was_registered = registration.status == RegistrationStatus.REGISTERED
        registration.status, registration.cancelled_at = RegistrationStatus.CANCELLED, now
        registration.save(update_fields=["status", "cancelled_at"])
        if not was_registered:
            return None
        promoted = session.registrations.filter(status=RegistrationStatus.WAITING).order_by("created_at", "pk").first()
        if promoted is not None:
            promoted.status = RegistrationStatus.REGISTERED
            promoted.save(update_fields=["status"])
            _tell_promoted(promoted)
    return promoted


def cancel_session(session, *, by):
    """The place cancels a session before it begins: everyone registered or waiting is told."""
    with transaction.atomic():
        still_to_come = WorkshopSession.objects.filter(
            pk=session.pk, cancelled_at__isnull=True, starts_at__gt=timezone.now(), attendance_taken_at__isnull=True
        )
        if not still_to_come.update(cancelled_at=timezone.now(), cancelled_by=by):
            raise WorkshopRefused("closed")
        told = session.registrations.exclude(status=RegistrationStatus.CANCELLED)
        with translation.override(settings.LANGUAGE_CODE):
            for registration in told:
                text = _("The workshop %(title)s, %(when)s, at %(place)s is cancelled. We are sorry.")
                _tell(registration, f"workshop:session-cancelled:{registration.pk}", text % _words(registration))
        told.update(status=RegistrationStatus.CANCELLED, cancelled_at=timezone.now())


def remind(today=None):
    """The day before: a reminder to everyone registered for tomorrow's sessions, once each (the
    notification's key); run daily, a late run still reminds before the session."""
    today = today or timezone.localdate()
    tomorrow = today + datetime.timedelta(days=1)
    starts = timezone.make_aware(datetime.datetime.combine(tomorrow, datetime.time.min))
    due = Registration.objects.filter(
        status=RegistrationStatus.REGISTERED,
        session__cancelled_at__isnull=True,
        erased_at__isnull=True,
        session__starts_at__gte=max(starts, timezone.now()),
        session__starts_at__lt=starts + datetime.timedelta(days=1),
    ).select_related("session__workshop__place", "beneficiary")
    sent = 0
    with translation.override(settings.LANGUAGE_CODE):
        for registration in due:
            text = _(
                "Reminder: workshop %(title)s tomorrow, %(when)s, at %(place)s. If you cannot come, "
                "free your place: %(link)s"
            )
            with transaction.atomic():
                sent += (
                    _tell(registration, f"workshop:reminder:{registration.pk}", text % _words(registration)) is not None
                )
    return sent


def read_registrations(session, *, by, people):
    """The staff page of a session names who registered and lists the organisation's people: a reading."""
    journal.record(
        AuditEvent.Action.PERSONAL_RECORD_VIEWED,
        actor=by,
        target=session,
        organization=session.workshop.organization,
        list_of_people=list(people.values_list("pk", flat=True)),
    )


# Attendance ----------------------------------------------------------------------------------------


def take_attendance(
    session,
    *,
    by,
    present,
    others=0,
    counts_by_age_band=None,
    counts_by_gender=None,
    autonomy=Autonomy.WITH_HELP,
    note="",
):
    """Tick who came and record the session's collective accompaniment in one action: the named
    participants (the registrations ticked) plus the people who came without registering, with the
    anonymous counts of everyone by age band and by gender."""
    with transaction.atomic():
        session = WorkshopSession.objects.select_for_update().select_related("workshop").get(pk=session.pk)
        if session.attendance_taken_at is not None:
            raise WorkshopRefused("already_taken")
        if session.cancelled_at is not None or session.starts_at > timezone.now():
            raise WorkshopRefused("not_yet")
        registrations = session.registrations.filter(status=RegistrationStatus.REGISTERED)
        present_ids = set(registrations.filter(pk__in=[r.pk for r in present]).values_list("pk", flat=True))
        registrations.filter(pk__in=present_ids).update(attended=True)
        registrations.exclude(pk__in=present_ids).update(attended=False)
        participants = len(present_ids) + others
        if participants == 0:
            raise WorkshopRefused("nobody")
        workshop = session.workshop
        record = services.record(
            organization=workshop.organization,
            author=by,
            kind=Kind.COLLECTIVE,
            day=timezone.localdate(session.starts_at),
            duration_minutes=workshop.duration_minutes,
            setting=Setting.PLACE,
            place=workshop.place,
            themes=workshop.themes,
            autonomy=autonomy,
            participants=participants,
            workshop_session=session,
            note=note,
            counts_by_age_band={key: count for key, count in (counts_by_age_band or {}).items() if count},
            counts_by_gender={key: count for key, count in (counts_by_gender or {}).items() if count},
        )
        session.attendance_taken_at = timezone.now()
        session.save(update_fields=["attendance_taken_at"])
    return record


def sessions_to_take_attendance(user, since_days=14):
    """Sessions of the user's workshops that happened lately and whose attendance is not taken yet."""
    now = timezone.now()
    return WorkshopSession.objects.filter(
        workshop__in=Workshop.objects.managed_by(user),
        cancelled_at__isnull=True,
        attendance_taken_at__isnull=True,
        starts_at__lt=now,
        starts_at__gte=now - datetime.timedelta(days=since_days),
    ).select_related("workshop__place")
