"""Requests carrying control characters are refused with a 400 before any view reads them.

PostgreSQL refuses a NUL in a query parameter, so a `%00` in a URL part, a search box or a form
field that reached a query was a server error; other C0 control characters have no business in
a web form either. Checking here, once, covers every URL converter, every view that reads
`request.GET` or `request.POST` without a form, the admin, allauth and django-filter alike.
"""

import re

from django.http import HttpResponseBadRequest
from django.utils import translation
from django.utils.translation import gettext as _

from egovexperts.core.language import language_of

# The path never carries a control character; fields may carry tab, line feed and carriage
# return (a pasted paragraph in a text area), and none of the others.
IN_PATH = re.compile(r"[\x00-\x1f\x7f]")
IN_FIELDS = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")
FORM_TYPES = ("application/x-www-form-urlencoded", "multipart/form-data")


def has_control_characters(request) -> bool:
    if IN_PATH.search(request.path):
        return True
    fields = [request.GET]
    if request.method == "POST" and request.content_type in FORM_TYPES:
        fields.append(request.POST)
    return any(
        IN_FIELDS.search(key) or any(IN_FIELDS.search(value) for value in values)
        for data in fields
        for key, values in data.lists()
    )


class ControlCharactersMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if has_control_characters(request):
            # Before LocaleMiddleware: the language is read from the request here.
            with translation.override(language_of(request)):
                message = _("The request contains control characters (such as NUL). Remove them and try again.")
            return HttpResponseBadRequest(message, content_type="text/plain; charset=utf-8")
        return self.get_response(request)
