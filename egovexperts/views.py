from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .permissions import is_organizer


@login_required
def home(request):
    """Organizers land on their workspace; trainees on their own page."""
    if is_organizer(request.user):
        return redirect("cohorts:cohort-list")
    return render(request, "home.html")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
