"""Workshops: the public search and registration without an account, and the place's side —
create, register on someone's behalf, cancel, take attendance."""

import datetime
import uuid

from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.accounts.access import Ability, organizations_of
from maillage.activities import workshops
from maillage.activities.forms import (
    AttendanceForm,
    RegistrationForm,
    WorkshopForm,
    WorkshopSearchForm,
)
from maillage.activities.models import (
    Beneficiary,
    Gender,
    Registration,
    RegistrationStatus,
    Workshop,
    WorkshopSession,
)
from maillage.activities.themes import THEMES
from maillage.forms import posted
from maillage.passes.models import AgeBand
from maillage.places.models import Place
from maillage.ratelimit import rate_limited
from maillage.territory.distance import distance_km

SEARCH_RESULTS = 50


# Public side -------------------------------------------------------------------------------------


def _public_sessions():
    return (
        WorkshopSession.objects.upcoming()
        .with_counts()
        .filter(workshop__place__status=Place.Status.PUBLISHED)
        .select_related("workshop__place__commune")
        .order_by("starts_at")
    )


@login_not_required
def search(request):
    """Workshops to come, soonest first, by commune and distance, theme and first day."""
    form = WorkshopSearchForm(request.GET or None)
    sessions, searched = [], form.is_bound and form.is_valid()
    criteria = form.cleaned_data if searched else {}
    found = _public_sessions()
    if criteria.get("from_day"):
        found = found.filter(starts_at__date__gte=criteria["from_day"])
    if criteria.get("theme"):
        found = [session for session in found if criteria["theme"] in session.workshop.themes]
    where, radius = criteria.get("where"), criteria.get("radius") or 20
    for session in found:
        place = session.workshop.place
        session.distance_km = None
        if where is not None and where.latitude is not None and place.latitude is not None:
            session.distance_km = distance_km(where.latitude, where.longitude, place.latitude, place.longitude)
            if session.distance_km > radius:
                continue
        sessions.append(session)
        if len(sessions) == SEARCH_RESULTS:
            break
    return render(
        request,
        "activities/workshop_search.html",
        {"form": form, "sessions": sessions, "themes": THEMES, "where": where},
    )


def _session_page(request, session, form, status=200):
    return render(
        request, "activities/workshop_session.html", {"session": session, "form": form, "themes": THEMES}, status=status
    )


@login_not_required
@rate_limited("workshop_registration", limit=10, period_seconds=60 * 60)
def session_detail(request, session_id):
    """A session's page, with the registration form (no account: a first name and a phone or e-mail)."""
    session = get_object_or_404(_public_sessions(), pk=session_id)
    form = RegistrationForm(posted(request), initial={"submission_key": uuid.uuid4().hex})
    if request.method == "POST" and form.is_valid():
        if form.is_spam():
            return redirect("activities:workshop_session", session_id=session.pk)
        try:
            registration = workshops.register(
                session,
                first_name=form.cleaned_data["first_name"],
                phone=form.cleaned_data["phone"],
                email=form.cleaned_data["email"],
                submission_key=form.cleaned_data["submission_key"],
            )
        except workshops.WorkshopRefused:
            form.add_error(None, _("Registration for this session is closed. Choose another one."))
            return _session_page(request, session, form, status=409)
        if getattr(registration, "found_again", False):
            workshops.send_link_again(registration)
            messages.info(
                request,
                _(
                    "You are already registered for this session. If you gave us a mobile phone "
                    "or an e-mail, we sent your link again."
                ),
            )
            return redirect("activities:workshop_session", session_id=session.pk)
        return redirect("activities:registration", token=workshops.token_for(registration))
    return _session_page(request, session, form)


@login_not_required
@rate_limited("workshop_registration_link", limit=20, period_seconds=60 * 60)
def registration(request, token):
    """The person's link: where and when, their place or rank on the waiting list, and a button to cancel."""
    found = workshops.registration_from(token)
    if found is None:
        raise Http404
    if request.method == "POST" and "cancel" in request.POST:
        try:
            workshops.cancel(found)
        except workshops.WorkshopRefused:
            messages.error(request, _("The session has begun or is cancelled: there is nothing left to cancel."))
        else:
            messages.success(request, _("Your registration is cancelled. Thank you for freeing your place."))
        return redirect("activities:registration", token=token)
    rank = None
    if found.status == RegistrationStatus.WAITING:
        rank = found.session.registrations.filter(
            status=RegistrationStatus.WAITING, created_at__lte=found.created_at, pk__lte=found.pk
        ).count()
    return render(
        request,
        "activities/registration.html",
        {
            "registration": found,
            "session": found.session,
            "rank": rank,
            "can_cancel": found.status != RegistrationStatus.CANCELLED
            and found.session.starts_at > timezone.now()
            and found.session.cancelled_at is None,
        },
    )


# The place's side --------------------------------------------------------------------------------


def _managed_sessions(user):
    return WorkshopSession.objects.filter(workshop__in=Workshop.objects.managed_by(user))


def mine(request):
    if not organizations_of(request.user, Ability.ACT):
        raise Http404
    now = timezone.now()
    sessions = _managed_sessions(request.user).with_counts().select_related("workshop__place")
    return render(
        request,
        "activities/workshops_mine.html",
        {
            "upcoming": sessions.filter(starts_at__gte=now - datetime.timedelta(hours=3)).order_by("starts_at")[:60],
            "to_take": workshops.sessions_to_take_attendance(request.user),
        },
    )


