from django import forms
from django.conf import settings
from django.utils.translation import gettext_lazy as _

from maillage.territory import reading
from maillage.territory.models import Commune


class CommuneWidget(forms.Widget):
    """A text box for a commune name or postcode.

    When what was typed asks a question (reading.py), the communes to choose from come back as
    radio buttons (a second field, ``<name>_choice``), each saying its département and whether it is
    outside the territory: this works without JavaScript. With JavaScript, suggestions appear while
    typing.
    """

    template_name = "territory/commune_widget.html"

    def value_from_datadict(self, data, files, name):
        return {"text": data.get(name, ""), "choice": data.get(f"{name}_choice", "")}

    def value_omitted_from_data(self, data, files, name):
        return name not in data and f"{name}_choice" not in data

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        text, choices = "", []
        if isinstance(value, dict):
            text = value.get("text", "")
            understood = reading.read(text, value.get("choice"))
            if understood.commune and value.get("choice"):
                text = understood.commune.label  # what was chosen replaces what was typed
            choices = understood.choices
        elif isinstance(value, Commune):
            text = value.label
        elif value:
            commune = Commune.objects.filter(pk=value).prefetch_related("postcodes").first()
            text = commune.label if commune else ""
        context["widget"].update(text=text, choices=choices, choice_name=f"{name}_choice")
        return context


class CommuneField(forms.Field):
    widget = CommuneWidget
    default_error_messages = {
        reading.Question.NOT_FOUND: _("We cannot find this commune. Check the spelling, or type its postcode."),
        reading.Question.AMBIGUOUS: _("Several communes match. Choose yours in the list."),
        reading.Question.DID_YOU_MEAN: _(
            "Did you mean one of these communes? Choose it in the list, or correct what you typed."
        ),
        reading.Question.OUTSIDE: _(
            "This commune is not in the territory served here (%(territory)s). To keep it, choose it in the list; "
            "otherwise correct what you typed."
        ),
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
        understood = reading.read(value.get("text", ""), value.get("choice"))
        if understood.commune or understood.typed_nothing:
            return understood.commune
        raise forms.ValidationError(
            self.error_messages[understood.question],
            code=understood.question,
            params={"territory": settings.TERRITORY_NAME},
        )
