"""The mediator's activity records: record one in a few taps, see mine, correct or delete them."""

import datetime

from django.contrib import messages
from django.db.models import Count, Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.accounts.access import Ability, organizations_of
from maillage.activities import beneficiaries, services, workshops
from maillage.activities.forms import AccompanimentForm
from maillage.activities.models import Accompaniment, Beneficiary, Setting, Workshop, WorkshopSession
from maillage.activities.themes import THEMES, THEMES_OF_NEED
from maillage.forms import posted
from maillage.helprequests.models import HelpRequest, Status
from maillage.parsing import parse_id
from maillage.passes.models import Redemption
from maillage.places.models import Place

# A help request gives an accompaniment to record once it is closed, or at its appointment.
DONE_WITH = [Status.CLOSED, Status.APPOINTMENT]


def _people(user):
    return Beneficiary.objects.kept().filter(organization__in=organizations_of(user, Ability.ACT))


def _redemptions_to_link(user, accompaniment=None):
    """The passes the user took in the last week and has not linked to a record yet (and, when
    correcting a record, those already linked to it)."""
    recent = (
        Redemption.objects.active()
        .filter(
            redeemed_by=user,
            redeemed_at__gte=timezone.now() - datetime.timedelta(days=7),
            place__organization__in=organizations_of(user, Ability.ACT),
        )
        .exclude(
            pk__in=Accompaniment.redemptions.through.objects.filter(accompaniment__replaced_at__isnull=True).values(
                "redemption"
            )
        )
    )
    if accompaniment is not None:
        recent = Redemption.objects.filter(Q(pk__in=recent) | Q(pk__in=accompaniment.redemptions.all()))
    return recent.select_related("place").order_by("-redeemed_at")


def _record_form(request, places, initial, accompaniment=None, person_id=None):
    # The form names no one but the person it was opened for (from their record) or the one already
    # linked: a list of everyone's names on every record form would be a reading of all of them.
    people = _people(request.user).filter(pk=person_id) if person_id else Beneficiary.objects.none()
    person = people.first()
    if person is not None and request.method != "POST":  # the form shows the person's name
        beneficiaries.read_person(person, by=request.user)
    # The place this member recorded at last: where they usually work, proposed again.
    last_used = Accompaniment.objects.filter(author=request.user, place__isnull=False).order_by("-pk")
    return AccompanimentForm(
        posted(request),
        places=places,
        last_used=last_used.values_list("place", flat=True).first(),
        initial=initial,
        people=people,
        redemptions=_redemptions_to_link(request.user, accompaniment),
    )


def _help_request_to_record(request):
    """The help request this record is about (``?demande=``), among those the user handles, or None."""
    request_id = request.GET.get("demande") or request.POST.get("help_request")
    request_id = parse_id(request_id or "")
    if request_id is None:
        return None
    return HelpRequest.objects.handled_by(request.user).filter(pk=request_id, status__in=DONE_WITH).first()


def _initial_from_help_request(help_request):
    """What a closed request or a held appointment already says: where, and the themes of its need."""
    initial = {"themes": THEMES_OF_NEED.get(help_request.need, []), "help_request": help_request.pk}
    if help_request.appointment_remote:
        initial["setting"] = Setting.REMOTE
    elif help_request.appointment_place_id or help_request.place_id:
        initial |= {"setting": Setting.PLACE, "place": help_request.appointment_place_id or help_request.place_id}
    if help_request.appointment_at:
        initial["day"] = timezone.localdate(help_request.appointment_at)
    return initial


def record_new(request):
    organizations = organizations_of(request.user, Ability.ACT)
    if not organizations:
        raise Http404
    help_request = _help_request_to_record(request)
    initial = _initial_from_help_request(help_request) if help_request else {}
    person = request.GET.get("personne", "")
    person_id = parse_id(person)
    if person_id:  # from a person's record: it is chosen already
        initial["beneficiary"] = person_id
    form = _record_form(request, Place.objects.acted_at_by(request.user).order_by("name"), initial, person_id=person_id)
    if request.method == "POST" and form.is_valid():
        fields = form.record_fields()
        if fields["place"]:
            organization = fields["place"].organization
        else:
            organization = fields["beneficiary"].organization if fields["beneficiary"] else organizations.first()
        try:
            services.record(organization=organization, author=request.user, help_request=help_request, **fields)
        except services.RecordRefused:
            form.add_error("beneficiary", _("This person's record belongs to another organisation than this place."))
        else:
            messages.success(request, _("The accompaniment is recorded. Thank you."))
            return redirect("activities:my_week")
    return render(
        request, "activities/record_form.html", {"form": form, "correcting": None, "help_request": help_request}
    )


def _week_start(today):
    return today - datetime.timedelta(days=today.weekday())


