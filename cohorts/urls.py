from django.urls import path

from . import views

app_name = "cohorts"
urlpatterns = [
    path("", views.cohort_list, name="cohort-list"),
    path("new/", views.cohort_create, name="cohort-create"),
    path("<int:pk>/", views.cohort_detail, name="cohort-detail"),
    path("<int:pk>/edit/", views.cohort_update, name="cohort-update"),
    path("<int:pk>/enrol/", views.enrolment_create, name="enrolment-create"),
    path("enrolments/<int:pk>/withdraw/", views.enrolment_withdraw, name="enrolment-withdraw"),
]
