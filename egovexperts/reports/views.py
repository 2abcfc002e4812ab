from django.shortcuts import render
from django.utils.functional import SimpleLazyObject

from egovexperts.permissions import organizer_required

from . import selectors


@organizer_required
def dashboard(request):
    version = selectors.dashboard_version()
    # Computed (or read from the cache) only when the page's rendered figures are not cached.
    figures = SimpleLazyObject(lambda: selectors.dashboard(version=version))
    return render(
        request,
        "reports/dashboard.html",
        {"dashboard": figures, "version": version, "cache_seconds": selectors.CACHE_MINUTES * 60},
    )
