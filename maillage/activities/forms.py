"""The activity record form: one screen, one thumb, the common case in a few taps.

Defaults do the usual: an individual accompaniment, today, at my place, done. What is left to
choose: how long, the themes, and how autonomous the person was.
"""

import datetime
import re

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage import formatting, phones
from maillage.activities.models import Autonomy, ConsentPurpose, ConsentWay, Gender, Kind, Level, Outcome, Setting
from maillage.activities.themes import ADMINISTRATIVE_SUBTHEMES, THEMES
from maillage.forms import CHOOSE, needed_for_some_answers
from maillage.passes.models import AgeBand
from maillage.places.forms import MemberPlaceField
from maillage.territory.forms import CommuneField

OTHER = "other"
DURATIONS = [
    ("15", _("15 min")),
    ("30", _("30 min")),
    ("45", _("45 min")),
    ("60", _("1 h")),
    ("90", _("1 h 30")),
    ("120", _("2 h")),
    (OTHER, _("Other")),
]


class AccompanimentForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What kind?"), choices=Kind.choices, initial=Kind.INDIVIDUAL, widget=forms.RadioSelect
    )
    day = forms.DateField(
        label=_("Day"),
        help_text=_("For example: 3/12/2026"),
        # A text box, not type=date: browsers order a date field's parts by their own language.
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Type the day."), "invalid": _("Type a day such as 3/12/2026.")},
    )
    duration = forms.ChoiceField(
        label=_("How long?"),
        choices=DURATIONS,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how long it lasted.")},
    )
    other_duration = forms.IntegerField(
        label=_("Other duration, in minutes"), required=False, min_value=1, max_value=600
    )
    setting = forms.ChoiceField(
        label=_("Where?"), choices=Setting.choices, initial=Setting.PLACE, widget=forms.RadioSelect
    )
    place = MemberPlaceField(label=_("Which of my places?"), required=False)
    commune = CommuneField(label=_("The person's commune (at home)"), required=False)
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=list(THEMES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one theme.")},
    )
    administrative_subthemes = forms.MultipleChoiceField(
        label=_("Which procedures? (help with administrative procedures)"),
        required=False,
        choices=list(ADMINISTRATIVE_SUBTHEMES.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    autonomy = forms.ChoiceField(
        label=_("How autonomous was the person?"),
        choices=Autonomy.choices,
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose how autonomous the person was.")},
    )
    outcome = forms.ChoiceField(
        label=_("Outcome"), choices=Outcome.choices, initial=Outcome.DONE, widget=forms.RadioSelect
    )
    referred_to = forms.CharField(
        label=_("Referred to"),
        required=False,
        max_length=200,
        help_text=_("A place or a kind of service, such as: the CAF, a France Services."),
    )
    participants = forms.IntegerField(
        label=_("Number of people (collective workshop)"), min_value=1, max_value=200, initial=1
    )
    beneficiary = forms.ModelChoiceField(
        label=_("The person"),
        required=False,
        queryset=None,
        empty_label=_("Anonymous (no record)"),
        help_text=_("Choose a record only if the person agreed to have one."),
    )
    first_time = forms.BooleanField(
        label=_("It was the person's first accompaniment with us"),
        required=False,
        help_text=_("For a person with a record, it is worked out from their history."),
    )
    redemptions = forms.ModelMultipleChoiceField(
        label=_("Pass numérique taken for this accompaniment"),
        required=False,
        queryset=None,
        widget=forms.CheckboxSelectMultiple,
    )
    # The help request the record is about, when it comes from one (checked again by the view).
    help_request = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For you and your colleagues. Never write health, money or family details, nor a name."),
    )

    def __init__(self, *args, places, people, redemptions, last_used=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["beneficiary"].queryset = people
        if not people.exists():  # opened from a person's record only; anonymous otherwise
            del self.fields["beneficiary"]
        self.fields["redemptions"].queryset = redemptions
        self.fields["redemptions"].label_from_instance = _redemption_label
        if not redemptions.exists():  # nothing to link: no empty question
            del self.fields["redemptions"]
        self.fields["place"].offer(places, last_used)
        # Needed with "at my place", "other" and "referred": the form says so when they are.
        needed_for_some_answers(self, "place", "other_duration", "referred_to")
        self.fields["day"].initial = timezone.localdate()
        if not places.exists():  # an organisation without a place records at home or at a distance
            self.fields["setting"].choices = [choice for choice in Setting.choices if choice[0] != Setting.PLACE]
            self.fields["setting"].initial = Setting.REMOTE
            del self.fields["place"]

    def clean_day(self):
        day = self.cleaned_data["day"]
        if day > timezone.localdate():
            raise forms.ValidationError(
                _("This day is still to come. Record an accompaniment once it has taken place.")
            )
        return day

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("duration") == OTHER and not cleaned.get("other_duration"):
            self.add_error("other_duration", _("Type the duration in minutes."))
        if cleaned.get("setting") == Setting.PLACE and not cleaned.get("place"):
            self.add_error("place", _("Choose the place."))
        if cleaned.get("outcome") == Outcome.REFERRED and not cleaned.get("referred_to"):
            self.add_error("referred_to", _("Say where the person was referred."))
        return cleaned

    def record_fields(self):
        data = self.cleaned_data
        return {
            "kind": data["kind"],
            "day": data["day"],
            "setting": data["setting"],
            "duration_minutes": data["other_duration"] if data["duration"] == OTHER else int(data["duration"]),
            "place": data.get("place"),  # at a distance or at home too: the place the work counts for
            "commune": data.get("commune") if data["setting"] == Setting.HOME else None,
            "themes": data["themes"],
            "administrative_subthemes": data["administrative_subthemes"],
            "autonomy": data["autonomy"],
            "outcome": data["outcome"],
            "referred_to": data["referred_to"] if data["outcome"] == Outcome.REFERRED else "",
            "participants": data["participants"] if data["kind"] == Kind.COLLECTIVE else 1,
            "note": data["note"],
            "beneficiary": data.get("beneficiary"),
            "first_time": data["first_time"],
            "redemptions": list(data.get("redemptions") or []),
        }

    @classmethod
    def initial_from(cls, accompaniment):
        """The form's values for an existing record (to correct it)."""
        minutes = str(accompaniment.duration_minutes)
        known = minutes in dict(DURATIONS)
        return {
            "kind": accompaniment.kind,
            "day": accompaniment.day,
            "setting": accompaniment.setting,
            "duration": minutes if known else OTHER,
            "other_duration": None if known else accompaniment.duration_minutes,
            "place": accompaniment.place_id,
            "commune": accompaniment.commune,
            "themes": accompaniment.themes,
            "administrative_subthemes": accompaniment.administrative_subthemes,
            "autonomy": accompaniment.autonomy,
            "outcome": accompaniment.outcome,
            "referred_to": accompaniment.referred_to,
            "participants": accompaniment.participants,
            "note": accompaniment.note,
            "beneficiary": accompaniment.beneficiary_id,
            "first_time": accompaniment.first_time,
            "redemptions": list(accompaniment.redemptions.values_list("pk", flat=True)),
        }


def _redemption_label(redemption):
    return _("%(time)s at %(place)s: %(service)s, %(count)s pass(es)") % {
        "time": formatting.moment(redemption.redeemed_at, weekday=False, year=True),
        "place": formatting.after_a(redemption.place.name),
        "service": redemption.get_service_display(),
        "count": redemption.pass_count,
    }


EDITABLE_PERSON_FIELDS = [
    "first_name",
    "birth_year_band",
    "commune",
    "phone",
    "email",
    "consent_way",
    "consent_purposes",
]


class PersonForm(forms.Form):
    """A beneficiary record: the least that helps follow the person, and the consent they gave."""

    first_name = forms.CharField(
        label=_("First name or pseudonym"),
        max_length=60,
        error_messages={"required": _("Type a first name or a pseudonym.")},
    )
    birth_year_band = forms.ChoiceField(
        label=_("Age"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("Not said")), *AgeBand.choices],
    )
    commune = CommuneField(label=_("Commune where the person lives"), required=False)
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        max_length=30,
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        error_messages={"invalid": _("Type an e-mail address such as name@example.fr.")},
    )
    consent_way = forms.ChoiceField(
        label=_("How did the person agree?"),
        choices=ConsentWay.choices,
        widget=forms.RadioSelect,
        initial=ConsentWay.ORAL,
        error_messages={"required": _("Say how the person agreed.")},
    )
    consent_purposes = forms.MultipleChoiceField(
        label=_("The person agreed that we"),
        choices=ConsentPurpose.choices,
        widget=forms.CheckboxSelectMultiple,
        initial=[ConsentPurpose.FOLLOW_UP],
        error_messages={"required": _("Say what the person agreed to.")},
    )
    consent_given = forms.BooleanField(
        label=_(
            "I told the person what this record holds, that it stays in our organisation, and that they "
            "can see it or have it deleted at any time. They agreed."
        ),
        error_messages={"required": _("A record needs the person's agreement. Without it, record anonymously.")},
    )

    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, organizations, **kwargs):
        super().__init__(*args, **kwargs)
        if organizations is None:  # changing a record: it stays in its organisation
            del self.fields["submission_key"]
        elif len(organizations) > 1:  # a member of several organisations says whose record it is
            self.fields["organization"] = forms.ModelChoiceField(
                label=_("Which organisation accompanies the person?"), queryset=organizations, empty_label=CHOOSE
            )
            self.order_fields(["organization"])
        self.organizations = organizations

    def creation_fields(self):
        return {
            "organization": self.cleaned_data.get("organization") or self.organizations.first(),
            "submission_key": valid_submission_key(self.cleaned_data.get("submission_key")),
        }

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        wants_contact = ConsentPurpose.CONTACT in (cleaned.get("consent_purposes") or [])
        if wants_contact and not (cleaned.get("phone") or cleaned.get("email")) and "phone" not in self.errors:
            self.add_error("phone", _("To contact the person, type their phone number or e-mail."))
        return cleaned

    def person_fields(self):
        return {name: self.cleaned_data[name] for name in EDITABLE_PERSON_FIELDS}

    @staticmethod
    def initial_from(beneficiary):
        return {name: getattr(beneficiary, name) for name in EDITABLE_PERSON_FIELDS}


