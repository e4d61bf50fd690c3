"""What a small phone shows first (320 × 568): the page's main action, with or without JavaScript.

The crawler checks it on every page that marks a main action; these journeys reach the pages it
cannot name by their address alone: a search's results and each step of a request for help.
"""

import pytest

from tests.web.browser import FIRST_SCREEN, first_screen_problem

pytestmark = pytest.mark.browser

WIDTH, HEIGHT = FIRST_SCREEN


@pytest.fixture(params=[True, False], ids=["javascript", "no-javascript"])
def phone(request, browser, live_world):
    context = browser.new_context(viewport={"width": WIDTH, "height": HEIGHT}, java_script_enabled=request.param)
    page = context.new_page()
    page.base = live_world.url
    yield page
    context.close()


def main_action_shown(page):
    assert page.locator("[data-main-action]").count() >= 1, f"{page.url} marks no main action"
    assert first_screen_problem(page) is None, f"{page.url}: {first_screen_problem(page)}"


def test_the_home_page_shows_ask_for_help_first(phone, demo):
    phone.goto(phone.base + "/")
    main_action_shown(phone)
    assert phone.locator("[data-main-action]").inner_text() == "Demander de l’aide"


def test_the_results_come_before_the_filters(phone, demo):
    phone.goto(phone.base + "/lieux/?where=Angers+%2849000%29&need=demarches")
    main_action_shown(phone)
    first_result = phone.locator(".results__list a").first
    assert first_result.get_attribute("data-main-action") is not None
    assert first_result.bounding_box()["y"] < phone.locator("#search-title").bounding_box()["y"]


def test_each_step_of_a_request_shows_its_question_first(phone, demo):
    phone.goto(phone.base + "/besoin-d-aide/")
    main_action_shown(phone)
    phone.get_by_label("Faire mes démarches en ligne").check()
    phone.get_by_role("button", name="Continuer").click()
    main_action_shown(phone)
    phone.locator("#id_where").fill("49100")
    phone.get_by_role("button", name="Continuer").click()
    assert "étape 3 sur 3" in phone.title()
    main_action_shown(phone)


def test_the_first_screen_judge_catches_a_main_action_pushed_down(browser):
    page = browser.new_page(viewport={"width": WIDTH, "height": HEIGHT})
    page.set_content(
        "<html lang='fr'><body><div style='height: 900px'></div><a href='/' data-main-action>Go</a></body>"
    )
    assert first_screen_problem(page).startswith("the main action ends at 9")
    page.set_content(
        "<html lang='fr'><body><div style='height: 400px'></div><a href='/' data-main-action>Go</a></body>"
    )
    assert first_screen_problem(page) is None
    page.close()


def test_a_request_from_a_place_page_shows_its_question_first_too(phone, demo):
    from maillage.places.models import Place

    place = Place.objects.taking_requests().order_by("-name").first()  # a long name: the hardest case
    phone.goto(phone.base + f"/besoin-d-aide/?need=demarches&place={place.pk}")
    assert place.name in phone.locator("main").inner_text()
    main_action_shown(phone)
