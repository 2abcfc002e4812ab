from django.urls import path

from . import views

app_name = "reports"
urlpatterns = [
    path("dashboard/", views.dashboard, name="dashboard"),
    path("coverage/", views.coverage, name="coverage"),
    path("coverage/export.<str:fmt>", views.coverage_export, name="coverage-export"),
    path("commitments/", views.commitment_list, name="commitments"),
    path("commitments/export.<str:fmt>", views.commitment_export, name="commitments-export"),
    path("commitments/<int:pk>/waive/", views.commitment_waive, name="commitment-waive"),
    path("agencies/<slug:slug>/", views.agency, name="agency"),
]
