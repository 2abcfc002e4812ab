from django.urls import path

from . import views

# A version is restored from the page of the object whose history shows it: the version must be
# one of that object's, of a kind its history shows (anything else is not found).
app_name = "history"
urlpatterns = [
    path("trainees/<int:pk>/", views.history, {"feed": "trainee"}, name="trainee"),
    path(
        "trainees/<int:pk>/<slug:kind>/<int:version>/restore/",
        views.restore,
        {"feed": "trainee"},
        name="trainee-restore",
    ),
    path("sessions/<int:pk>/", views.history, {"feed": "session"}, name="session"),
    path(
        "sessions/<int:pk>/<slug:kind>/<int:version>/restore/",
        views.restore,
        {"feed": "session"},
        name="session-restore",
    ),
    path("cohorts/<int:pk>/", views.history, {"feed": "cohort"}, name="cohort"),
    path(
        "cohorts/<int:pk>/<slug:kind>/<int:version>/restore/", views.restore, {"feed": "cohort"}, name="cohort-restore"
    ),
]
