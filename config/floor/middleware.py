"""Russian unless the user chose otherwise: the browser's Accept-Language is not consulted.

The staff are Russian-speaking whatever language their browser was installed in; English is one
click away in the header (Django's set_language view stores the choice in a cookie).
"""

from django.conf import settings
from django.utils import translation
from django.utils.deprecation import MiddlewareMixin


class PortalLocaleMiddleware(MiddlewareMixin):
    def process_request(self, request):
        chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
        supported = {code for code, _name in settings.LANGUAGES}
        language = chosen if chosen in supported else settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response.headers.setdefault("Content-Language", translation.get_language())
        return response
