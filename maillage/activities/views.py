"""The mediator's activity records: record one in a few taps, see mine, correct or delete them."""

import datetime

from django.contrib import messages
from django.db.models import Q, Sum
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage.accounts.models import Membership, Organization
from maillage.activities import services
from maillage.activities.forms import AccompanimentForm
from maillage.activities.models import Accompaniment
from maillage.activities.themes import THEMES
from maillage.places.models import Place

RECORDING_ROLES = Membership.Role.seeing_personal_data()  # those who meet people: not viewers


def _recording_organizations(user):
    memberships = Membership.objects.filter(user=user, role__in=RECORDING_ROLES)
    return Organization.objects.filter(pk__in=memberships.values("organization")).order_by("name")


def _places(user):
    return Place.objects.filter(organization__in=_recording_organizations(user)).order_by("name")


def _posted(request):
    return request.POST if request.method == "POST" else None


def record_new(request):
    organizations = _recording_organizations(request.user)
    if not organizations:
        raise Http404
    form = AccompanimentForm(_posted(request), places=_places(request.user))
    if request.method == "POST" and form.is_valid():
        fields = form.record_fields()
        organization = fields["place"].organization if fields["place"] else organizations.first()
        services.record(organization=organization, author=request.user, **fields)
        messages.success(request, _("The accompaniment is recorded. Thank you."))
        return redirect("activities:mine")
    return render(request, "activities/record_form.html", {"form": form, "correcting": None})


def _week_start(today):
    return today - datetime.timedelta(days=today.weekday())


def mine(request):
    today = timezone.localdate()
    records = Accompaniment.objects.current().filter(author=request.user)
    week = records.filter(day__gte=_week_start(today), day__lte=today)
    month = records.filter(day__gte=today.replace(day=1), day__lte=today)
    recent = list(records.select_related("place").order_by("-day", "-created_at")[:30])
    now = timezone.now()
    for record in recent:  # deleting is for a fresh mistake; later, a record is corrected
        record.is_editable_now = record.is_editable_in_place(request.user, now)
    return render(request, "activities/mine.html", {
        "recent": recent, "themes": THEMES, "can_record": _recording_organizations(request.user).exists(),
        "week_minutes": week.aggregate(total=Sum("duration_minutes"))["total"] or 0, "week_count": week.count(),
        "month_minutes": month.aggregate(total=Sum("duration_minutes"))["total"] or 0, "month_count": month.count(),
    })  # fmt: skip


def _visible_record(request, record_id):
    return get_object_or_404(Accompaniment.objects.visible_to(request.user).current(), pk=record_id)


def record_edit(request, record_id):
    accompaniment = _visible_record(request, record_id)
    # The record's own place stays a choice, even if the user no longer works there.
    places = Place.objects.filter(Q(pk__in=_places(request.user)) | Q(pk=accompaniment.place_id)).order_by("name")
    form = AccompanimentForm(_posted(request), places=places, initial=AccompanimentForm.initial_from(accompaniment))
    if request.method == "POST" and form.is_valid():
        in_place = accompaniment.is_editable_in_place(request.user)
        try:
            services.correct(accompaniment, by=request.user, **form.record_fields())
        except services.RecordRefused:
            messages.error(request, _("This record was corrected meanwhile: correct its new version."))
        else:
            new_version = _("The correction is recorded as a new version; the first one stays in the history.")
            messages.success(request, _("The record is corrected.") if in_place else new_version)
        return redirect("activities:mine")
    return render(request, "activities/record_form.html", {"form": form, "correcting": accompaniment})


@require_POST
def record_delete(request, record_id):
    accompaniment = _visible_record(request, record_id)
    try:
        services.delete(accompaniment, by=request.user)
        messages.success(request, _("The record is deleted."))
    except services.RecordRefused:
        messages.error(request, _("This record can no longer be deleted: correct it instead."))
    return redirect("activities:mine")
