"""Forms of the Pass numérique: a programme, an order, booklets for a distributor, a handover, a redemption."""

import re
import uuid
from decimal import Decimal, InvalidOperation

from django import forms
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Organization
from maillage.forms import CHOOSE
from maillage.passes.models import AgeBand, FundingOrder, Public, Service
from maillage.places.forms import MemberPlaceField
from maillage.places.models import Place
from maillage.territory.forms import CommuneField
from maillage.territory.models import Commune


def _day(label, required_message):
    return forms.DateField(
        label=label,
        help_text=_("For example: 31/12/2027"),
        # A text box, not type=date: browsers order a date field's parts by their own language.
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
        error_messages={"required": required_message, "invalid": _("Type a day such as 31/12/2027.")},
    )


def _qualifiable_places():
    return Place.objects.published().filter(organization__isnull=False).order_by("commune_name", "name")


def _places_field():
    """Its choices are set by the form's __init__ (``_qualifiable_places``): evaluated per request."""
    return forms.ModelMultipleChoiceField(
        label=_("Places that take the passes"),
        queryset=Place.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("Only places run by an organisation with an account on Maillage can take passes."),
    )


MINUTES_CHOICES = [
    ("", _("No set time: a pass is worth its value in euros")),
    ("30", _("30 minutes")),
    ("60", _("1 hour")),
    ("90", _("1 hour 30")),
    ("120", _("2 hours")),
]


class ProgramForm(forms.Form):
    name = forms.CharField(
        label=_("Name of the programme"), max_length=150, error_messages={"required": _("Give the programme a name.")}
    )
    face_value = forms.CharField(
        label=_("Value of one pass, in euros"),
        initial="10",
        max_length=8,
        widget=forms.TextInput(attrs={"inputmode": "decimal", "autocomplete": "off"}),
        error_messages={"required": _("Type the value of one pass, such as 10.")},
    )
    minutes_per_pass = forms.ChoiceField(
        label=_("Accompaniment time one pass is worth"), choices=MINUTES_CHOICES, required=False, initial="60"
    )
    department_codes = forms.CharField(
        label=_("Départements where passes are handed out"),
        required=False,
        max_length=60,
        help_text=_("Their numbers, separated by commas, such as 49, 53. Empty: anywhere."),
    )
    commune_codes = forms.CharField(
        label=_("Or communes where passes are handed out"),
        required=False,
        max_length=600,
        help_text=_("Their INSEE codes, separated by commas, such as 49007, 49099."),
    )
    target_publics = forms.MultipleChoiceField(
        label=_("For whom?"), choices=Public.choices, required=False, widget=forms.CheckboxSelectMultiple
    )
    starts_on = _day(_("Passes can be used from"), _("Type the first day passes can be used."))
    ends_on = _day(_("Until"), _("Type the last day passes can be used."))
    grace_days = forms.IntegerField(
        label=_("Extra days to use a pass after the end, in days"), initial=30, min_value=0, max_value=365
    )
    qualified_places = _places_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["qualified_places"].queryset = _qualifiable_places()
        # One box per service: how many passes it costs (0 or empty: the programme does not pay for it).
        for service in Service:
            self.fields[f"cost_{service.value}"] = forms.IntegerField(
                label=_("Passes for: %(service)s") % {"service": service.label},
                required=False,
                min_value=0,
                max_value=20,
                initial=3 if service == Service.COURSE else 1,
                help_text=_("0 if the programme does not pay for it."),
            )

    def clean_face_value(self):
        text = self.cleaned_data["face_value"].replace(",", ".").replace("€", "").strip()
        try:
            value = Decimal(text)
        except InvalidOperation:
            raise forms.ValidationError(_("Type an amount in euros, such as 10 or 12,50.")) from None
        if value <= 0 or value > 1000 or value != value.quantize(Decimal("0.01")):
            raise forms.ValidationError(_("Type an amount between 0,01 and 1 000 euros, with at most 2 decimals."))
        return int(value * 100)

    def clean_department_codes(self):
        codes = [code.strip().upper() for code in self.cleaned_data["department_codes"].split(",") if code.strip()]
        wrong = [code for code in codes if not re.fullmatch(r"\d{2}|2A|2B|97\d", code)]
        if wrong:
            raise forms.ValidationError(_("These are not département numbers: %(codes)s") % {"codes": ", ".join(wrong)})
        return codes

    def clean_commune_codes(self):
        codes = [code.strip().upper() for code in self.cleaned_data["commune_codes"].split(",") if code.strip()]
        found = {commune.pk: commune for commune in Commune.objects.filter(pk__in=codes)}
        unknown = [code for code in codes if code not in found]
        if unknown:
            raise forms.ValidationError(
                _("No commune has these INSEE codes: %(codes)s") % {"codes": ", ".join(unknown)}
            )
        return list(found.values())

    def clean(self):
        cleaned = super().clean()
        if cleaned.get("starts_on") and cleaned.get("ends_on") and cleaned["ends_on"] < cleaned["starts_on"]:
            self.add_error("ends_on", _("The end comes before the start: check the two days."))
        costs = {service.value: cleaned.get(f"cost_{service.value}") for service in Service}
        cleaned["service_costs"] = {key: cost for key, cost in costs.items() if cost}
        if not cleaned["service_costs"] and not any(f"cost_{s.value}" in self.errors for s in Service):
            self.add_error(f"cost_{Service.INDIVIDUAL.value}", _("The programme must pay for at least one service."))
        return cleaned

    def program_fields(self):
        data = self.cleaned_data
        minutes = data["minutes_per_pass"]
        return {
            "name": data["name"],
            "face_value_cents": data["face_value"],
            "department_codes": data["department_codes"],
            "minutes_per_pass": int(minutes) if minutes else None,
            "target_publics": data["target_publics"],
            "service_costs": data["service_costs"],
            "starts_on": data["starts_on"],
            "ends_on": data["ends_on"],
            "grace_days": data["grace_days"],
        }


