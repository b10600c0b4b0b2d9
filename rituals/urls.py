from django.urls import path

from rituals import views

app_name = "rituals"

urlpatterns = [
    path("", views.convergence, name="convergence"),
    path("rhythm/", views.rhythm_edit, name="rhythm"),
    path("gatherings/<int:gathering_id>/", views.gathering_detail, name="gathering"),
    path("gatherings/<int:gathering_id>.ics", views.gathering_ics, name="gathering_ics"),
    path("gatherings/<int:gathering_id>/live/", views.gathering_live, name="live"),
    path("gatherings/<int:gathering_id>/edit/", views.gathering_edit, name="gathering_edit"),
    path("gatherings/<int:gathering_id>/facilitate/", views.facilitate, name="facilitate"),
    path(
        "gatherings/<int:gathering_id>/facilitate/<slug:action>/",
        views.facilitate_action,
        name="facilitate_action",
    ),
    path(
        "gatherings/<int:gathering_id>/reports/<slug:circle_slug>/",
        views.report_edit,
        name="report",
    ),
]
