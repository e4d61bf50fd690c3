"""Issue 6's measure of the activity record: from "Ma semaine", the common case in at most 6
interactions (clicks and keystrokes of choices, typing and moving between fields excluded),
keyboard only, JavaScript off."""

import datetime

import pytest
from django.utils import timezone

from maillage.accounts.demo import demo_email
from maillage.accounts.models import User
from maillage.activities import services
from maillage.activities.models import Accompaniment
from maillage.places.models import Place
from tests.conftest import session_cookie_for
from tests.web.browser import axe_violations, tab_to

pytestmark = pytest.mark.browser


def test_a_mediator_records_a_common_accompaniment_in_at_most_six_interactions(live_world, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    user = User.objects.get(email=demo_email("mediateur"))
    # Yesterday, at one of the library's places: the form proposes it again today.
    usual = Place.objects.acted_at_by(user).order_by("-name").first()
    yesterday = services.record(
        organization=usual.organization,
        author=user,
        day=timezone.localdate() - datetime.timedelta(days=1),
        duration_minutes=60,
        setting="place",
        place=usual,
        autonomy="done_for",
        themes=["email"],
    )
    context.add_cookies([{**session_cookie_for(user), "url": live_world.url}])
    page = context.new_page()
    page.goto(live_world.url + "/ma-semaine/")
    interactions = 0

    def choose(key):
        nonlocal interactions
        interactions += 1
        page.keyboard.press(key)

    for _press in range(40):  # moving between fields is not an interaction
        if page.evaluate("document.activeElement.textContent.trim()") == "Enregistrer un accompagnement":
            break
        page.keyboard.press("Tab")
    with page.expect_navigation():
        choose("Enter")
    tab_to(page, "id_duration_0")
    choose("ArrowDown")  # 30 min
    tab_to(page, "id_themes_2")
    choose("Space")  # e-mail
    tab_to(page, "id_autonomy_0")
    choose("ArrowDown")  # with my help
    with page.expect_navigation():
        choose("Enter")
    assert interactions <= 6, interactions
    assert "L’accompagnement est enregistré" in page.content()
    record = Accompaniment.objects.exclude(pk=yesterday.pk).get()
    assert (record.duration_minutes, record.themes, record.autonomy, record.kind, record.outcome) == (
        30,
        ["email"],
        "with_help",
        "individual",
        "done",
    )
    assert record.author == user and record.setting == "place" and record.place == usual
    context.close()


def test_a_workshop_is_created_three_people_register_one_cancels_and_attendance_records_it(live_world, browser, demo):
    """Issue 6's workshop journey in Chromium with JavaScript off: the place creates a workshop, two
    people register on the public page and staff register a third, who waits; one cancels with her
    link and the waiting list moves up; after the session, ticking attendance records it."""
    import re

    from maillage.activities.models import Registration, WorkshopSession

    staff = browser.new_context(java_script_enabled=False)
    staff.add_cookies([{**session_cookie_for(User.objects.get(email=demo_email("mediateur"))), "url": live_world.url}])
    mediator = staff.new_page()
    mediator.goto(live_world.url + "/ma-semaine/")
    mediator.get_by_role("link", name="Nos ateliers").click()
    mediator.get_by_role("link", name="Créer un atelier").click()
    mediator.locator("#id_place").select_option(index=1)  # no place is chosen for them: the first real one
    mediator.get_by_label("Titre").fill("Envoyer une photo par e-mail")
    mediator.get_by_label("E-mail", exact=True).check()
    mediator.get_by_label("Ce que nous ferons, en mots simples").fill("Apportez votre téléphone.")
    mediator.get_by_label("Nombre de places").fill("2")
    day = timezone.localdate() + datetime.timedelta(days=2)
    mediator.get_by_label("Jour de la (première) séance").fill(day.strftime("%d/%m/%Y"))
    mediator.get_by_label("Heure").fill("14:00")
    mediator.get_by_role("button", name="Créer l’atelier").click()
    assert "L’atelier est créé, avec 1 séance(s)" in mediator.content()

    public = browser.new_context(java_script_enabled=False)
    person = public.new_page()
    links = {}
    for first_name, contact in (
        ("Amina", {"Votre numéro de téléphone": "06 12 34 56 78"}),
        ("Bernard", {"Ou votre e-mail": "bernard@example.org"}),
    ):
        person.goto(live_world.url + "/ateliers/")
        person.get_by_role("link", name="Envoyer une photo par e-mail").click()
        person.get_by_label("Votre prénom").fill(first_name)
        for label, value in contact.items():
            person.get_by_label(label).fill(value)
        person.get_by_role("button", name="S’inscrire").click()
        assert f"{first_name}, vous êtes inscrit" in person.content()
        links[first_name] = person.url

    session = WorkshopSession.objects.get()
    mediator.goto(f"{live_world.url}/mes-ateliers/seances/{session.pk}/")
    mediator.get_by_label("Prénom").fill("Chantal")
    mediator.get_by_label("Téléphone").fill("07 98 76 54 32")
    mediator.get_by_role("button", name="Inscrire cette personne").click()
    assert "Chantal est sur liste d’attente" in mediator.content()

    person.goto(links["Amina"])
    person.get_by_role("button", name="Annuler mon inscription").click()
    assert "Votre inscription est annulée" in person.content()
    assert dict(Registration.objects.values_list("first_name", "status")) == {
        "Amina": "cancelled",
        "Bernard": "registered",
        "Chantal": "registered",
    }

    WorkshopSession.objects.filter(pk=session.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    mediator.goto(f"{live_world.url}/mes-ateliers/seances/{session.pk}/")
    mediator.get_by_label("Bernard").uncheck()  # every registered person is ticked; Bernard did not come
    mediator.get_by_label("Personnes venues sans inscription").fill("1")
    mediator.get_by_role("button", name="Enregistrer les présences").click()
    assert "Les présences sont notées" in mediator.content()
    record = Accompaniment.objects.get()
    assert (record.kind, record.participants, record.workshop_session_id) == ("collective", 2, session.pk)
    assert re.search(r"/ateliers/inscription/.+/", links["Bernard"])
    staff.close()
    public.close()


@pytest.mark.parametrize("width", [320, 1280])
def test_the_attendance_form_and_the_registration_errors_have_no_accessibility_violation(
    live_world, browser, demo, width
):
    """The crawler sees sessions to come; attendance is taken after one, and errors show on a bad form."""
    import datetime

    from django.utils import timezone

    from maillage.accounts.models import Organization
    from maillage.activities import workshops
    from maillage.activities.models import WorkshopSession

    library = Organization.objects.get(name="Médiathèque Toussaint")
    place = library.places.order_by("name").first()
    past, coming = (
        workshops.create_workshop(
            organization=library,
            place=place,
            by=None,
            title=title,
            themes=["email"],
            description="Venez.",
            capacity=4,
            first_start=timezone.now() + datetime.timedelta(days=1),
        ).sessions.get()
        for title in ("Passé", "À venir")
    )
    for first_name in ("Amina", "Bernard"):
        workshops.register(
            past,
            first_name=first_name,
            phone="+33612345678" if first_name == "Amina" else "",
            email="bernard@example.org" if first_name == "Bernard" else "",
        )
    WorkshopSession.objects.filter(pk=past.pk).update(starts_at=timezone.now() - datetime.timedelta(hours=2))
    context = browser.new_context(viewport={"width": width, "height": 900})
    context.add_cookies(
        [{**session_cookie_for(User.objects.get(email=demo_email("mediateur"))), "url": live_world.url}]
    )
    page = context.new_page()
    page.goto(f"{live_world.url}/mes-ateliers/seances/{past.pk}/")
    assert page.get_by_role("button", name="Enregistrer les présences").count() == 1
    page.get_by_label("Personnes venues sans inscription").fill("1")
    page.get_by_label("75 ans ou plus").fill("9")
    page.get_by_role("button", name="Enregistrer les présences").click()
    assert "font plus que les 3 personnes venues" in page.content()
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    public = browser.new_context(viewport={"width": width, "height": 900}).new_page()
    public.goto(f"{live_world.url}/ateliers/{coming.pk}/")
    public.get_by_label("Votre prénom").fill("Chantal")
    public.get_by_role("button", name="S’inscrire").click()
    assert "Tapez un numéro de téléphone ou un e-mail" in public.content()
    violations = axe_violations(public)
    assert not violations, "\n".join(violations)
    context.close()
