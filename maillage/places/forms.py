import re

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage import phones
from maillage.forms import CHOOSE
from maillage.places.importers.normalize import clean_emails, clean_opening_hours, clean_websites
from maillage.places.models import Place, PlaceCorrection
from maillage.places.schema import ENUMERATIONS
from maillage.places.search import RADIUS_CHOICES_KM
from maillage.places.vocabulary import NEEDS, PUBLICS, SPECIFIC_SUPPORT, SUPPORT_MODES, choices
from maillage.territory.forms import CommuneField
from maillage.territory.text import fold


class PlaceSearchForm(forms.Form):
    """The directory's search: sent by GET, so that a search can be bookmarked, printed or shared."""

    where = CommuneField(label=_("Where do you live?"), required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    need = forms.ChoiceField(
        label=_("What do you need help with?"),
        required=False,
        choices=[("", _("Anything: show every place")), *choices(NEEDS)],
    )
    radius = forms.TypedChoiceField(
        label=_("How far can you go?"),
        coerce=int,
        initial=10,
        required=False,
        choices=[(km, _("Up to %(km)s km") % {"km": km}) for km in RADIUS_CHOICES_KM],
    )
    free = forms.BooleanField(label=_("Free of charge"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    open_saturday = forms.BooleanField(label=_("Open on Saturday"), required=False)
    modes = forms.MultipleChoiceField(
        label=_("How do you want to be helped?"),
        required=False,
        choices=choices(SUPPORT_MODES),
        widget=forms.CheckboxSelectMultiple,
    )
    support = forms.MultipleChoiceField(
        label=_("Do you need specific support?"),
        required=False,
        choices=choices(SPECIFIC_SUPPORT),
        widget=forms.CheckboxSelectMultiple,
    )
    publics = forms.MultipleChoiceField(
        label=_("Places for"), required=False, choices=choices(PUBLICS), widget=forms.CheckboxSelectMultiple
    )

    def clean(self):
        cleaned = super().clean()
        has_position = cleaned.get("latitude") is not None and cleaned.get("longitude") is not None
        commune = cleaned.get("where")
        if not commune and not has_position and not self.errors:
            self.add_error("where", _("Type your commune or your postcode, so that we find the places near you."))
        elif commune is not None and commune.latitude is None:
            self.add_error(
                "where",
                _("We do not know where this commune is yet. Call the help line: we will find a place for you."),
            )
        return cleaned

    def origin(self):
        """(latitude, longitude, label) of where to search from."""
        commune = self.cleaned_data.get("where")
        if commune is not None:
            return commune.latitude, commune.longitude, commune.name
        return self.cleaned_data["latitude"], self.cleaned_data["longitude"], _("your position")

    def search_arguments(self):
        data = self.cleaned_data
        return {
            "radius_km": data.get("radius") or 10,
            "need": data.get("need") or None,
            "free": data.get("free", False),
            "open_now": data.get("open_now", False),
            "open_saturday": data.get("open_saturday", False),
            "support_modes": data.get("modes", []),
            "specific_support": data.get("support", []),
            "publics": data.get("publics", []),
        }


def _enumeration(field, label, help_text=""):
    return forms.MultipleChoiceField(
        label=label,
        help_text=help_text,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        choices=[(value, value) for value in ENUMERATIONS[field]],
    )


def _split(text):
    return [part for part in re.split(r"[\s,;|]+", text or "") if part]


class PlaceEditForm(forms.ModelForm):
    """The owner's listing: the schema's choices, and phone and hours checked with clear errors."""

    LIST_FIELDS = {
        "services": "services",
        "support_modes": "modalites_accompagnement",
        "fees": "frais_a_charge",
        "specific_support": "prise_en_charge_specifique",
        "publics": "publics_specifiquement_adresses",
        "access_modes": "modalites_acces",
    }

    commune = CommuneField()
    phone = forms.CharField(
        label=_("Phone"),
        required=False,
        help_text=_("For example: 02 41 23 45 67."),
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    emails = forms.CharField(label=_("E-mail addresses"), required=False, help_text=_("Separate them with commas."))
    websites = forms.CharField(label=_("Websites"), required=False, help_text=_("Separate them with commas."))
    opening_hours = forms.CharField(
        label=_("Opening hours"),
        required=False,
        help_text=_("In the OpenStreetMap format, for example: Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00."),
    )
    services = _enumeration("services", _("What people can do there"))
    support_modes = _enumeration("modalites_accompagnement", _("How people are helped"))
    fees = _enumeration("frais_a_charge", _("What it costs"))
    specific_support = _enumeration("prise_en_charge_specifique", _("Specific support"))
    publics = _enumeration("publics_specifiquement_adresses", _("Publics the place is especially for"))
    access_modes = _enumeration("modalites_acces", _("How to come"))
    booking_url = forms.URLField(label=_("online booking"), required=False, assume_scheme="https")
    accessibility_sheet_url = forms.URLField(label=_("Acceslibre sheet"), required=False, assume_scheme="https")

    class Meta:
        model = Place
        fields = [
            "name",
            "address",
            "address_complement",
            "postcode",
            "commune",
            "summary",
            "description",
            "booking_url",
            "accessibility_sheet_url",
            "request_radius_km",
        ]
        help_texts = {
            "request_radius_km": _("People living this far or nearer who ask to be called back are offered to you.")
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        place = self.instance
        self.initial.update(
            {
                "phone": place.phone,
                "emails": ", ".join(place.emails),
                "websites": ", ".join(place.websites),
                "opening_hours": place.opening_hours,
                **{name: getattr(place, name) for name in self.LIST_FIELDS},
            }
        )

    def clean_phone(self):
        return phones.cleaned(self.cleaned_data["phone"], self.cleaned_data.get("postcode", ""))

    def clean_emails(self):
        emails = _split(self.cleaned_data["emails"])
        wrong = [email for email in emails if email.lower() not in clean_emails(email)]
        if wrong:
            raise forms.ValidationError(_("This address is not valid: %(address)s") % {"address": wrong[0]})
        return [email.lower() for email in emails]

    def clean_websites(self):
        websites = [part for part in re.split(r"[\s;|]+|,\s+", self.cleaned_data["websites"] or "") if part]
        cleaned = clean_websites(" ".join(websites))
        if len(cleaned) != len(websites):
            raise forms.ValidationError(_("One of these websites is not a valid address."))
        return cleaned

    def clean_opening_hours(self):
        text, valid = clean_opening_hours(self.cleaned_data["opening_hours"])
        if not valid:
            raise forms.ValidationError(
                _("We cannot read these hours. Write them like this: Mo-Fr 09:00-12:00,14:00-17:30; Sa 09:00-12:00.")
            )
        return text

    def _post_clean(self):
        """The listing as typed, on ``self.instance``: ``services.update_listing`` saves it."""
        super()._post_clean()
        place = self.instance
        place.commune_name = place.commune.name if place.commune else place.commune_name
        for name in ("phone", "emails", "websites", "opening_hours", *self.LIST_FIELDS):
            if name in self.cleaned_data:
                setattr(place, name, self.cleaned_data[name])
        place.opening_hours_valid = True


class CorrectionForm(forms.ModelForm):
    # A field people never see (hidden by CSS, skipped by keyboard): robots fill it, people do not.
    website = forms.CharField(required=False, label=_("Leave this field empty"))

    class Meta:
        model = PlaceCorrection
        fields = ["kind", "message", "reporter_contact"]
        widgets = {"kind": forms.RadioSelect, "message": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["website"].widget.attrs.update({"tabindex": "-1", "autocomplete": "off"})
        # Radio buttons need no blank choice: none is ticked until the person chooses.
        self.fields["kind"].choices = [choice for choice in self.fields["kind"].choices if choice[0]]
        self.fields["reporter_contact"].help_text = _("We only use it to answer you, then we delete it.")

    def is_spam(self):
        return bool(self.cleaned_data.get("website"))


def place_label(place):
    """'Médiathèque Toussaint — Angers': a place as lists show it (two places may share a name)."""
    return f"{place.name} — {place.commune_name}" if place.commune_name else place.name


def matching_places(typed, places):
    """The places a person means by ``typed``: the one whose label or name it is (accents and case
    aside), else those whose label has a word beginning with each word typed ("media touss")."""
    wanted = fold(typed)
    exact = [place for place in places if wanted in (fold(place_label(place)), fold(place.name))]
    if exact:
        return exact
    typed_words = wanted.split()

    def holds_every_word(place):
        words = fold(place_label(place)).split()
        return all(any(word.startswith(start) for word in words) for start in typed_words)

    return [place for place in places if typed_words and holds_every_word(place)]


class MemberPlaceField(forms.ModelChoiceField):
    """One of a member's places, for the task at hand: never a place nobody chose.

    ``offer`` sets the choices: a member with one place is not asked (the field is hidden, set to it);
    otherwise the place this member used last for the same task is proposed, and with none, nothing
    is: "— Choose —" comes first and the form asks.
    """

    def __init__(self, **kwargs):
        kwargs.setdefault("empty_label", CHOOSE)
        kwargs.setdefault(
            "error_messages", {"required": _("Choose a place."), "invalid_choice": _("Choose a place in the list.")}
        )
        super().__init__(queryset=Place.objects.none(), **kwargs)

    def label_from_instance(self, place):
        return place_label(place)

    def offer(self, places, last_used=None):
        """Offers ``places`` (a queryset); ``last_used``: the pk of the place this member used last."""
        self.queryset = places
        offered = list(places.values_list("pk", flat=True)[:2])
        if len(offered) == 1:
            self.initial = offered[0]
            self.widget = forms.HiddenInput()
        elif last_used is not None and places.filter(pk=last_used).exists():
            self.initial = last_used
        else:
            self.initial = None
