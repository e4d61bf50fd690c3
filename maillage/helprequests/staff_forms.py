"""Forms of the staff side: claim, answer a referral, log a contact, book, close."""

import uuid
from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage import formatting, phones
from maillage.forms import CHOOSE, ListedTextInput, needed_for_some_answers
from maillage.helprequests import services
from maillage.helprequests.forms import show_refusals
from maillage.helprequests.models import ConsentChannel, ContactAttempt, ContactPreference, Origin, Outcome
from maillage.helprequests.states import DECLINE_REASONS
from maillage.helprequests.vocabulary import LANGUAGES, SUPPORT
from maillage.places.forms import MemberPlaceField, matching_places, place_label
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS, choices
from maillage.territory.forms import CommuneField

NOTE_HELP = _("For your colleagues and the referrer only; the person never sees it. No health or money details.")


def _note():
    return forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        help_text=NOTE_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(forms.Form):
    # The inbox's card names the place the request is offered to and posts it.
    place = MemberPlaceField(label=_("For which of your places?"))

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why can't you take it?"),
        choices=list(DECLINE_REASONS.items()),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason: the referrer needs it to find another place.")},
    )
    note = _note()


class ContactAttemptForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"),
        choices=ContactAttempt.Kind.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label=_("Day"),
        help_text=_("For example: 3/12/2026"),
        # A text box, not type=date: browsers order a date field's parts by their own language.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={
            "required": _("Type the day of the appointment."),
            "invalid": _("Type a day such as 3/12/2026."),
        },
    )
    time = forms.TimeField(
        label=_("Time"),
        help_text=_("For example: 14:30"),
        widget=forms.TextInput(attrs={"autocomplete": "off"}),
        error_messages={"required": _("Type the time of the appointment."), "invalid": _("Type a time such as 14:30.")},
    )
    where = forms.ChoiceField(label=_("Where?"), widget=forms.RadioSelect, required=False)
    other_place = forms.CharField(
        label=_("Another place of your organisation"),
        required=False,
        max_length=200,
        help_text=_("Type its name or its commune: the list suggests them. A place typed here is the one chosen."),
    )
    note = _note()

    REMOTE = "remote"
    OTHER = "other"
    SHOWN_FIRST = 4  # the request's place and the member's latest: more would be a wall of radio buttons

    def __init__(self, *args, places=(), default_place=None, usual=(), **kwargs):
        """``places``: every place the appointment may take place at; ``usual``: the member's own, first."""
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        first = list(dict.fromkeys(place for place in [default_place, *usual] if place is not None))
        first = [place for place in first if str(place.pk) in self.places][: self.SHOWN_FIRST]
        self.others = [place for place in places if place not in first]
        self.fields["where"].choices = [
            *((str(place.pk), place.name) for place in first),
            (self.REMOTE, _("At a distance: we call the person at that time")),
            *([(self.OTHER, _("Another place: type it below"))] if self.others else []),
        ]
        self.fields["where"].initial = str(default_place.pk) if default_place else self.REMOTE
        if self.others:
            self.fields["other_place"].widget = ListedTextInput(
                options=[place_label(place) for place in self.others], attrs={"autocomplete": "off"}
            )
            needed_for_some_answers(self, "other_place")
        else:
            del self.fields["other_place"]

    def clean(self):
        cleaned = super().clean()
        where = cleaned.get("where") or self.fields["where"].initial  # the request's place unless chosen
        typed = cleaned.get("other_place", "").strip()
        if typed or where == self.OTHER:
            where = self._other_place(typed)
        cleaned["place"] = self.places.get(where)
        cleaned["remote"] = where == self.REMOTE
        if cleaned.get("day") and cleaned.get("time"):
            moment = timezone.make_aware(datetime.combine(cleaned["day"], cleaned["time"]))
            if moment < timezone.now():
                self.add_error("day", _("This moment is already past. Choose a day and a time to come."))
            cleaned["moment"] = moment
        return cleaned

    def _other_place(self, typed):
        """The pk of the place typed in the search box, or None with the reason next to it."""
        if not typed:
            self.add_error("other_place", _("Type the name of the place, or choose one above."))
            return None
        found = matching_places(typed, list(self.places.values()))  # one shown above, typed, is found too
        if len(found) == 1:
            return str(found[0].pk)
        if not found:
            self.add_error(
                "other_place", _("No place of your organisation has this name. Check it, or choose from the list.")
            )
        else:
            names = ", ".join(place_label(place) for place in found[:5])
            self.add_error(
                "other_place", _("Several places match: %(names)s. Type more of the name.") % {"names": names}
            )
        return None


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it ended.")},
    )
    note = _note()

    def __init__(self, *args, upcoming_appointment=None, told_in_writing=True, **kwargs):
        """``told_in_writing``: whether the person can be sent a text message or an e-mail."""
        super().__init__(*args, **kwargs)
        if upcoming_appointment is not None:  # closing cancels it: said, and agreed to, before
            moment = {"moment": formatting.moment(upcoming_appointment)}
            self.fields["cancel_appointment"] = forms.BooleanField(
                label=_("Cancel the appointment of %(moment)s and tell the person") % moment,
                help_text=_("The person is told as they asked: text message or e-mail.")
                if told_in_writing
                else _("We have no mobile number nor e-mail for this person: call them to tell them."),
                error_messages={
                    "required": _("The appointment is still to come: tick the box to cancel it, or close later.")
                },
            )


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Who follows this request?"), queryset=None, empty_label=_("Nobody yet"), required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda user: user.get_full_name() or user.email


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, place):
        return place_label(place)


