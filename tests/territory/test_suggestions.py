"""While a person types, the page suggests communes (JavaScript only: the form works without it)."""

import pytest
from django.urls import reverse

from maillage.territory.forms import CommuneField
from maillage.territory.views import SUGGESTION_COUNT

pytestmark = [pytest.mark.django_db, pytest.mark.shared_communes]  # the communes built once (savepoints)

URL = reverse("territory:commune_suggestions")


def suggestions(client, query):
    response = client.get(URL, {"q": query})
    assert response.status_code == 200
    assert response["Content-Type"] == "application/json"
    return response.json()["results"]


def test_the_suggestions_live_under_territoire():
    assert URL == "/territoire/communes/"


def test_typing_ang_suggests_angers_first(client, communes):
    results = suggestions(client, "ang")

    assert results[0] == {
        "insee_code": "49007",
        "name": "Angers",
        "label": "Angers (49000)",
        "department": "Maine-et-Loire",
        "in_territory": True,
    }
    assert [result["name"] for result in results] == ["Angers", "Angrie"]


def test_typing_a_postcode_suggests_the_communes_it_serves(client, communes):
    results = suggestions(client, "49000")

    assert [result["label"] for result in results] == ["Angers (49000)", "Écouflant (49000)"]


def test_at_most_ten_suggestions_the_territory_first(client, communes):
    results = suggestions(client, "saint")

    assert len(results) == SUGGESTION_COUNT == 10
    assert results[0]["insee_code"] == "49267"  # Saint-Barthélemy-d'Anjou, the most populated "Saint…" of the territory
    assert {result["department"] for result in results} == {"Maine-et-Loire"}


def test_a_suggestion_outside_the_territory_says_so(client, communes):
    (lyon,) = [result for result in suggestions(client, "lyon") if result["name"] == "Lyon"]

    assert lyon["department"] == "Rhône"
    assert lyon["in_territory"] is False


@pytest.mark.parametrize("query", ["", "   ", "4", "!!!"])
def test_nothing_worth_searching_gives_an_empty_list(client, communes, query):
    assert suggestions(client, query) == []


def test_no_query_at_all_gives_an_empty_list(client, communes):
    response = client.get(URL)

    assert response.status_code == 200
    assert response.json() == {"results": []}


def test_anyone_may_ask_for_suggestions_without_logging_in(client, communes):
    response = client.get(URL, {"q": "cholet"})

    assert response.status_code == 200
    assert response.json()["results"][0]["insee_code"] == "49099"


def test_suggestions_cannot_be_posted(client, communes):
    response = client.post(URL, {"q": "ang"})

    assert response.status_code == 405


def test_suggestions_may_be_cached_by_anyone_for_a_day(client, communes):
    response = client.get(URL, {"q": "ang"})

    cache_control = {part.strip() for part in response["Cache-Control"].split(",")}
    assert "public" in cache_control
    assert "max-age=86400" in cache_control
    assert "private" not in cache_control


def test_suggestions_cost_a_fixed_number_of_queries(client, communes, django_assert_max_num_queries):
    with django_assert_max_num_queries(2):
        results = suggestions(client, "saint")
    assert len(results) == 10


def test_every_suggested_label_is_understood_by_the_commune_field(client, communes):
    field = CommuneField()
    for query in ("ang", "49", "saint", "marseille", "paris 1"):
        for result in suggestions(client, query):
            assert field.clean(result["label"]).insee_code == result["insee_code"], result["label"]
