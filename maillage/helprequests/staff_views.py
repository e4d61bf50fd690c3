"""The staff side of help requests: the inbox of a place's members, a request's page, its moves.

Every view filters requests through ``HelpRequest.objects.handled_by(user)`` (or the offers made
to the user's places): another organisation's requests answer 404, never 403, so that their
existence is not revealed. Each opening of a request's page is written in the audit journal.
"""

from django.conf import settings
from django.contrib import messages
from django.db.models import OuterRef, Subquery
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from maillage import formatting, months
from maillage.accounts.access import Ability, organizations_of
from maillage.accounts.models import Organization, User
from maillage.helprequests import describe, notify, routing, services
from maillage.helprequests.forms import show_refusals
from maillage.helprequests.models import (
    ENDED,
    WAITING_FOR_A_PLACE,
    WITH_A_PLACE,
    ContactAttempt,
    ContactPreference,
    HelpRequest,
    Status,
    Transition,
)
from maillage.helprequests.staff_forms import (
    AppointmentForm,
    AssignForm,
    ClaimForm,
    CloseForm,
    ContactAttemptForm,
    DeclineForm,
    InboxFilterForm,
    ReferForm,
    StaffRequestForm,
)
from maillage.helprequests.states import DECLINE_REASONS, IllegalTransition, allowed_actions
from maillage.places.models import Place


def inbox(request):
    user = request.user
    handled = (
        HelpRequest.objects.handled_by(user)
        .select_related("commune", "place", "assigned_to")
        .prefetch_related("commune__postcodes")
    )
    my_places = Place.objects.acted_at_by(user)
    at_my_places = handled.at_places_of(user)
    filters = InboxFilterForm(request.GET, places=my_places.order_by("name"))
    context = {
        "referred": at_my_places.filter(status=Status.REFERRED).order_by("created_at"),
        "offers": routing.offers_for(list(my_places.select_related("commune"))),
        "taken": filters.apply(at_my_places.filter(status__in=WITH_A_PLACE).order_by("status_changed_at"), user),
        "filters": filters,
        "escalated": handled.filter(status=Status.ESCALATED).order_by("created_at"),
        # The phone line's queue: people waiting for a place who asked to be called back.
        "to_call_back": handled.on_the_phone_line_of(user)
        .filter(status=Status.NEW, contact_preference=ContactPreference.CALL)
        .order_by("created_at"),
        "sent": handled.filter(referrer_organization__in=organizations_of(user, Ability.ACT))
        .exclude(status__in=ENDED, closed_at__lt=months.before(timezone.now(), 1))
        .order_by("-created_at"),
    }
    return render(request, "helprequests/inbox.html", context)


def new_request(request):
    """Record a request for a person at the desk or on the phone, to the nearest places or to a chosen one."""
    acting_in = organizations_of(request.user, Ability.ACT)
    if not acting_in:
        raise Http404("Only members who help people record requests.")
    form = StaffRequestForm(request.POST or None, organizations=acting_in)
    if request.method == "POST" and form.is_valid():
        try:
            help_request = services.submit(
                form.new_request(), by=request.user, idempotency_key=form.cleaned_data["submission"]
            )
        except services.RequestRefused as refused:  # a place stopped taking requests meanwhile
            show_refusals(form, refused.errors)
        else:
            messages.success(
                request,
                _("The request %(reference)s is recorded. Give this reference to the person.")
                % {"reference": help_request.reference},
            )
            return redirect("helprequests:detail", request_id=help_request.pk)
    context = {"form": form, "retention_months": settings.HELP_REQUEST_RETENTION_MONTHS}
    return render(request, "helprequests/new.html", context)


@require_POST
def refer(request, request_id):
    """The referrer (or the coordination, for a request waiting for a place) sends the person to a place."""
    help_request = _handled(request, request_id, HelpRequest.objects.sent_by(request.user))
    form = ReferForm(request.POST, prefix="refer")
    if not form.is_valid():
        return request_detail(request, request_id, forms={"refer": form})
    coordination = organizations_of(request.user, Ability.ACT, Organization.Kind.COORDINATOR).first()
    try:
        services.refer(
            help_request, form.cleaned_data["place"], request.user, form.cleaned_data["note"], on_behalf_of=coordination
        )
    except IllegalTransition:
        messages.error(request, _("This request has changed meanwhile: this action is no longer possible."))
        return redirect("helprequests:detail", request_id=request_id)
    messages.success(
        request, _("The request is sent to %(place)s.") % {"place": formatting.after_a(form.cleaned_data["place"].name)}
    )
    return redirect("helprequests:detail", request_id=request_id)


@require_POST
def reoffer(request, request_id):
    help_request = _handled(request, request_id, HelpRequest.objects.sent_by(request.user))
    try:
        services.reoffer(help_request, request.user)
    except IllegalTransition:
        messages.error(request, _("This request has changed meanwhile: this action is no longer possible."))
        return redirect("helprequests:detail", request_id=request_id)
    messages.success(request, _("The request is offered to the nearest suitable places."))
    return redirect("helprequests:detail", request_id=request_id)


