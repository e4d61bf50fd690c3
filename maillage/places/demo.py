"""Demo places: an extract of the public places of Maine-et-Loire, shipped with the project."""

from pathlib import Path

from maillage.places.importers.pipeline import import_file
from maillage.places.models import Place

DEMO_PLACES_FILE = Path(__file__).resolve().parent / "data" / "demo-places-49.json"
DEMO_SOURCE = "demo-maine-et-loire"
# The places each demo organisation runs, as a real one would (one to three), by their public names:
# its members keep these listings true.
OWNED = {
    "Médiathèque Toussaint": [
        "Médiathèque Toussaint",
        "Bibliothèque municipale - Belle-Beille",
        "Bibliothèque municipale - Monplaisir",
    ],
    "Association Les Connectés du Saumurois": [
        "Clic&Déclic - Espace Numérique du Douessin",
        "Association Micro-informatique Allonnaise (AMIA)",
    ],
    "CCAS de Cholet": ["CCAS - Cholet"],
}
# What the library's members say of their main place, beyond the public file: its digital help desk
# helps with paperwork too, for free.
KEPT_TRUE = {
    "Médiathèque Toussaint": {
        "services": [
            "Aide aux démarches administratives",
            "Maîtrise des outils numériques du quotidien",
            "Accès internet et matériel informatique",
        ],
        "fees": ["Gratuit"],
    }
}


def load_demo_places(organizations_by_name):
    """Import the demo places (idempotent) and give each demo organisation its own places."""
    report = import_file(DEMO_PLACES_FILE, source=DEMO_SOURCE)
    for organization_name, place_names in OWNED.items():
        organization = organizations_by_name.get(organization_name)
        if organization is not None:
            Place.objects.filter(name__in=place_names, organization__isnull=True).update(organization=organization)
    for place_name, fields in KEPT_TRUE.items():
        Place.objects.filter(name=place_name).update(**fields)
    return report
