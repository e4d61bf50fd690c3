"""Pass codes: 70 random bits in Crockford base32, grouped for reading aloud, with a check character.

A code is 14 random symbols from ``secrets`` plus one check symbol, shown as three groups of five:
``7K2MQ-X9RH4-TB3WE``. Crockford's alphabet has no I, L, O or U, and reading accepts them as the
digits they look like (I and L as 1, O as 0), in any case, with spaces or dashes anywhere.

The check symbol is Damm's algorithm over the field with 32 elements: ``r ∘ d = x·r + d`` (the field
being GF(2)[x] / (x⁵ + x² + 1)). Multiplying by x ≠ 0, 1 makes the operation totally
anti-symmetric, so the check catches every single wrong symbol and every swap of two neighbours —
including a swap with the check symbol itself — and it stays inside the 32 readable symbols.
"""

import re
import secrets

ALPHABET = "0123456789ABCDEFGHJKMNPQRSTVWXYZ"
RANDOM_SYMBOLS = 14  # 70 bits: guessing one live code among a million takes ~10¹⁵ tries
GROUP = 5
LENGTH = RANDOM_SYMBOLS + 1
_VALUES = {symbol: value for value, symbol in enumerate(ALPHABET)}
_VALUES.update({"O": 0, "I": 1, "L": 1})
_SEPARATORS = re.compile(r"[\s\-.]+")
QR_PREFIX = "MAILLAGE-PASS:1:"  # versioned payload: the version says how to read what follows


class CodeTypo(ValueError):
    """The code has the right shape but its check symbol does not match: someone mistyped it."""


class NotACode(ValueError):
    """Not a pass code at all: wrong length or symbols that no pass code uses."""


def _times_x(value):
    value <<= 1
    if value & 0b100000:
        value ^= 0b100101  # x⁵ = x² + 1
    return value


def _fold(values):
    interim = 0
    for value in values:
        interim = _times_x(interim) ^ value
    return interim


def check_symbol(random_part):
    """The symbol that brings Damm's fold of the code back to zero."""
    return ALPHABET[_times_x(_fold(_VALUES[symbol] for symbol in random_part))]


def new_code():
    """A fresh code, canonical form (15 symbols, no separators)."""
    random_part = "".join(secrets.choice(ALPHABET) for _ in range(RANDOM_SYMBOLS))
    return random_part + check_symbol(random_part)


def normalize(typed):
    """The canonical code of what someone typed or scanned; raises NotACode or CodeTypo."""
    text = (typed or "").strip()
    if text.upper().startswith(QR_PREFIX):
        text = text[len(QR_PREFIX) :]
    text = _SEPARATORS.sub("", text).upper()
    if len(text) != LENGTH or any(symbol not in _VALUES for symbol in text):
        raise NotACode(text)
    values = [_VALUES[symbol] for symbol in text]
    if _fold(values) != 0:
        raise CodeTypo(text)
    return "".join(ALPHABET[value] for value in values)


def display(code):
    """``7K2MQ-X9RH4-TB3WE``: the canonical code in groups of five, to print and read aloud."""
    return "-".join(code[start : start + GROUP] for start in range(0, len(code), GROUP))


def qr_payload(code):
    return QR_PREFIX + code