class QualifiedPlacesForm(forms.Form):
    places = _places_field()

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["places"].queryset = _qualifiable_places()


class OrderForm(forms.Form):
    pass_count = forms.IntegerField(
        label=_("How many passes?"),
        min_value=1,
        max_value=50_000,
        error_messages={"required": _("Type how many passes you order.")},
    )
    booklet_size = forms.TypedChoiceField(
        label=_("Passes per booklet"),
        choices=FundingOrder.BookletSize.choices,
        coerce=int,
        initial=10,
        widget=forms.RadioSelect,
    )
    funder_reference = forms.CharField(label=_("Your order reference"), max_length=60, required=False)
    # A one-time key: the form sent twice (a double click, a reload) orders once.
    submission_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["submission_key"].initial = uuid.uuid4().hex


class AssignForm(forms.Form):
    distributor = forms.ModelChoiceField(
        label=_("Distributor"), queryset=Organization.objects.none(), empty_label=CHOOSE
    )
    count = forms.IntegerField(label=_("How many booklets?"), min_value=1, initial=1)
    commune = CommuneField(
        label=_("Commune they are handed out in"),
        required=False,
        help_text=_("The printed booklets list the places nearest to it."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["distributor"].queryset = Organization.objects.filter(is_pass_distributor=True).order_by("name")


class HandoverForm(forms.Form):
    positions = forms.TypedMultipleChoiceField(
        label=_("Which passes do you hand out?"),
        coerce=int,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"required": _("Tick at least one pass.")},
    )
    commune = CommuneField(label=_("The person's commune"), required=False)
    age_band = forms.ChoiceField(
        label=_("The person's age"),
        required=False,
        widget=forms.RadioSelect,
        choices=[("", _("I don't know or don't say")), *AgeBand.choices],
    )
    public = forms.ChoiceField(label=_("The person's situation"), required=False, widget=forms.RadioSelect)

    def __init__(self, *args, passes, program, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["positions"].choices = [
            (item.position, _("Pass %(position)s — %(code)s") % {"position": item.position, "code": item.display_code})
            for item in passes
        ]
        self.fields["positions"].initial = [item.position for item in passes]
        publics = [(key, label) for key, label in Public.choices if key in program.target_publics] or Public.choices
        self.fields["public"].choices = [("", _("I don't know or don't say")), *publics]


class RedeemForm(forms.Form):
    code = forms.CharField(
        label=_("Pass code"),
        max_length=80,
        help_text=_("15 letters and digits, as printed: 7K2MQ-X9RH4-TB3WE"),
        widget=forms.TextInput(
            attrs={"autocomplete": "off", "autocapitalize": "characters", "spellcheck": "false", "class": "input--code"}
        ),
        error_messages={"required": _("Type the code printed on the pass.")},
    )
    service = forms.ChoiceField(
        label=_("For what?"), choices=Service.choices, widget=forms.RadioSelect, initial=Service.INDIVIDUAL
    )
    place = MemberPlaceField(label=_("At which place?"))
    # A one-time key: sent twice (a double click, a reload), the form uses the pass once.
    idempotency_key = forms.CharField(widget=forms.HiddenInput, required=False)

    def __init__(self, *args, places, last_used=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["place"].offer(places, last_used)
        self.fields["idempotency_key"].initial = uuid.uuid4().hex


class BlockForm(forms.Form):
    code = RedeemForm.base_fields["code"]
    reason = forms.CharField(
        label=_("Why?"), max_length=200, required=False, help_text=_("To block it. For example: reported lost on 3/12.")
    )


class BankDetailsForm(forms.Form):
    holder = forms.CharField(label=_("Account holder"), max_length=70)
    iban = forms.CharField(label=_("IBAN"), max_length=42, widget=forms.TextInput(attrs={"autocomplete": "off"}))
    bic = forms.CharField(label=_("BIC"), max_length=11, required=False)

    def clean_iban(self):
        iban = re.sub(r"\s+", "", self.cleaned_data["iban"]).upper()
        if not re.fullmatch(r"[A-Z]{2}\d{2}[A-Z0-9]{11,30}", iban) or _iban_checksum(iban) != 1:
            raise forms.ValidationError(_("This IBAN is not valid: check each character."))
        return iban

    def clean_bic(self):
        bic = self.cleaned_data["bic"].replace(" ", "").upper()
        if bic and not re.fullmatch(r"[A-Z]{6}[A-Z0-9]{2}([A-Z0-9]{3})?", bic):
            raise forms.ValidationError(_("A BIC has 8 or 11 letters and digits."))
        return bic


def _iban_checksum(iban):
    """ISO 13616: move the first four characters to the end, read letters as 10–35, take modulo 97."""
    digits = "".join(str(int(character, 36)) for character in iban[4:] + iban[:4])
    return int(digits) % 97
