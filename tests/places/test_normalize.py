from datetime import date

import pytest

from maillage.places.importers import normalize
from maillage.places.importers.mednum_cli import apply_rules, french_week_to_osm, js_float


@pytest.mark.parametrize(
    ("raw", "postcode", "expected"),
    [
        ("02 41 05 40 00", "49000", "+33241054000"),
        (241054000, "49000", "+33241054000"),  # a number stored as a number lost its leading zero
        ("02.41.05.40.00 / 06 12 34 56 78", "49000", "+33241054000"),
        ("+687 27 12 34", "98800", "+687271234"),
        ("0590 12 34 56", "97110", "+590590123456"),
        ("3949", "75001", ""),
        ("", "49000", ""),
    ],
)
def test_phone_numbers_are_stored_in_e164(raw, postcode, expected):
    assert normalize.clean_phone(raw, postcode) == expected


@pytest.mark.parametrize(("raw", "expected"), [(1000, "01000"), ("1000", "01000"), ("49 000", "49000"), ("123", "")])
def test_postcodes_get_back_their_leading_zero(raw, expected):
    assert normalize.clean_postcode(raw) == expected


def test_positions_are_checked_swapped_or_converted():
    assert normalize.clean_position("47,47", "-0,55") == (47.47, -0.55, "")
    assert normalize.clean_position(-0.55, 47.47)[2] == "latitude and longitude were swapped"
    latitude, longitude, warning = normalize.clean_position(6600000, 700000)  # the origin of Lambert-93
    assert warning == "Lambert-93 coordinates converted"
    assert (round(latitude, 6), round(longitude, 6)) == (46.5, 3.0)
    paris = normalize.lambert93_to_wgs84(652469, 6861851)  # central Paris, within a kilometre
    assert abs(paris[0] - 48.853) < 0.01 and abs(paris[1] - 2.349) < 0.01
    assert normalize.clean_position(14.6, -61.0)[0] == 14.6, "Martinique is in France"
    assert normalize.clean_position(40.7, -74.0)[0] is None, "New York is not"
    assert normalize.clean_position(0, 0)[0] is None


def test_placeholder_siret_means_unknown():
    assert normalize.clean_pivot("00000000000000") == ""
    assert normalize.clean_pivot("13002603200016.0") == "13002603200016"
    assert normalize.clean_pivot("401 092 267 00020") == "40109226700020"


@pytest.mark.parametrize(
    "raw", ["2022-07-15", "2022-07-15T10:00:00Z", "15/07/2022", "15/07/2022 17:51", "2022/07/15 14:16:50.898"]
)
def test_dates_of_every_format_seen(raw):
    assert normalize.clean_date(raw) == date(2022, 7, 15)


def test_unreadable_hours_are_kept_and_flagged():
    assert normalize.clean_opening_hours("Mo-Fr 09:00-12:00") == ("Mo-Fr 09:00-12:00", True)
    assert normalize.clean_opening_hours("lundi matin") == ("lundi matin", False)


def test_legacy_values_of_every_separator_map_to_v1():
    values, leftover = normalize.clean_enumeration(
        "Prendre en main un smartphone ou une tablette, Accéder à du matériel;Truc inconnu", "services"
    )
    assert values == ["Maîtrise des outils numériques du quotidien", "Accès internet et matériel informatique"]
    assert leftover == "truc inconnu"
    fees, _ = normalize.clean_enumeration(
        "Gratuit sous condition : La gratuité est conditionnée à des critères (situation familiale, convention avec"
        " un organisme social...)|Payant",
        "frais_a_charge",
    )
    assert fees == ["Gratuit sous condition", "Payant"]
    assert normalize.clean_enumeration(["Seniors (+ 65 ans)", "Adultes"], "publics_specifiquement_adresses")[0] == [
        "Seniors"
    ]


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("9h-12h et 14h-17h du lundi au vendredi", "Mo-Fr 09:00-12:00,14:00-17:00"),
        ("Lundi au samedi de 9h à 19h", "Mo-Sa 09:00-19:00"),
        ("mercredi de 16 h à 18 h et le samedi de 10 h à 12 h", "We 16:00-18:00; Sa 10:00-12:00"),
        (
            "Les mardi et jeudi de 15h00 à 19h00 - Les mercredi et vendredi de 9h30 à 13h30",
            "Tu 15:00-19:00; We 09:30-13:30; Th 15:00-19:00; Fr 09:30-13:30",
        ),
        ("9H00-12H00 / 13H30-17H00", ""),  # no day: nothing is guessed
    ],
)
def test_french_opening_hours_become_osm(text, expected):
    assert french_week_to_osm(text) == expected


def test_mapping_rules_match_any_column_containing_any_term_unless_excepted():
    rules = [
        {"colonnes": ["a", "b"], "termes": ["gratuit"], "sauf": ["Abonnés"], "cible": "Gratuit"},
        {"colonnes": ["c"], "cible": "Payant"},  # no terms: the column is not empty
        {"cible": "Gratuit sous condition"},  # no columns: always
    ]
    assert apply_rules({"a": "", "b": "Ateliers GRATUITS", "c": None}, rules, "frais_a_charge") == [
        "Gratuit",
        "Gratuit sous condition",
    ]
    assert apply_rules({"a": "gratuit pour les abonnés", "c": 0}, rules, "frais_a_charge") == [
        "Payant",
        "Gratuit sous condition",
    ]
    assert apply_rules({}, [{"cible": "Se présenter"}], "modalites_acces") == []


def test_coordinates_are_read_like_the_anct_tool():
    assert js_float("41.93414,8") == 41.93414
    assert js_float("49,04334998") == 49.04334998
    assert js_float(None) is None
