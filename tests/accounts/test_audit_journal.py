import pytest
from django.db import DatabaseError, IntegrityError, connection, transaction
from django.db.models import ProtectedError
from django.urls import reverse

from maillage.accounts import journal, journal_guard, services
from maillage.accounts.demo import DEMO_PASSWORD
from maillage.accounts.models import AuditEvent, AuditJournalIsAppendOnly, Membership
from tests.accounts.factories import journal_actions
from tests.conftest import verified_session

pytestmark = [pytest.mark.django_db, pytest.mark.shared_demo]  # the demo built once (savepoints)

TABLE = AuditEvent._meta.db_table


@pytest.fixture
def line(demo, library):
    """One journal line: the admin changed the mediator's role."""
    mediator = Membership.objects.get(user=demo.user("mediateur"), organization=library)
    return journal.record(
        journal.Action.ROLE_CHANGED,
        actor=demo.user("admin"),
        organization=library,
        target=mediator,
        previous_role="mediator",
        role="volunteer",
    )


def unchanged(event):
    stored = AuditEvent.objects.get(pk=event.pk)
    return (stored.action, stored.details, stored.actor_label) == (event.action, event.details, event.actor_label)


# Append-only ------------------------------------------------------------------------------------


def test_a_written_line_cannot_be_saved_again(line):
    line.details = {"previous_role": "viewer", "role": "admin"}

    with pytest.raises(AuditJournalIsAppendOnly):
        line.save()

    assert AuditEvent.objects.get(pk=line.pk).details == {"previous_role": "mediator", "role": "volunteer"}


def test_a_line_cannot_be_forced_over_another(line):
    impostor = AuditEvent(action=AuditEvent.Action.LOGIN)

    with pytest.raises(AuditJournalIsAppendOnly):
        impostor.save(force_update=True)


def test_a_line_cannot_be_deleted(line):
    with pytest.raises(AuditJournalIsAppendOnly):
        line.delete()

    assert AuditEvent.objects.filter(pk=line.pk).exists()


def test_lines_cannot_be_updated_or_deleted_in_bulk(line):
    with pytest.raises(AuditJournalIsAppendOnly):
        AuditEvent.objects.filter(pk=line.pk).update(actor_label="quelqu'un d'autre")
    with pytest.raises(AuditJournalIsAppendOnly):
        AuditEvent.objects.all().delete()
    line.actor_label = "quelqu'un d'autre"
    with pytest.raises(AuditJournalIsAppendOnly), transaction.atomic():
        AuditEvent.objects.bulk_update([line], ["actor_label"])

    assert AuditEvent.objects.get(pk=line.pk).actor_label == "admin@demo.maillage.test"


def test_the_database_refuses_a_raw_update(line):
    with pytest.raises(DatabaseError, match=journal_guard.MESSAGE), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"UPDATE {TABLE} SET actor_label = %s WHERE id = %s", ["quelqu'un d'autre", line.pk])  # noqa: S608

    assert unchanged(line)


def test_the_database_refuses_a_raw_delete(line):
    with pytest.raises(DatabaseError, match=journal_guard.MESSAGE), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE} WHERE id = %s", [line.pk])  # noqa: S608

    assert AuditEvent.objects.filter(pk=line.pk).exists()


def test_the_database_refuses_to_empty_the_journal_row_by_row(line):
    journal.record(journal.Action.LOGIN, actor=line.actor)

    with pytest.raises(DatabaseError, match=journal_guard.MESSAGE), transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(f"DELETE FROM {TABLE}")  # noqa: S608

    assert AuditEvent.objects.count() == 2


def test_an_organisation_with_a_journal_cannot_be_deleted(line, library):
    with pytest.raises(ProtectedError), transaction.atomic():
        library.delete()

    assert unchanged(line)


def test_an_action_about_someone_must_say_about_whom(demo):
    for action in ["role_changed", "member_removed", "member_invited", "organization_changed"]:
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.create(action=action, actor=demo.user("admin"))
        with pytest.raises(IntegrityError), transaction.atomic():
            AuditEvent.objects.create(action=action, target_type="accounts.membership", target_id="")

    journal.record(journal.Action.EXPORT, actor=demo.user("admin"))  # an export needs no target
    assert journal_actions() == ["export"]


# What is written --------------------------------------------------------------------------------


def test_logging_in_and_out_are_written_in_the_journal(client, demo, clean_axes):
    viewer = demo.user("observateur")

    response = client.post(reverse("accounts:login"), {"username": viewer.email, "password": DEMO_PASSWORD})
    assert response.status_code == 302
    response = client.post(reverse("accounts:logout"))
    assert response.status_code == 302

    assert journal_actions(actor=viewer) == ["login", "logout"]
    assert {event.actor_label for event in AuditEvent.objects.filter(actor=viewer)} == {viewer.email}


def test_journal_keeps_the_actors_address_for_when_the_account_is_gone(demo):
    event = journal.record(journal.Action.EXPORT, actor=demo.user("admin"), kind="statistics")

    assert event.actor_label == "admin@demo.maillage.test"
    assert event.details == {"kind": "statistics"}


# The organisation's journal page ----------------------------------------------------------------


def test_admin_reads_the_organisations_journal(client, demo, library, ccas, line):
    journal.record(journal.Action.EXPORT, actor=demo.user("ccas"), organization=ccas)
    services.invite_member(library, "nouveau@example.org", "viewer", by=demo.user("admin"), base_url="")
    verified_session(client, demo.user("admin"))

    response = client.get(reverse("accounts:organization_journal", kwargs={"organization_id": library.pk}))

    assert response.status_code == 200
    events = list(response.context["events"])
    assert [event.action for event in events] == ["member_invited", "role_changed"]
    html = response.content.decode()
    assert "admin@demo.maillage.test" in html
    assert "nouveau@example.org" in html
    assert "ccas@demo.maillage.test" not in html


def test_mediator_cannot_read_the_organisations_journal(client, demo, library, line):
    verified_session(client, demo.user("mediateur"))

    response = client.get(reverse("accounts:organization_journal", kwargs={"organization_id": library.pk}))

    assert response.status_code == 403


def test_admin_of_another_organisation_cannot_read_the_journal(client, demo, library, line):
    verified_session(client, demo.user("ccas"))

    response = client.get(reverse("accounts:organization_journal", kwargs={"organization_id": library.pk}))

    assert response.status_code == 404
