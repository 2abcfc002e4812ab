from django.urls import path

from . import views

app_name = "notifications"

urlpatterns = [
    path("", views.message_list, name="message-list"),
    path("upcoming/", views.upcoming, name="upcoming"),
    path("retry-failed/", views.message_retry_failed, name="message-retry-failed"),
    path("<int:pk>/", views.message_detail, name="message-detail"),
    path("<int:pk>/resend/", views.message_resend, name="message-resend"),
]
