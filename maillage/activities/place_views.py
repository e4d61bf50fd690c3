"""A place's activity, for its organisation's members and the coordination: the last 12 months, a
printable summary per month — small groups hidden (statistics.py). And the organisation's records
as a CSV file for its administrators, with people only on request, and always in the journal."""

import datetime

from django.http import Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone
from django.utils.http import content_disposition_header

from maillage import months
from maillage.accounts.access import Ability, organizations_of, user_can
from maillage.activities import services, statistics
from maillage.parsing import parse_id
from maillage.places.models import Place
from maillage.spreadsheets import EXCEL_BOM

# No activity record is older: an earlier year in the address is a typo.
FIRST_YEAR = 2000


def _place_or_404(request, place_id):
    return get_object_or_404(Place.objects.followed_by(request.user).select_related("organization"), pk=place_id)


def place_activity(request, place_id):
    place = _place_or_404(request, place_id)
    return render(
        request,
        "activities/place_activity.html",
        {
            "place": place,
            "activity": statistics.place_activity(place, timezone.localdate()),
            "can_export": user_can(request.user, Ability.MANAGE, place.organization),
        },
    )


def _month_or_404(year, month, today):
    if not (FIRST_YEAR <= year <= today.year and 1 <= month <= 12):
        raise Http404
    start = datetime.date(year, month, 1)
    if start > today:  # a month to come has nothing to sum up yet
        raise Http404
    return start


def place_month(request, place_id, year, month):
    place = _place_or_404(request, place_id)
    today = timezone.localdate()
    start = _month_or_404(year, month, today)
    previous, following = months.shifted(start, -1), months.shifted(start, 1)
    return render(
        request,
        "activities/monthly_summary.html",
        {
            "place": place,
            "month": start,
            "summary": statistics.month_summary(place, start, today),
            "previous": previous if previous.year >= FIRST_YEAR else None,
            "next": following if following <= today else None,
        },
    )


def _exported_organization(request):
    """The organisation whose records are asked for (``?organisation=``), among those the user administers."""
    administered = organizations_of(request.user, Ability.MANAGE)
    asked = request.GET.get("organisation", "")
    if asked:
        asked_id = parse_id(asked)
        organization = administered.filter(pk=asked_id).first() if asked_id is not None else None
    else:
        organization = administered.first()
    if organization is None:
        raise Http404
    return organization


def export_csv(request):
    """The organisation's records that count. No person unless ``?personnes=1`` and the role allows it."""
    organization = _exported_organization(request)
    with_people = request.GET.get("personnes") == "1" and user_can(request.user, Ability.ACT, organization)
    records = services.export_records(organization, by=request.user, with_people=with_people)
    chunks = statistics.records_csv_chunks(records, with_people=with_people)
    response = StreamingHttpResponse(_with_bom(chunks), content_type="text/csv; charset=utf-8")
    name = "accompagnements-personnes" if with_people else "accompagnements"
    filename = f"{name}-{organization.pk}-{timezone.localdate()}.csv"
    response["Content-Disposition"] = content_disposition_header(as_attachment=True, filename=filename)
    return response


def _with_bom(chunks):
    yield EXCEL_BOM
    yield from chunks
