from django.urls import path

from circles import views

app_name = "circles"

urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.circle_create, name="create"),
    path("suggest/", views.suggest, name="suggest"),
    path("sparks/", views.sparks, name="sparks"),
    path("sparks/<int:spark_id>/in/", views.spark_join, name="spark_join"),
    path("sparks/<int:spark_id>/out/", views.spark_leave, name="spark_leave"),
    path("sparks/<int:spark_id>/circle/", views.spark_ignite, name="spark_ignite"),
    path("<slug:circle_slug>/", views.circle_detail, name="detail"),
    path("<slug:circle_slug>/edit/", views.circle_edit, name="edit"),
    path("<slug:circle_slug>/join/", views.circle_join, name="join"),
    path("<slug:circle_slug>/leave/", views.circle_leave, name="leave"),
    path("<slug:circle_slug>/archive/", views.circle_archive, name="archive"),
    path("<slug:circle_slug>/conveners/<int:seat_id>/", views.convener_add, name="convener_add"),
]
