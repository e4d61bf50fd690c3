"""Sections that other apps add to a place's public page.

Places sit below the apps that add them (workshops, for one): those apps register a section here
when they start, so that this app imports none of them.
"""

from dataclasses import dataclass, field

_SECTIONS = []


@dataclass
class Section:
    template: str
    context: dict = field(default_factory=dict)


def register(section_of_place):
    """``section_of_place(place)`` returns a Section, or None when it has nothing to show."""
    _SECTIONS.append(section_of_place)
    return section_of_place


def sections_for(place):
    return [section for section in (make(place) for make in _SECTIONS) if section is not None]
