from urllib.parse import urlencode

from django.shortcuts import redirect
from django.urls import reverse

from maillage.accounts.models import User
from maillage.accounts.services import has_two_factor


def two_factor_exempt(view_func):
    """Mark a login-required view that must stay reachable before the second factor is given."""
    view_func.two_factor_exempt = True
    return view_func


class TwoFactorRequiredMiddleware:
    """Anyone who may see personal data must pass a second factor before any member page.

    Public views (``login_not_required``) are untouched; members whose roles never show personal
    data (viewers) are not asked. The others are sent to set up an authenticator, or to give a code.
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        return self.get_response(request)

    def process_view(self, request, view_func, view_args, view_kwargs):
        if not getattr(view_func, "login_required", True) or getattr(view_func, "two_factor_exempt", False):
            return None
        user = request.user
        if not user.is_authenticated or user.is_verified() or not user.requires_two_factor:
            return None
        target = "accounts:two_factor_verify" if has_two_factor(user) else "accounts:two_factor_setup"
        return redirect(f"{reverse(target)}?{urlencode({'next': request.get_full_path()})}")


def lockout_username(request, credentials=None):
    """The address django-axes counts failed logins against: the one typed, however it is typed.

    Our login form's field is "username" while the user model's USERNAME_FIELD is "email"; without
    this, axes would count failures without an address and never lock the account itself.
    """
    typed = (credentials or {}).get("username") or getattr(request, "POST", {}).get("username", "")
    return User.objects.normalize_email(typed)
