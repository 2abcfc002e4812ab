"""URLs of the portal. Names starting with "organizer-" are for organizers only; the
library is public, material downloads follow the library's rule for each material, and
the calendar feed is protected by its token; all others are the logged-in trainee's own
pages."""

from django.urls import path

from . import views

app_name = "portal"
urlpatterns = [
    path("me/", views.schedule, name="schedule"),
    path("me/progress/", views.progress, name="progress"),
    path("me/profile/", views.profile, name="profile"),
    path("me/profile/post-change/", views.post_change_request, name="post-change-request"),
    path("me/calendar/regenerate/", views.calendar_token_regenerate, name="calendar-token-regenerate"),
    path("me/sessions/<int:pk>.ics", views.session_ics, name="session-ics"),
    path("me/sessions/<int:pk>/absence/", views.absence_notice, name="absence-notice"),
    path("me/sessions/<int:pk>/absence/withdraw/", views.absence_notice_withdraw, name="absence-notice-withdraw"),
    path("calendar/<str:token>.ics", views.calendar_feed, name="calendar-feed"),
    path("library/", views.library, name="library"),
    path("materials/<int:pk>/download/", views.material_download, name="material-download"),
    path("network/", views.network, name="network"),
    path("office/post-changes/", views.organizer_post_changes, name="organizer-post-changes"),
    path(
        "office/post-changes/<int:pk>/confirm/",
        views.organizer_post_change_decide,
        {"decision": "confirm"},
        name="organizer-post-change-confirm",
    ),
    path(
        "office/post-changes/<int:pk>/reject/",
        views.organizer_post_change_decide,
        {"decision": "reject"},
        name="organizer-post-change-reject",
    ),
    path("office/invitations/", views.organizer_invitations, name="organizer-invitations"),
    path("office/invitations/<int:pk>/", views.organizer_invitation_resend, name="organizer-invitation-resend"),
]
