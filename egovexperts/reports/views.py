from django.shortcuts import render

from egovexperts.permissions import organizer_required

from . import selectors


@organizer_required
def dashboard(request):
    return render(request, "reports/dashboard.html", {"dashboard": selectors.dashboard()})
