"""Printing keeps what a person takes home; 200 % zoom (a 640 px wide layout) never scrolls sideways."""

import pytest

pytestmark = pytest.mark.browser

PAGES = ["/", "/accessibilite/", "/compte/connexion/", "/mentions-legales/"]


@pytest.mark.parametrize("path", PAGES)
def test_pages_reflow_at_200_percent_zoom_of_a_1280_px_screen(live_world, browser, communes, path):
    page = browser.new_page(viewport={"width": 640, "height": 400})
    page.goto(live_world.url + path)
    assert page.evaluate("document.documentElement.scrollWidth") <= 640
    page.close()


def test_printed_home_page_keeps_the_help_line_and_drops_the_navigation(live_world, browser, communes):
    page = browser.new_page()
    page.emulate_media(media="print")
    page.goto(live_world.url + "/")
    assert page.locator(".help-line__number").is_visible()
    assert not page.locator(".site-header__nav").is_visible()
    assert not page.locator(".skip-link").is_visible()
    page.close()
