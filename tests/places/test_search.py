import json
from datetime import datetime

import pytest
from django.urls import reverse
from django.utils import timezone, translation

from maillage.places import hours
from maillage.places.models import Place
from maillage.places.search import for_display, search
from tests.places.factories import place_at

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

MONDAY_10H = timezone.make_aware(datetime(2026, 11, 30, 10, 0))
SUNDAY_10H = timezone.make_aware(datetime(2026, 11, 29, 10, 0))


@pytest.fixture
def angers(communes):
    paperwork = ["Aide aux démarches administratives"]
    return {
        "library": place_at("Médiathèque", 47.4696, -0.5540, services=paperwork, fees=["Gratuit"]),
        "fablab": place_at(
            "Fablab",
            47.48,
            -0.56,
            services=["Loisirs et créations numériques"],
            fees=["Payant"],
            opening_hours="Sa 10:00-12:00",
        ),
        "far": place_at("Saumur", 47.26, -0.08, services=["Aide aux démarches administratives"], fees=["Gratuit"]),
        "draft": place_at("Brouillon", 47.47, -0.55, status=Place.Status.DRAFT),
        "no_position": place_at("Sans position", None, None, services=["Aide aux démarches administratives"]),
    }


def names(results):
    return [result.place.name for result in for_display(results)]


def test_places_come_nearest_first_within_the_radius_and_drafts_never(angers):
    results = search(47.4697, -0.5541, radius_km=10)
    assert names(results) == ["Médiathèque", "Sans position", "Fablab"]
    assert 0 < results[0].distance_km < 1 and "50" in results[0].distance_words  # "à 50 m": never closer than 50 m
    assert "Saumur" in names(search(47.4697, -0.5541, radius_km=50))


def test_a_place_without_position_is_placed_at_its_commune(angers):
    result = next(
        result for result in for_display(search(47.4697, -0.5541, 10)) if result.place.name == "Sans position"
    )
    assert result.distance_km < 2


def test_needs_and_filters_narrow_the_results(angers):
    assert names(search(47.4697, -0.5541, 10, need="demarches")) == ["Médiathèque", "Sans position"]
    assert names(search(47.4697, -0.5541, 10, free=True)) == ["Médiathèque"]
    assert names(search(47.4697, -0.5541, 10, open_now=True, moment=MONDAY_10H)) == ["Médiathèque", "Sans position"]
    assert names(search(47.4697, -0.5541, 10, open_saturday=True, moment=MONDAY_10H)) == ["Fablab"]


def plain(text):
    """Times keep their number and unit together with no-break spaces; compare them as read."""
    return text.replace("\u00a0", " ")


def test_opening_status_is_said_in_plain_french():
    expression = "Mo-Fr 09:00-12:00,14:00-17:30"
    with translation.override("fr"):
        assert hours.status(expression, MONDAY_10H).sentence == "Ouvert maintenant, ferme à 12\u00a0h."
        assert plain(hours.status(expression, timezone.make_aware(datetime(2026, 11, 30, 15, 0))).sentence) == (
            "Ouvert maintenant, ferme à 17 h 30."
        )
        assert plain(hours.status(expression, SUNDAY_10H).sentence) == "Fermé, ouvre demain à 9 h."
        assert plain(hours.status("Mo 09:00-12:00", timezone.make_aware(datetime(2026, 12, 1, 10, 0))).sentence) == (
            "Fermé, ouvre lundi à 9 h."
        )
        assert hours.status("", MONDAY_10H).is_open is None


def test_the_week_is_listed_day_by_day():
    with translation.override("fr"):
        week = hours.week("Mo-Fr 09:00-12:00,14:00-17:30", SUNDAY_10H)
    assert week[0] == ("dimanche 29 novembre", [])
    assert week[1][0] == "lundi 30 novembre"
    assert [plain(hours) for hours in week[1][1]] == ["9 h – 12 h", "14 h – 17 h 30"]


def test_the_search_page_asks_where_and_keeps_what_was_typed(client, angers):
    response = client.get(reverse("places:search"), {"where": "", "need": "demarches"})
    assert response.status_code == 200
    assert response.context["form"].errors["where"]
    assert 'value="demarches" selected' in response.content.decode()


