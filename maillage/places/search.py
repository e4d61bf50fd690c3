"""Public search of help places: by need, around a commune (or a position), nearest first."""

from dataclasses import dataclass

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from maillage.places import hours
from maillage.places.models import Place
from maillage.territory.distance import bounding_box, distance_km

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
    place: Place | None = None
    opening: hours.OpeningStatus | None = None

    @property
    def distance_words(self):
        if self.distance_km < 1:
            return _("%(metres)s m away") % {"metres": max(50, int(round(self.distance_km * 1000, -1)))}
        return _("%(km)s km away") % {"km": f"{self.distance_km:.1f}".replace(".", ",")}


def _any_of(values, wanted):
    return not wanted or any(value in values for value in wanted)


def search(latitude, longitude, radius_km, need=None, free=False, open_now=False, open_saturday=False,
           support_modes=(), specific_support=(), publics=(), moment=None):  # fmt: skip
    """Published places within ``radius_km``, nearest first: their ids and distances.

    Only the columns the active filters need are read (no model instances, no JSON decoded for
    nothing); the places of the page shown are loaded afterwards by ``for_display``.
    """
    moment = moment or timezone.now()
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
    located = Q(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
    # A place without its own position is placed at its commune's centre.
    by_commune = Q(latitude__isnull=True) & Q(
        commune__latitude__range=(min_lat, max_lat), commune__longitude__range=(min_lon, max_lon)
    )
    checks = []  # (column, test on its value)
    if need:
        checks.append(("services", lambda values, wanted=NEEDS[need][1]: _any_of(values, wanted)))
    if support_modes:
        wanted = [value for key in support_modes for value in SUPPORT_MODES[key][1]]
        checks.append(("support_modes", lambda values, wanted=wanted: _any_of(values, wanted)))
    if specific_support:
        wanted = [value for key in specific_support for value in SPECIFIC_SUPPORT[key][1]]
        checks.append(("specific_support", lambda values, wanted=wanted: _any_of(values, wanted)))
    if publics:
        wanted = [value for key in publics for value in PUBLICS[key][1]]
        checks.append(("publics", lambda values, wanted=wanted: _any_of(values, wanted)))
    if free:
        checks.append(("fees", lambda values: "Gratuit" in values))
    if open_now:
        checks.append(("hours_and_postcode", lambda both: hours.is_open(both[0], moment, both[1])))
    if open_saturday:
        checks.append(("hours_and_postcode", lambda both: hours.is_open_on_weekday(both[0], SATURDAY, moment, both[1])))
    columns = ["pk", "latitude", "longitude", "commune__latitude", "commune__longitude", "opening_hours", "postcode"]
    columns += [column for column, _test in checks if column != "hours_and_postcode"]
    values_of = {"hours_and_postcode": lambda row: (row[5], row[6])}
    results = []
    for row in Place.objects.published().filter(located | by_commune).values_list(*columns):
        place_id, place_latitude, place_longitude, commune_latitude, commune_longitude = row[:5]
        extra = iter(row[7:])
        values = [values_of[column](row) if column in values_of else next(extra) for column, _test in checks]
        if place_latitude is None:
            place_latitude, place_longitude = commune_latitude, commune_longitude
        distance = distance_km(latitude, longitude, place_latitude, place_longitude)
        if distance > radius_km:
            continue
        if all(test(value) for (_column, test), value in zip(checks, values, strict=True)):
            results.append(Result(place_id, distance))
    results.sort(key=lambda result: (result.distance_km, result.place_id))
    return results


def for_display(results, moment=None):
    """Load the places of the results shown (a page) in one query, with whether they are open."""
    places = Place.objects.in_bulk([result.place_id for result in results])
    for result in results:
        result.place = places[result.place_id]
        result.opening = hours.status(result.place.opening_hours, moment, result.place.postcode)
    return results
