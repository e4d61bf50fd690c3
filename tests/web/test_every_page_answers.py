"""Every page of the URL conf answers every persona of the crawler without a server error, on
whichever database the suite runs (the crawler's browser checks run on SQLite: the queries are what
differ between databases)."""

import pytest

from tests.conftest import verified_session
from tests.url_inventory import all_routes, url_for
from tests.worlds import CCAS, LIBRARY, PERSONAS


@pytest.mark.django_db
def test_every_page_of_every_persona_answers(module_worlds, client):
    """No server error on any page, for any persona, on whichever database the suite runs."""
    worlds = {LIBRARY: module_worlds.library, CCAS: module_worlds.ccas}
    errors, answered = [], 0
    for persona_name, persona in PERSONAS.items():
        client.logout()
        if persona.user is not None:
            verified_session(client, module_worlds.demo.user(persona.user))
        for route in all_routes():
            path = url_for(route, worlds[persona.world])
            status = client.get(path).status_code
            answered += 1
            if status >= 500:
                errors.append(f"{persona_name} {route.name} {path}: {status}")
    assert answered == len(PERSONAS) * len(all_routes()) and not errors, "\n".join(errors)
