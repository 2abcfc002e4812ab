from django.urls import path

from . import views

app_name = "courses"
urlpatterns = [
    path("", views.curriculum, name="curriculum"),
    path("new/", views.course_create, name="course-create"),
    path("<int:pk>/", views.course_detail, name="course-detail"),
    path("<int:pk>/edit/", views.course_update, name="course-update"),
    path("<int:pk>/delete/", views.course_delete, name="course-delete"),
    path("<int:pk>/attendance.xlsx", views.course_report, name="course-report"),
    path("<int:pk>/sessions/new/", views.session_create, name="session-create"),
    path("<int:pk>/materials/new/", views.material_create, name="material-create"),
    path("sessions/<int:pk>/", views.session_detail, name="session-detail"),
    path("sessions/<int:pk>/edit/", views.session_update, name="session-update"),
    path("sessions/<int:pk>/reschedule/", views.session_reschedule, name="session-reschedule"),
    path("sessions/<int:pk>/cancel/", views.session_cancel, name="session-cancel"),
    path("sessions/<int:pk>/delete/", views.session_delete, name="session-delete"),
    path("sessions/<int:pk>/attendance/mark-all/", views.attendance_mark_all, name="attendance-mark-all"),
    path("sessions/<int:pk>/attendance/<int:trainee_pk>/", views.attendance_record, name="attendance-record"),
    path("materials/<int:pk>/publish/", views.material_publish, name="material-publish"),
    path("trainees/<int:pk>/attendance.xlsx", views.trainee_report, name="trainee-report"),
]