def test_a_slip_in_the_commune_asks_did_you_mean_before_any_result(client, angers):
    response = client.get(reverse("places:search"), {"where": "Angerss", "need": "demarches"})
    html = response.content.decode()
    assert "Vouliez-vous dire" in html and "Angers (49000) — Maine-et-Loire" in html
    assert not response.context["searched"] and "0 lieu" not in html
    chosen = client.get(reverse("places:search"), {"where": "Angerss", "where_choice": "49007", "need": "demarches"})
    assert chosen.context["searched"] and "Médiathèque" in chosen.content.decode()


def test_searching_from_a_postcode_lists_places_with_their_status_and_phone(client, angers):
    angers["library"].phone = "+33241242550"
    angers["library"].save()
    response = client.get(reverse("places:search"), {"where": "Angers (49000)", "need": "demarches", "radius": "10"})
    html = response.content.decode()
    assert response.status_code == 200
    # From the commune's centre, the place placed there comes first.
    assert html.index("Sans position") < html.index("Médiathèque")
    assert 'href="tel:+33-2-41-24-25-50"' in html


def test_no_result_says_so_offers_a_wider_search_and_the_phone(client, angers):
    response = client.get(reverse("places:search"), {"where": "Angers", "need": "materiel", "radius": "5"})
    html = response.content.decode()
    assert "radius=10" in html
    assert 'class="help-line"' in html and "tel:" in html.split("results-title")[-1]


def test_a_place_page_gives_everything_to_go_there(client, angers):
    response = client.get(reverse("places:detail", kwargs={"place_id": angers["library"].pk}))
    assert response.status_code == 200
    assert "openstreetmap.org/directions" in response.content.decode()
    assert client.get(reverse("places:detail", kwargs={"place_id": angers["draft"].pk})).status_code == 404


def test_overseas_places_open_by_their_own_clock():
    # 10 h in Paris in winter is 13 h in La Réunion: a place open 9 h–12 h there is closed.
    assert hours.is_open("Mo-Fr 09:00-12:00", MONDAY_10H)
    assert not hours.is_open("Mo-Fr 09:00-12:00", MONDAY_10H, postcode="97400")
    assert hours.is_open("Mo-Fr 09:00-12:00", MONDAY_10H, postcode="97200") is False  # 5 h in Martinique


def test_the_map_is_offered_only_when_a_tile_server_is_set(client, angers, settings):
    query = {"where": "Angers (49000)", "need": "demarches", "radius": "10"}
    assert "results-map" not in client.get(reverse("places:search"), query).content.decode()
    settings.MAP_TILES_URL = "https://{s}.tiles.example.org/{z}/{x}/{y}.png"
    html = client.get(reverse("places:search"), query).content.decode()
    points = json.loads(html.split('id="results-map-points" type="application/json">')[1].split("</script>")[0])
    assert [point["name"] for point in points] == ["Sans position", "Médiathèque"]
    assert 'data-tiles="https://{s}.tiles.example.org/{z}/{x}/{y}.png"' in html and " hidden " in html


def test_the_tile_server_is_allowed_by_the_content_security_policy_only_for_images():
    from maillage.settings import _tiles_source

    assert _tiles_source("https://{s}.tile.openstreetmap.org/{z}/{x}/{y}.png") == "https://*.tile.openstreetmap.org"
    assert _tiles_source("https://tiles.example.org:8443/{z}/{x}/{y}.png") == "https://tiles.example.org:8443"
    assert _tiles_source("") is None


def test_the_home_page_names_needs_that_open_their_search(client, angers):
    home = client.get("/").content.decode()
    assert '<a href="/lieux/?need=demarches">Faire mes démarches en ligne</a>' in home
    assert home.count('href="/lieux/?need=') == 5
    page = client.get(reverse("places:search"), {"need": "emails"})
    assert not page.context["form"].is_bound and 'value="emails" selected' in page.content.decode()
    assert "error-summary" not in page.content.decode()


def test_the_results_come_before_the_search_that_changes_them(client, angers):
    html = client.get(reverse("places:search"), {"where": "Angers (49000)", "need": "demarches"}).content.decode()
    assert html.index('<h1 id="results-title">') < html.index("Médiathèque") < html.index('id="search-title"')
    assert html.index('id="search-title"') < html.index('name="where"')
