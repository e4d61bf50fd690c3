from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.territory.models import Commune
from maillage.territory.text import fold


class CommuneWidget(forms.Widget):
    """A text box for a commune name or postcode.

    Without JavaScript, an ambiguous answer comes back with a list of the matching communes to
    choose from (a second field, ``<name>_choice``). With JavaScript, suggestions appear while typing.
    """

    template_name = "territory/commune_widget.html"

    def value_from_datadict(self, data, files, name):
        return {"text": data.get(name, ""), "choice": data.get(f"{name}_choice", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_choice" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text, matches = "", []
        if isinstance(value, dict):
            text = value.get("text", "")
            if text and not _commune_from_choice(value):
                matches = list(Commune.objects.search(text).prefetch_related("postcodes"))
                if len(matches) < 2:
                    matches = []
        elif isinstance(value, Commune):
            text = value.label
        elif value:
            commune = Commune.objects.filter(pk=value).prefetch_related("postcodes").first()
            text = commune.label if commune else ""
        context["widget"].update(text=text, matches=matches, choice_name=f"{name}_choice")
        return context


def _commune_from_choice(value):
    choice = (value.get("choice") or "").strip()
    if not choice:
        return None
    matches = {commune.pk: commune for commune in Commune.objects.search(value.get("text", ""))}
    return matches.get(choice)


class CommuneField(forms.Field):
    widget = CommuneWidget
    default_error_messages = {
        "not_found": _("We cannot find this commune. Check the spelling, or type its postcode."),
        "ambiguous": _("Several communes match. Choose yours in the list."),
    }

    def __init__(self, **kwargs):
        kwargs.setdefault("label", _("Commune or postcode"))
        kwargs.setdefault("help_text", _("For example: Angers or 49000."))
        super().__init__(**kwargs)

    def prepare_value(self, value):
        return value

    def has_changed(self, initial, data):
        try:
            commune = self.to_python(data)
        except forms.ValidationError:
            return True
        initial_code = initial.pk if isinstance(initial, Commune) else initial
        return (commune.pk if commune else None) != (initial_code or None)

    def to_python(self, value):
        if isinstance(value, Commune) or not value:
            return value or None
        if isinstance(value, str):
            value = {"text": value, "choice": ""}
        chosen = _commune_from_choice(value)
        if chosen:
            return chosen
        text = value.get("text", "").strip()
        if not text:
            return None
        matches = list(Commune.objects.search(text, limit=21))
        if len(matches) == 1:
            return matches[0]
        exact = [commune for commune in matches if commune.search_name == fold(text)]
        if len(exact) == 1:
            return exact[0]
        if not matches:
            raise forms.ValidationError(self.error_messages["not_found"], code="not_found")
        raise forms.ValidationError(self.error_messages["ambiguous"], code="ambiguous")