class MergeForm(forms.Form):
    duplicate = forms.ModelChoiceField(
        label=_("The other record of the same person"),
        queryset=None,
        error_messages={"required": _("Choose the other record.")},
    )
    confirmed = forms.BooleanField(
        label=_("It is the same person. Their history is gathered here; the other record is erased."),
        error_messages={"required": _("Tick the box to confirm it is the same person.")},
    )

    def __init__(self, *args, others, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["duplicate"].queryset = others
        self.fields["duplicate"].label_from_instance = _person_label


def _person_label(beneficiary):
    details = [beneficiary.get_birth_year_band_display(), beneficiary.commune.name if beneficiary.commune else ""]
    details = ", ".join(detail for detail in details if detail)
    return f"{beneficiary.first_name} ({details})" if details else beneficiary.first_name


# Workshops -------------------------------------------------------------------------------------

DAY_FIELD_ERRORS = {"required": _("Type the day."), "invalid": _("Type a day such as 3/12/2026.")}


def _day_field(label, required=True):
    return forms.DateField(
        label=label,
        required=required,
        help_text=_("For example: 3/12/2026"),
        error_messages=DAY_FIELD_ERRORS,
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )


class WorkshopForm(forms.Form):
    place = MemberPlaceField(label=_("Where?"))
    title = forms.CharField(
        label=_("Title"),
        max_length=120,
        help_text=_("For example: Send a photo by e-mail"),
        error_messages={"required": _("Type a title.")},
    )
    level = forms.ChoiceField(label=_("Level"), choices=Level.choices, initial=Level.BEGINNER, widget=forms.RadioSelect)
    themes = forms.MultipleChoiceField(
        label=_("Themes"),
        choices=list(THEMES.items()),
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one theme.")},
    )
    description = forms.CharField(
        label=_("What we will do, in plain words"),
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 4}),
        help_text=_("Short sentences, everyday words. Say what to bring (a phone, glasses…)."),
        error_messages={"required": _("Say what you will do.")},
    )
    capacity = forms.IntegerField(
        label=_("Number of places"),
        min_value=1,
        max_value=200,
        initial=8,
        error_messages={"required": _("Type the number of places.")},
    )
    duration_minutes = forms.IntegerField(label=_("Duration, in minutes"), min_value=15, max_value=480, initial=120)
    first_day = _day_field(_("Day of the (first) session"))
    start_time = forms.TimeField(
        label=_("Time"),
        help_text=_("For example: 14:00"),
        widget=forms.TimeInput(format="%H:%M", attrs={"inputmode": "numeric"}),
        error_messages={"required": _("Type the time."), "invalid": _("Type a time such as 14:00.")},
    )
    repeat_weeks = forms.IntegerField(
        label=_("Repeat every week, how many more times?"),
        min_value=0,
        max_value=12,
        initial=0,
        help_text=_("0 for a single session; 5 for six sessions, one a week."),
    )
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, places, last_used=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer(places, last_used)

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("first_day") and cleaned.get("start_time"):
            start = timezone.make_aware(datetime.datetime.combine(cleaned["first_day"], cleaned["start_time"]))
            if start <= timezone.now():
                self.add_error("first_day", _("Choose a day to come."))
            elif start.date() > timezone.localdate() + datetime.timedelta(days=2 * 365):
                self.add_error("first_day", _("Choose a day within the next two years."))
            cleaned["first_start"] = start
        return cleaned

    def workshop_fields(self):
        data = self.cleaned_data
        return {
            name: data[name]
            for name in (
                "place",
                "title",
                "level",
                "themes",
                "description",
                "capacity",
                "duration_minutes",
                "first_start",
                "repeat_weeks",
            )
        } | {"submission_key": valid_submission_key(data.get("submission_key"))}


