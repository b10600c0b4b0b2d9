"""Starting a circle: its creator convenes it, and its name is its own in the movement."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from circles import services
from circles.models import Circle, CircleMembership


@pytest.mark.django_db
def test_creator_is_the_first_convener(login, mo):
    response = login(mo).post(
        reverse("circles:create", kwargs={"movement_slug": "tidewater"}),
        {
            "name": "Legal Defense",
            "initiative": "Court support",
            "theory_of_change": "People take risks when someone has their back.",
            "lens": "structuralist",
        },
    )
    circle = Circle.objects.get(name="Legal Defense")
    assert response.status_code == 302
    assert response["Location"] == circle.get_absolute_url()
    assert CircleMembership.objects.get(circle=circle).member == mo
    assert CircleMembership.objects.get(circle=circle).is_convener


@pytest.mark.django_db
def test_names_are_unique_whatever_the_case(mo, medics):
    with pytest.raises(ValidationError) as error:
        services.create_circle(
            by=mo, name="STREET medics", initiative="", theory_of_change="x", lens="voluntarist"
        )
    assert "name" in error.value.message_dict


@pytest.mark.django_db
def test_the_same_name_is_fine_in_another_movement(otto, medics):
    circle = services.create_circle(
        by=otto, name="Street Medics", initiative="", theory_of_change="x", lens="voluntarist"
    )
    assert circle.movement == otto.movement


@pytest.mark.django_db
def test_a_movement_holds_many_circles(mo):
    for name in ("Street Art", "Legal Defense", "Food Distribution"):
        services.create_circle(
            by=mo, name=name, initiative="", theory_of_change="x", lens="voluntarist"
        )
    assert Circle.objects.filter(movement=mo.movement).count() == 3


@pytest.mark.django_db
def test_a_circle_called_new_does_not_shadow_the_create_page(login, mo):
    circle = services.create_circle(
        by=mo, name="New", initiative="", theory_of_change="x", lens="voluntarist"
    )
    assert circle.slug == "new-2"
    assert login(mo).get(circle.get_absolute_url()).context["circle"] == circle
