"""Issue 6's measure of the activity record: from "Ma semaine", the common case in at most 6
interactions (clicks and keystrokes of choices, typing and moving between fields excluded),
keyboard only, JavaScript off."""

import pytest

from maillage.accounts.demo import demo_email
from maillage.accounts.models import User
from maillage.activities.models import Accompaniment
from tests.conftest import session_cookie_for
from tests.web.test_browser_journeys import _tab_to

pytestmark = pytest.mark.browser


def test_a_mediator_records_a_common_accompaniment_in_at_most_six_interactions(live_world, browser, demo):
    context = browser.new_context(java_script_enabled=False)
    user = User.objects.get(email=demo_email("mediateur"))
    context.add_cookies([{**session_cookie_for(user), "url": live_world.url}])
    page = context.new_page()
    page.goto(live_world.url + "/ma-semaine/")
    interactions = 0

    def choose(key):
        nonlocal interactions
        interactions += 1
        page.keyboard.press(key)

    for _press in range(40):  # moving between fields is not an interaction
        if page.evaluate("document.activeElement.textContent.trim()") == "Enregistrer un accompagnement":
            break
        page.keyboard.press("Tab")
    with page.expect_navigation():
        choose("Enter")
    _tab_to(page, "id_duration_0")
    choose("ArrowDown")  # 30 min
    _tab_to(page, "id_themes_2")
    choose("Space")  # e-mail
    _tab_to(page, "id_autonomy_0")
    choose("ArrowDown")  # with my help
    with page.expect_navigation():
        choose("Enter")
    assert interactions <= 6, interactions
    assert "L’accompagnement est enregistré" in page.content()
    record = Accompaniment.objects.get()
    assert (record.duration_minutes, record.themes, record.autonomy, record.kind, record.outcome) == (
        30, ["email"], "with_help", "individual", "done")  # fmt: skip
    assert record.author == user and record.setting == "place"
    context.close()
