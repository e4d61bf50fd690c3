from base64 import b32encode

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import login as auth_login
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login

from maillage import formatting
from maillage.accounts import services
from maillage.accounts.access import Ability, organization_for, user_can
from maillage.accounts.forms import (
    ApiKeyForm,
    InvitationForm,
    LoginForm,
    NewAccountForm,
    OrganizationForm,
    RoleForm,
    SecondFactorForm,
)
from maillage.accounts.middleware import two_factor_exempt
from maillage.accounts.models import ApiToken, AuditEvent, Invitation, Membership
from maillage.ratelimit import Lockout, client_address, rate_limited, too_many_requests

JOURNAL_PAGE_SIZE = 50


class LoginView(auth_views.LoginView):
    form_class = LoginForm
    redirect_authenticated_user = True


def _safe_next(request, default="accounts:dashboard"):
    target = request.POST.get("next") or request.GET.get("next")
    if target and url_has_allowed_host_and_scheme(target, {request.get_host()}, request.is_secure()):
        return target
    return default


# Member space -----------------------------------------------------------------------------------


def dashboard(request):
    memberships = request.user.memberships.select_related("organization", "organization__commune")
    return render(request, "accounts/dashboard.html", {"memberships": memberships})


def organization_detail(request, organization_id):
    organization = organization_for(request.user, organization_id)
    is_admin = user_can(request.user, Ability.MANAGE, organization)
    return render(
        request,
        "accounts/organization_detail.html",
        {
            "organization": organization,
            "is_admin": is_admin,
            "memberships": organization.memberships.select_related("user"),
            "invitations": organization.invitations.pending() if is_admin else [],
        },
    )


