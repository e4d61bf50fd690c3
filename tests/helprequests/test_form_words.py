"""The words of the forms: "(optional)" only on what is never needed, questions asked to the right
person, an error summary that does not blame what was typed."""

import itertools

import pytest

from maillage.accounts.models import Organization
from maillage.helprequests.forms import SOMEONE_ELSE, HowStep
from maillage.helprequests.staff_forms import StaffRequestForm
from maillage.territory.models import Commune
from tests.accounts.factories import OrganizationFactory
from tests.helprequests.factories import ASK, post_step, staff_request
from tests.places.factories import helping_place

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]

EVERYTHING_TYPED = {
    "phone": "06 12 34 56 78",
    "email": "josiane@example.org",
    "first_name": "Josiane",
    "moments": ["morning"],
    "language": "en",
    "support": [],
    "message": "Le matin",
    "asker_name": "Paul",
    "asker_phone": "06 11 22 33 44",
    "asker_email": "paul@example.org",
    "consent": "on",
}


def needed_by_some_answer(make_form, answers, full):
    """The optional fields whose absence some combination of the other answers refuses: alone (a phone
    for a call-back), or with another one that could stand for it (a phone or an e-mail, at least one)."""
    needed = set()
    for combination in answers:
        data = {**full, **combination}
        assert make_form(data).is_valid(), (combination, make_form(data).errors)
        optional = [name for name, field in make_form(data).fields.items() if not field.required]
        optional = [name for name in optional if name not in combination]

        def refused_without(*names, data=data):
            form = make_form({key: value for key, value in data.items() if key not in names})
            return set(names) & set(form.errors)

        alone = {name for name in optional if refused_without(name)}
        together = {
            name
            for pair in itertools.combinations(sorted(set(optional) - alone), 2)
            if refused_without(*pair)
            for name in pair
        }
        needed |= alone | together
    return needed


def marked(form):
    return {name for name, field in form.fields.items() if getattr(field, "needed_for_some_answers", False)}


@pytest.mark.parametrize("for_someone_else", [False, True])
def test_a_field_some_answer_needs_is_not_marked_optional_on_the_request_form(for_someone_else):
    asked_for = ("demarches", Commune.objects.get(insee_code="49007"), None)

    def make_form(data):
        return HowStep(data, for_someone_else=for_someone_else, asked_for=asked_for)

    contacts = [{"contact": value} for value, _label in HowStep.base_fields["contact"].choices]
    assert needed_by_some_answer(make_form, contacts, EVERYTHING_TYPED) == marked(make_form(None))


def test_a_field_some_answer_needs_is_not_marked_optional_on_the_desk_form():
    organizations = Organization.objects.filter(pk__in=[OrganizationFactory().pk, OrganizationFactory().pk])
    place = helping_place(organizations[0])

    def make_form(data):
        return StaffRequestForm(data, organizations=organizations)

    full = staff_request(email="marcel@example.org", place=place.pk, organization=organizations[0].pk)
    answers = [
        {"contact": contact, "destination": destination}
        for (contact, _label), (destination, _name) in itertools.product(
            StaffRequestForm.base_fields["contact"].choices, StaffRequestForm.base_fields["destination"].choices
        )
    ]
    assert needed_by_some_answer(make_form, answers, full) == marked(make_form(None))


def test_the_optional_mark_is_shown_once_and_never_on_a_field_an_answer_needs(client):
    page = post_step(client, client.get(ASK), need="demarches", for_whom="me")
    page = post_step(client, page, where="Angers (49000)")
    html = page.content.decode()
    phone_label = html.split('for="id_phone"')[1].split("</label>")[0]
    assert "facultatif" not in phone_label
    assert "(facultatif)" in html.split('for="id_first_name"')[1].split("</label>")[0]


@pytest.mark.parametrize(
    ("for_whom", "question"),
    [("me", "Où habitez-vous ?"), (SOMEONE_ELSE, "Où habite la personne qui a besoin d’aide ?")],
)
def test_step_two_asks_where_i_live_or_where_the_person_lives(client, for_whom, question):
    page = post_step(client, client.get(ASK), need="demarches", for_whom=for_whom)
    assert question in page.content.decode().replace("\u00a0", " ")


def test_an_empty_answer_is_not_called_a_typing_problem(client):
    html = post_step(client, client.get(ASK)).content.decode()
    assert "Vérifiez cette réponse" in html and "ce que vous avez tapé" not in html
