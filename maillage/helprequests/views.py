"""Asking for help without an account, and following the request from a signed link."""

import contextlib
import uuid
from functools import wraps
from urllib.parse import urlencode

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core import signing
from django.http import Http404
from django.middleware.csrf import get_token
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.crypto import constant_time_compare, salted_hmac
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from maillage import formatting, phones
from maillage.helprequests import describe, links, retention, services
from maillage.helprequests.forms import (
    SOMEONE_ELSE,
    HowStep,
    NeedStep,
    PersonMessageForm,
    WhereStep,
    show_refusals,
)
from maillage.helprequests.models import HelpRequest, Status
from maillage.helprequests.staff_forms import DeclineForm
from maillage.helprequests.states import IllegalTransition
from maillage.places.models import Place
from maillage.ratelimit import Quota, client_address, rate_limited

STEPS = {1: NeedStep, 2: WhereStep, 3: HowStep}
# Short: the step's own question follows, as its first field's label.
STEP_TITLES = {
    1: gettext_lazy("the need"),
    2: gettext_lazy("the commune"),
    3: gettext_lazy("how to reach you"),
}
NOT_CARRIED = {"csrfmiddlewaretoken", "step", "back", "submission_key"}

# What is protected is the help line's and the places' time: requests sent, not pages seen. A
# library's public computers share one address; their people's steps and typing errors count for
# nothing. A number or an address gets a few requests a day, an address some an hour.
REQUESTS_PER_ADDRESS = Quota("help_requests_address", limit=10, period_seconds=60 * 60)
REQUESTS_PER_CONTACT = Quota("help_requests_contact", limit=3, period_seconds=24 * 60 * 60)


# The form's submission key ------------------------------------------------------------------------
# A retried form finds its first request by its key. The key comes from the server's own form, signed
# and tied to the browser it was given to (through the browser's CSRF secret, a cookie): a key set by
# a link, or sent again from another browser, is not this form's, and never shows anyone's request.
SUBMISSION_SALT = "maillage.helprequests.submission"


def _browser(request):
    get_token(request)  # gives a browser that has none its secret (the cookie goes with the page)
    return salted_hmac(SUBMISSION_SALT, request.META["CSRF_COOKIE"]).hexdigest()[:20]


def _new_submission_key(request):
    return signing.Signer(salt=SUBMISSION_SALT).sign(f"{uuid.uuid4().hex}.{_browser(request)}")


def _submission_key(request, data):
    """The key of the form this browser was given, or None: missing, altered, or another browser's."""
    try:
        key, browser = signing.Signer(salt=SUBMISSION_SALT).unsign(data.get("submission_key", "")).split(".")
    except (signing.BadSignature, ValueError):
        return None
    return key if constant_time_compare(browser, _browser(request)) else None


def _form(step, data=None, for_someone_else=False, initial=None, asked_for=None):
    arguments = {1: {}, 2: {"for_someone_else": for_someone_else}}.get(
        step, {"for_someone_else": for_someone_else, "asked_for": asked_for}
    )
    return STEPS[step](data, initial=initial, **arguments)


def _place_asked(data):
    """The place a person asked to be called back by, from its page (?place=): only one that answers."""
    with contextlib.suppress(ValueError, TypeError):
        return Place.objects.taking_requests().select_related("commune").filter(pk=int(data.get("place", ""))).first()
    return None


def _initial_from(step, data):
    """What was typed in a step the person comes back to (kept in hidden fields meanwhile), or what
    the link they followed chose for them (the need searched for, the commune of the place)."""
    form = _form(step)
    initial = {}
    for name, field in form.fields.items():
        if hasattr(field, "choices") and getattr(field.widget, "allow_multiple_selected", False):
            values = data.getlist(name)
        else:
            values = data.get(name)
        if values:
            initial[name] = values
    if data.get("where"):
        initial["where"] = {"text": data.get("where", ""), "choice": data.get("where_choice", "")}
    elif step == 2 and (place := _place_asked(data)) and place.commune:
        initial["where"] = place.commune
    return initial


