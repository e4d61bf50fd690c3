from django.conf import settings
from django.utils import translation


class ChosenLanguageMiddleware:
    """French unless the person chose another language with the switch.

    The browser's Accept-Language is not followed: many phones are set to English by default, and
    a public service of a French territory speaks French first. The choice is the cookie set by
    the language switch (Django's set_language view).
    """

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        language = chosen if chosen in dict(settings.LANGUAGES) else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()
        response = self.get_response(request)
        response.headers.setdefault("Content-Language", language)
        return response
