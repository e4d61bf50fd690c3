"""The words of a help request: when a person can be called, the languages and the support they can
ask for, and how each step is told to them. The model, the forms, the API and the pages import them
from here; this module imports no model of its app (the model reads its labels from here)."""

from django.utils.translation import gettext_lazy as _

from maillage.places.vocabulary import SPECIFIC_SUPPORT

MOMENTS = {
    "morning": _("In the morning"),
    "midday": _("Around lunchtime"),
    "afternoon": _("In the afternoon"),
    "evening": _("After 6 pm"),
    "saturday": _("On Saturday"),
}

# The languages most asked for in France's help places, and French Sign Language.
LANGUAGES = {
    "": _("French"),
    "en": _("English"),
    "ar": _("Arabic"),
    "es": _("Spanish"),
    "pt": _("Portuguese"),
    "tr": _("Turkish"),
    "ro": _("Romanian"),
    "ru": _("Russian"),
    "uk": _("Ukrainian"),
    "fa": _("Dari or Persian"),
    "ps": _("Pashto"),
    "lsf": _("French Sign Language (LSF)"),
}

# The specific support a person can ask for when asking to be contacted (not mobility: we come to them).
SUPPORT = {key: SPECIFIC_SUPPORT[key][0] for key in ("surdite", "vue", "lecture", "handicap-mental")}

# Each move of ``states.TRANSITIONS``, as the person reads it on their follow-up page (never why).
PERSON_WORDS = {
    "submit": _("We received your request."),
    "refer": _("Your request was sent to a help place."),
    "claim": _("A help place took your request."),
    "accept": _("A help place took your request."),
    "decline": _("We are looking for another help place for you."),
    "reoffer": _("We are looking for another help place for you."),
    "transfer": _("Your request was passed on to another help place."),
    "escalate": _("The team of your territory is looking for a help place for you."),
    "book": _("An appointment was booked."),
    "close": _("Your request was closed."),
    "withdraw": _("You told us you no longer need help."),
    "expire": _("Your request was closed: we could not find help in time."),
}
# Each kind of ``ContactAttempt``, as the person reads it.
ATTEMPT_WORDS = {
    "called": _("We called you."),
    "no_answer": _("We tried to call you, without an answer."),
    "message_left": _("We called you and left a message."),
    "sms_sent": _("We sent you a text message."),
    "email_sent": _("We sent you an e-mail."),
}
