from django.contrib.auth import views as auth_views
from django.urls import path, reverse_lazy

from maillage.accounts import views
from maillage.accounts.middleware import two_factor_exempt
from maillage.ratelimit import rate_limited

app_name = "accounts"

urlpatterns = [
    path("compte/connexion/", views.LoginView.as_view(), name="login"),
    path("compte/deconnexion/", two_factor_exempt(auth_views.LogoutView.as_view()), name="logout"),
    path(
        "compte/mot-de-passe/oublie/",
        rate_limited("password_reset", limit=5, period_seconds=3600)(
            auth_views.PasswordResetView.as_view(
                success_url=reverse_lazy("accounts:password_reset_done"),
                email_template_name="registration/password_reset_email.txt",
            )
        ),
        name="password_reset",
    ),
    path("compte/mot-de-passe/oublie/envoye/", auth_views.PasswordResetDoneView.as_view(), name="password_reset_done"),
    path(
        "compte/mot-de-passe/nouveau/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(success_url=reverse_lazy("accounts:password_reset_complete")),
        name="password_reset_confirm",
    ),
    path("compte/mot-de-passe/change/", auth_views.PasswordResetCompleteView.as_view(), name="password_reset_complete"),
    path(
        "compte/mot-de-passe/",
        auth_views.PasswordChangeView.as_view(success_url=reverse_lazy("accounts:password_change_done")),
        name="password_change",
    ),
    path("compte/mot-de-passe/modifie/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("compte/securite/", views.security, name="security"),
    path("compte/securite/application/", views.two_factor_setup, name="two_factor_setup"),
    path("compte/securite/verification/", views.two_factor_verify, name="two_factor_verify"),
    path("compte/securite/codes-de-secours/", views.recovery_codes_renew, name="recovery_codes_renew"),
    path("invitation/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("espace/", views.dashboard, name="dashboard"),
    path("structures/<int:organization_id>/", views.organization_detail, name="organization_detail"),
    path("structures/<int:organization_id>/modifier/", views.organization_edit, name="organization_edit"),
    path("structures/<int:organization_id>/inviter/", views.member_invite, name="member_invite"),
    path(
        "structures/<int:organization_id>/invitations/<int:invitation_id>/annuler/",
        views.invitation_revoke,
        name="invitation_revoke",
    ),
    path("structures/<int:organization_id>/membres/<int:membership_id>/", views.member_edit, name="member_edit"),
    path("structures/<int:organization_id>/journal/", views.organization_journal, name="organization_journal"),
    path("structures/<int:organization_id>/cles-api/", views.api_keys, name="api_keys"),
    path(
        "structures/<int:organization_id>/cles-api/<int:token_id>/revoquer/",
        views.api_key_revoke,
        name="api_key_revoke",
    ),
]
