"""Reading numbers typed or sent by people, once, at the edge.

``str.isdigit`` says yes to "²", "٣" and other Unicode digits, which the database refuses as an id
(a 500). Ids and codes are ASCII digits only.
"""

import re

ASCII_DIGITS = re.compile(r"[0-9]+")
MAX_ID_DIGITS = 18  # within a 64-bit integer: no overflow in any database


def is_ascii_digits(text):
    """Whether ``text`` is made of the digits 0 to 9 only (and is not empty)."""
    return isinstance(text, str) and ASCII_DIGITS.fullmatch(text) is not None


def parse_id(text):
    """The id written in ``text`` (a query parameter, a form value), or None when it is not one."""
    if not is_ascii_digits(text) or len(text) > MAX_ID_DIGITS:
        return None
    return int(text)
