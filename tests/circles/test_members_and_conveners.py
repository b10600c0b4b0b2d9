import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils.html import escape

from circles import services
from circles.models import Circle, CircleMembership
from tests.factories import CircleFactory


def circle_url(name, circle, **extra):
    return reverse(
        f"circles:{name}",
        kwargs={"movement_slug": "tidewater", "circle_slug": circle.slug, **extra},
    )


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


@pytest.mark.django_db
def test_an_archived_circle_takes_no_new_members(login, alice, mo, medics):
    login(alice).post(circle_url("archive", medics))
    medics.refresh_from_db()
    assert medics.is_archived
    with pytest.raises(ValidationError):
        services.join_circle(membership=mo, circle=medics)


@pytest.mark.django_db
def test_archived_circles_leave_the_directory(login, alice, medics):
    services.archive_circle(by=alice, circle=medics)
    response = login(alice).get(reverse("circles:directory", kwargs={"movement_slug": "tidewater"}))
    assert "Street Medics" not in response.content.decode()


@pytest.mark.django_db
def test_directory_filters_by_lens_and_name(login, mo, tidewater):
    CircleFactory(movement=tidewater, name="Tidewater Radio", lens="subjectivist")
    CircleFactory(movement=tidewater, name="Food Not Bombs", lens="voluntarist")
    CircleFactory(movement=tidewater, name="Radio Free Harbour", lens="voluntarist")
    url = reverse("circles:directory", kwargs={"movement_slug": "tidewater"})
    response = login(mo).get(url, {"lens": "voluntarist", "q": "radio"})
    assert [c.name for c in response.context["page"]] == ["Radio Free Harbour"]


@pytest.mark.django_db
def test_directory_paginates(login, mo, tidewater):
    CircleFactory.create_batch(45, movement=tidewater)
    url = reverse("circles:directory", kwargs={"movement_slug": "tidewater"})
    response = login(mo).get(url, {"page": 3})
    assert len(response.context["page"].object_list) == 5


@pytest.mark.django_db
def test_htmx_filter_returns_only_the_results(login, mo, tidewater):
    CircleFactory(movement=tidewater, name="Food Not Bombs")
    url = reverse("circles:directory", kwargs={"movement_slug": "tidewater"})
    response = login(mo).get(url, {"q": "food"}, HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert html.lstrip().startswith('<section id="results"')
    assert "Food Not Bombs" in html
    assert "<header" not in html


@pytest.mark.django_db
def test_circle_page_shows_members_conveners_and_theory(login, mo, medics, cora):
    html = login(mo).get(circle_url("detail", medics)).content.decode()
    assert "Cora" in html
    assert "convener" in html
    assert escape(medics.theory_of_change) in html


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
