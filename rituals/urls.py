from django.urls import path

from rituals import views

app_name = "rituals"

urlpatterns = [
    path("", views.convergence, name="convergence"),
    path("rhythm/", views.rhythm_edit, name="rhythm"),
    path("gatherings/<int:gathering_id>/", views.gathering_detail, name="gathering"),
    path("gatherings/<int:gathering_id>.ics", views.gathering_ics, name="gathering_ics"),
    path(
        "gatherings/<int:gathering_id>/reports/<slug:circle_slug>/",
        views.report_edit,
        name="report",
    ),
]
