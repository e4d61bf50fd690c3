"""How the tests build help places: one function, ``new_place``, and the places the worlds share."""

from datetime import date

from maillage.places.models import Place

PAPERWORK = "Aide aux démarches administratives"
# The demo library's address, in Angers. Angers (49007) is loaded by the ``communes`` fixture: a place
# made without it is attached to no commune (``commune_id=None``) and has no position, unless given.
ANGERS = {"address": "49 rue Toussaint", "postcode": "49000", "commune_name": "Angers"}
LIBRARY_POSITION = {"latitude": 47.4696, "longitude": -0.554}


def new_place(organization=None, name="Espace numérique", **fields):
    """A published place in Angers, updated on 1 November 2026, unless ``fields`` say otherwise."""
    return Place.objects.create(
        name=name, organization=organization, **{**ANGERS, "updated_on": date(2026, 11, 1), **fields}
    )


def place_at(name, latitude, longitude, **fields):
    """A place of Angers at a position, open on weekdays: for searches by distance and opening hours."""
    fields = {"commune_id": "49007", "opening_hours": "Mo-Fr 09:00-12:00,14:00-17:30", **fields}
    return new_place(name=name, latitude=latitude, longitude=longitude, **fields)


def helping_place(organization, **fields):
    """The place of the shared worlds: helps with paperwork, free, open Tuesday to Saturday, with a phone."""
    defaults = {
        **LIBRARY_POSITION,
        "commune_id": "49007",
        "phone": "+33241242550",
        "opening_hours": "Tu-Sa 10:00-18:00",
        "services": [PAPERWORK],
        "fees": ["Gratuit"],
    }
    return new_place(organization, "Espace numérique de la médiathèque", **{**defaults, **fields})


def paperwork_place_of(organization):
    """The first place of an organisation (of the demo) that helps with paperwork."""
    return next(place for place in organization.places.order_by("pk") if PAPERWORK in place.services)


def listing_form(**overrides):
    """What an owner posts on their listing's page (places:edit)."""
    data = {
        "name": "Espace numérique Toussaint",
        "address": "49 rue Toussaint",
        "address_complement": "",
        "postcode": "49000",
        "commune": "Angers",
        "summary": "",
        "description": "",
        "booking_url": "",
        "accessibility_sheet_url": "",
        "phone": "02 41 24 25 50",
        "emails": "accueil@example.org",
        "websites": "",
        "opening_hours": "Tu-Sa 10:00-18:00",
        "services": ["Aide aux démarches administratives"],
        "fees": ["Gratuit"],
        "request_radius_km": "20",
    }
    return {**data, **overrides}
