"""The project's URLs (the roof): every app hangs under ``/m/<movement_slug>/``."""

from django.contrib import admin
from django.urls import include, path

from movement import views
from rituals import views as rituals_views

movement_patterns = (
    [
        path("", views.movement_home, name="home"),
        path("members/", views.member_list, name="members"),
        path("members/<int:member_id>/role/", views.member_role, name="member_role"),
        path("members/<int:member_id>/remove/", views.member_remove, name="member_remove"),
        path("leave/", views.movement_leave, name="leave"),
        path("audit/", views.audit_trail, name="audit"),
        path("invitations/", views.invitation_list, name="invitations"),
        path(
            "invitations/<int:invitation_id>/revoke/",
            views.invitation_revoke,
            name="invitation_revoke",
        ),
    ],
    "movement",
)

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("movements/new/", views.movement_create, name="movement_create"),
    path("join/<str:token>/", views.invitation_accept, name="invitation_accept"),
    path("m/<slug:movement_slug>/", include(movement_patterns)),
    path("m/<slug:movement_slug>/circles/", include("circles.urls")),
    path("m/<slug:movement_slug>/commons/", include("commons.urls")),
    path("m/<slug:movement_slug>/convergence/", include("rituals.urls")),
    path("notifications/", views.notifications, name="notifications"),
    path("calendar/", rituals_views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", rituals_views.calendar_feed, name="calendar_feed"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]
