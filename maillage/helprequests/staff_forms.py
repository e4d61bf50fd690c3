"""Forms of the staff side: claim, answer a referral, log a contact, book, close."""

from datetime import datetime

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.helprequests.models import ContactAttempt, Outcome
from maillage.helprequests.states import DECLINE_REASONS

NOTE_HELP = _("For your colleagues and the referrer only; the person never sees it. No health or money details.")


def _note():
    return forms.CharField(label=_("Note (optional)"), required=False, max_length=1000, help_text=NOTE_HELP,
                           widget=forms.Textarea(attrs={"rows": 2}))  # fmt: skip


class ClaimForm(forms.Form):
    place = forms.ModelChoiceField(label=_("For which of your places?"), queryset=None, empty_label=None)

    def __init__(self, *args, places, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].queryset = places


class DeclineForm(forms.Form):
    reason = forms.ChoiceField(
        label=_("Why can't you take it?"), choices=list(DECLINE_REASONS.items()), widget=forms.RadioSelect,
        error_messages={"required": _("Choose a reason: the referrer needs it to find another place.")},
    )  # fmt: skip
    note = _note()


class ContactAttemptForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("What happened?"), choices=ContactAttempt.Kind.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose what happened.")},
    )  # fmt: skip


class AppointmentForm(forms.Form):
    day = forms.DateField(
        label=_("Day"), help_text=_("For example: 3/12/2026"), widget=forms.DateInput(attrs={"type": "date"}),
        error_messages={"required": _("Type the day of the appointment."),
                        "invalid": _("Type a day such as 3/12/2026.")},
    )  # fmt: skip
    time = forms.TimeField(
        label=_("Time"), help_text=_("For example: 14:30"), widget=forms.TimeInput(attrs={"type": "time"}),
        error_messages={"required": _("Type the time of the appointment."), "invalid": _("Type a time such as 14:30.")},
    )  # fmt: skip
    note = _note()

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("day") and cleaned.get("time"):
            moment = timezone.make_aware(datetime.combine(cleaned["day"], cleaned["time"]))
            if moment < timezone.now():
                self.add_error("day", _("This moment is already past. Choose a day and a time to come."))
            cleaned["moment"] = moment
        return cleaned


class CloseForm(forms.Form):
    outcome = forms.ChoiceField(
        label=_("How did it end?"), choices=Outcome.choices, widget=forms.RadioSelect,
        error_messages={"required": _("Choose how it ended.")},
    )  # fmt: skip
    note = _note()


class AssignForm(forms.Form):
    member = forms.ModelChoiceField(label=_("Who follows this request?"), queryset=None, empty_label=_("Nobody yet"),
                                    required=False)  # fmt: skip

    def __init__(self, *args, members, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["member"].label_from_instance = lambda user: user.get_full_name() or user.email
