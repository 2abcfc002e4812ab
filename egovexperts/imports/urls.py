from django.urls import path

from . import views

app_name = "imports"
urlpatterns = [
    path("", views.index, name="index"),
    path("preview/", views.preview, name="import-preview"),
    path("confirm/", views.confirm, name="import-confirm"),
    path("runs/<int:pk>/", views.run_detail, name="run-detail"),
    path("runs/<int:pk>/revert/", views.run_revert, name="run-revert"),
    path("templates/<str:kind>.<str:fmt>", views.template_file, name="template"),
    path("exports/<str:kind>.<str:fmt>", views.export, name="export"),
    path("exports/attendance/<int:course_pk>.<str:fmt>", views.export_attendance, name="export-attendance"),
]
