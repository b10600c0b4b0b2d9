import pytest
from django.urls import reverse

from movement.models import AuditEvent, Membership, Movement


@pytest.mark.django_db
def test_creator_becomes_organizer(login, nina):
    client = login(nina)
    response = client.post(
        reverse("movement_create"),
        {"name": "Harbour Commons", "horizon": "Food and shelter held in common."},
    )
    movement = Movement.objects.get(name="Harbour Commons")
    assert response.status_code == 302
    assert response["Location"] == f"/m/{movement.slug}/"
    assert Membership.objects.get(movement=movement, user=nina).role == "organizer"
    assert AuditEvent.objects.filter(movement=movement, verb="movement.created").exists()


@pytest.mark.django_db
def test_same_name_gets_its_own_address(login, nina, tidewater):
    login(nina).post(reverse("movement_create"), {"name": "Tidewater", "horizon": "x"})
    assert sorted(Movement.objects.values_list("slug", flat=True)) == ["tidewater", "tidewater-2"]


@pytest.mark.django_db
def test_anonymous_is_sent_to_log_in(client):
    response = client.get(reverse("movement_create"))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