def _handled(request, request_id, requests=None):
    """The request, among ``requests`` (by default those the user handles); 404 for any other."""
    requests = HelpRequest.objects.handled_by(request.user) if requests is None else requests
    found = requests.select_related("commune", "place").prefetch_related("commune__postcodes")
    return get_object_or_404(found, pk=request_id)


def _place_actions(help_request, forms):
    """What a place's member may do on a request it follows, the next step first: ``(action, open)``.

    First reach the person (until someone talked to them), then book, then close once the
    appointment is past. The next step is shown open and the others folded; one whose form came
    back with errors is open too.
    """
    if help_request.has_appointment:
        upcoming = help_request.appointment_at > timezone.now()
        order = ["book", "contact", "close", "assign"] if upcoming else ["close", "book", "contact", "assign"]
        next_step = None if upcoming else "close"  # before it, nothing is due: the card above says when
    else:
        reached = help_request.contact_attempts.filter(kind=ContactAttempt.Kind.CALLED).exists()
        order = ["book", "contact", "close", "assign"] if reached else ["contact", "book", "close", "assign"]
        next_step = order[0]
    return [(action, action == next_step or action in forms) for action in order]


def _members_of(help_request):
    """Who a request may be assigned to: the members of its place's organisation who act."""
    if help_request.place is None or help_request.place.organization_id is None:
        return User.objects.none()
    return User.objects.able_to(Ability.ACT, [help_request.place.organization_id]).order_by("first_name", "email")


def request_detail(request, request_id, forms=None):
    help_request = _handled(request, request_id)
    services.read_request(help_request, by=request.user)
    mine = HelpRequest.objects.filter(pk=help_request.pk)
    is_place_member = mine.at_places_of(request.user).exists()
    is_referrer = mine.sent_by(request.user).exists()
    actions = allowed_actions(help_request.status) if is_place_member else set()
    forms = forms or {}
    last_decline = help_request.transitions.filter(action="decline").select_related("place").last()
    attempts = help_request.contact_attempts.count()
    context = {
        "help_request": help_request,
        "described": describe.described(help_request, masked=False),
        "timeline": describe.staff_timeline(help_request),
        "attempts": attempts,
        "can": actions,
        # Several forms on one page: each has its prefix, so that no two fields share an id.
        "decline_form": forms.get("decline") or DeclineForm(prefix="decline"),
        "contact_form": forms.get("contact") or ContactAttemptForm(prefix="contact"),
        "appointment_form": forms.get("book")
        or AppointmentForm(prefix="book", **_appointment_places(help_request, request.user)),
        "close_form": forms.get("close") or CloseForm(prefix="close", **_close_arguments(help_request)),
        "assign_form": forms.get("assign")
        or AssignForm(
            prefix="assign", members=_members_of(help_request), initial={"member": help_request.assigned_to_id}
        ),
        "is_place_member": is_place_member,
        "shown_actions": actions & {"accept", "decline", "transfer", "close"},
        "form_in_error": next(iter(forms.values()), None),
        "place_actions": _place_actions(help_request, forms),
        "on_the_phone_line": mine.on_the_phone_line_of(request.user).exists(),
        "is_referrer": is_referrer,
        # What the referrer (or the phone line) may do: send the person to a place, or offer them again.
        "referrer_can": allowed_actions(help_request.status) & {"refer", "reoffer"} if is_referrer else set(),
        "refer_form": forms.get("refer") or ReferForm(prefix="refer"),
        "transfer_form": forms.get("transfer") or ReferForm(prefix="transfer"),
        "last_decline": last_decline,
        "last_decline_reason": DECLINE_REASONS.get(last_decline.reason, "") if last_decline else "",
    }
    return render(request, "helprequests/detail.html", context, status=400 if forms else 200)


@require_POST
def claim(request, request_id):
    help_request = get_object_or_404(HelpRequest.objects.filter(status__in=WAITING_FOR_A_PLACE), pk=request_id)
    offers = routing.offers_among(help_request, list(Place.objects.acted_at_by(request.user).select_related("commune")))
    if not offers:
        raise Http404("Not offered to your places.")
    form = ClaimForm(request.POST, places=Place.objects.filter(pk__in=[offer.place.pk for offer in offers]))
    place = form.cleaned_data["place"] if form.is_valid() else offers[0].place
    try:
        services.claim(help_request, place, request.user)
    except IllegalTransition:
        messages.error(request, _("Another place took this request just before you."))
        return redirect("helprequests:inbox")
    messages.success(request, _("The request is yours. Contact the person soon."))
    return redirect("helprequests:detail", request_id=help_request.pk)


