from django.urls import path

from rituals import views

app_name = "rituals"

urlpatterns = [
    path("", views.convergence, name="convergence"),
    path("rhythm/", views.rhythm_edit, name="rhythm"),
]
