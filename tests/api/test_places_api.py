"""The places API: what a developer of another service sees when they call /api/v1/places."""

import pytest
from django.urls import reverse

from maillage.api.places import NEED_BY_SERVICE
from maillage.places.models import Place, PlaceSource
from maillage.places.schema import ENUMERATIONS, FIELDS
from tests.places.factories import place_at

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

ANGERS = {"lat": 47.47, "lon": -0.55}
PAPERWORK = "Aide aux démarches administratives"
LEISURE = "Loisirs et créations numériques"


@pytest.fixture
def angers(communes):
    library = place_at(
        "Médiathèque Toussaint",
        47.4696,
        -0.5540,
        services=[PAPERWORK],
        fees=["Gratuit"],
        phone="+33241242550",
        summary="Aide aux démarches, ateliers.",
    )
    PlaceSource.objects.create(place=library, source="cartographie", source_id="1", producer="Ville d'Angers")
    return {
        "library": library,
        "fablab": place_at("Fablab", 47.48, -0.56, services=[LEISURE], fees=["Payant"], opening_hours="Sa 10:00-12:00"),
        "trelaze": place_at("Espace numérique de Trélazé", 47.445, -0.466, services=[PAPERWORK, LEISURE]),
        "saumur": place_at("France services Saumur", 47.26, -0.08, services=[PAPERWORK], fees=["Gratuit"]),
        "draft": place_at("Brouillon", 47.47, -0.55, services=[PAPERWORK], status=Place.Status.DRAFT),
    }


def get_places(client, **params):
    return client.get("/api/v1/places", {**ANGERS, **params})


def names(response):
    return [item["nom"] for item in response.json()["results"]]


def test_someone_near_angers_finds_the_nearest_places_first_with_their_distance(client, angers):
    response = get_places(client)

    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/json")
    body = response.json()
    assert names(response) == ["Médiathèque Toussaint", "Fablab", "Espace numérique de Trélazé"]
    assert body["count"] == 3 and body["page"] == 1 and body["pages"] == 1
    distances = [item["distance_km"] for item in body["results"]]
    assert distances == sorted(distances) and 0 < distances[0] < 1 and 6 < distances[2] < 8
    library = body["results"][0]
    assert library["id"] == str(angers["library"].pk)
    assert library["services"] == PAPERWORK and library["frais_a_charge"] == "Gratuit"
    assert library["source"] == "Ville d'Angers"
    assert library["opening_status"]
    assert library["url"] == f"http://testserver/lieux/{angers['library'].pk}/"


def test_a_wider_radius_reaches_saumur_and_a_narrower_one_only_the_city(client, angers):
    assert "France services Saumur" in names(get_places(client, radius_km=60))
    assert names(get_places(client, radius_km=2)) == ["Médiathèque Toussaint", "Fablab"]


def test_services_filter_by_official_value_or_need_key_and_repeat_as_any_of(client, angers):
    assert names(get_places(client, services=PAPERWORK)) == ["Médiathèque Toussaint", "Espace numérique de Trélazé"]
    assert names(get_places(client, services="demarches")) == names(get_places(client, services=PAPERWORK))
    assert names(get_places(client, services=LEISURE)) == ["Fablab", "Espace numérique de Trélazé"]
    both = get_places(client, services=[PAPERWORK, "loisirs"])
    assert names(both) == ["Médiathèque Toussaint", "Fablab", "Espace numérique de Trélazé"]
    assert both.json()["count"] == 3  # Trélazé offers both: found once
    assert names(get_places(client, services=PAPERWORK, free="true")) == ["Médiathèque Toussaint"]


def test_every_official_service_can_be_searched_as_one_need():
    assert set(NEED_BY_SERVICE) == set(ENUMERATIONS["services"])


def test_an_unknown_service_is_refused_with_the_accepted_values(client, angers):
    response = get_places(client, services="Cuisine")

    assert response.status_code == 422
    answer = response.json()
    assert (answer["reason"], answer["field"]) == ("invalid", "services.0")
    assert PAPERWORK in answer["errors"][0]["message"] and PAPERWORK in answer["detail"]


