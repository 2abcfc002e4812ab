from django.urls import path

from . import views

app_name = "trainees"
urlpatterns = [
    path("", views.trainee_list, name="trainee-list"),
    path("<int:pk>/", views.trainee_detail, name="trainee-detail"),
]
