"""The directory's words: what people need, how they want to be helped, the support and the publics
a place serves — each key in people's words, with the values of standard-mediation-num that answer it.

Every app that speaks of needs (the search, help requests, the API, activity themes) imports them
from here.
"""

from django.utils.translation import gettext_lazy as _

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


def choices(vocabulary):
    """(key, label) pairs of a vocabulary above, for a form's field."""
    return [(key, label) for key, (label, _values) in vocabulary.items()]


def label(vocabulary, key):
    """What a key of a vocabulary says to people; the key itself when it is not (or no longer) in it."""
    return vocabulary.get(key, (key,))[0]
