"""Demo places: an extract of the public places of Maine-et-Loire, shipped with the project."""

from pathlib import Path

from maillage.places.importers.pipeline import import_file
from maillage.places.models import Place

DEMO_PLACES_FILE = Path(__file__).resolve().parent / "data" / "demo-places-49.json"
DEMO_SOURCE = "demo-maine-et-loire"
# The places each demo organisation owns: its members keep these listings true.
OWNED = {"Médiathèque Toussaint": "49007", "Association Les Connectés du Saumurois": "49328"}


def load_demo_places(organizations_by_name):
    """Import the demo places (idempotent) and give each demo place operator the places of its commune."""
    report = import_file(DEMO_PLACES_FILE, source=DEMO_SOURCE)
    for name, insee_code in OWNED.items():
        organization = organizations_by_name.get(name)
        if organization is not None:
            Place.objects.filter(commune_id=insee_code, organization__isnull=True).update(organization=organization)
    return report
