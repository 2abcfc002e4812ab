from django.contrib.auth.decorators import login_required
from django.http import HttpResponse
from django.shortcuts import redirect, render

from .permissions import is_organizer, is_trainee


@login_required
def home(request):
    """Organizers land on their workspace; trainees on their own page."""
    if is_organizer(request.user):
        return redirect("reports:dashboard")
    if is_trainee(request.user):
        return redirect("portal:schedule")
    return render(request, "home.html")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")
