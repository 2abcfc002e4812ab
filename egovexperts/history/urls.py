from django.urls import path

from . import views

# A version is restored from the page of the object whose history shows it: the version must be
# one of that object's, of a kind its history shows (anything else is not found).
app_name = "history"
urlpatterns = [
    route
    for feed, prefix in [("trainee", "trainees"), ("session", "sessions"), ("cohort", "cohorts")]
    for route in (
        path(f"{prefix}/<int:pk>/", views.history, {"feed": feed}, name=feed),
        path(
            f"{prefix}/<int:pk>/<slug:kind>/<int:version>/restore/",
            views.restore,
            {"feed": feed},
            name=f"{feed}-restore",
        ),
    )
]