def _render_step(request, step, form, data, status=200):
    # The step's question is what a small phone must show on its first screen (tests/web/test_first_screen.py).
    next(iter(form.fields.values())).widget.attrs["data-main-action"] = True
    step_fields = set(form.fields) | ({"where_choice"} if step == 2 else set())
    carried = [
        (name, value)
        for name, values in data.lists()
        if name not in NOT_CARRIED and name not in step_fields
        for value in values
    ]
    kept = _submission_key(request, data) is not None
    carried.append(("submission_key", data["submission_key"] if kept else _new_submission_key(request)))
    context = {
        "step": step,
        "step_title": STEP_TITLES[step],
        "form": form,
        "carried": carried,
        "place": _place_asked(data),
    }
    return render(request, "helprequests/ask.html", context, status=status)


@login_not_required
def ask_for_help(request):
    if request.method != "POST":
        data = request.GET.copy()
        return _render_step(request, 1, _form(1, initial=_initial_from(1, data)), data)
    data = request.POST
    step = int(data["step"]) if data.get("step") in {"1", "2", "3"} else 1
    for_someone_else = data.get("for_whom") == SOMEONE_ELSE
    if "back" in data and step > 1:
        previous = step - 1
        return _render_step(request, previous, _form(previous, data, for_someone_else), data)
    forms = {}
    for number in range(1, step + 1):
        asked_for = None
        if number == 3:
            asked_for = (forms[1].cleaned_data["need"], forms[2].cleaned_data["where"], _place_asked(data))
        forms[number] = _form(number, data, for_someone_else, asked_for=asked_for)
        if not forms[number].is_valid():
            return _render_step(request, number, forms[number], data)
    if step < 3:
        following = step + 1
        return _render_step(
            request, following, _form(following, None, for_someone_else, _initial_from(following, data)), data
        )
    need, where, how = forms[1].cleaned_data, forms[2].cleaned_data, forms[3]
    if how.is_spam():
        return redirect("helprequests:ask")
    if how.goes_to_a_place():  # nothing is kept: the nearest places, and the person goes there
        query = {
            "where": where["where"].label,
            "need": need["need"],
            "radius": 10,
            "support": how.cleaned_data["support"],
        }
        return redirect(reverse("places:search") + "?" + urlencode(query, doseq=True))
    key = _submission_key(request, data)
    if key is None:  # not this browser's form: a new key comes with the page, what was typed stays
        how.add_error(None, _("We could not check where this form comes from. Check your answers and send again."))
        return _render_step(request, 3, how, data, status=400)
    new = how.new_request()
    address, contact = client_address(request), _contact_identity(new)
    too_many = REQUESTS_PER_ADDRESS.is_exhausted(address) or REQUESTS_PER_CONTACT.is_exhausted(contact)
    if too_many and not services.already_submitted(new, key):  # sent again, it only shows the first
        how.add_error(None, _too_many_requests_words())
        return _render_step(request, 3, how, data, status=429)
    try:
        help_request = services.submit(new, idempotency_key=key)
    except services.RequestRefused as refused:  # the rules changed under the form (a place closed meanwhile)
        show_refusals(how, refused.errors)
        return _render_step(request, 3, how, data)
    if not help_request.replayed:
        REQUESTS_PER_ADDRESS.record(address)
        REQUESTS_PER_CONTACT.record(contact)
    return redirect("helprequests:confirmation", token=links.token_for(help_request))


def _contact_identity(new):
    """The number or address the request gives, as a keyed digest: the cache never holds it."""
    phone = new.phone or new.asker_phone
    contact = phones.read_typed(phone) if phone else (new.email or new.asker_email).strip().lower()
    return "contact-" + salted_hmac("maillage.helprequests.contact", contact).hexdigest()


def _too_many_requests_words():
    return _(
        "Many requests were sent from here or for this contact in a short time. To protect everyone, "
        "wait a little before sending this one, or call %(phone)s: a person answers you."
    ) % {"phone": formatting.phone_display(settings.HELP_PHONE_NUMBER)}


class LinkExpired(Exception):
    """A follow link whose request is past its retention: the link ends with the personal data."""


def _request_for(token):
    found = links.request_id_from(token)
    if found is None:
        raise Http404("Unknown or altered link.")
    request_id, reference, sent = found
    help_request = get_object_or_404(
        HelpRequest.objects.select_related("commune", "place").prefetch_related("commune__postcodes"),
        pk=request_id,
        reference=reference,
    )
    # Past its retention, even before the nightly purge has run, the link shows nothing more.
    if retention.is_past_retention(help_request):
        raise LinkExpired
    help_request.link_was_sent = sent
    return help_request


