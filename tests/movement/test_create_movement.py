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


@pytest.mark.django_db
def test_a_movement_starts_in_the_zone_its_founder_types(login, nina):
    client = login(nina)
    form = {"name": "Lagos Mutual Aid", "horizon": "Food held in common."}

    refused = client.post(reverse("movement_create"), {**form, "time_zone": "Africa/Asmera"})
    assert refused.status_code == 200
    assert "pick Africa/Asmara instead" in refused.content.decode()
    assert not Movement.objects.filter(name="Lagos Mutual Aid").exists()

    client.post(reverse("movement_create"), {**form, "time_zone": "lagos"})
    assert Movement.objects.get(name="Lagos Mutual Aid").time_zone == "Africa/Lagos"


@pytest.mark.django_db
def test_a_movement_left_without_a_zone_is_in_utc(login, nina):
    login(nina).post(reverse("movement_create"), {"name": "Anywhere", "horizon": "x"})
    assert Movement.objects.get(name="Anywhere").time_zone == "UTC"
