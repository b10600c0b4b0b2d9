"""Who is in a circle and who convenes it: joining, leaving, handing over, and what
conveners may do with the circle and its page."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from circles import services
from circles.models import CircleMembership


def circle_url(name, circle, **extra):
    return reverse(
        f"circles:{name}",
        kwargs={"movement_slug": "tidewater", "circle_slug": circle.slug, **extra},
    )


@pytest.mark.django_db
def test_join_and_leave(login, mo, medics, cora):
    client = login(mo)
    client.post(circle_url("join", medics))
    assert CircleMembership.objects.filter(circle=medics, member=mo, is_convener=False).exists()
    client.post(circle_url("leave", medics))
    assert not CircleMembership.objects.filter(circle=medics, member=mo).exists()


@pytest.mark.django_db
def test_the_last_convener_hands_over_before_leaving(mo, medics, cora):
    services.join_circle(membership=mo, circle=medics)
    with pytest.raises(ValidationError):
        services.leave_circle(membership=cora, circle=medics)
    seat = CircleMembership.objects.get(circle=medics, member=mo)
    services.add_convener(by=cora, circle=medics, seat=seat)
    services.leave_circle(membership=cora, circle=medics)
    assert list(medics.circle_memberships.values_list("member", "is_convener")) == [(mo.pk, True)]


@pytest.mark.django_db
def test_an_archived_circle_takes_no_new_members(login, alice, mo, medics):
    login(alice).post(circle_url("archive", medics))
    medics.refresh_from_db()
    assert medics.is_archived
    with pytest.raises(ValidationError):
        services.join_circle(membership=mo, circle=medics)


@pytest.mark.django_db
def test_a_circle_without_conveners_gets_one_back(mo, cora, medics):
    services.leave_circle(membership=cora, circle=medics)
    seat = services.join_circle(membership=mo, circle=medics)
    assert seat.is_convener


@pytest.mark.django_db
def test_an_organizer_can_name_a_convener(login, alice, mo, medics, cora):
    seat = services.join_circle(membership=mo, circle=medics)
    login(alice).post(circle_url("convener_add", medics, seat_id=seat.pk))
    seat.refresh_from_db()
    assert seat.is_convener


@pytest.mark.django_db
def test_circle_page_shows_members_conveners_and_theory(login, mo, medics, cora):
    html = login(mo).get(circle_url("detail", medics)).content.decode()
    assert "Cora" in html
    assert "convener" in html
    assert escape(medics.theory_of_change) in html


@pytest.mark.django_db
def test_a_convener_edits_the_circle(login, cora, medics):
    response = login(cora).post(
        circle_url("edit", medics),
        {
            "name": "Street Medics Collective",
            "initiative": "First aid at actions",
            "theory_of_change": "Care makes presence possible.",
            "lens": "voluntarist",
        },
    )
    medics.refresh_from_db()
    assert response.status_code == 302
    assert medics.name == "Street Medics Collective"
    assert medics.slug == "street-medics"