def test_many_results_come_twenty_a_page(client, communes, django_assert_max_num_queries):
    for number in range(45):
        place_at(f"Lieu {number:02d}", 47.47 + number / 1000, -0.55)

    with django_assert_max_num_queries(3):  # the search, the page's places, their sources
        first = get_places(client)
    third = get_places(client, page=3)

    assert first.json()["count"] == 45 and first.json()["pages"] == 3
    assert names(first) == [f"Lieu {number:02d}" for number in range(20)]
    assert third.json()["page"] == 3 and names(third) == [f"Lieu {number:02d}" for number in range(40, 45)]
    missing = get_places(client, page=4)
    assert missing.status_code == 404 and "3 pages" in missing.json()["detail"]
    assert get_places(client, page=0).status_code == 422


def test_nothing_around_is_an_empty_first_page(client, angers):
    body = client.get("/api/v1/places", {"lat": 43.3, "lon": 5.37}).json()  # Marseille

    assert body == {"count": 0, "page": 1, "pages": 0, "results": []}


def test_a_place_page_gives_every_column_of_the_standard(client, angers):
    library = angers["library"]

    response = client.get(f"/api/v1/places/{library.pk}")

    assert response.status_code == 200
    body = response.json()
    assert set(body) == {*FIELDS, "opening_status", "url"}
    assert body["nom"] == "Médiathèque Toussaint" and body["telephone"] == "+33241242550"
    assert body["latitude"] == pytest.approx(47.4696) and body["date_maj"] == "2026-11-01"
    assert body["url"].endswith(reverse("places:detail", kwargs={"place_id": library.pk}))
    assert "distance_km" not in body


def test_drafts_and_unknown_places_are_not_found(client, angers):
    draft = angers["draft"]

    assert client.get(f"/api/v1/places/{draft.pk}").status_code == 404
    assert client.get("/api/v1/places/999999").status_code == 404
    assert "Brouillon" not in names(get_places(client))


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"lon": -0.55}, "lat"),
        ({"lat": 47.47}, "lon"),
        ({**ANGERS, "radius_km": 101}, "radius_km"),
        ({**ANGERS, "radius_km": 0}, "radius_km"),
        ({"lat": 95, "lon": -0.55}, "lat"),
        ({**ANGERS, "free": "maybe"}, "free"),
    ],
)
def test_invalid_searches_are_refused_with_the_field_at_fault(client, communes, params, field):
    response = client.get("/api/v1/places", params)

    assert response.status_code == 422
    errors = response.json()["errors"]
    assert [error["field"] for error in errors] == [field]
    assert errors[0]["message"]


def test_radius_over_100_km_says_the_limit(client, communes):
    response = client.get("/api/v1/places", {**ANGERS, "radius_km": 150})

    assert "100" in response.json()["errors"][0]["message"]


def test_anyone_may_call_the_api_without_logging_in(client, angers):
    for url in ("/api/v1/places?lat=47.47&lon=-0.55", f"/api/v1/places/{angers['library'].pk}", "/api/v1/openapi.json"):
        response = client.get(url)
        assert response.status_code == 200, f"{url} answered {response.status_code}"
        assert "Location" not in response


def test_the_api_only_reads(client, angers):
    assert client.post("/api/v1/places", ANGERS).status_code == 405
    assert client.delete(f"/api/v1/places/{angers['library'].pk}").status_code == 405
    assert Place.objects.filter(pk=angers["library"].pk).exists()


def test_the_openapi_schema_describes_every_endpoint_and_no_docs_page_loads_a_cdn(client, db):
    schema = client.get("/api/v1/openapi.json").json()

    assert schema["info"]["title"] == "Maillage API" and schema["info"]["version"] == "1"
    assert set(schema["paths"]) == {
        "/api/v1/places",
        "/api/v1/places/{id}",
        "/api/v1/help-requests",
        "/api/v1/passes/redeem",
        "/api/v1/passes/{code}",
    }
    assert {method for path in ("/api/v1/places", "/api/v1/places/{id}") for method in schema["paths"][path]} == {"get"}
    assert set(schema["paths"]["/api/v1/help-requests"]) == {"get", "post"}
    assert schema["components"]["securitySchemes"]["ApiKey"]["scheme"] == "bearer"
    parameters = {parameter["name"] for parameter in schema["paths"]["/api/v1/places"]["get"]["parameters"]}
    assert {"lat", "lon", "radius_km", "services", "free", "page"} <= parameters
    assert client.get("/api/v1/docs").status_code == 404