def _time_given(user, today):
    """How many accompaniments and minutes the user recorded this week and this month (current versions)."""
    records = Accompaniment.objects.current().filter(author=user, day__lte=today)
    figures = {}
    for period, start in (("week", _week_start(today)), ("month", today.replace(day=1))):
        totals = records.filter(day__gte=start).aggregate(count=Count("pk"), minutes=Sum("duration_minutes"))
        figures[f"{period}_count"], figures[f"{period}_minutes"] = totals["count"], totals["minutes"] or 0
    return figures


def mine(request):
    today = timezone.localdate()
    records = Accompaniment.objects.current().filter(author=request.user)
    recent = list(records.select_related("place").order_by("-day", "-created_at")[:30])
    now = timezone.now()
    for record in recent:  # deleting is for a fresh mistake; later, a record is corrected
        record.is_editable_now = record.is_editable_in_place(request.user, now)
    return render(
        request,
        "activities/mine.html",
        {
            "recent": recent,
            "themes": THEMES,
            "can_record": organizations_of(request.user, Ability.ACT).exists(),
            **_time_given(request.user, today),
        },
    )


def _visible_record(request, record_id):
    return get_object_or_404(Accompaniment.objects.visible_to(request.user).current(), pk=record_id)


def record_edit(request, record_id):
    accompaniment = _visible_record(request, record_id)
    # The record's own place stays a choice, even if the user no longer works there.
    places = Place.objects.filter(
        Q(pk__in=Place.objects.acted_at_by(request.user)) | Q(pk=accompaniment.place_id)
    ).order_by("name")
    form = _record_form(
        request,
        places,
        AccompanimentForm.initial_from(accompaniment),
        accompaniment,
        person_id=accompaniment.beneficiary_id,
    )
    if request.method == "POST" and form.is_valid():
        in_place = accompaniment.is_editable_in_place(request.user)
        try:
            services.correct(accompaniment, by=request.user, **form.record_fields())
        except services.RecordRefused as refusal:
            if refusal.reason == "beneficiary":
                form.add_error("beneficiary", _("This person's record belongs to another organisation."))
                return render(
                    request,
                    "activities/record_form.html",
                    {"form": form, "correcting": accompaniment, "help_request": None},
                )
            messages.error(request, _("This record was corrected meanwhile: correct its new version."))
        else:
            new_version = _("The correction is recorded as a new version; the first one stays in the history.")
            messages.success(request, _("The record is corrected.") if in_place else new_version)
        return redirect("activities:mine")
    return render(
        request, "activities/record_form.html", {"form": form, "correcting": accompaniment, "help_request": None}
    )


@require_POST
def record_delete(request, record_id):
    accompaniment = _visible_record(request, record_id)
    try:
        services.delete_record(accompaniment, by=request.user)
        messages.success(request, _("The record is deleted."))
    except services.RecordRefused:
        messages.error(request, _("This record can no longer be deleted: correct it instead."))
    return redirect("activities:mine")


def my_week(request):
    """Ma semaine: my appointments, who waits for me, accompaniments to record, my time given."""
    user, now = request.user, timezone.now()
    today = timezone.localdate()
    handled = HelpRequest.objects.handled_by(user).select_related("commune", "appointment_place")
    mine = handled.filter(assigned_to=user)
    recorded = Accompaniment.objects.filter(help_request__isnull=False).values("help_request")
    return render(
        request,
        "activities/my_week.html",
        {
            # The coming seven days, whatever the day of the week (on a Sunday, Monday is what matters).
            "appointments": mine.filter(
                status=Status.APPOINTMENT,
                appointment_at__gte=now - datetime.timedelta(hours=2),
                appointment_at__lt=now + datetime.timedelta(days=7),
            ).order_by("appointment_at"),
            "in_progress": mine.filter(status=Status.CLAIMED).order_by("status_changed_at"),
            "referred": handled.filter(status=Status.REFERRED, place__in=Place.objects.acted_at_by(user)).count(),
            "to_record": mine.filter(status__in=DONE_WITH, status_changed_at__gte=now - datetime.timedelta(days=14))
            .exclude(pk__in=recorded)
            .order_by("-status_changed_at")[:10],
            "workshop_sessions": WorkshopSession.objects.filter(
                workshop__in=Workshop.objects.managed_by(user),
                cancelled_at__isnull=True,
                starts_at__gte=now,
                starts_at__lt=now + datetime.timedelta(days=7),
            )
            .with_counts()
            .select_related("workshop")
            .order_by("starts_at"),
            "attendance_to_take": workshops.sessions_to_take_attendance(user).count(),
            "my_places": Place.objects.acted_at_by(user).order_by("name"),
            "can_record": organizations_of(user, Ability.ACT).exists(),
            **_time_given(user, today),
        },
    )
