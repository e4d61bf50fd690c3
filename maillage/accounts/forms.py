from django import forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import AuthenticationForm
from django.core import validators
from django.utils.translation import gettext_lazy as _

from maillage.accounts.models import Membership, Organization, User
from maillage.accounts.validators import normalize_identifier
from maillage.forms import CHOOSE
from maillage.territory.forms import CommuneField


class LoginForm(AuthenticationForm):
    username = forms.EmailField(
        label=_("E-mail address"), widget=forms.EmailInput(attrs={"autocomplete": "email", "autofocus": True})
    )
    error_messages = {
        "invalid_login": _("This e-mail address and password do not match. Check them and try again."),
        "inactive": _("This account is deactivated. Contact your organisation's administrator."),
    }

    def clean_username(self):
        # One address however it is typed: the account is found, and the lockout counts, case-insensitively.
        return User.objects.normalize_email(self.cleaned_data["username"])


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Verification code"),
        help_text=_("The 6 digits shown by your authenticator app, or one of your recovery codes."),
        max_length=16,
        # The page is there for this one field: the cursor is in it.
        widget=forms.TextInput(
            attrs={
                "autocomplete": "one-time-code",
                "spellcheck": "false",
                "autocapitalize": "off",
                "autofocus": True,
            }
        ),
    )


class OrganizationForm(forms.ModelForm):
    kinds = forms.MultipleChoiceField(
        label=_("What does the organisation do?"),
        help_text=_("Tick everything that applies."),
        choices=Organization.Kind.choices,
        widget=forms.CheckboxSelectMultiple,
    )
    commune = CommuneField(required=False)

    class Meta:
        model = Organization
        fields = ["name", "siret", "rna", "commune"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kinds"].initial = self.instance.kinds if self.instance.pk else []
        # People type these numbers with spaces or dots: their length is checked once those are removed.
        for name in ("siret", "rna"):
            field = self.fields[name]
            field.max_length = None
            field.validators = [v for v in field.validators if not isinstance(v, validators.MaxLengthValidator)]
            field.widget.attrs.pop("maxlength", None)

    def clean_siret(self):
        siret = normalize_identifier(self.cleaned_data["siret"])
        if siret and Organization.objects.filter(siret=siret).exclude(pk=self.instance.pk).exists():
            raise forms.ValidationError(
                _("Another organisation already uses this SIRET number. Check it, or contact your coordination."),
                code="siret_taken",
            )
        return siret

    def clean_rna(self):
        return normalize_identifier(self.cleaned_data["rna"])

    def _post_clean(self):
        self.instance.kinds = self.cleaned_data.get("kinds", [])
        super()._post_clean()


class InvitationForm(forms.Form):
    email = forms.EmailField(label=_("E-mail address of the person to invite"))
    role = forms.ChoiceField(
        label=_("Role"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEDIATOR,
        widget=forms.RadioSelect,
        help_text=_(
            "Administrators manage members. Mediators and volunteers help people. Viewers only see statistics."
        ),
    )


class RoleForm(forms.Form):
    role = forms.ChoiceField(label=_("Role"), choices=Membership.Role.choices, widget=forms.RadioSelect)


class NewAccountForm(forms.Form):
    """Create an account from an invitation: the e-mail address comes from the invitation."""

    first_name = forms.CharField(
        label=_("First name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "given-name"})
    )
    last_name = forms.CharField(
        label=_("Last name"), max_length=150, widget=forms.TextInput(attrs={"autocomplete": "family-name"})
    )
    password1 = forms.CharField(
        label=_("Choose a password"),
        help_text=_("At least 12 characters. A short sentence is easy to remember."),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )
    password2 = forms.CharField(
        label=_("Type the same password again"),
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        strip=False,
    )

    def __init__(self, *args, email, **kwargs):
        super().__init__(*args, **kwargs)
        self.email = email

    def clean(self):
        cleaned = super().clean()
        first, second = cleaned.get("password1"), cleaned.get("password2")
        if first and second and first != second:
            self.add_error("password2", _("The two passwords are different. Type them again."))
        elif first:
            user = User(
                email=self.email, first_name=cleaned.get("first_name", ""), last_name=cleaned.get("last_name", "")
            )
            try:
                password_validation.validate_password(first, user)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, membership):
        return f"{membership.user.get_full_name() or membership.user.email} ({membership.get_role_display()})"


class ApiKeyForm(forms.Form):
    name = forms.CharField(
        label=_("What will use the key?"),
        max_length=100,
        help_text=_("For example: the CCAS's software."),
        error_messages={"required": _("Say what will use the key, to recognise it later.")},
    )
    member = MemberChoiceField(
        label=_("Which member does it act as?"),
        queryset=None,
        empty_label=CHOOSE,
        help_text=_("The key can do what this member can do, and stops working when they leave."),
    )

    def __init__(self, *args, organization, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = (
            Membership.objects.of(organization).select_related("user").order_by("user__first_name", "user__email")
        )
