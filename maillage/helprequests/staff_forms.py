"""Forms of the staff side: claim, answer a referral, log a contact, book, close."""

import re
import uuid
from datetime import datetime

from django import forms
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage import phones
from maillage.helprequests.forms import require_the_chosen_contact
from maillage.helprequests.models import ConsentChannel, ContactAttempt, ContactPreference, Outcome
from maillage.helprequests.states import DECLINE_REASONS
from maillage.helprequests.vocabulary import LANGUAGES, SUPPORT
from maillage.places.models import Place
from maillage.places.vocabulary import NEEDS, choices
from maillage.territory.forms import CommuneField

NOTE_HELP = _("For your colleagues and the referrer only; the person never sees it. No health or money details.")


def _note():
    return forms.CharField(
        label=_("Note (optional)"),
        required=False,
        max_length=1000,
        help_text=NOTE_HELP,
        widget=forms.Textarea(attrs={"rows": 2}),
    )


class ClaimForm(forms.Form):
    place = forms.ModelChoiceField(label=_("For which of your places?"), queryset=None, empty_label=None)

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
    note = _note()

    REMOTE = "remote"

    def __init__(self, *args, places=(), default_place=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.places = {str(place.pk): place for place in places}
        self.fields["where"].choices = [
            *((key, place.name) for key, place in self.places.items()),
            (self.REMOTE, _("At a distance: we call the person at that time")),
        ]
        self.fields["where"].initial = str(default_place.pk) if default_place else self.REMOTE

    def clean(self):
        cleaned = super().clean()
        where = cleaned.get("where") or self.fields["where"].initial  # the request's place unless chosen
        cleaned["place"] = self.places.get(where)
        cleaned["remote"] = where == self.REMOTE
        if cleaned.get("day") and cleaned.get("time"):
            moment = timezone.make_aware(datetime.combine(cleaned["day"], cleaned["time"]))
            if moment < timezone.now():
                self.add_error("day", _("This moment is already past. Choose a day and a time to come."))
            cleaned["moment"] = moment
        return cleaned


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"),
        choices=Outcome.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it ended.")},
    )
    note = _note()


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(
        label=_("Who follows this request?"), queryset=None, empty_label=_("Nobody yet"), required=False
    )

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda user: user.get_full_name() or user.email


def receiving_places():
    """Places that can receive a referral: published, and kept by an organisation whose members
    answer, or with an e-mail address to send the place a link to answer without an account."""
    return (
        Place.objects.published().filter(Q(organization__isnull=False) | ~Q(emails=[])).order_by("commune_name", "name")
    )


class PlaceChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, place):
        return f"{place.name} — {place.commune_name}"


class ReferForm(forms.Form):
    place = PlaceChoiceField(
        label=_("Send to which place?"),
        queryset=None,
        empty_label=None,
        error_messages={"required": _("Choose a place."), "invalid_choice": _("Choose a place in the list.")},
    )
    note = _note()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = receiving_places()


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
        error_messages={"required": _("Say how the person gave their agreement.")},
    )
    consent = forms.BooleanField(
        label=_("I told the person what we keep, who sees it and for how long, and they agreed"),
        error_messages={"required": _("Without the person's agreement, nothing can be recorded.")},
    )

    organization = forms.ModelChoiceField(
        label=_("For which of your organisations?"), queryset=None, empty_label=None, required=False
    )
    # The form's one-time key: sent twice (a double click), it records one request.
    submission = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = receiving_places()
        self.fields["organization"].queryset = organizations
        if len(organizations) == 1:
            self.fields["organization"].initial = organizations[0].pk
            self.fields["organization"].widget = forms.HiddenInput()
        if not self.is_bound:
            self.initial["submission"] = uuid.uuid4().hex

    def submission_key(self):
        key = self.cleaned_data.get("submission", "")
        return f"desk:{key}" if re.fullmatch(r"[0-9a-f]{32}", key) else None

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        require_the_chosen_contact(
            self,
            cleaned,
            _("Type a phone number, so that the place can reach the person."),
            _("Type an e-mail address, so that the place can write to the person."),
        )
        organizations = self.fields["organization"].queryset
        if cleaned.get("organization") is None and "organization" not in self.errors:
            if len(organizations) == 1:
                cleaned["organization"] = organizations[0]
            else:
                self.add_error("organization", _("Choose the organisation you record this request for."))
        if cleaned.get("destination") == CHOSEN and not cleaned.get("place") and "place" not in self.errors:
            self.add_error("place", _("Choose the place, or let the nearest suitable place take it."))
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