class ReferForm(forms.Form):
    place = PlaceChoiceField(
        label=_("Send to which place?"),
        queryset=None,
        empty_label=CHOOSE,
        error_messages={"required": _("Choose a place."), "invalid_choice": _("Choose a place in the list.")},
    )
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.taking_requests().order_by("commune_name", "name")


NEAREST = "nearest"
CHOSEN = "chosen"


class StaffRequestForm(forms.Form):
    """A request recorded by staff for a person at the desk or on the phone, with their oral consent."""

    need = forms.ChoiceField(
        label=_("What does the person need help with?"), choices=choices(NEEDS), widget=forms.RadioSelect
    )
    where = CommuneField(label=_("Where does the person live?"))
    contact = forms.ChoiceField(
        label=_("How does the person want to be contacted?"),
        choices=ContactPreference.choices,
        widget=forms.RadioSelect,
    )
    phone = forms.CharField(
        label=_("Phone number"), required=False, max_length=30, widget=forms.TextInput(attrs={"inputmode": "tel"})
    )
    email = forms.EmailField(label=_("E-mail address"), required=False)
    first_name = forms.CharField(label=_("First name or nickname"), required=False, max_length=60)
    language = forms.ChoiceField(label=_("Language"), required=False, choices=list(LANGUAGES.items()))
    support = forms.MultipleChoiceField(
        label=_("Specific support"), required=False, choices=list(SUPPORT.items()), widget=forms.CheckboxSelectMultiple
    )
    message = forms.CharField(
        label=_("Context for the place"),
        required=False,
        max_length=1000,
        help_text=NOTE_HELP,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    destination = forms.ChoiceField(
        label=_("Who should help?"),
        widget=forms.RadioSelect,
        initial=NEAREST,
        choices=[
            (NEAREST, _("The nearest suitable place: the places near the person are offered it")),
            (CHOSEN, _("A place I choose")),
        ],
    )
    place = PlaceChoiceField(
        label=_("The place I choose"), queryset=None, required=False, empty_label=_("— choose a place —")
    )
    consent_channel = forms.ChoiceField(
        label=_("How did the person agree?"),
        widget=forms.RadioSelect,
        choices=[
            (ConsentChannel.ORAL_DESK, ConsentChannel.ORAL_DESK.label),
            (ConsentChannel.ORAL_PHONE, ConsentChannel.ORAL_PHONE.label),
        ],
        required=False,  # services.check says it is needed, beside the rest of the consent
    )
    consent = forms.BooleanField(
        label=_("I told the person what we keep, who sees it and for how long, and they agreed"), required=False
    )

    organization = forms.ModelChoiceField(
        label=_("For which of your organisations?"), queryset=None, empty_label=CHOOSE, required=False
    )
    # The form's one-time key: sent twice (a double click), it records one request.
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = Place.objects.taking_requests().order_by("commune_name", "name")
        self.fields["organization"].queryset = organizations
        # The rules of services.check ask for these depending on the other answers.
        needed_for_some_answers(self, "phone", "email", "place", "consent_channel", "consent", "organization")
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
            self.fields["organization"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex

    def new_request(self):
        """The request as recorded at the desk or on the phone, for ``services.check`` and ``submit``."""
        data = self.cleaned_data
        place = data.get("place") if data.get("destination") == CHOSEN else None
        by_phone = data.get("consent_channel") == ConsentChannel.ORAL_PHONE
        return services.NewRequest(
            origin=Origin.REFERRAL if place else (Origin.PHONE_LINE if by_phone else Origin.DESK),
            need=data.get("need", ""),
            commune=data.get("where"),
            contact_preference=data.get("contact", ""),
            consent=data.get("consent", False),
            consent_channel=data.get("consent_channel", ""),
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            language=data.get("language", ""),
            specific_support=tuple(data.get("support", ())),
            message=data.get("message", ""),
            place=place,
            referrer_organization=data.get("organization"),
        )

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        organizations = self.fields["organization"].queryset
        if cleaned.get("organization") is None and "organization" not in self.errors:
            if len(organizations) == 1:
                cleaned["organization"] = organizations[0]
            else:
                self.add_error("organization", _("Choose the organisation you record this request for."))
        if cleaned.get("destination") == CHOSEN and not cleaned.get("place") and "place" not in self.errors:
            self.add_error("place", _("Choose the place, or let the nearest suitable place take it."))
        show_refusals(self, services.check(self.new_request()))
        return cleaned


class InboxFilterForm(forms.Form):
    """Narrow the requests taken by one's places: sent by GET, so that a view can be bookmarked."""

    place = PlaceChoiceField(label=_("Place"), queryset=None, required=False, empty_label=_("All our places"))
    status = forms.ChoiceField(
        label=_("Status"),
        required=False,
        choices=[("", _("All")), ("claimed", _("To contact")), ("appointment", _("Appointment booked"))],
    )
    who = forms.ChoiceField(
        label=_("Followed by"),
        required=False,
        choices=[("", _("Anyone")), ("me", _("Me")), ("nobody", _("Nobody yet"))],
    )

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places

    def apply(self, requests, user):
        if not self.is_valid():
            return requests
        data = self.cleaned_data
        if data["place"]:
            requests = requests.filter(place=data["place"])
        if data["status"]:
            requests = requests.filter(status=data["status"])
        if data["who"] == "me":
            requests = requests.filter(assigned_to=user)
        elif data["who"] == "nobody":
            requests = requests.filter(assigned_to__isnull=True)
        return requests
