import pytest
from django.db import IntegrityError, transaction
from django.urls import reverse

from maillage.accounts.models import AuditEvent, Organization
from tests.conftest import verified_session

Kind = Organization.Kind


@pytest.fixture
def association(demo):
    """A demo organisation in Saumur, administered by demo user "association"."""
    return Organization.objects.get(name="Association Les Connectés du Saumurois")


def edit_url(organization):
    return reverse("accounts:organization_edit", kwargs={"organization_id": organization.pk})


def test_organisation_without_any_kind_is_refused_by_the_database(db):
    with pytest.raises(IntegrityError), transaction.atomic():
        Organization.objects.create(name="Structure sans rôle")
    assert not Organization.objects.exists()


def test_organisation_keeps_the_kinds_it_was_given(db):
    organization = Organization(name="Maison France Services")
    organization.kinds = [Kind.PASS_DISTRIBUTOR, Kind.REFERRER]
    organization.save()

    organization.refresh_from_db()
    assert set(organization.kinds) == {Kind.REFERRER, Kind.PASS_DISTRIBUTOR}
    assert organization.is_referrer and organization.is_pass_distributor
    assert not (organization.is_place_operator or organization.is_funder or organization.is_coordinator)
    assert list(Organization.objects.of_kind(Kind.REFERRER)) == [organization]

    organization.kinds = [Kind.FUNDER]
    organization.save()
    organization.refresh_from_db()
    assert organization.kinds == [Kind.FUNDER]


def test_admin_changes_the_organisation_details_and_the_journal_says_so(client, demo, association):
    admin = demo.user("association")
    verified_session(client, admin)

    response = client.post(
        edit_url(association),
        {
            "name": "Les Connectés d'Anjou",
            "siret": "732 829 320 00074",
            "rna": "w491 000 123",
            "kinds": [Kind.PLACE_OPERATOR, Kind.PASS_DISTRIBUTOR],
            "commune": "Angers",
        },
    )

    assert response.status_code == 302
    assert response.url == reverse("accounts:organization_detail", kwargs={"organization_id": association.pk})
    association.refresh_from_db()
    assert association.name == "Les Connectés d'Anjou"
    assert association.siret == "73282932000074"
    assert association.rna == "W491000123"
    assert set(association.kinds) == {Kind.PLACE_OPERATOR, Kind.PASS_DISTRIBUTOR}
    assert association.commune.name == "Angers"

    event = AuditEvent.objects.get(action=AuditEvent.Action.ORGANIZATION_CHANGED)
    assert event.actor == admin
    assert event.organization == association
    assert (event.target_type, event.target_id) == ("accounts.organization", str(association.pk))
    assert {"name", "siret", "kinds", "commune"} <= set(event.details["fields"])

    page = client.get(response.url)
    assert "Les Connectés d&#x27;Anjou" in page.content.decode()
    assert "73282932000074" in page.content.decode()


def test_wrong_siret_is_shown_next_to_its_field_and_what_was_typed_is_kept(client, demo, library):
    verified_session(client, demo.user("admin"))

    response = client.post(
        edit_url(library),
        {
            "name": "Médiathèque et ludothèque Toussaint",
            "siret": "732 829 320 00075",
            "kinds": [Kind.PLACE_OPERATOR, Kind.REFERRER],
            "commune": "Angers",
        },
    )

    assert response.status_code == 200
    form = response.context["form"]
    assert [error.code for error in form.errors.as_data()["siret"]] == ["siret_checksum"]
    html = response.content.decode()
    assert 'id="id_siret_error"' in html
    assert 'value="732 829 320 00075"' in html
    assert 'value="Médiathèque et ludothèque Toussaint"' in html
    assert 'aria-invalid="true"' in html
    library.refresh_from_db()
    assert library.name == "Médiathèque Toussaint"
    assert library.siret == ""
    assert not library.is_referrer
    assert not AuditEvent.objects.filter(action=AuditEvent.Action.ORGANIZATION_CHANGED).exists()


def test_organisation_must_keep_at_least_one_kind(client, demo, library):
    verified_session(client, demo.user("admin"))

    response = client.post(edit_url(library), {"name": "Médiathèque Toussaint", "siret": "", "commune": "Angers"})

    assert response.status_code == 200
    assert [error.code for error in response.context["form"].errors.as_data()["kinds"]] == ["required"]
    library.refresh_from_db()
    assert set(library.kinds) == {Kind.PLACE_OPERATOR, Kind.PASS_DISTRIBUTOR}


def test_edit_page_shows_the_current_details_to_the_admin(client, demo, library):
    verified_session(client, demo.user("admin"))

    response = client.get(edit_url(library))

    assert response.status_code == 200
    html = response.content.decode()
    assert 'value="Médiathèque Toussaint"' in html
    assert f'value="{Kind.PASS_DISTRIBUTOR}"' in html
    assert set(response.context["form"]["kinds"].initial) == {Kind.PLACE_OPERATOR, Kind.PASS_DISTRIBUTOR}


def test_mediator_of_the_organisation_cannot_change_its_details(client, demo, library):
    verified_session(client, demo.user("mediateur"))

    assert client.get(edit_url(library)).status_code == 403
    response = client.post(edit_url(library), {"name": "Piratée", "kinds": [Kind.FUNDER]})
    assert response.status_code == 403
    library.refresh_from_db()
    assert library.name == "Médiathèque Toussaint"


def test_member_of_another_organisation_does_not_even_learn_it_exists(client, demo, library):
    verified_session(client, demo.user("ccas"))

    assert client.get(edit_url(library)).status_code == 404
    assert client.post(edit_url(library), {"name": "Piratée", "kinds": [Kind.FUNDER]}).status_code == 404
    missing = reverse("accounts:organization_edit", kwargs={"organization_id": library.pk + 1000})
    assert client.get(missing).status_code == 404


def test_a_siret_already_used_by_another_organisation_is_refused_next_to_its_field(demo, client):
    from django.urls import reverse

    from maillage.accounts.models import Organization
    from tests.conftest import verified_session

    Organization.objects.filter(name="CCAS de Cholet").update(siret="73282932000074")
    library = Organization.objects.get(name="Médiathèque Toussaint")
    verified_session(client, demo.user("admin"))
    response = client.post(
        reverse("accounts:organization_edit", kwargs={"organization_id": library.pk}),
        {
            "name": library.name,
            "siret": "732 829 320 00074",
            "rna": "",
            "commune": "Angers",
            "kinds": ["place_operator"],
        },
    )
    assert response.status_code == 200
    assert response.context["form"].errors.as_data()["siret"][0].code == "siret_taken"


def test_saving_the_same_commune_does_not_count_it_as_changed(demo):
    from maillage.accounts.forms import OrganizationForm
    from maillage.accounts.models import Organization

    library = Organization.objects.get(name="Médiathèque Toussaint")
    form = OrganizationForm(
        {"name": library.name, "siret": "", "rna": "", "commune": library.commune.label, "kinds": library.kinds},
        instance=library,
    )
    assert form.is_valid(), form.errors
    assert form.changed_data == []
