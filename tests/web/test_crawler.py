"""The crawler: every page, for every persona, at 320 px and 1280 px, in a real Chromium.

For each page it checks what ARCHITECTURE.md promises: zero axe-core violations of the WCAG 2.0/2.1
A and AA rules, no request to any other host, the page weight budget, a `lang`, a title, exactly one
h1, at most one current menu entry, no horizontal scrolling, no word split across lines (a phone
number or a code inside one of its groups), and no server error. Routes
come from the URL conf, so later pages are covered without touching this file.

A page that several personas see the same (a public page for every member, the 404 page for everyone
it is refused to) is checked once per width: the browser judges what is rendered, and the same HTML
renders the same. Whether every persona's every page answers is checked for all of them, on SQLite
and PostgreSQL (test_every_page_answers.py): the queries are what differ between databases; the
browser's checks run on SQLite only.
"""

import hashlib
import re

import pytest
from axe_playwright_python.sync_playwright import Axe
from django.db import connection

from tests.conftest import session_cookie_for
from tests.url_inventory import NOT_HTML_PAGES, all_routes, url_for
from tests.web.browser import (
    AXE_OPTIONS,
    BLANK_CHOICES,
    CONTROLS_APART,
    SPLIT_WORDS,
    WEIGHTS,
    WIDTHS,
    PageVisit,
    with_axe,
)
from tests.worlds import PERSONAS, demo_world

# Values that change with every response and say nothing of how a page renders.
PER_RESPONSE = re.compile(rb'((?:value|nonce|content)=")[0-9A-Za-z_\-:.+/=]{20,}(")')


# The member's menu, which differs by the kinds of their organisations (maillage/menu.py).
MENU = re.compile(rb'<ul class="menu">.*?</ul>', re.DOTALL)


def fingerprint(body):
    """What a page looks like to the browser: its HTML without tokens, nonces and one-time keys, and
    apart from it, its menu. A page is judged again only when one of the two is new: the same page
    under another persona's menu is not, and every menu is judged at least once."""
    body = PER_RESPONSE.sub(rb"\1\2", body)
    menu = MENU.search(body)
    return (
        hashlib.sha256(MENU.sub(b"", body)).hexdigest(),
        hashlib.sha256(menu.group(0) if menu else b"").hexdigest(),
    )


def _worlds():
    return {name: demo_world(name) for name in {persona.world for persona in PERSONAS.values()}}


def _cookies(persona, base_url, demo):
    if persona.user is None:
        return []
    return [{**session_cookie_for(demo.user(persona.user)), "url": base_url}]


@pytest.mark.browser
def test_every_page_for_every_persona_is_accessible_light_and_self_contained(live_world, browser, demo):
    if connection.vendor != "sqlite":
        pytest.skip("the browser's checks do not depend on the database: they run on SQLite")
    base_url, worlds = live_world.url, _worlds()
    routes = [route for route in all_routes() if route.name not in NOT_HTML_PAGES]  # those answer JSON, files
    checked, problems, visits = set(), [], 0
    for persona_name, persona in PERSONAS.items():
        cookies = _cookies(persona, base_url, demo)
        reader = browser.new_context(base_url=base_url)
        reader.add_cookies(cookies)
        pages = []  # (label, path, fingerprint) of the HTML pages this persona gets
        for route in routes:
            path = url_for(route, worlds[persona.world])
            label = f"{persona_name} {route.name} {path}"
            answer = reader.request.get(base_url + path)
            if answer.status >= 500:
                problems.append(f"[{label}] server error {answer.status}")
            else:
                pages.append((label, path, fingerprint(answer.body())))
        reader.close()
        for width in WIDTHS:
            context = with_axe(browser.new_context(viewport={"width": width, "height": 900}, base_url=base_url))
            context.add_cookies(cookies)
            visit = PageVisit(context, base_url)
            for label, path, (page_print, menu_print) in pages:
                if (width, page_print) in checked and (width, menu_print) in checked:
                    continue
                checked |= {(width, page_print), (width, menu_print)}
                visit.open(path)
                problems.extend(visit.problems(label, width))
                visits += 1
            context.close()
    total, html, page = max(WEIGHTS)
    print(f"\n{visits} distinct pages checked; heaviest: {total} B gzip in all, HTML {html} B ({page})")
    print(f"heaviest HTML: {max(WEIGHTS, key=lambda weight: weight[1])}")
    assert visits >= len(PERSONAS) * len(WIDTHS) * 5, f"only {visits} pages checked"
    assert not problems, "\n".join(problems)


@pytest.mark.browser
def test_the_checks_catch_a_bad_page(browser):
    """The crawler's judges are not blind: axe flags a page with an unlabelled field and no lang."""
    page = browser.new_page()
    page.set_content("<html><head><title>x</title></head><body><input type='text'><img src='data:,'></body></html>")
    results = Axe().run(page, options=AXE_OPTIONS)
    rules = {violation["id"] for violation in results.response["violations"]}
    assert {"html-has-lang", "image-alt", "label"} <= rules
    page.close()


