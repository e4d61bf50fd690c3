"""How stored values are shown to people: the template side of ``maillage.formatting``.

Templates show dates and times only through these filters (tests/test_formatting.py checks it):
``|day`` "8 décembre 2026", ``|day:"weekday no-year"`` "mardi 8 décembre", ``|time_of_day`` "14 h 30",
``|moment`` "mardi 8 décembre à 14 h 30", ``|moment:"year"`` "8 décembre 2026 à 14 h 30",
``|month`` "décembre 2026"; a name after a preposition through ``|after_de`` "d'Angers",
``|after_a`` "au Mans" and ``|near`` "près de Cholet" (the French sentence leaves the preposition out).
"""

from django import template

from maillage import formatting

register = template.Library()
register.filter("phone_display", formatting.phone_display)
register.filter("tel_uri", formatting.tel_uri)
register.filter("euros", formatting.euros)
register.filter("time_of_day", formatting.time_of_day)
register.filter("month", formatting.month)
register.filter("after_de", formatting.after_de)
register.filter("after_a", formatting.after_a)
register.filter("near", formatting.near)


def _flags(options):
    return set((options or "").split())


@register.filter
def day(value, options=""):
    flags = _flags(options)
    return formatting.day(value, weekday="weekday" in flags, year="no-year" not in flags)


@register.filter
def moment(value, options=""):
    """Without options: the weekday and no year (what is coming); "year": the year and no weekday (what was)."""
    flags = _flags(options)
    if "year" in flags:
        return formatting.moment(value, weekday="weekday" in flags, year=True)
    return formatting.moment(value)


@register.filter
def marked_optional(field):
    """Whether a field's label says "(optional)": not when it is required, nor when another answer
    needs it (``maillage.forms.needed_for_some_answers``), nor for radio buttons that always hold a
    choice (one is ticked from the start: nothing can be left out)."""
    if field.field.required or getattr(field.field, "needed_for_some_answers", False):
        return False
    return not (field.widget_type == "radioselect" and field.initial not in (None, ""))
