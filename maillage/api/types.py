"""Text the API accepts: no NUL and no other control character, refused at the edge, once.

PostgreSQL refuses NUL in text (a 500 deep in a save) and SQLite would store it. Every string an
operation reads is one of these types, so that the refusal is in the OpenAPI schema too (a
pattern), and tests/api/test_schema.py checks that no plain string is left.
"""

from typing import Annotated

from pydantic import StringConstraints

# One line: no control character at all (C0, DEL, C1).
Line = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x1f\x7f-\x9f]*$")]
# A message: lines and tabs, nothing else of the control characters.
Text = Annotated[str, StringConstraints(pattern=r"^[^\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]*$")]
