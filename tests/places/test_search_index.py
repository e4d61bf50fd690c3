"""The in-memory search index follows the directory: saves, deletions, imports, other processes."""

import pytest
from django.core.cache import cache

from maillage.places import search_index
from maillage.places.importers.pipeline import import_file
from maillage.places.models import Place
from maillage.places.search import for_display, search
from maillage.territory.distance import distance_km
from tests.places.factories import place_at

pytestmark = pytest.mark.django_db

ANGERS = (47.4697, -0.5541)


def found(latitude, longitude, radius_km, **criteria):
    return [result.place.name for result in for_display(search(latitude, longitude, radius_km, **criteria))]


def test_a_new_changed_or_deleted_place_is_searched_at_once(communes):
    assert found(*ANGERS, 10) == []
    library = place_at("Médiathèque", 47.4696, -0.5540, fees=["Gratuit"])
    assert found(*ANGERS, 10) == ["Médiathèque"]
    library.fees = ["Payant"]
    library.save()
    assert found(*ANGERS, 10, free=True) == []
    library.status = Place.Status.ARCHIVED
    library.save()
    assert found(*ANGERS, 10) == []
    library.delete()
    assert found(*ANGERS, 10) == []


def test_an_import_is_searched_at_once(communes, tmp_path):
    path = tmp_path / "lieux.csv"
    path.write_text(
        "id,nom,adresse,code_postal,commune,latitude,longitude,services,frais_a_charge,date_maj\n"
        "a1,Espace numérique,2 rue Y,49000,Angers,47.47,-0.55,Aide aux démarches administratives,Gratuit,2026-11-01\n",
        encoding="utf-8",
    )
    import_file(path, source="test")
    assert found(*ANGERS, 10, need="demarches", free=True) == ["Espace numérique"]


def test_a_place_unpublished_by_another_process_is_left_out_of_the_page(communes):
    place_at("Médiathèque", 47.4696, -0.5540)
    assert found(*ANGERS, 10) == ["Médiathèque"]
    revision = cache.get(search_index.REVISION_KEY)
    Place.objects.update(status=Place.Status.DRAFT)  # no signal: as if another process had done it
    cache.set(search_index.REVISION_KEY, revision, None)
    assert len(search(*ANGERS, 10)) == 1  # the stale index still has it…
    assert found(*ANGERS, 10) == []  # …but the page never shows it


def test_the_circle_is_exact_at_its_edge_and_across_the_antimeridian(communes):
    inside = place_at("Dedans", 47.4697 + 0.0895, -0.5541)  # about 9.95 km north
    outside = place_at("Dehors", 47.4697 + 0.0905, -0.5541)  # about 10.06 km north
    assert (
        distance_km(*ANGERS, inside.latitude, inside.longitude) < 10 < distance_km(*ANGERS, outside.latitude, -0.5541)
    )
    assert found(*ANGERS, 10) == ["Dedans"]
    place_at("Est", -14.0, 179.99)
    place_at("Ouest", -14.0, -179.99)
    assert found(-14.0, 179.98, 10) == ["Est", "Ouest"]
    assert found(-14.0, -179.98, 10) == ["Ouest", "Est"]


def test_the_index_holds_each_published_place_once(communes):
    for number in range(30):
        place_at(f"Lieu {number}", 47.0 + number * 0.05, -0.5 + number * 0.07)
    place_at("Brouillon", 47.47, -0.55, status=Place.Status.DRAFT)
    assert search_index.current().size == 30
    assert len(search(47.7, 0.5, 200)) == 30
