"""standard-mediation-num v1.0.1: the national schema of digital-mediation places.

The enumerations are copied from the official Table Schema (schema_v1.0.1.json, LaMednum);
tests/places/test_schema.py checks them against ../shared/schemas/mednum/schema_v1.0.1.json.
Multi-valued fields are written with "|" between values in v1 files.
"""

MULTI_VALUE_SEPARATOR = "|"

ENUMERATIONS = {
    "itinerance": ("Itinérant", "Fixe"),
    "services": (
        "Aide aux démarches administratives",
        "Maîtrise des outils numériques du quotidien",
        "Insertion professionnelle via le numérique",
        "Utilisation sécurisée du numérique",
        "Parentalité et éducation avec le numérique",
        "Loisirs et créations numériques",
        "Compréhension du monde numérique",
        "Accès internet et matériel informatique",
        "Acquisition de matériel informatique à prix solidaire",
    ),
    "publics_specifiquement_adresses": ("Jeunes", "Étudiants", "Familles et/ou enfants", "Seniors", "Femmes"),
    "prise_en_charge_specifique": (
        "Surdité",
        "Handicaps moteurs",
        "Handicaps mentaux",
        "Illettrisme",
        "Langues étrangères (anglais)",
        "Langues étrangères (autres)",
        "Déficience visuelle",
    ),
    "frais_a_charge": ("Gratuit", "Gratuit sous condition", "Payant"),
    "dispositif_programmes_nationaux": (
        "Aidants Connect",
        "Bibliothèques numérique de référence",
        "Certification PIX",
        "Conseillers numériques",
        "Emmaüs Connect",
        "France Services",
        "Grande école du numérique",
        "La Croix Rouge",
        "Point d'accès numérique CAF",
        "Promeneurs du net",
        "Relais numérique (Emmaüs Connect)",
    ),
    "formations_labels": (
        "Formé à « Mon Espace Santé »",
        "Formé à « DUPLEX » (illettrisme)",
        "Arnia/MedNum BFC (Bourgogne-Franche-Comté)",
        "Collectif ressources et acteurs réemploi (Normandie)",
        "Fabriques de Territoire",
        "Les Éclaireurs du numérique (Drôme)",
        "Mes Papiers (Métropole de Lyon)",
        "ORDI 3.0",
        "SUD LABS (PACA)",
    ),
    "modalites_acces": (
        "Se présenter",
        "Téléphoner",
        "Contacter par mail",
        "Prendre un RDV en ligne",
        "Ce lieu n'accueille pas de public",
        "Envoyer un mail avec une fiche de prescription",
    ),
    "modalites_accompagnement": (
        "En autonomie",
        "Accompagnement individuel",
        "Dans un atelier collectif",
        "À distance",
    ),
}

# Every column of the schema, in its order: the CSV export writes exactly these.
FIELDS = (
    "id",
    "pivot",
    "nom",
    "commune",
    "code_postal",
    "code_insee",
    "adresse",
    "complement_adresse",
    "latitude",
    "longitude",
    "typologie",
    "telephone",
    "courriels",
    "site_web",
    "horaires",
    "presentation_resume",
    "presentation_detail",
    "source",
    "itinerance",
    "structure_parente",
    "date_maj",
    "services",
    "publics_specifiquement_adresses",
    "prise_en_charge_specifique",
    "frais_a_charge",
    "dispositif_programmes_nationaux",
    "formations_labels",
    "autres_formations_labels",
    "modalites_acces",
    "modalites_accompagnement",
    "fiche_acces_libre",
    "prise_rdv",
)

UNKNOWN_SIRET = "00000000000000"