def organization_edit(request, organization_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    form = OrganizationForm(request.POST or None, instance=organization)
    if request.method == "POST" and form.is_valid():
        services.update_organization(form.instance, form.changed_data, by=request.user)
        messages.success(request, _("The organisation's details are saved."))
        return redirect("accounts:organization_detail", organization_id=organization.pk)
    return render(request, "accounts/organization_form.html", {"organization": organization, "form": form})


def member_invite(request, organization_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    form = InvitationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.invite_member(
                organization,
                form.cleaned_data["email"],
                form.cleaned_data["role"],
                by=request.user,
                base_url=request.build_absolute_uri("/")[:-1],
            )
        except services.AccountsError as error:
            form.add_error("email", str(error))
        else:
            messages.success(request, _("The invitation is sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("accounts:organization_detail", organization_id=organization.pk)
    return render(
        request,
        "accounts/member_invite.html",
        {"organization": organization, "form": form, "days": settings.INVITATION_MAX_AGE.days},
    )


@require_POST
def invitation_revoke(request, organization_id, invitation_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    invitation = get_object_or_404(Invitation.objects.pending(), organization=organization, pk=invitation_id)
    services.revoke_invitation(invitation, by=request.user)
    messages.success(request, _("The invitation is cancelled."))
    return redirect("accounts:organization_detail", organization_id=organization.pk)


def member_edit(request, organization_id, membership_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    membership = get_object_or_404(
        Membership.objects.select_related("user"), organization=organization, pk=membership_id
    )
    form = RoleForm(request.POST or None, initial={"role": membership.role})
    if request.method == "POST" and form.is_valid():
        try:
            if "remove" in request.POST:
                services.remove_member(membership, by=request.user)
                messages.success(request, _("%(person)s is no longer a member.") % {"person": membership.user})
            else:
                services.change_role(membership, form.cleaned_data["role"], by=request.user)
                messages.success(
                    request, _("The role of %(person)s is saved.") % {"person": formatting.after_de(membership.user)}
                )
        except services.LastAdministratorError as error:
            form.add_error(None, str(error))
        else:
            return redirect("accounts:organization_detail", organization_id=organization.pk)
    return render(
        request, "accounts/member_edit.html", {"organization": organization, "membership": membership, "form": form}
    )


def organization_journal(request, organization_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    events = AuditEvent.objects.about(organization).select_related("actor")[:JOURNAL_PAGE_SIZE]
    return render(request, "accounts/organization_journal.html", {"organization": organization, "events": events})


# Invitations ------------------------------------------------------------------------------------


@login_not_required
@two_factor_exempt
@rate_limited("invitation", limit=10, period_seconds=15 * 60)
def invitation_accept(request, token):
    try:
        invitation = services.invitation_from_token(token)
    except services.InvitationInvalid as error:
        return render(request, "accounts/invitation_invalid.html", {"reason": str(error)}, status=410)
    account_exists = services.User.objects.filter(email=invitation.email).exists()
    signed_in_as_invitee = request.user.is_authenticated and request.user.email == invitation.email
    form = None
    if not account_exists:
        form = NewAccountForm(request.POST or None, email=invitation.email)
    if request.method == "POST":
        if signed_in_as_invitee:
            services.accept_invitation(invitation, request.user)
            messages.success(request, _("Welcome to %(organization)s.") % {"organization": invitation.organization})
            return redirect("accounts:organization_detail", organization_id=invitation.organization_id)
        if form is not None and form.is_valid():
            membership = services.create_account_from_invitation(
                invitation,
                first_name=form.cleaned_data["first_name"],
                last_name=form.cleaned_data["last_name"],
                password=form.cleaned_data["password1"],
            )
            auth_login(request, membership.user, backend="django.contrib.auth.backends.ModelBackend")
            messages.success(
                request,
                _("Your account is created. Welcome to %(organization)s.") % {"organization": invitation.organization},
            )
            return redirect("accounts:organization_detail", organization_id=invitation.organization_id)
    return render(
        request,
        "accounts/invitation_accept.html",
        {
            "invitation": invitation,
            "form": form,
            "account_exists": account_exists,
            "signed_in_as_invitee": signed_in_as_invitee,
        },
    )


# Two-factor authentication ----------------------------------------------------------------------


@two_factor_exempt
def security(request):
    return render(
        request,
        "accounts/security.html",
        {"has_two_factor": services.has_two_factor(request.user), "required": request.user.requires_two_factor},
    )


# Guessing a code is the threat: wrong codes count, right ones never do. Per account, and more
# loosely per address, where several people log in at one desk (a library's, a CCAS's).
CODES_PER_ACCOUNT = Lockout("second_factor_account", limit=10, period_seconds=15 * 60)
CODES_PER_ADDRESS = Lockout("second_factor_address", limit=30, period_seconds=15 * 60)


def _code_lockouts(request):
    return [(CODES_PER_ACCOUNT, f"user-{request.user.pk}"), (CODES_PER_ADDRESS, client_address(request))]


def _codes_locked(request):
    return request.method == "POST" and any(lockout.is_locked(who) for lockout, who in _code_lockouts(request))


def _wrong_code(request):
    for lockout, who in _code_lockouts(request):
        lockout.record_failure(who)


@two_factor_exempt
def two_factor_setup(request):
    if services.has_two_factor(request.user) and not request.user.is_verified():
        # Replacing an authenticator needs the current one: send them to verify first.
        return redirect(f"{reverse('accounts:two_factor_verify')}?next={request.path}")
    device = services.pending_authenticator(request.user)
    if _codes_locked(request):
        return too_many_requests(request, CODES_PER_ACCOUNT.wait_minutes)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        codes = services.confirm_authenticator(device, form.cleaned_data["token"].replace(" ", ""))
        if codes is not None:
            otp_login(request, device)
            # An empty ``next`` makes the page link to the dashboard (a URL name is no link target).
            return render(
                request, "accounts/recovery_codes.html", {"codes": codes, "next": _safe_next(request, default="")}
            )
        _wrong_code(request)
        form.add_error("token", _("This code is not the right one. Type the code your app shows now."))
    qr_code = segno.make(device.config_url, micro=False)
    return render(
        request,
        "accounts/two_factor_setup.html",
        {
            "form": form,
            "qr_svg": qr_code.svg_inline(scale=4, title=_("QR code to scan with your authenticator app")),
            "secret": " ".join(_chunks(_base32_secret(device), 4)),
            "next": _safe_next(request, default=""),
        },
    )


@two_factor_exempt
def two_factor_verify(request):
    if not services.has_two_factor(request.user):
        return redirect("accounts:two_factor_setup")
    if _codes_locked(request):
        return too_many_requests(request, CODES_PER_ACCOUNT.wait_minutes)
    form = SecondFactorForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = services.verify_second_factor(request.user, form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            return redirect(_safe_next(request))
        if services.code_already_used(request.user, form.cleaned_data["token"]):
            refusal = _("This code was already used. Wait for the next code in your app (30 seconds at most).")
        else:
            refusal = _("This code is not the right one. Type the code your app shows now, or a recovery code.")
            _wrong_code(request)
        form.add_error("token", refusal)
    return render(request, "accounts/two_factor_verify.html", {"form": form, "next": _safe_next(request, default="")})


def recovery_codes_renew(request):
    if request.method == "POST":
        codes = services.renew_recovery_codes(request.user)
        return render(request, "accounts/recovery_codes.html", {"codes": codes, "next": ""})
    return render(request, "accounts/recovery_codes_renew.html")


def _base32_secret(device):
    return b32encode(device.bin_key).decode().rstrip("=")


def _chunks(text, size):
    return [text[start : start + size] for start in range(0, len(text), size)]


# API keys for partners' software -----------------------------------------------------------------


def api_keys(request, organization_id):
    """The organisation's keys; a new key is shown once, on the page that makes it."""
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    form = ApiKeyForm(request.POST or None, organization=organization)
    new_key = None
    if request.method == "POST" and form.is_valid():
        _token, new_key = services.issue_api_key(
            organization, form.cleaned_data["member"].user, form.cleaned_data["name"], by=request.user
        )
        form = ApiKeyForm(organization=organization)
    keys = organization.api_tokens.select_related("user").order_by("-created_at")
    context = {"organization": organization, "form": form, "keys": keys, "new_key": new_key}
    return render(request, "accounts/api_keys.html", context)


@require_POST
def api_key_revoke(request, organization_id, token_id):
    organization = organization_for(request.user, organization_id, Ability.MANAGE)
    token = get_object_or_404(ApiToken.objects.active(), organization=organization, pk=token_id)
    services.revoke_api_key(token, by=request.user)
    messages.success(request, _("The key %(name)s is revoked: it no longer works.") % {"name": token.name})
    return redirect("accounts:api_keys", organization_id=organization.pk)
