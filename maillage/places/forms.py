from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.places import search
from maillage.territory.forms import CommuneField


def _choices(options):
    return [(key, label) for key, (label, _values) in options.items()]


class PlaceSearchForm(forms.Form):
    """The directory's search: sent by GET, so that a search can be bookmarked, printed or shared."""

    where = CommuneField(label=_("Where do you live?"), required=False)
    latitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-90, max_value=90)
    longitude = forms.FloatField(required=False, widget=forms.HiddenInput, min_value=-180, max_value=180)
    need = forms.ChoiceField(
        label=_("What do you need help with?"), required=False,
        choices=[("", _("Anything: show every place")), *_choices(search.NEEDS)],
    )  # fmt: skip
    radius = forms.TypedChoiceField(
        label=_("How far can you go?"), coerce=int, initial=10, required=False,
        choices=[(km, _("Up to %(km)s km") % {"km": km}) for km in search.RADIUS_CHOICES_KM],
    )  # fmt: skip
    free = forms.BooleanField(label=_("Free of charge"), required=False)
    open_now = forms.BooleanField(label=_("Open now"), required=False)
    open_saturday = forms.BooleanField(label=_("Open on Saturday"), required=False)
    modes = forms.MultipleChoiceField(
        label=_("How do you want to be helped?"), required=False,
        choices=_choices(search.SUPPORT_MODES), widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    support = forms.MultipleChoiceField(
        label=_("Do you need specific support?"), required=False,
        choices=_choices(search.SPECIFIC_SUPPORT), widget=forms.CheckboxSelectMultiple,
    )  # fmt: skip
    publics = forms.MultipleChoiceField(
        label=_("Places for"), required=False, choices=_choices(search.PUBLICS), widget=forms.CheckboxSelectMultiple
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
