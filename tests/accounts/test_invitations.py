import re
import time
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.contrib.auth import SESSION_KEY
from django.core import mail, signing
from django.urls import resolve, reverse

from maillage.accounts import services
from maillage.accounts.models import AuditEvent, Invitation, Membership, User
from tests.accounts.factories import UserFactory, journal_actions
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

Role = Membership.Role
PASSWORD = "une phrase facile à retenir"


def invite_url(organization):
    return reverse("accounts:member_invite", kwargs={"organization_id": organization.pk})


def link_in(message):
    """The path of the invitation link in an e-mail."""
    match = re.search(r"https?://\S+", message.body)
    assert match, message.body
    return urlsplit(match.group()).path


@pytest.fixture
def invitation(demo, library):
    """A pending invitation to the médiathèque, as a volunteer, for someone with no account."""
    return services.invite_member(
        library, "jeanne.durand@example.org", Role.VOLUNTEER, by=demo.user("admin"), base_url="http://testserver"
    )


def accept_url(invitation):
    return services.invitation_url(invitation)


def new_account(**overrides):
    return {"first_name": "Jeanne", "last_name": "Durand", "password1": PASSWORD, "password2": PASSWORD, **overrides}


def test_invited_person_creates_account_and_joins(client, demo, library, django_capture_on_commit_callbacks):
    admin = demo.user("admin")
    verified_session(client, admin)

    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(invite_url(library), {"email": " Jeanne.Durand@Example.org ", "role": Role.VOLUNTEER})

    assert response.status_code == 302
    assert len(mail.outbox) == 1
    message = mail.outbox[0]
    assert message.to == ["jeanne.durand@example.org"]
    link = link_in(message)
    invitation = Invitation.objects.get()
    # The link names this invitation; its token is signed with the time, so it is not compared with a
    # token made a moment later (that failed when the two fell on either side of a second).
    match = resolve(link)
    assert match.url_name == "invitation_accept"
    assert services.invitation_from_token(match.kwargs["token"]) == invitation
    assert (invitation.email, invitation.role, invitation.invited_by) == (
        "jeanne.durand@example.org",
        "volunteer",
        admin,
    )

    client.logout()
    page = client.get(link)
    assert page.status_code == 200
    assert page.context["form"] is not None
    assert "jeanne.durand@example.org" in page.content.decode()

    response = client.post(link, new_account())

    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_detail", kwargs={"organization_id": library.pk})
    jeanne = User.objects.get(email="jeanne.durand@example.org")
    assert (jeanne.first_name, jeanne.last_name) == ("Jeanne", "Durand")
    assert jeanne.check_password(PASSWORD)
    assert client.session[SESSION_KEY] == str(jeanne.pk)
    assert Membership.objects.get(user=jeanne).role == Role.VOLUNTEER
    assert Membership.objects.get(user=jeanne).organization == library
    invitation.refresh_from_db()
    assert invitation.accepted_by == jeanne and invitation.accepted_at is not None

    invited = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_INVITED)
    assert (invited.actor, invited.organization, invited.details) == (admin, library, {"role": "volunteer"})
    accepted = AuditEvent.objects.get(action=AuditEvent.Action.INVITATION_ACCEPTED)
    assert (accepted.actor, accepted.organization) == (jeanne, library)
    assert accepted.target_id == str(Membership.objects.get(user=jeanne).pk)


def test_new_volunteer_is_asked_to_set_up_two_step_verification_after_joining(client, invitation):
    response = client.post(accept_url(invitation), new_account(), follow=True)

    assert response.redirect_chain[-1][0].startswith(reverse("accounts:two_factor_setup"))


def test_invitation_link_works_only_once(client, invitation):
    link = accept_url(invitation)
    assert client.post(link, new_account()).status_code == 302
    client.logout()

    assert client.get(link).status_code == 410
    response = client.post(link, new_account(first_name="Quelqu'un", password1="autre", password2="autre"))
    assert response.status_code == 410
    assert User.objects.filter(email=invitation.email).count() == 1
    assert Membership.objects.filter(user__email=invitation.email).count() == 1


def test_expired_invitation_link_is_refused(client, invitation, monkeypatch):
    nine_days_ago = time.time() - 9 * 24 * 60 * 60
    assert settings.INVITATION_MAX_AGE.days < 9
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: nine_days_ago)
        link = accept_url(invitation)

    response = client.get(link)

    assert response.status_code == 410
    assert client.post(link, new_account()).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()
    with pytest.raises(services.InvitationInvalid) as refused:
        services.invitation_from_token(link.rstrip("/").rsplit("/", 1)[-1])
    assert isinstance(refused.value.__cause__, signing.SignatureExpired)


