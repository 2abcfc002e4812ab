from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import check_for_language
from django.views.i18n import set_language as django_set_language

from egovexperts.core.permissions import is_organizer, is_trainee
from egovexperts.notifications import languages


@login_required
def home(request):
    """Organizers land on their workspace; trainees on their own page."""
    if is_organizer(request.user):
        return redirect("reports:dashboard")
    if is_trainee(request.user):
        return redirect("portal:schedule")
    return render(request, "home.html")


def admin_login(request):
    """The admin's login page sends to the one login page, allauth's, which counts failures
    (ACCOUNT_RATE_LIMITS); the admin's own form counted nothing. `next` is kept."""
    if request.user.is_authenticated:
        if admin.site.has_permission(request):
            return redirect("admin:index")
        raise PermissionDenied  # signed in without admin access: the login page would send back here
    next_url = request.GET.get("next")
    return redirect(reverse("account_login") + (f"?{urlencode({'next': next_url})}" if next_url else ""))


def set_language(request):
    """Django's set_language, and the choice kept for the user's mail: messages are written in the
    language their recipient last chose (for a trainee, also under the address the programme uses)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if request.method == "POST" and user.is_authenticated and check_for_language(language):
        trainee = getattr(user, "trainee", None)
        languages.remember([user.email, trainee.email if trainee else ""], language)
    return response
