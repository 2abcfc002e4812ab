"""Switching language: Django's set_language, and the choice kept for the user's mail.

Messages are written in the language their recipient last chose on the site (Vietnamese for
those who never did): a signed-in user's switch is recorded for their account's address and,
for a trainee, the address the programme writes to.
"""

from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from egovexperts.notifications import languages


def set_language(request):
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if request.method == "POST" and user.is_authenticated and check_for_language(language):
        trainee = getattr(user, "trainee", None)
        languages.remember([user.email, trainee.email if trainee else ""], language)
    return response
