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
    # integration sprints
    path("sprints/", views.sprints, name="sprints"),
    path("sprints/rounds/new/", views.round_open, name="round_open"),
    path("sprints/rounds/<int:round_id>/", views.sprint_round, name="sprint_round"),
    path(
        "sprints/rounds/<int:round_id>/circles/<slug:circle_slug>/opt-in/",
        views.round_opt_in,
        name="round_opt_in",
    ),
    path(
        "sprints/rounds/<int:round_id>/circles/<slug:circle_slug>/opt-out/",
        views.round_opt_out,
        name="round_opt_out",
    ),
    path("sprints/rounds/<int:round_id>/propose/", views.round_propose, name="round_propose"),
    path("sprints/rounds/<int:round_id>/swap/", views.round_swap, name="round_swap"),
    path("sprints/rounds/<int:round_id>/launch/", views.round_launch, name="round_launch"),
    path("sprints/rounds/<int:round_id>/cancel/", views.round_cancel, name="round_cancel"),
    path("sprints/<int:sprint_id>/", views.sprint_detail, name="sprint"),
    path("sprints/<int:sprint_id>/artifact/", views.artifact_edit, name="artifact_edit"),
    path("sprints/<int:sprint_id>/files/new/", views.artifact_upload, name="artifact_upload"),
    path("sprints/<int:sprint_id>/files/<int:file_id>/", views.artifact_file, name="artifact_file"),
    path(
        "sprints/<int:sprint_id>/files/<int:file_id>/remove/",
        views.artifact_file_remove,
        name="artifact_file_remove",
    ),
    path("sprints/<int:sprint_id>/reflection/", views.reflection_edit, name="reflection_edit"),
    path("sprints/<int:sprint_id>/close/", views.sprint_close, name="sprint_close"),
    path("sprints/<int:sprint_id>/log/", views.sprint_log_write, name="sprint_log"),
    path("sprints/<int:sprint_id>/draws/", views.sprint_draw_link, name="sprint_draw_link"),
    path("sprints/<int:sprint_id>/bookings/", views.sprint_book, name="sprint_book"),
    path("sprints/frictions/", views.frictions, name="frictions"),
    # sovereignty gained
    path("sovereignty/", views.sovereignty, name="sovereignty"),
    path("sovereignty/new/", views.sovereignty_new, name="sovereignty_new"),
    # the conflict ritual
    path("conflicts/", views.conflicts, name="conflicts"),
    path("conflicts/ritual/", views.conflict_ritual, name="conflict_ritual"),
    path(
        "conflicts/ritual/v<int:version>/",
        views.conflict_ritual,
        name="conflict_ritual_version",
    ),
    path("conflicts/ritual/edit/", views.conflict_ritual_edit, name="conflict_ritual_edit"),
    path("conflicts/cases/new/", views.case_new, name="case_new"),
    path("conflicts/drills/new/", views.case_new, {"practice": True}, name="drill_new"),
    path("conflicts/cases/<int:case_id>/", views.conflict_case, name="conflict_case"),
    path("conflicts/cases/<int:case_id>/account/", views.case_statement, name="case_statement"),
    path("conflicts/cases/<int:case_id>/facilitator/", views.case_assign, name="case_assign"),
    path("conflicts/cases/<int:case_id>/times/", views.case_offer_times, name="case_offer_times"),
    path(
        "conflicts/cases/<int:case_id>/availability/",
        views.case_availability,
        name="case_availability",
    ),
    path("conflicts/cases/<int:case_id>/schedule/", views.case_schedule, name="case_schedule"),
    path(
        "conflicts/cases/<int:case_id>/reschedule/",
        views.case_reschedule,
        name="case_reschedule",
    ),
    path("conflicts/cases/<int:case_id>/held/", views.case_held, name="case_held"),
    path("conflicts/cases/<int:case_id>/check-in/", views.case_check_in, name="case_check_in"),
    path("conflicts/cases/<int:case_id>/close/", views.case_close, name="case_close"),
    path("conflicts/cases/<int:case_id>/withdraw/", views.case_withdraw, name="case_withdraw"),
]
