"""How stored values are shown: amounts, phone numbers, dates, times and names after a preposition,
the same on pages, in messages and on paper.

Pages reach these through the template filters of ``templatetags/display.py``.
"""

import datetime
import re
from decimal import Decimal

import phonenumbers
from django.conf import settings
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import get_language
from django.utils.translation import gettext as _

NBSP = "\u00a0"


def euros(cents):
    """1234550 → ``12 345,50 €``: integer cents the French way, with no-break spaces so that an
    amount never splits across lines."""
    cents = int(cents or 0)
    sign = "-" if cents < 0 else ""
    whole, part = divmod(abs(cents), 100)
    return f"{sign}{whole:,}".replace(",", NBSP) + f",{part:02d}{NBSP}€"


def decimal_euros(cents):
    """``1234.50``: for files that software reads. Integer arithmetic, so no float ever rounds a cent."""
    return str(Decimal(int(cents)).scaleb(-2).quantize(Decimal("0.01")))


def _parsed(phone):
    try:
        return phonenumbers.parse(phone, "FR")
    except phonenumbers.NumberParseException:
        return None


def phone_display(phone):
    """'+33241242550' → '02 41 24 25 50': by pairs, as people say them (stored in E.164). What was
    stored when it cannot be read as a number."""
    number = _parsed(phone) if phone else None
    if number is None:
        return phone or ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.NATIONAL)


def tel_uri(phone):
    """'+33241242550' → 'tel:+33-2-41-24-25-50', for a link a phone can call; a number that cannot be
    read keeps its digits (a link to nothing would reload the page)."""
    number = _parsed(phone) if phone else None
    if number is None:
        digits = re.sub(r"[^0-9+]", "", phone or "")
        return f"tel:{digits}" if len(digits) >= 3 else ""
    return phonenumbers.format_number(number, phonenumbers.PhoneNumberFormat.RFC3966)


# Dates and times: one way each, the French way ("mardi 8 décembre 2026", "14 h", "14 h 30"), never
# abbreviated, never 14h00. Aware datetimes are shown in the site's time zone.


def _local(value):
    if isinstance(value, datetime.datetime) and timezone.is_aware(value):
        return timezone.localtime(value)
    return value


def time_of_day(value):
    """14:00 → '14 h', 14:30 → '14 h 30' (English: '2 pm', '2:30 pm'); a datetime or a time."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if _speaks_french():
        hours = f"{value.hour}{NBSP}h"
        return hours if value.minute == 0 else f"{hours}{NBSP}{value.minute:02d}"
    suffix = "am" if value.hour < 12 else "pm"
    hour = value.hour % 12 or 12
    return f"{hour}{NBSP}{suffix}" if value.minute == 0 else f"{hour}:{value.minute:02d}{NBSP}{suffix}"


def weekday_name(value):
    """'mardi'."""
    return date_format(_local(value), "l") if value not in (None, "") else ""


def day(value, weekday=False, year=True):
    """'8 décembre 2026', with ``weekday`` 'mardi 8 décembre 2026'; the month written out."""
    if value in (None, ""):
        return ""
    value = _local(value)
    if isinstance(value, datetime.datetime):
        value = value.date()
    text = date_format(value, "j F Y" if year else "j F")
    if _speaks_french():
        text = text.replace("1 ", "1er ", 1) if value.day == 1 else text
    return f"{weekday_name(value)} {text}" if weekday else text


def moment(value, weekday=True, year=False):
    """'mardi 8 décembre à 14 h 30': a day and its time, for an appointment or a workshop."""
    if value in (None, ""):
        return ""
    return _("%(day)s at %(time)s") % {"day": day(value, weekday=weekday, year=year), "time": time_of_day(value)}


def time_range(start, end=None):
    """'14 h – 16 h 30'; without an end, until the end of the day: '20 h – 24 h'."""
    until = time_of_day(end) if end is not None else (f"24{NBSP}h" if _speaks_french() else "midnight")
    return f"{time_of_day(start)}{NBSP}–{NBSP}{until}"


def month(value):
    """'décembre 2026'."""
    return date_format(value, "F Y") if value else ""


def _speaks_french():
    return (get_language() or settings.LANGUAGE_CODE).startswith("fr")


# A name after "de" or "à": French elides and contracts ("d'Angers", "du Mans", "aux Ponts-de-Cé"). The
# French catalogue leaves the preposition out of its sentences ("Clés d'API %(organization)s") and
# the name brings it; other languages get the name alone ("API keys of %(organization)s").

_ELIDES = re.compile(r"^[aeiouyàâäéèêëîïôöùûüœæ]", re.IGNORECASE)  # h: aspirated as often as not
_ARTICLES = {"le ": ("du", "au"), "les ": ("des", "aux")}


def after_de(name):
    """'d'Angers', 'de Cholet', 'du Mans', 'des Ponts-de-Cé' in French; the name in other languages."""
    return _after_preposition(name, "de")


def after_a(name):
    """'à Angers', 'au Mans', 'aux Ponts-de-Cé' in French; the name in other languages."""
    return _after_preposition(name, "à")


def near(name):
    """'près de Cholet', 'près d'Angers' ; 'near Cholet'."""
    return _("near %(name)s") % {"name": after_de(name)}


def _after_preposition(name, preposition):
    name = str(name or "").strip()
    if not _speaks_french():
        return name
    for article, (after_de_form, after_a_form) in _ARTICLES.items():
        if name.lower().startswith(article):
            return f"{after_de_form if preposition == 'de' else after_a_form} {name[len(article) :]}"
    if preposition == "de" and _ELIDES.match(name):
        return f"d’{name}"
    return f"{preposition} {name}"
