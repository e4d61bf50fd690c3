"""The themes of an accompaniment, defined once: the national digital-inclusion themes of the
activity record (compte rendu d'activité) used by conseillers numériques and mediators, and the
sub-themes of help with administrative procedures (the families of service-public.fr).

Keys are stable (stored in records and exports); labels are translated.
"""

from django.utils.translation import gettext_lazy as _

ADMINISTRATIVE = "administrative_procedures"

THEMES = {
    "equipment": _("Getting to grips with a device (computer, smartphone, tablet)"),
    "internet": _("Browsing the internet"),
    "email": _("E-mail"),
    "office": _("Office software (documents, spreadsheets)"),
    "social_media": _("Social media and communicating"),
    "health": _("Health (online health services)"),
    "banking_shopping": _("Online banking and shopping"),
    "employment": _("Looking for work and training"),
    "parenting": _("Parenting and school in the digital age"),
    "security": _("Digital security (passwords, scams, personal data)"),
    "creating": _("Creating with digital tools (photos, video, websites)"),
    "culture": _("Digital culture (understanding the digital world)"),
    "artificial_intelligence": _("Artificial intelligence"),
    ADMINISTRATIVE: _("Help with administrative procedures"),
}

ADMINISTRATIVE_SUBTHEMES = {
    "papers_citizenship": _("Papers, elections, citizenship"),
    "family_school": _("Family, schooling"),
    "social_health": _("Social benefits, health"),
    "work_training": _("Work, training"),
    "housing": _("Housing"),
    "transport": _("Transport, mobility"),
    "money_tax": _("Money, taxes"),
    "justice": _("Justice"),
    "foreigners": _("Foreigners, Europe"),
    "leisure": _("Leisure, sport, culture"),
}


# The help request's need (places.vocabulary.NEEDS) → the themes a record of it starts with.
THEMES_OF_NEED = {
    "demarches": [ADMINISTRATIVE],
    "telephone": ["equipment"],
    "ordinateur": ["equipment"],
    "emails": ["email"],
    "arnaques": ["security"],
    "emploi": ["employment"],
    "enfants": ["parenting"],
    "acces": ["internet"],
    "materiel": ["equipment"],
    "loisirs": ["creating"],
    "comprendre": ["culture"],
}