def valid_submission_key(value):
    """The hidden key a form carries so that sending it twice acts once; anything else is ignored."""
    return value if re.fullmatch(r"[0-9a-f]{32}", value or "") else ""


class WorkshopSearchForm(forms.Form):
    """The public search of workshops, sent by GET so that it can be bookmarked or printed."""

    where = CommuneField(label=_("Where do you live?"), required=False)
    radius = forms.TypedChoiceField(
        label=_("How far can you go?"),
        coerce=int,
        initial=20,
        required=False,
        choices=[(km, _("Up to %(km)s km") % {"km": km}) for km in (5, 10, 20, 50)],
    )
    theme = forms.ChoiceField(label=_("Theme"), required=False, choices=[("", _("Any theme")), *THEMES.items()])
    from_day = _day_field(_("From"), required=False)


class RegistrationForm(forms.Form):
    """Registering without an account: a first name, and a phone or an e-mail for the reminder."""

    first_name = forms.CharField(
        label=_("Your first name"), max_length=60, error_messages={"required": _("Type your first name.")}
    )
    phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        max_length=30,
        help_text=_("A mobile phone gets a text message the day before."),
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "tel"}),
    )
    email = forms.EmailField(
        label=_("Or your e-mail"),
        required=False,
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
        error_messages={"invalid": _("Type an e-mail address such as name@example.fr.")},
    )
    website = forms.CharField(required=False, label=_("Leave this field empty"))
    submission_key = forms.CharField(required=False, widget=forms.HiddenInput)

    def __init__(self, *args, staff=False, people=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        if staff:  # a member registers someone: a person's record may stand for the details
            del self.fields["website"]
            self.fields["first_name"].required = False
            self.fields["first_name"].label = _("First name")
            self.fields["phone"].label = _("Phone")
            self.fields["email"].label = _("E-mail")
            self.fields["beneficiary"] = forms.ModelChoiceField(
                label=_("Or a person with a record"),
                required=False,
                queryset=people,
                empty_label=_("No record"),
            )
        self.staff = staff

    def clean_submission_key(self):
        return valid_submission_key(self.cleaned_data["submission_key"])

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"])

    def clean(self):
        cleaned = super().clean()
        beneficiary = cleaned.get("beneficiary")
        if self.staff and beneficiary:
            cleaned["first_name"] = cleaned.get("first_name") or beneficiary.first_name
            if ConsentPurpose.CONTACT in beneficiary.consent_purposes:  # else no message goes to the person
                cleaned["phone"] = cleaned.get("phone") or beneficiary.phone
                cleaned["email"] = cleaned.get("email") or beneficiary.email
            return cleaned
        if self.staff and not cleaned.get("first_name") and "first_name" not in self.errors:
            self.add_error("first_name", _("Type the person's first name, or choose their record."))
        unreachable = not (cleaned.get("phone") or cleaned.get("email") or {"phone", "email"} & set(self.errors))
        if not self.staff and unreachable:
            self.add_error("phone", _("Type a phone number or an e-mail, so that we can remind you."))
        return cleaned

    def is_spam(self):
        return bool(self.cleaned_data.get("website"))


class AttendanceForm(forms.Form):
    present = forms.ModelMultipleChoiceField(
        label=_("Who came?"), queryset=None, required=False, widget=forms.CheckboxSelectMultiple
    )
    others = forms.IntegerField(label=_("People who came without registering"), min_value=0, max_value=200, initial=0)
    autonomy = forms.ChoiceField(
        label=_("How autonomous were the participants, mostly?"),
        choices=Autonomy.choices,
        initial=Autonomy.WITH_HELP,
        widget=forms.RadioSelect,
    )
    note = forms.CharField(
        label=_("Note"),
        required=False,
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("Never write health, money or family details."),
    )

    def __init__(self, *args, registrations, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["present"].queryset = registrations
        self.fields["present"].label_from_instance = lambda registration: registration.first_name
        self.fields["present"].initial = list(registrations.values_list("pk", flat=True))
        # Anonymous counts of everyone who came, by age band and by gender (optional).
        for key, label in AgeBand.choices:
            self.fields[f"age_{key}"] = forms.IntegerField(label=label, min_value=0, max_value=200, required=False)
        for key, label in Gender.choices:
            self.fields[f"gender_{key}"] = forms.IntegerField(label=label, min_value=0, max_value=200, required=False)

    def age_fields(self):
        return [self[f"age_{key}"] for key in AgeBand.values]

    def gender_fields(self):
        return [self[f"gender_{key}"] for key in Gender.values]

    def clean(self):
        cleaned = super().clean()
        total = len(cleaned.get("present") or []) + (cleaned.get("others") or 0)
        if "others" in cleaned and total == 0:
            self.add_error("present", _("Tick who came, or count the people who came without registering."))
        for prefix, keys in (("age", AgeBand.values), ("gender", Gender.values)):
            counted = sum(cleaned.get(f"{prefix}_{key}") or 0 for key in keys)
            if counted > total:
                self.add_error(
                    f"{prefix}_{keys[0]}",
                    _("These counts add up to more than the %(total)s people who came.") % {"total": total},
                )
        return cleaned

    def counts(self, prefix):
        keys = AgeBand.values if prefix == "age" else Gender.values
        return {key: self.cleaned_data.get(f"{prefix}_{key}") or 0 for key in keys}