def _act(request, request_id, name, form_class, apply, success, coordination_may=False, **form_arguments):
    # The place's members act on its requests; the phone line notes its calls to those waiting.
    actionable = HelpRequest.objects.at_places_of(request.user)
    if coordination_may:
        actionable |= HelpRequest.objects.on_the_phone_line_of(request.user)
    help_request = _handled(request, request_id, actionable)
    form = form_class(request.POST, prefix=name, **form_arguments) if form_class else None
    if form is not None and not form.is_valid():
        return request_detail(request, request_id, forms={name: form})
    try:
        apply(help_request, form.cleaned_data if form else {})
    except IllegalTransition:
        messages.error(request, _("This request has changed meanwhile: this action is no longer possible."))
        return redirect("helprequests:detail", request_id=request_id)
    messages.success(request, success)
    return redirect("helprequests:detail", request_id=request_id)


@require_POST
def accept(request, request_id):
    return _act(
        request,
        request_id,
        "accept",
        None,
        lambda hr, data: services.accept(hr, request.user),
        _("You accepted the request. Contact the person soon."),
    )


@require_POST
def decline(request, request_id):
    def apply(help_request, data):
        services.decline(help_request, request.user, data["reason"], data["note"])

    return _act(
        request,
        request_id,
        "decline",
        DeclineForm,
        apply,
        _("You declined the request. The referrer is told, with your reason."),
    )


@require_POST
def log_contact(request, request_id):
    def apply(help_request, data):
        services.log_contact_attempt(help_request, data["kind"], request.user)

    return _act(
        request,
        request_id,
        "contact",
        ContactAttemptForm,
        apply,
        _("The contact attempt is noted."),
        coordination_may=True,
    )


@require_POST
def book(request, request_id):
    def apply(help_request, data):
        services.book(
            help_request, request.user, data["moment"], data["note"], place=data["place"], remote=data["remote"]
        )

    help_request = _handled(request, request_id)
    return _act(
        request,
        request_id,
        "book",
        AppointmentForm,
        apply,
        _("The appointment is booked."),
        **_appointment_places(help_request, request.user),
    )


def _appointment_places(help_request, user):
    """The places of the organisation that helps: the request's own first, then those this member
    booked at lately; the others are searched by name."""
    place = help_request.place
    if place is None or place.organization_id is None:
        return {"places": [place] if place else [], "default_place": place}
    places = list(
        Place.objects.filter(organization_id=place.organization_id)
        .exclude(status=Place.Status.ARCHIVED)
        .order_by("name")
    )
    # Appointments this member booked last (a colleague's later change of one is theirs, not this member's).
    last_booking = Transition.objects.filter(request=OuterRef("pk"), action="book").order_by("-at", "-pk")
    booked_lately = (
        HelpRequest.objects.annotate(
            booked_by=Subquery(last_booking.values("actor")[:1]), booked_at=Subquery(last_booking.values("at")[:1])
        )
        .filter(booked_by=user.pk, appointment_place__isnull=False)
        .order_by("-booked_at")
        .values_list("appointment_place", flat=True)[:20]
    )
    by_pk = {other.pk: other for other in places}
    usual = [by_pk[pk] for pk in dict.fromkeys(booked_lately) if pk in by_pk]
    return {"places": places, "default_place": place, "usual": usual}


@require_POST
def close(request, request_id):
    def apply(help_request, data):
        cancel = data.get("cancel_appointment", False)
        services.close(help_request, request.user, data["outcome"], data["note"], cancel_appointment=cancel)

    help_request = _handled(request, request_id)
    return _act(
        request,
        request_id,
        "close",
        CloseForm,
        apply,
        _("The request is closed. Thank you."),
        **_close_arguments(help_request),
    )


def _close_arguments(help_request):
    return {
        "upcoming_appointment": help_request.appointment_at if help_request.has_upcoming_appointment else None,
        "told_in_writing": notify.reaches_in_writing(help_request),
    }


@require_POST
def transfer(request, request_id):
    def apply(help_request, data):
        from_place = help_request.place.organization if help_request.place else None
        services.transfer(help_request, data["place"], request.user, data["note"], on_behalf_of=from_place)

    return _act(request, request_id, "transfer", ReferForm, apply, _("The request is passed on to the other place."))


@require_POST
def assign(request, request_id):
    help_request = _handled(request, request_id)

    def apply(help_request, data):
        services.assign(help_request, data["member"])

    return _act(
        request,
        request_id,
        "assign",
        AssignForm,
        apply,
        _("The request is assigned."),
        members=_members_of(help_request),
    )


def personal_data(request, request_id):
    """Everything kept about the person in this request, for their right of access: a page to print
    and hand over, or JSON (?format=json). Staff notes are included: they are data about the person."""
    help_request = _handled(request, request_id)
    as_file = request.GET.get("format") == "json"
    record = describe.access_record(help_request, readable=not as_file)
    services.read_request(help_request, by=request.user, exported="right of access")
    if as_file:
        response = JsonResponse(record, json_dumps_params={"ensure_ascii": False, "indent": 2})
        response["Content-Disposition"] = f'attachment; filename="demande-{help_request.reference}.json"'
        return response
    rows = [
        (describe.ACCESS_LABELS[name], ", ".join(value) if isinstance(value, list) else value)
        for name, value in record.items()
        if name in describe.ACCESS_LABELS
    ]
    context = {"help_request": help_request, "record": record, "rows": rows}
    return render(request, "helprequests/personal_data.html", context)