# Each judge of the layout is shown failing on a page made to fail, and passing on its honest twin.

NARROW_CELL = "<table><tr><td style='width: 1.5rem; overflow-wrap: anywhere'>{}</td><td>Annuler</td></tr></table>"


def _judged(browser, judge, body, width=320):
    page = browser.new_page(viewport={"width": width, "height": 568})
    page.set_content(f"<html lang='fr'><head><title>x</title></head><body>{body}</body></html>")
    found = page.evaluate(judge)
    page.close()
    return found


def _split_words(browser, body, width=320):
    return _judged(browser, SPLIT_WORDS, body, width)


@pytest.mark.browser
def test_the_split_words_judge_catches_a_word_broken_in_a_narrow_cell(browser):
    assert _split_words(browser, NARROW_CELL.format("Angers")) == ['word split across lines: "Angers" in <td>']
    assert _split_words(browser, NARROW_CELL.format("Angers").replace("overflow-wrap: anywhere", "")) == []


@pytest.mark.browser
def test_the_split_words_judge_catches_a_phone_number_broken_inside_a_group(browser):
    phone = "<p style='width: 0.6rem; overflow-wrap: anywhere'><a href='tel:+33241242550'>02 41 24 25 50</a></p>"
    found = _split_words(browser, phone)
    assert found and all(problem.startswith("phone number or code broken inside a group") for problem in found)
    assert _split_words(browser, phone.replace("overflow-wrap: anywhere", "")) == []  # between groups: fine


@pytest.mark.browser
def test_the_split_words_judge_lets_hyphens_and_addresses_break(browser):
    narrow = "<p style='width: 6rem; overflow-wrap: anywhere'>{}</p>"
    assert _split_words(browser, narrow.format("Saint-Barthélemy-d'Anjou")) == []
    assert (
        _split_words(browser, narrow.format("<a href='https://example.org/'>https://lieux.example.org/a/b</a>")) == []
    )
    assert _split_words(browser, narrow.format("accueil@mediatheque.example.org")) == []
    assert _split_words(browser, narrow.format("formulaire.defenseurdesdroits.fr")) == []


# The consent box of /besoin-d-aide/ as it was: a flex row that wraps, its long label going under.
CONSENT = (
    "<div style='display: flex; flex-wrap: wrap; {}'><input type='checkbox' id='c' style='width: 1.5rem'>"
    "<label for='c'>J’accepte que ces informations soient gardées pour m’aider</label></div>"
)


@pytest.mark.browser
def test_the_controls_judge_catches_a_checkbox_above_its_label(browser):
    (found,) = _judged(browser, CONTROLS_APART, CONSENT.format(""))
    assert found.startswith('a checkbox not beside its label: "J’accepte que ces informations')
    beside = CONSENT.format("").replace("<label", "<label style='flex: 1 1 0; min-width: 0'")
    assert _judged(browser, CONTROLS_APART, beside) == []
    wrapped = "<fieldset><legend>Quand ?</legend><label><input type='radio' name='m'> Le matin</label></fieldset>"
    assert _judged(browser, CONTROLS_APART, wrapped) == []


@pytest.mark.browser
def test_the_blank_choice_judge_catches_dashes_offered_as_an_answer(browser):
    # The place report's "What is wrong?" offered "---------" as its first radio button.
    radios = "<fieldset><legend>Quoi ?</legend><label><input type='radio' name='kind'> ---------</label>"
    radios += "<label><input type='radio' name='kind'> Les horaires sont faux</label></fieldset>"
    assert _judged(browser, BLANK_CHOICES, radios) == ['a blank choice "---------" offered (kind)']
    select = "<select name='place'><option value=''>---------</option><option>Angers</option></select>"
    assert _judged(browser, BLANK_CHOICES, select) == ['a blank choice "---------" offered (place)']
    chosen = "<select name='place'><option value=''>Choisissez</option></select>"
    assert _judged(browser, BLANK_CHOICES, chosen) == []


def test_a_page_seen_the_same_by_two_personas_has_one_fingerprint():
    page = b'<input name="csrfmiddlewaretoken" value="%s"><script nonce="%s">'
    first = page % (b"aB3dE5fG7hI9jK1lM3nO5pQ7rS9tU1vW", b"q1w2e3r4t5y6u7i8o9p0")
    again = page % (b"Zz9Yy8Xx7Ww6Vv5Uu4Tt3Ss2Rr1Qq0Pp", b"a1s2d3f4g5h6j7k8l9m0")
    assert fingerprint(first) == fingerprint(again)
    assert fingerprint(first) != fingerprint(first.replace(b"input", b"select"))


def test_the_same_page_under_another_menu_keeps_its_page_print_and_shows_a_new_menu():
    page = b'<nav><ul class="menu">%s</ul></nav><main>Page introuvable</main>'
    funder, mediator = page % b"<li>Pass</li>", page % b"<li>Demandes</li><li>Pass</li>"
    assert fingerprint(funder)[0] == fingerprint(mediator)[0] and fingerprint(funder)[1] != fingerprint(mediator)[1]
