"""How stored values are shown to people: the template side of ``maillage.formatting``."""

from django import template

from maillage import formatting

register = template.Library()
register.filter("phone_display", formatting.phone_display)
register.filter("euros", formatting.euros)
