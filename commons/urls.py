from django.urls import path

from commons import views

app_name = "commons"

urlpatterns = [
    path("", views.pool_list, name="pools"),
    path("pools/new/", views.pool_create, name="pool_create"),
    path("pools/<int:pool_id>/", views.pool_detail, name="pool"),
    path("pools/<int:pool_id>/edit/", views.pool_edit, name="pool_edit"),
    path("pools/<int:pool_id>/contribute/", views.contribute, name="contribute"),
    path("pools/<int:pool_id>/draw/", views.draw_create, name="draw_create"),
    path("pools/<int:pool_id>/fairness/", views.fairness, name="fairness"),
    path("pools/<int:pool_id>/ledger.csv", views.ledger_csv, name="ledger_csv"),
    path(
        "pools/<int:pool_id>/entries/<int:entry_id>/reverse/",
        views.entry_reverse,
        name="entry_reverse",
    ),
    path("pools/<int:pool_id>/pledge/", views.pledge_create, name="pledge_create"),
    path("rotations/new/", views.rotation_create, name="rotation_create"),
    path(
        "pools/<int:pool_id>/rotation/take-part/",
        views.rotation_take_part,
        name="rotation_take_part",
    ),
    path("pools/<int:pool_id>/rotation/earlier/", views.rotation_earlier, name="rotation_earlier"),
    path(
        "pools/<int:pool_id>/rotation/earlier/<int:seat_id>/",
        views.rotation_vote,
        name="rotation_vote",
    ),
    path("pools/<int:pool_id>/rotation/start/", views.rotation_start, name="rotation_start"),
    path("pools/<int:pool_id>/rotation/share/", views.rotation_share, name="rotation_share"),
    path("pledges/", views.pledge_list, name="pledges"),
    path("pledges/<int:pledge_id>/", views.pledge_detail, name="pledge"),
    path("pledges/<int:pledge_id>/state/", views.pledge_state, name="pledge_state"),
    path("pledges/gifts/<int:gift_id>/", views.gift_answer, name="gift_answer"),
    path("draws/", views.draw_list, name="draws"),
    path("draws/<int:draw_id>/", views.draw_detail, name="draw"),
    path("draws/<int:draw_id>/decide/", views.draw_decide, name="draw_decide"),
    path("draws/<int:draw_id>/withdraw/", views.draw_withdraw, name="draw_withdraw"),
    path("archive/", views.archive_list, name="archive"),
    path("archive/new/", views.archive_create, name="archive_create"),
    path("archive/<int:entry_id>/", views.archive_detail, name="archive_entry"),
    path("archive/<int:entry_id>/edit/", views.archive_edit, name="archive_edit"),
    path("spaces/", views.resources, name="resources"),
    path("spaces/<int:resource_id>/", views.resource_detail, name="resource"),
    path(
        "spaces/<int:resource_id>/bookings/<int:booking_id>/",
        views.booking_decide,
        name="booking_decide",
    ),
    path(
        "spaces/<int:resource_id>/bookings/<int:booking_id>/cancel/",
        views.booking_cancel,
        name="booking_cancel",
    ),
]
