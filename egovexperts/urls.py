from django.contrib import admin
from django.urls import include, path

import trainees.urls
from cohorts.views import trainee_directory
from egovexperts.core import health

from . import views

# The directory filters trainees by cohort and enrolment, so cohorts serves it, under the
# trainees' URLs and names (trainees imports nothing of cohorts).
trainee_pages = [path("", trainee_directory, name="trainee-list"), *trainees.urls.urlpatterns]

# Nothing is served from MEDIA_URL, not even with DEBUG on: material files go through
# portal:material-download, which checks who asks, and import uploads are never served.
urlpatterns = [
    path("", views.home, name="home"),
    # Probes of load balancers: the process answers / it can serve (egovexperts/core/health.py).
    path("healthz", health.healthz, name="healthz"),
    path("readyz", health.readyz, name="readyz"),
    # Before Django's: the same view, which also keeps the choice for the user's mail.
    path("i18n/setlang/", views.set_language, name="set_language"),
    path("i18n/", include("django.conf.urls.i18n")),
    path("accounts/", include("allauth.urls")),
    # Before the admin's URLs: its login page is replaced by the rate-limited one.
    path("admin/login/", views.admin_login),
    path("admin/", admin.site.urls),
    path("cohorts/", include("cohorts.urls")),
    path("trainees/", include((trainee_pages, "trainees"))),
    path("courses/", include("courses.urls")),
    path("reports/", include("egovexperts.reports.urls")),
    path("", include("egovexperts.portal.urls")),
    path("imports/", include("egovexperts.imports.urls")),
    path("messages/", include("egovexperts.notifications.urls")),
    path("history/", include("egovexperts.history.urls")),
]
