from django.test import RequestFactory

from maillage.views import server_error


def test_server_error_page_is_plain_french_and_keeps_the_help_line(settings):
    settings.HELP_PHONE_NUMBER = "+33241000000"
    response = server_error(RequestFactory().get("/"))
    html = response.content.decode()
    assert response.status_code == 500
    assert "Ce n’est pas de votre faute" in html
    assert 'href="tel:+33-2-41-00-00-00"' in html


def test_unknown_page_answers_404_with_the_layout(client):
    response = client.get("/cette-page-n-existe-pas/")
    assert response.status_code == 404
    assert b'class="help-line"' in response.content
