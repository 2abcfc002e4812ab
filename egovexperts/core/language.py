"""The interface language: Vietnamese first, then what the visitor chose.

A first visit is in Vietnamese whatever the browser's Accept-Language says; choosing English
(`egovexperts.views.set_language`) writes the language cookie, which every later request follows.
"""

from django.conf import settings
from django.conf.urls.i18n import is_language_prefix_patterns_used
from django.middleware.locale import LocaleMiddleware
from django.utils import translation
from django.utils.cache import patch_vary_headers
from django.utils.translation import get_language_from_path, get_supported_language_variant


def language_of(request, *, check_path: bool = False) -> str:
    """The language of a request: the one in the URL (with i18n patterns), else the one the
    visitor chose (the language cookie), else Vietnamese. The browser's Accept-Language is not
    read: officials' machines often say English, and the programme speaks Vietnamese first."""
    if check_path:
        language = get_language_from_path(request.path_info)
        if language:
            return language
    chosen = request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME)
    if chosen:
        try:
            return get_supported_language_variant(chosen)
        except LookupError:
            pass
    return settings.LANGUAGE_CODE


class VietnameseFirstLocaleMiddleware(LocaleMiddleware):
    """Django's LocaleMiddleware (URL prefixes, redirects, Content-Language) with the language
    chosen by `language_of`, so a first visit is in Vietnamese whatever the browser asks for."""

    def process_request(self, request):
        urlconf = getattr(request, "urlconf", settings.ROOT_URLCONF)
        i18n_patterns_used, prefixed_default_language = is_language_prefix_patterns_used(urlconf)
        language = language_of(request, check_path=i18n_patterns_used)
        if not get_language_from_path(request.path_info) and i18n_patterns_used and not prefixed_default_language:
            language = settings.LANGUAGE_CODE
        translation.activate(language)
        request.LANGUAGE_CODE = translation.get_language()

    def process_response(self, request, response):
        response = super().process_response(request, response)
        patch_vary_headers(response, ("Cookie",))  # the page depends on the language cookie
        return response
