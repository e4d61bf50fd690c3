import pytest
from django.urls import reverse

from maillage.accounts import services
from maillage.accounts.models import Ability, AuditEvent, Membership
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

Role = Membership.Role


def membership_of(user, organization):
    return Membership.objects.get(user=user, organization=organization)


def member_url(membership):
    return reverse(
        "accounts:member_edit",
        kwargs={"organization_id": membership.organization_id, "membership_id": membership.pk},
    )


def test_admin_changes_a_members_role_and_the_journal_keeps_both_roles(client, demo, library):
    admin = demo.user("admin")
    verified_session(client, admin)
    mediator = membership_of(demo.user("mediateur"), library)

    assert client.get(member_url(mediator)).status_code == 200
    response = client.post(member_url(mediator), {"role": Role.VOLUNTEER})

    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_detail", kwargs={"organization_id": library.pk})
    mediator.refresh_from_db()
    assert mediator.role == Role.VOLUNTEER
    event = AuditEvent.objects.get(action=AuditEvent.Action.ROLE_CHANGED)
    assert event.actor == admin
    assert event.organization == library
    assert (event.target_type, event.target_id) == ("accounts.membership", str(mediator.pk))
    assert event.details == {"previous_role": "mediator", "role": "volunteer"}


def test_saving_the_same_role_writes_nothing(client, demo, library):
    verified_session(client, demo.user("admin"))
    mediator = membership_of(demo.user("mediateur"), library)

    assert client.post(member_url(mediator), {"role": Role.MEDIATOR}).status_code == 302

    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_admin_removes_a_member(client, demo, library):
    admin = demo.user("admin")
    verified_session(client, admin)
    viewer = demo.user("observateur")
    membership = membership_of(viewer, library)

    response = client.post(member_url(membership), {"role": Role.VIEWER, "remove": "1"})

    assert response.status_code == 302
    assert not Membership.objects.filter(user=viewer, organization=library).exists()
    viewer.refresh_from_db()
    assert viewer.is_active  # the account stays; only the membership goes
    event = AuditEvent.objects.get(action=AuditEvent.Action.MEMBER_REMOVED)
    assert (event.actor, event.organization) == (admin, library)
    assert (event.target_type, event.target_id) == ("accounts.membership", str(membership.pk))
    assert event.details == {"role": "viewer"}
    assert viewer.get_full_name() in event.target_label  # still readable once the membership is gone


def test_last_admin_cannot_demote_themself(client, demo, library):
    admin = demo.user("admin")
    verified_session(client, admin)
    own = membership_of(admin, library)

    response = client.post(member_url(own), {"role": Role.MEDIATOR})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert 'class="error-summary"' in response.content.decode()
    own.refresh_from_db()
    assert own.role == Role.ADMIN
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ROLE_CHANGED).exists()


def test_last_admin_cannot_remove_themself(client, demo, library):
    admin = demo.user("admin")
    verified_session(client, admin)
    own = membership_of(admin, library)

    response = client.post(member_url(own), {"role": Role.ADMIN, "remove": "1"})

    assert response.status_code == 200
    assert response.context["form"].non_field_errors()
    assert Membership.objects.filter(pk=own.pk, role=Role.ADMIN).exists()
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.MEMBER_REMOVED).exists()


def test_admin_can_step_down_once_another_admin_is_named(client, demo, library):
    admin = demo.user("admin")
    verified_session(client, admin)
    mediator = membership_of(demo.user("mediateur"), library)
    own = membership_of(admin, library)

    assert client.post(member_url(mediator), {"role": Role.ADMIN}).status_code == 302
    assert client.post(member_url(own), {"role": Role.MEDIATOR}).status_code == 302

    own.refresh_from_db()
    assert own.role == Role.MEDIATOR
    assert list(Membership.objects.of(library).able_to(Ability.MANAGE)) == [mediator]


def test_services_refuse_to_leave_an_organisation_without_admin(demo, library):
    own = membership_of(demo.user("admin"), library)

    with pytest.raises(services.LastAdministratorError):
        services.change_role(own, Role.VIEWER, by=demo.user("admin"))
    with pytest.raises(services.LastAdministratorError):
        services.remove_member(own, by=demo.user("admin"))

    assert Membership.objects.filter(pk=own.pk, role=Role.ADMIN).exists()


@pytest.mark.parametrize("role", ["mediateur", "benevole", "observateur"])
def test_members_who_are_not_admins_cannot_change_roles(client, demo, library, role):
    verified_session(client, demo.user(role))
    mediator = membership_of(demo.user("mediateur"), library)

    assert client.get(member_url(mediator)).status_code == 403
    assert client.post(member_url(mediator), {"role": Role.ADMIN}).status_code == 403
    assert client.post(member_url(mediator), {"role": Role.MEDIATOR, "remove": "1"}).status_code == 403

    mediator.refresh_from_db()
    assert mediator.role == Role.MEDIATOR


def test_admin_of_another_organisation_gets_not_found(client, demo, library, ccas):
    verified_session(client, demo.user("ccas"))
    mediator = membership_of(demo.user("mediateur"), library)

    assert client.get(member_url(mediator)).status_code == 404
    assert client.post(member_url(mediator), {"role": Role.ADMIN}).status_code == 404
    mediator.refresh_from_db()
    assert mediator.role == Role.MEDIATOR


def test_admin_cannot_reach_a_membership_of_another_organisation_through_their_own(client, demo, library, ccas):
    verified_session(client, demo.user("admin"))
    ccas_admin = membership_of(demo.user("ccas"), ccas)
    smuggled = reverse("accounts:member_edit", kwargs={"organization_id": library.pk, "membership_id": ccas_admin.pk})

    assert client.post(smuggled, {"role": Role.VIEWER}).status_code == 404
    assert client.post(smuggled, {"role": Role.VIEWER, "remove": "1"}).status_code == 404
    ccas_admin.refresh_from_db()
    assert ccas_admin.role == Role.ADMIN
