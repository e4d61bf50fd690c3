def test_home_page_shows_the_help_line(client, settings):
    settings.HELP_PHONE_NUMBER = "+33241000000"
    response = client.get("/")
    assert response.status_code == 200
    assert b'href="tel:+33-2-41-00-00-00"' in response.content