def workshop_new(request):
    organizations = organizations_of(request.user, Ability.ACT)
    places = Place.objects.filter(organization__in=organizations).exclude(status=Place.Status.ARCHIVED).order_by("name")
    if not places:
        raise Http404
    last_used = Workshop.objects.filter(created_by=request.user).order_by("-created_at").values_list("place", flat=True)
    form = WorkshopForm(
        posted(request), places=places, last_used=last_used.first(), initial={"submission_key": uuid.uuid4().hex}
    )
    if request.method == "POST" and form.is_valid():
        fields = form.workshop_fields()
        workshop = workshops.create_workshop(organization=fields["place"].organization, by=request.user, **fields)
        count = workshop.sessions.count()
        messages.success(request, _("The workshop is created with %(count)s session(s).") % {"count": count})
        return redirect("activities:workshops_mine")
    return render(request, "activities/workshop_form.html", {"form": form})


def _managed_session(request, session_id):
    return get_object_or_404(_managed_sessions(request.user).select_related("workshop__place"), pk=session_id)


def _people_of(request, session):
    return Beneficiary.objects.visible_to(request.user).kept().filter(organization=session.workshop.organization)


def session_manage(request, session_id, register_form=None, attendance_form=None):
    """Who is registered and waiting (names and contacts: journaled), register someone, take attendance."""
    session = _managed_session(request, session_id)
    # The page names the people registered, and its form lists the organisation's people's records.
    people = _people_of(request, session)
    workshops.read_registrations(session, by=request.user, people=people)
    registrations = session.registrations.select_related("beneficiary", "registered_by")
    registered = registrations.filter(status=RegistrationStatus.REGISTERED)
    can_take_attendance = (
        session.attendance_taken_at is None and session.cancelled_at is None and session.starts_at <= timezone.now()
    )
    return render(
        request,
        "activities/session_manage.html",
        {
            "session": session,
            "registered": registered,
            "waiting": registrations.filter(status=RegistrationStatus.WAITING),
            "cancelled": registrations.filter(status=RegistrationStatus.CANCELLED),
            "register_form": register_form
            or RegistrationForm(staff=True, people=people, initial={"submission_key": uuid.uuid4().hex}),
            "attendance_form": attendance_form
            or (AttendanceForm(registrations=registered) if can_take_attendance else None),
            "is_future": session.starts_at > timezone.now(),
            "age_bands": AgeBand.choices,
            "genders": Gender.choices,
        },
    )


@require_POST
def session_register(request, session_id):
    session = _managed_session(request, session_id)
    form = RegistrationForm(request.POST, staff=True, people=_people_of(request, session))
    if not form.is_valid():
        return session_manage(request, session_id, register_form=form)
    data = form.cleaned_data
    try:
        registration = workshops.register(
            session,
            first_name=data["first_name"],
            phone=data["phone"],
            email=data["email"],
            by=request.user,
            beneficiary=data.get("beneficiary"),
            submission_key=data["submission_key"],
        )
    except workshops.WorkshopRefused:
        messages.error(request, _("Registration for this session is closed."))
    else:
        if getattr(registration, "found_again", False):
            messages.info(request, _("%(name)s was registered already.") % {"name": registration.first_name})
        elif registration.status == RegistrationStatus.WAITING:
            messages.success(request, _("%(name)s is on the waiting list.") % {"name": registration.first_name})
        else:
            messages.success(request, _("%(name)s is registered.") % {"name": registration.first_name})
    return redirect("activities:session_manage", session_id=session.pk)


@require_POST
def registration_cancel(request, registration_id):
    registration = get_object_or_404(
        Registration.objects.filter(session__in=_managed_sessions(request.user)), pk=registration_id
    )
    try:
        promoted = workshops.cancel(registration)
    except workshops.WorkshopRefused:
        messages.error(request, _("The session has begun or is cancelled: there is nothing left to cancel."))
        return redirect("activities:session_manage", session_id=registration.session_id)
    messages.success(request, _("The registration is cancelled."))
    if promoted is not None:
        messages.success(
            request,
            _("%(name)s, first on the waiting list, takes the place and is told.") % {"name": promoted.first_name},
        )
    return redirect("activities:session_manage", session_id=registration.session_id)


@require_POST
def session_cancel(request, session_id):
    session = _managed_session(request, session_id)
    try:
        workshops.cancel_session(session, by=request.user)
    except workshops.WorkshopRefused:
        messages.error(request, _("This session has begun, or is cancelled already."))
    else:
        messages.success(request, _("The session is cancelled; the people registered are told."))
    return redirect("activities:session_manage", session_id=session.pk)


@require_POST
def attendance(request, session_id):
    session = _managed_session(request, session_id)
    registered = session.registrations.filter(status=RegistrationStatus.REGISTERED)
    form = AttendanceForm(request.POST, registrations=registered)
    if not form.is_valid():
        return session_manage(request, session_id, attendance_form=form)
    try:
        workshops.take_attendance(
            session,
            by=request.user,
            present=form.cleaned_data["present"],
            others=form.cleaned_data["others"],
            counts_by_age_band=form.counts("age"),
            counts_by_gender=form.counts("gender"),
            autonomy=form.cleaned_data["autonomy"],
            note=form.cleaned_data["note"],
        )
    except workshops.WorkshopRefused:
        messages.error(request, _("The attendance of this session is already taken, or the session has not begun."))
    else:
        messages.success(request, _("Attendance is taken and the workshop is recorded in your activity."))
    return redirect("activities:session_manage", session_id=session.pk)
