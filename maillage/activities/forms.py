"""The activity record form: one screen, one thumb, the common case in a few taps.

Defaults do the usual: an individual accompaniment, today, at my place, done. What is left to
choose: how long, the themes, and how autonomous the person was.
"""

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.activities.models import Autonomy, Kind, Outcome, Setting
from maillage.activities.themes import ADMINISTRATIVE_SUBTHEMES, THEMES
from maillage.places.models import Place
from maillage.territory.forms import CommuneField

OTHER = "other"
DURATIONS = [("15", _("15 min")), ("30", _("30 min")), ("45", _("45 min")), ("60", _("1 h")),
             ("90", _("1 h 30")), ("120", _("2 h")), (OTHER, _("Other"))]  # fmt: skip


class AccompanimentForm(forms.Form):
    kind = forms.ChoiceField(label=_("What kind?"), choices=Kind.choices, initial=Kind.INDIVIDUAL,
                             widget=forms.RadioSelect)  # fmt: skip
    day = forms.DateField(
        label=_("Day"), help_text=_("For example: 3/12/2026"),
        # A text box, not type=date: browsers order a date field's parts by their own language.
        widget=forms.DateInput(format="%d/%m/%Y", attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": _("Type the day."), "invalid": _("Type a day such as 3/12/2026.")},
    )  # fmt: skip
    duration = forms.ChoiceField(label=_("How long?"), choices=DURATIONS, widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose how long it lasted.")})  # fmt: skip
    other_duration = forms.IntegerField(label=_("Other duration, in minutes"), required=False, min_value=1,
                                        max_value=600)  # fmt: skip
    setting = forms.ChoiceField(label=_("Where?"), choices=Setting.choices, initial=Setting.PLACE,
                                widget=forms.RadioSelect)  # fmt: skip
    place = forms.ModelChoiceField(label=_("Which of my places?"), queryset=Place.objects.none(), required=False,
                                   empty_label=None)  # fmt: skip
    commune = CommuneField(label=_("The person's commune (at home)"), required=False)
    themes = forms.MultipleChoiceField(
        label=_("Themes"), choices=list(THEMES.items()), widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Choose at least one theme.")},
    )  # fmt: skip
    administrative_subthemes = forms.MultipleChoiceField(
        label=_("Which procedures? (help with administrative procedures)"), required=False,
        choices=list(ADMINISTRATIVE_SUBTHEMES.items()), widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    autonomy = forms.ChoiceField(label=_("How autonomous was the person?"), choices=Autonomy.choices,
                                 widget=forms.RadioSelect,
                                 error_messages={"required": _("Choose how autonomous the person was.")})  # fmt: skip
    outcome = forms.ChoiceField(label=_("Outcome"), choices=Outcome.choices, initial=Outcome.DONE,
                                widget=forms.RadioSelect)  # fmt: skip
    referred_to = forms.CharField(
        label=_("Referred to"), required=False, max_length=200,
        help_text=_("A place or a kind of service, such as: the CAF, a France Services."),
    )  # fmt: skip
    participants = forms.IntegerField(label=_("Number of people (collective workshop)"), min_value=1, max_value=200,
                                      initial=1)  # fmt: skip
    # The help request the record is about, when it comes from one (checked again by the view).
    help_request = forms.IntegerField(widget=forms.HiddenInput, required=False)
    note = forms.CharField(
        label=_("Note"), required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 2}),
        help_text=_("For you and your colleagues. Never write health, money or family details, nor a name."),
    )  # fmt: skip

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places
        first = places.first()
        self.fields["place"].initial = first.pk if first else None
        self.fields["day"].initial = timezone.localdate()
        if first is None:  # an organisation without a place records at home or at a distance
            self.fields["setting"].choices = [choice for choice in Setting.choices if choice[0] != Setting.PLACE]
            self.fields["setting"].initial = Setting.REMOTE
            del self.fields["place"]

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
        at_place = data["setting"] == Setting.PLACE
        return {
            "kind": data["kind"], "day": data["day"], "setting": data["setting"],
            "duration_minutes": data["other_duration"] if data["duration"] == OTHER else int(data["duration"]),
            "place": data.get("place") if at_place else None,
            "commune": data.get("commune") if data["setting"] == Setting.HOME else None,
            "themes": data["themes"], "administrative_subthemes": data["administrative_subthemes"],
            "autonomy": data["autonomy"], "outcome": data["outcome"],
            "referred_to": data["referred_to"] if data["outcome"] == Outcome.REFERRED else "",
            "participants": data["participants"] if data["kind"] == Kind.COLLECTIVE else 1, "note": data["note"],
        }  # fmt: skip

    @classmethod
    def initial_from(cls, accompaniment):
        """The form's values for an existing record (to correct it)."""
        minutes = str(accompaniment.duration_minutes)
        known = minutes in dict(DURATIONS)
        return {
            "kind": accompaniment.kind, "day": accompaniment.day, "setting": accompaniment.setting,
            "duration": minutes if known else OTHER,
            "other_duration": None if known else accompaniment.duration_minutes,
            "place": accompaniment.place_id, "commune": accompaniment.commune, "themes": accompaniment.themes,
            "administrative_subthemes": accompaniment.administrative_subthemes, "autonomy": accompaniment.autonomy,
            "outcome": accompaniment.outcome, "referred_to": accompaniment.referred_to,
            "participants": accompaniment.participants, "note": accompaniment.note,
        }  # fmt: skip
