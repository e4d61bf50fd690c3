"""The public request for help, in three short steps, and the forms of its follow-up page."""

from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from maillage import phones
from maillage.forms import needed_for_some_answers
from maillage.helprequests import services
from maillage.helprequests.models import ConsentChannel, ContactPreference, Origin
from maillage.helprequests.vocabulary import LANGUAGES, MOMENTS, SUPPORT
from maillage.places.vocabulary import NEEDS, choices
from maillage.territory.forms import CommuneField

GO_TO_A_PLACE = "place"
SOMEONE_ELSE = "someone_else"


# The forms' names of the fields of a NewRequest that they name otherwise.
FORM_FIELDS = {
    "commune": "where",
    "contact_preference": "contact",
    "specific_support": "support",
    "preferred_moments": "moments",
}


def show_refusals(form, errors):
    """The rules a new request breaks (``services.check``) beside the form's fields; a field already
    in error keeps its own message (the rule could not be judged on what it holds)."""
    for field, message in errors.items():
        name = FORM_FIELDS.get(field, field)
        name = name if name in form.fields else None
        if name is None or name not in form.errors:
            form.add_error(name, message)


class NeedStep(forms.Form):
    need = forms.ChoiceField(
        label=_("What do you need help with?"),
        choices=choices(NEEDS),
        widget=forms.RadioSelect,
        error_messages={"required": _("Choose what you need help with.")},
    )
    for_whom = forms.ChoiceField(
        label=_("Who needs help?"),
        initial="me",
        widget=forms.RadioSelect,
        required=False,
        choices=[("me", _("Me")), (SOMEONE_ELSE, _("Someone else: I am asking for them"))],
    )


class WhereStep(forms.Form):
    where = CommuneField(label=_("Where do you live?"))

    def __init__(self, *args, for_someone_else=False, **kwargs):
        super().__init__(*args, **kwargs)
        if for_someone_else:
            self.fields["where"].label = _("Where does the person who needs help live?")

    def clean(self):
        cleaned = super().clean()
        if (commune := cleaned.get("where")) is not None and (refusal := services.where_refusal(commune)):
            self.add_error("where", refusal)
        return cleaned


class HowStep(forms.Form):
    contact = forms.ChoiceField(
        label=_("How do you want to be helped?"),
        widget=forms.RadioSelect,
        choices=[*ContactPreference.choices, (GO_TO_A_PLACE, _("I would rather go to a help place myself"))],
        error_messages={"required": _("Choose how you want to be helped.")},
    )
    phone = forms.CharField(
        label=_("Phone number"),
        required=False,
        max_length=30,
        help_text=_("Needed to call you back or send you a text message. For example: 06 12 34 56 78."),
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    email = forms.EmailField(
        label=_("E-mail address"),
        required=False,
        help_text=_("Needed to write to you by e-mail."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    first_name = forms.CharField(
        label=_("First name"),
        required=False,
        max_length=60,
        help_text=_("So that we know who to ask for. A nickname is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "given-name"}),
    )
    moments = forms.MultipleChoiceField(
        label=_("When can we call you?"),
        required=False,
        choices=list(MOMENTS.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    language = forms.ChoiceField(
        label=_("Which language do you prefer?"), required=False, choices=list(LANGUAGES.items())
    )
    support = forms.MultipleChoiceField(
        label=_("Do you need specific support?"),
        required=False,
        choices=list(SUPPORT.items()),
        widget=forms.CheckboxSelectMultiple,
    )
    message = forms.CharField(
        label=_("Anything else we should know?"),
        required=False,
        max_length=1000,
        help_text=_("Do not write details about your health, your money or your papers."),
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    asker_name = forms.CharField(label=_("Your name"), required=False, max_length=120)
    asker_phone = forms.CharField(
        label=_("Your phone number"),
        required=False,
        help_text=_("Your phone number or your e-mail address: at least one, so that we can reach you too."),
        max_length=30,
        widget=forms.TextInput(attrs={"autocomplete": "tel", "inputmode": "tel"}),
    )
    asker_email = forms.EmailField(
        label=_("Your e-mail address"), required=False, widget=forms.EmailInput(attrs={"autocomplete": "email"})
    )
    consent = forms.BooleanField(label=_("I agree that these details are kept to help me"), required=False)
    # A field people never see (hidden by CSS, skipped by keyboard): robots fill it, people do not.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    def __init__(self, *args, for_someone_else=False, asked_for=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.for_someone_else = for_someone_else
        # (need, commune, place or None) of the steps before and the link followed: the rules read them too.
        self.asked_for = asked_for
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Which are needed depends on the way of contact chosen; the hints say when.
        needed_for_some_answers(self, "phone", "email", "asker_phone", "asker_email", "consent")
        if for_someone_else:
            self.fields["phone"].label = _("Phone number of the person who needs help")
            self.fields["email"].label = _("E-mail address of the person who needs help")
            self.fields["first_name"].label = _("First name of the person who needs help")
            self.fields["moments"].label = _("When can we call them?")
            self.fields["language"].label = _("Which language do they prefer?")
            self.fields["support"].label = _("Do they need specific support?")
            self.fields["consent"].label = _("The person agrees that these details are kept to help them")
        else:
            for name in ("asker_name", "asker_phone", "asker_email"):
                del self.fields[name]

    @property
    def retention_months(self):
        return settings.HELP_REQUEST_RETENTION_MONTHS

    def goes_to_a_place(self):
        return self.cleaned_data.get("contact") == GO_TO_A_PLACE

    def is_spam(self):
        return bool(self.cleaned_data.get("website"))

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"])

    def clean_asker_phone(self):
        return phones.cleaned(self.cleaned_data["asker_phone"])

    def new_request(self):
        """The request as typed, for ``services.check`` and ``services.submit``."""
        data, (need, commune, place) = self.cleaned_data, self.asked_for
        return services.NewRequest(
            origin=Origin.RELATIVE if self.for_someone_else else Origin.PERSON,
            need=need,
            commune=commune,
            contact_preference=data.get("contact", ""),
            consent=data.get("consent", False),
            consent_channel=ConsentChannel.ONLINE,
            phone=data.get("phone", ""),
            email=data.get("email", ""),
            first_name=data.get("first_name", ""),
            language=data.get("language", ""),
            specific_support=tuple(data.get("support", ())),
            preferred_moments=tuple(data.get("moments", ())),
            message=data.get("message", ""),
            asked_by_someone_else=self.for_someone_else,
            asker_name=data.get("asker_name", ""),
            asker_phone=data.get("asker_phone", ""),
            asker_email=data.get("asker_email", ""),
            place=place,
        )

    def clean(self):
        cleaned = super().clean()
        contact = cleaned.get("contact")
        if contact and contact != GO_TO_A_PLACE and self.asked_for is not None:
            show_refusals(self, services.check(self.new_request()))
        return cleaned


class PersonMessageForm(forms.Form):
    text = forms.CharField(
        label=_("Add a message"),
        max_length=1000,
        widget=forms.Textarea(attrs={"rows": 3}),
        help_text=_("Do not write details about your health, your money or your papers."),
        error_messages={"required": _("Type your message.")},
    )
