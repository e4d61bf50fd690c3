"""Journeys a person makes in a real Chromium: keyboard only, JavaScript off, small screens."""

import pytest
from django.urls import reverse

from maillage.accounts.demo import DEMO_PASSWORD, demo_email, demo_totp_code
from maillage.accounts.models import Organization
from tests.conftest import session_cookie_for
from tests.web.browser import axe_violations, tab_to

pytestmark = pytest.mark.browser

FOCUSABLE = ", ".join(
    [
        "a[href]",
        "button:not([disabled])",
        "input:not([type=hidden]):not([disabled])",
        "select",
        "textarea",
        "[tabindex]:not([tabindex='-1'])",
    ]
)

DESCRIBE_ACTIVE = """() => {
  const element = document.activeElement;
  const style = getComputedStyle(element);
  const box = element.getBoundingClientRect();
  return {
    key: element.outerHTML.slice(0, 120),
    outline: style.outlineStyle !== 'none' && parseFloat(style.outlineWidth) >= 2,
    visible: box.width > 0 && box.height > 0 && box.bottom > 0 && box.top < window.innerHeight,
  };
}"""


@pytest.mark.parametrize("width", [320, 1280])
def test_keyboard_reaches_every_control_of_the_home_page_in_order_with_visible_focus(
    live_world, browser, communes, width
):
    page = browser.new_page(viewport={"width": width, "height": 800})
    page.goto(live_world.url + "/")
    expected = page.eval_on_selector_all(FOCUSABLE, "elements => elements.map(e => e.outerHTML.slice(0, 120))")
    reached = []
    for _press in expected:
        page.keyboard.press("Tab")
        active = page.evaluate(DESCRIBE_ACTIVE)
        assert active["outline"], f"no visible focus outline on {active['key']}"
        assert active["visible"], f"focused element is off screen: {active['key']}"
        reached.append(active["key"])
    assert reached == expected
    assert "skip-link" in reached[0] and "tel:" in reached[2], "skip link first, then the brand, then the help line"
    page.close()


def test_skip_link_moves_focus_to_the_content(live_world, browser, communes):
    page = browser.new_page()
    page.goto(live_world.url + "/")
    page.keyboard.press("Tab")
    page.keyboard.press("Enter")
    assert page.evaluate("document.activeElement.id") == "contenu"
    page.close()


def _admin_context(browser, live_world, java_script_enabled):
    context = browser.new_context(java_script_enabled=java_script_enabled)
    admin = demo_email("admin")
    from maillage.accounts.models import User

    context.add_cookies([{**session_cookie_for(User.objects.get(email=admin)), "url": live_world.url}])
    return context


def test_without_javascript_an_ambiguous_commune_is_chosen_from_a_list(live_world, browser, demo):
    library = Organization.objects.get(name="Médiathèque Toussaint")
    context = _admin_context(browser, live_world, java_script_enabled=False)
    page = context.new_page()
    page.goto(live_world.url + reverse("accounts:organization_edit", kwargs={"organization_id": library.pk}))
    page.get_by_label("Nom").fill("Médiathèque Toussaint d'Angers")
    page.locator("#id_commune").fill("49000")
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator("#error-summary").is_visible()
    assert page.locator("#id_name").input_value() == "Médiathèque Toussaint d'Angers", "what was typed is kept"
    page.get_by_label("Écouflant (49000) — Maine-et-Loire").check()
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator(".message--success").is_visible()
    library.refresh_from_db()
    assert (library.name, library.commune.name) == ("Médiathèque Toussaint d'Angers", "Écouflant")
    context.close()


def test_with_javascript_communes_are_suggested_while_typing(live_world, browser, demo):
    library = Organization.objects.get(name="Médiathèque Toussaint")
    context = _admin_context(browser, live_world, java_script_enabled=True)
    page = context.new_page()
    page.goto(live_world.url + reverse("accounts:organization_edit", kwargs={"organization_id": library.pk}))
    page.locator("#id_commune").fill("")
    page.locator("#id_commune").press_sequentially("Ang", delay=50)
    page.locator("#id_commune_suggestions option").first.wait_for(state="attached")
    options = page.eval_on_selector_all("#id_commune_suggestions option", "options => options.map(o => o.value)")
    assert options[0] == "Angers (49000)"
    page.locator("#id_commune").fill(options[0])
    page.get_by_role("button", name="Enregistrer").click()
    assert page.locator(".message--success").is_visible()
    library.refresh_from_db()
    assert library.commune.name == "Angers"
    context.close()


