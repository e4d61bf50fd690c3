"""What a person means by the commune they typed: one commune at once, or a question with choices.

Every commune box reads its text here (CommuneField, and the choices its widget shows without
JavaScript), so that a form, the directory and the help request understand "Angres" alike:

- a commune of the territory named exactly, a postcode only it uses, or a label with its postcode
  ("Angers (49000)", what a suggestion puts in the box) is taken at once;
- anything else is a question. "Angres" is the exact name of a commune of the Pas-de-Calais and a
  one-letter slip from Angers: the communes of the territory close to what was typed come first,
  then those elsewhere, by how close they are, then by how far from the territory. A commune
  outside the territory is never taken without the person choosing it in a list that says so.
"""

from dataclasses import dataclass, field

from maillage.parsing import is_ascii_digits
from maillage.territory.distance import distance_km
from maillage.territory.models import LABEL_WITH_POSTCODE, Commune
from maillage.territory.text import fold, typing_distance

# A name typed is compared with every commune of the territory (a few hundred) in Python; farther
# away, only exact names and names starting with what was typed (the database's index) are offered.
CHOICES_FOR_A_NAME = 10
CHOICES_FOR_A_POSTCODE = 20
PREFIX_SLIPS = 1.5


class Question:
    NOT_FOUND = "not_found"
    AMBIGUOUS = "ambiguous"  # several communes bear this exact name or postcode
    DID_YOU_MEAN = "did_you_mean"  # not an exact name: close names, inside the territory first
    OUTSIDE = "outside"  # exactly a commune outside the territory, nothing close inside it


@dataclass(frozen=True)
class Reading:
    commune: Commune | None = None
    question: str = ""
    choices: list = field(default_factory=list)

    @property
    def typed_nothing(self):
        return self.commune is None and not self.question


def read(text, choice=""):
    """The commune meant by ``text``, or the question to ask; ``choice`` answers a question asked."""
    text = " ".join((text or "").split())
    if not text:
        return Reading()
    reading = _read(text)
    chosen = next((commune for commune in reading.choices if commune.pk == (choice or "").strip()), None)
    return Reading(commune=chosen) if chosen else reading


def _read(text):
    labelled = LABEL_WITH_POSTCODE.match(text)
    if labelled:
        matches = list(
            Commune.objects.filter(search_name=fold(labelled["name"]), postcodes__code=labelled["postcode"]).distinct()
        )
        if len(matches) == 1:
            return Reading(commune=matches[0])
        text = labelled["name"]  # a postcode that does not fit: read the name alone
    compact = text.replace(" ", "")
    if is_ascii_digits(compact):
        return _read_postcode(compact)
    return _read_name(text)


def _read_postcode(digits):
    if len(digits) < 2:
        return Reading(question=Question.NOT_FOUND)
    matches = sorted(
        Commune.objects.search(digits, limit=CHOICES_FOR_A_POSTCODE).prefetch_related("postcodes"),
        key=lambda commune: (not commune.in_territory, -(commune.population or 0), commune.insee_code),
    )
    if not matches:
        return Reading(question=Question.NOT_FOUND)
    if len(digits) == 5 and len(matches) == 1:
        if matches[0].in_territory:
            return Reading(commune=matches[0])
        return Reading(question=Question.OUTSIDE, choices=matches)
    return Reading(question=Question.AMBIGUOUS if len(digits) == 5 else Question.DID_YOU_MEAN, choices=matches)


def _read_name(text):
    key = fold(text)
    if not key:
        return Reading(question=Question.NOT_FOUND)
    territory = list(Commune.objects.in_territory().only(*_COMPARED_FIELDS))
    exactly_inside = [commune for commune in territory if commune.search_name == key]
    if len(exactly_inside) == 1:
        return Reading(commune=_with_postcodes(exactly_inside)[0])
    tolerance = 1 if len(key) <= 6 else 2
    close_inside = [
        commune
        for commune in territory
        if commune.search_name.startswith(key)
        or (
            abs(len(commune.search_name) - len(key)) <= tolerance
            and typing_distance(key, commune.search_name) <= tolerance
        )
    ]
    exactly_named = list(Commune.objects.filter(search_name=key))
    elsewhere = exactly_named or Commune.objects.filter(search_name__startswith=key).order_by(
        "-population", "insee_code"
    )
    candidates = {commune.pk: commune for commune in [*close_inside, *elsewhere[:CHOICES_FOR_A_POSTCODE]]}
    if not candidates:
        return Reading(question=Question.NOT_FOUND)
    choices = _with_postcodes(ranked(key, candidates.values(), territory)[:CHOICES_FOR_A_NAME])
    if exactly_named and not close_inside:
        question = Question.AMBIGUOUS if len(exactly_named) > 1 else Question.OUTSIDE
    elif len(exactly_inside) > 1:
        question = Question.AMBIGUOUS
    else:
        question = Question.DID_YOU_MEAN
    return Reading(question=question, choices=choices)


_COMPARED_FIELDS = ("insee_code", "name", "search_name", "department_code", "latitude", "longitude", "population")


def ranked(key, candidates, territory):
    """Inside the territory first; then the closest to what was typed; then the nearest the territory.

    Distances to the territory count by 10 km, so that the most populated of neighbours comes first.
    """
    located = [commune for commune in territory if commune.latitude is not None]

    def tens_of_km_to_territory(commune):
        if commune.in_territory or commune.latitude is None or not located:
            return 0
        return round(
            min(distance_km(commune.latitude, commune.longitude, c.latitude, c.longitude) for c in located) / 10
        )

    return sorted(
        candidates,
        key=lambda commune: (
            not commune.in_territory,
            closeness(key, commune.search_name),
            tens_of_km_to_territory(commune),
            -(commune.population or 0),
            commune.insee_code,
        ),
    )


def closeness(key, name):
    """How far a folded name is from what was typed, in slips: 0 is the very name.

    A name that starts with what was typed is a slip and a half away at most: "Ang" is as close to
    Angers as to Angrie, "Chole" is one slip from Cholet, and a one-letter slip of a name is closer
    than every longer name it happens to start.
    """
    distance = typing_distance(key, name)
    return min(distance, PREFIX_SLIPS) if name.startswith(key) and name != key else distance


def _with_postcodes(communes):
    """The same communes, with their postcodes fetched at once for their labels."""
    by_code = Commune.objects.prefetch_related("postcodes").in_bulk([commune.pk for commune in communes])
    return [by_code[commune.pk] for commune in communes]
