"""The movement's own pages under ``/m/<movement_slug>/``; the roof mounts them."""

from django.urls import path

from movement import views

urlpatterns = [
    path("members/", views.member_list, name="members"),
    path("members/suggest/", views.member_suggest, name="member_suggest"),
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
    path("lenses/mine/", views.lens_assessment, name="lens_assessment"),
    path("lenses/mine/forget/", views.lens_assessment_forget, name="lens_assessment_forget"),
    path("lenses/threshold/", views.blind_spot_threshold, name="blind_spot_threshold"),
    path("sparks/quorum/", views.spark_quorum, name="spark_quorum"),
    path("language/", views.movement_language, name="language"),
    path("tactics/", views.tactics, name="tactics"),
    path("tactics/new/", views.tactic_edit, name="tactic_create"),
    path("tactics/<int:tactic_id>/edit/", views.tactic_edit, name="tactic_edit"),
    path("tactics/<int:tactic_id>/archive/", views.tactic_archive, name="tactic_archive"),
]