def test_invitation_link_still_works_on_its_last_day(client, invitation, monkeypatch):
    seven_days_ago = time.time() - 7 * 24 * 60 * 60
    with monkeypatch.context() as patched:
        patched.setattr(signing.time, "time", lambda: seven_days_ago)
        link = accept_url(invitation)

    assert client.get(link).status_code == 200


def test_tampered_invitation_link_is_refused(client, invitation):
    token = services.invitation_token(invitation)
    tampered = token[:-1] + ("A" if token[-1] != "A" else "B")
    forged = signing.dumps({"invitation": invitation.pk}, salt="another purpose", compress=True)

    for bad_token in (tampered, forged, "not-a-token"):
        response = client.get(reverse("accounts:invitation_accept", kwargs={"token": bad_token}))
        assert response.status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


def test_revoked_invitation_link_is_refused(client, demo, library, invitation):
    verified_session(client, demo.user("admin"))
    revoke = reverse(
        "accounts:invitation_revoke", kwargs={"organization_id": library.pk, "invitation_id": invitation.pk}
    )
    assert client.post(revoke).status_code == 302
    invitation.refresh_from_db()
    assert invitation.revoked_at is not None
    assert "invitation_revoked" in journal_actions(organization=library)
    client.logout()

    assert client.get(accept_url(invitation)).status_code == 410
    assert client.post(accept_url(invitation), new_account()).status_code == 410
    assert not User.objects.filter(email=invitation.email).exists()


def test_inviting_someone_who_is_already_a_member_shows_an_error(client, demo, library):
    verified_session(client, demo.user("admin"))
    member_email = demo.user("mediateur").email

    response = client.post(invite_url(library), {"email": member_email.upper(), "role": Role.VIEWER})

    assert response.status_code == 200
    assert "email" in response.context["form"].errors
    assert not Invitation.objects.exists()
    assert len(mail.outbox) == 0


def test_mismatching_passwords_are_refused_and_the_names_kept(client, invitation):
    response = client.post(accept_url(invitation), new_account(password2="une autre phrase à retenir"))

    assert response.status_code == 200
    form = response.context["form"]
    assert list(form.errors) == ["password2"]
    html = response.content.decode()
    assert 'value="Jeanne"' in html
    assert 'value="Durand"' in html
    assert PASSWORD not in html
    assert not User.objects.filter(email=invitation.email).exists()


def test_too_short_password_is_refused(client, invitation):
    response = client.post(accept_url(invitation), new_account(password1="court", password2="court"))

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["password1"]] == ["password_too_short"]
    assert not User.objects.filter(email=invitation.email).exists()


def test_person_with_an_account_must_log_in_before_joining(client, demo, ccas):
    volunteer = demo.user("benevole")
    invitation = services.invite_member(
        ccas, volunteer.email, Role.MEDIATOR, by=demo.user("ccas"), base_url="http://testserver"
    )
    link = accept_url(invitation)

    page = client.get(link)
    assert page.status_code == 200
    assert page.context["account_exists"] is True
    assert page.context["form"] is None
    assert f'href="{reverse("accounts:login")}?next=' in page.content.decode()
    client.post(link, new_account())
    assert not Membership.objects.filter(user=volunteer, organization=ccas).exists()

    client.force_login(volunteer)
    response = client.post(link)

    assert response.status_code == 302
    assert Membership.objects.get(user=volunteer, organization=ccas).role == Role.MEDIATOR
    assert journal_actions(organization=ccas) == ["member_invited", "invitation_accepted"]


def test_someone_else_logged_in_cannot_accept_an_invitation_for_an_existing_account(client, demo, ccas):
    volunteer = demo.user("benevole")
    invitation = services.invite_member(ccas, volunteer.email, Role.ADMIN, by=demo.user("ccas"), base_url="")
    client.force_login(demo.user("mediateur"))

    client.post(accept_url(invitation))

    assert not Membership.objects.filter(organization=ccas, role=Role.ADMIN).exclude(user=demo.user("ccas")).exists()
    invitation.refresh_from_db()
    assert invitation.accepted_at is None


def test_accepting_twice_creates_one_membership(demo, invitation):
    volunteer = UserFactory(email=invitation.email, password=PASSWORD)

    services.accept_invitation(invitation, volunteer)
    with pytest.raises(services.InvitationInvalid):
        services.accept_invitation(invitation, volunteer)

    assert Membership.objects.filter(user=volunteer).count() == 1
    assert journal_actions(action="invitation_accepted") == ["invitation_accepted"]
