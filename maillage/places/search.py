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
    place: Place
    distance_km: float
    opening: hours.OpeningStatus

    @property
    def distance_words(self):
        if self.distance_km < 1:
            return _("%(metres)s m away") % {"metres": max(50, round(self.distance_km * 1000, -1))}
        return _("%(km)s km away") % {"km": f"{self.distance_km:.1f}".replace(".", ",")}


def _any_of(values, wanted):
    return not wanted or any(value in values for value in wanted)


def search(latitude, longitude, radius_km, need=None, free=False, open_now=False, open_saturday=False,
           support_modes=(), specific_support=(), publics=(), moment=None):  # fmt: skip
    """Published places within ``radius_km``, nearest first, with how far and whether they are open."""
    moment = moment or timezone.now()
    min_lat, max_lat, min_lon, max_lon = bounding_box(latitude, longitude, radius_km)
    located = Q(latitude__range=(min_lat, max_lat), longitude__range=(min_lon, max_lon))
    # A place without its own position is placed at its commune's centre.
    by_commune = Q(latitude__isnull=True) & Q(
        commune__latitude__range=(min_lat, max_lat), commune__longitude__range=(min_lon, max_lon)
    )
    wanted_services = NEEDS[need][1] if need else []
    wanted_modes = [value for key in support_modes for value in SUPPORT_MODES[key][1]]
    wanted_support = [value for key in specific_support for value in SPECIFIC_SUPPORT[key][1]]
    wanted_publics = [value for key in publics for value in PUBLICS[key][1]]
    results = []
    candidates = Place.objects.published().filter(located | by_commune).select_related("commune")
    for place in candidates.only(
        "pk", "name", "address", "postcode", "commune_name", "latitude", "longitude", "phone", "opening_hours",
        "services", "fees", "support_modes", "specific_support", "publics", "commune__latitude", "commune__longitude",
    ):  # fmt: skip
        place_latitude = place.latitude if place.latitude is not None else place.commune.latitude
        place_longitude = place.longitude if place.longitude is not None else place.commune.longitude
        distance = distance_km(latitude, longitude, place_latitude, place_longitude)
        if distance > radius_km:
            continue
        if not (_any_of(place.services, wanted_services) and _any_of(place.support_modes, wanted_modes)):
            continue
        if not (_any_of(place.specific_support, wanted_support) and _any_of(place.publics, wanted_publics)):
            continue
        if free and "Gratuit" not in place.fees:
            continue
        if open_now and not hours.is_open(place.opening_hours, moment):
            continue
        if open_saturday and not hours.is_open_on_weekday(place.opening_hours, SATURDAY, moment):
            continue
        results.append(Result(place, distance, None))
    results.sort(key=lambda result: (result.distance_km, result.place.pk))
    return results


def with_opening_status(results, moment=None):
    """Opening status only for the results shown (a page), not for every match."""
    for result in results:
        result.opening = hours.status(result.place.opening_hours, moment)
    return results