def test_a_mediator_logs_in_with_password_then_code_and_reaches_their_space(live_world, browser, demo):
    page = browser.new_page()
    page.goto(live_world.url + reverse("accounts:login"))
    page.get_by_label("Adresse e-mail").fill(demo_email("mediateur"))
    page.get_by_label("Mot de passe").fill(DEMO_PASSWORD)
    page.get_by_role("button", name="Se connecter").click()
    assert reverse("accounts:two_factor_verify") in page.url
    page.get_by_label("Code de vérification").fill(demo_totp_code(demo.user("mediateur")))
    page.get_by_role("button", name="Continuer").click()
    assert page.url.endswith(reverse("accounts:dashboard"))
    assert page.get_by_role("heading", level=1).inner_text() == "Mon espace"
    page.close()


def test_language_switch_works_without_javascript_and_arabic_is_right_to_left(live_world, browser, communes, settings):
    settings.LANGUAGES = [*settings.LANGUAGES, ("ar", "العربية")]
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_world.url + "/")
    assert page.get_attribute("html", "lang") == "fr"
    page.get_by_role("button", name="English").click()
    assert page.get_attribute("html", "lang") == "en"
    assert page.get_by_role("heading", level=1).inner_text() == "Help with digital tools, near you"
    page.locator("button[value=ar]").click()
    assert (page.get_attribute("html", "lang"), page.get_attribute("html", "dir")) == ("ar", "rtl")
    context.close()


def test_keyboard_only_without_javascript_find_the_nearest_free_place_for_paperwork_and_print_it(
    live_world, browser, demo
):
    context = browser.new_context(java_script_enabled=False)
    page = context.new_page()
    page.goto(live_world.url + reverse("places:search"))
    tab_to(page, "id_where")
    page.keyboard.type("49100")
    tab_to(page, "id_need")
    page.keyboard.press("F")  # "Faire mes démarches en ligne"
    assert page.locator("#id_need").input_value() == "demarches"
    tab_to(page, None, tag="SUMMARY")  # "More criteria" opens with the keyboard, no JavaScript needed
    page.keyboard.press("Enter")
    tab_to(page, "id_free")
    page.keyboard.press("Space")
    tab_to(page, "id_where")
    with page.expect_navigation():
        page.keyboard.press("Enter")
    first = page.locator(".result").first
    assert "Angers" in page.locator("#results-title").inner_text()
    assert first.locator(".result__opening").inner_text().strip()
    first.locator(".result__name a").focus()
    with page.expect_navigation():
        page.keyboard.press("Enter")
    assert page.get_by_role("heading", level=2, name="Ce qu’il faut apporter").is_visible()
    page.emulate_media(media="print")
    assert page.locator(".help-line__number").is_visible()
    assert not page.locator(".site-header__nav").is_visible()
    pdf = page.pdf(format="A4")
    assert pdf.startswith(b"%PDF")
    context.close()


def test_near_me_uses_the_browsers_position_when_the_person_asks(live_world, browser, demo):
    context = browser.new_context(
        geolocation={"latitude": 47.4712, "longitude": -0.5518}, permissions=["geolocation"], locale="fr-FR"
    )
    page = context.new_page()
    page.goto(live_world.url + reverse("places:search"))
    with page.expect_navigation():
        page.get_by_role("button", name="Utiliser ma position").click()
    assert "latitude=47.4712" in page.url
    assert page.locator(".result").count() > 0
    context.close()


def test_the_map_of_results_is_drawn_only_on_request_from_our_own_files(live_world, browser, communes, settings):

    from tests.places.factories import place_at

    place_at("Médiathèque", 47.4696, -0.5540)
    place_at("Maison France Services", 47.475, -0.56)
    settings.MAP_TILES_URL = live_world.url + "/static/favicon.svg?{z}/{x}/{y}"
    page = browser.new_page()
    hosts = set()
    page.on("request", lambda request: hosts.add(request.url.split("/")[2]))
    page.goto(live_world.url + reverse("places:search") + "?where=Angers+(49000)&radius=10")
    assert not page.locator(".leaflet-container").count(), "Leaflet is fetched only when asked for"
    page.get_by_role("button", name="Afficher ces lieux sur une carte").click()
    page.wait_for_selector(".leaflet-container path.leaflet-interactive")
    assert page.locator("path.leaflet-interactive").count() == 2
    assert hosts == {live_world.url.split("/")[2]}
    violations = axe_violations(page)
    assert not violations, "\n".join(violations)
    page.close()