def _expired_link(view):
    @wraps(view)
    def answered(request, token, *args, **kwargs):
        try:
            return view(request, token, *args, **kwargs)
        except LinkExpired:
            context = {"retention_months": settings.HELP_REQUEST_RETENTION_MONTHS}
            return render(request, "helprequests/link_expired.html", context, status=410)

    return answered


@login_not_required
@_expired_link
def confirmation(request, token):
    help_request = _request_for(token)
    context = {
        "help_request": help_request,
        "described": describe.described(help_request),
        "follow_url": request.build_absolute_uri(links.follow_url(help_request)),
        "answer_within_days": max(1, settings.HELP_REQUEST_ESCALATION_HOURS // 24),
    }
    return render(request, "helprequests/confirmation.html", context)


@login_not_required
@rate_limited("help_request_follow", limit=20, period_seconds=60 * 60)
@_expired_link
def follow(request, token):
    help_request = _request_for(token)
    if request.method == "GET" and help_request.link_was_sent:  # it reached their phone: the number is theirs
        services.person_shown_real(help_request)
    form = PersonMessageForm(request.POST or None)
    if request.method == "POST" and help_request.is_open and form.is_valid():
        services.add_person_message(help_request, form.cleaned_data["text"])
        messages.success(request, _("Your message was added. The help place will read it."))
        return redirect("helprequests:follow", token=token)
    context = {
        "help_request": help_request,
        "described": describe.described(help_request),
        "timeline": describe.timeline(help_request),
        "form": form,
        "token": token,
    }
    return render(request, "helprequests/follow.html", context)


@login_not_required
@rate_limited("help_request_follow", limit=20, period_seconds=60 * 60)
@_expired_link
def withdraw(request, token):
    help_request = _request_for(token)
    if request.method == "POST":
        with contextlib.suppress(IllegalTransition):  # already closed: the page says so
            services.withdraw(help_request)
        messages.success(request, _("Thank you for telling us. Your request is closed."))
        return redirect("helprequests:follow", token=token)
    return render(request, "helprequests/withdraw.html", {"help_request": help_request, "token": token})


# A place without an account answers a referral ---------------------------------------------------


@login_not_required
@rate_limited("place_referral", limit=30, period_seconds=60 * 60)
def place_referral(request, token):
    """A place without an account sees the person sent to it and accepts or declines, from the link
    it received by e-mail (valid 8 days; an expired link sends a new one to the place's address)."""
    found = links.place_link_from(token)
    if found is None:
        raise Http404("Unknown or altered link.")
    request_id, place_id, reference, expired = found
    help_request = get_object_or_404(
        HelpRequest.objects.select_related("commune", "place").prefetch_related("commune__postcodes"),
        pk=request_id,
        reference=reference,
        anonymised_at=None,
    )
    place = get_object_or_404(Place, pk=place_id)
    waiting_for_this_place = help_request.place_id == place.pk and help_request.status == Status.REFERRED
    if expired:
        if request.method == "POST" and waiting_for_this_place:
            services.renew_place_link(help_request, place)
            messages.success(
                request,
                _("A new link is sent to the e-mail address of %(place)s.")
                % {"place": formatting.after_de(place.name)},
            )
            return redirect("helprequests:place_referral", token=token)
        context = {"place": place, "help_request": help_request, "can_renew": waiting_for_this_place}
        return render(request, "helprequests/place_link_expired.html", context)
    if not waiting_for_this_place:
        return render(request, "helprequests/place_referral_done.html", {"place": place, "help_request": help_request})
    decline_form = DeclineForm(request.POST if "decline" in request.POST else None, prefix="decline")
    if request.method == "POST":
        try:
            if "accept" in request.POST:
                services.accept(help_request, None)
                messages.success(request, _("Thank you: the request is yours. Contact the person soon."))
                return redirect("helprequests:place_referral", token=token)
            if decline_form.is_valid():
                services.decline(
                    help_request, None, decline_form.cleaned_data["reason"], decline_form.cleaned_data["note"]
                )
                messages.success(request, _("Thank you: the referrer is told and will find another place."))
                return redirect("helprequests:place_referral", token=token)
        except IllegalTransition:
            return redirect("helprequests:place_referral", token=token)
    services.read_request(
        help_request, by=None, organization=help_request.referrer_organization, via="place link", place=place.name
    )
    context = {
        "place": place,
        "help_request": help_request,
        "described": describe.described(help_request, masked=False),
        "decline_form": decline_form,
    }
    return render(request, "helprequests/place_referral.html", context, status=400 if decline_form.errors else 200)
