from django.urls import path

from . import views

app_name = "trainees"
urlpatterns = [
    path("<int:pk>/", views.trainee_detail, name="trainee-detail"),
    path("<int:pk>/post-change/", views.trainee_post_change, name="trainee-post-change"),
    path("<int:pk>/post-change/check/", views.trainee_post_change_check, name="trainee-post-change-check"),
]
