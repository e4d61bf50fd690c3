"""Public search of help places: by need, around a commune (or a position), nearest first."""

from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.places import hours, search_index
from maillage.places.models import Place

# The needs people say, in their words, and the schema's services that answer them.
NEEDS = {
    "demarches": (_("Do my paperwork online"), ["Aide aux démarches administratives"]),
    "telephone": (_("Learn to use my phone or tablet"), ["Maîtrise des outils numériques du quotidien"]),
    "ordinateur": (_("Learn to use a computer"), ["Maîtrise des outils numériques du quotidien"]),
    "emails": (_("Send and read my e-mails"), ["Maîtrise des outils numériques du quotidien"]),
    "arnaques": (_("Protect myself from scams on the internet"), ["Utilisation sécurisée du numérique"]),
    "emploi": (_("Look for a job or a training online"), ["Insertion professionnelle via le numérique"]),
    "enfants": (_("Help my children with digital tools"), ["Parentalité et éducation avec le numérique"]),
    "acces": (_("Use a computer and the internet on site"), ["Accès internet et matériel informatique"]),
    "materiel": (
        _("Get a computer or a phone at a low price"),
        ["Acquisition de matériel informatique à prix solidaire"],
    ),
    "loisirs": (_("Create, play and discover with digital tools"), ["Loisirs et créations numériques"]),
    "comprendre": (_("Understand the digital world"), ["Compréhension du monde numérique"]),
}

SUPPORT_MODES = {
    "sur-place": (_("In person, with someone"), ["Accompagnement individuel"]),
    "atelier": (_("In a group workshop"), ["Dans un atelier collectif"]),
    "distance": (_("Remotely, by phone or video"), ["À distance"]),
}

SPECIFIC_SUPPORT = {
    "surdite": (_("I am deaf or hard of hearing"), ["Surdité"]),
    "vue": (_("I am blind or partially sighted"), ["Déficience visuelle"]),
    "mobilite": (_("I use a wheelchair or move with difficulty"), ["Handicaps moteurs"]),
    "lecture": (_("I find it hard to read and write"), ["Illettrisme"]),
    "langues": (_("I speak little French"), ["Langues étrangères (anglais)", "Langues étrangères (autres)"]),
    "handicap-mental": (_("I have a mental disability"), ["Handicaps mentaux"]),
}

PUBLICS = {
    "jeunes": (_("Young people"), ["Jeunes"]),
    "etudiants": (_("Students"), ["Étudiants"]),
    "familles": (_("Families and children"), ["Familles et/ou enfants"]),
    "seniors": (_("Seniors"), ["Seniors"]),
    "femmes": (_("Women"), ["Femmes"]),
}

RADIUS_CHOICES_KM = (5, 10, 20, 50)
SATURDAY = 5


@dataclass
class Result:
    place_id: int
    distance_km: float
    latitude: float
    longitude: float
    place: Place | None = None
    opening: hours.OpeningStatus | None = None

    @property
    def distance_words(self):
        if self.distance_km < 1:
            return _("%(metres)s m away") % {"metres": max(50, int(round(self.distance_km * 1000, -1)))}
        return _("%(km)s km away") % {"km": f"{self.distance_km:.1f}".replace(".", ",")}


def search(
    latitude,
    longitude,
    radius_km,
    need=None,
    free=False,
    open_now=False,
    open_saturday=False,
    support_modes=(),
    specific_support=(),
    publics=(),
    moment=None,
):
    """Published places within ``radius_km``, nearest first: their ids and distances.

    Searched in the in-memory index (``search_index``); the places of the page shown are loaded
    afterwards by ``for_display``.
    """
    moment = moment or timezone.now()
    index = search_index.current()
    wanted_values = {
        "services": NEEDS[need][1] if need else (),
        "support_modes": [value for key in support_modes for value in SUPPORT_MODES[key][1]],
        "specific_support": [value for key in specific_support for value in SPECIFIC_SUPPORT[key][1]],
        "publics": [value for key in publics for value in PUBLICS[key][1]],
        "fees": ["Gratuit"] if free else (),
    }
    wanted = {
        position: index.wanted_mask(column, wanted_values[column])
        for position, column in enumerate(search_index.MASKED_COLUMNS)
        if wanted_values[column]
    }
    results = []
    for entry, distance in index.around(latitude, longitude, radius_km, wanted):
        if open_now and not hours.is_open(entry.opening_hours, moment, entry.postcode):
            continue
        if open_saturday and not hours.is_open_on_weekday(entry.opening_hours, SATURDAY, moment, entry.postcode):
            continue
        results.append(Result(entry.place_id, distance, entry.latitude, entry.longitude))
    results.sort(key=lambda result: (result.distance_km, result.place_id))
    return results


def for_display(results, moment=None):
    """Load the places of the results shown (a page) in one query, with whether they are open."""
    places = Place.objects.published().in_bulk([result.place_id for result in results])
    # A place unpublished since the index was built (by another process) is left out of the page.
    shown = [result for result in results if result.place_id in places]
    for result in shown:
        result.place = places[result.place_id]
        result.opening = hours.status(result.place.opening_hours, moment, result.place.postcode)
    return shown
