"""The project's URLs: every app hangs under ``/m/<movement_slug>/``.

The movement home and the constellation graph are the roof's own pages (they read
every app); they live in the ``movement`` namespace beside the movement's own pages so
their names stay ``movement:home`` and ``movement:graph``.
"""

from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.i18n import set_language

from constellation import views
from movement import urls as movement_urls
from movement import views as movement_views
from rituals import views as rituals_views

movement_patterns = (
    [
        path("", views.movement_home, name="home"),
        path("graph/", views.constellation_graph, name="graph"),
        path("overview/", views.movement_overview, name="overview"),
        path("patterns/", views.pattern_decay, name="patterns"),
        path("lenses/", views.lens_map, name="lens_map"),
        path("cycles/<int:number>/", views.cycle_retrospective, name="retrospective"),
        path(
            "cycles/<int:number>/csv/",
            views.cycle_retrospective_csv,
            name="retrospective_csv",
        ),
        *movement_urls.urlpatterns,
    ],
    "movement",
)

urlpatterns = [
    path("", movement_views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    # Before logging in, a language is a cookie; after, it is the person's own setting.
    path("language/", set_language, name="set_language"),
    path("movements/new/", movement_views.movement_create, name="movement_create"),
    path("join/<str:token>/", movement_views.invitation_accept, name="invitation_accept"),
    path("m/<slug:movement_slug>/", include(movement_patterns)),
    path("m/<slug:movement_slug>/circles/", include("circles.urls")),
    path("m/<slug:movement_slug>/commons/", include("commons.urls")),
    path("m/<slug:movement_slug>/convergence/", include("rituals.urls")),
    path("notifications/", movement_views.notifications, name="notifications"),
    path(
        "notifications/settings/",
        movement_views.notification_settings,
        name="notification_settings",
    ),
    path(
        "notifications/unsubscribe/<str:token>/",
        movement_views.notification_unsubscribe,
        name="notification_unsubscribe",
    ),
    path("settings/", movement_views.personal_settings, name="personal_settings"),
    path("settings/data/", movement_views.data_export, name="data_export"),
    path("settings/delete/", movement_views.delete_account, name="delete_account"),
    path("settings/data/<str:token>.zip", movement_views.data_export_file, name="data_export_file"),
    path("calendar/", rituals_views.calendar_settings, name="calendar"),
    path("calendar/<str:token>.ics", rituals_views.calendar_feed, name="calendar_feed"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
]

if settings.BENCH_FLOOR_VIEWS:  # `make bench`'s own server only: the two floors
    from constellation import bench_views

    urlpatterns += [
        path("bench/floor/", bench_views.floor_anonymous, name="bench_floor_anonymous"),
        path("bench/floor/user/", bench_views.floor_logged_in, name="bench_floor_logged_in"),
    ]
