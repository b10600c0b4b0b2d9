"""The directory of a movement's circles: filtered by lens and name, paginated, and the
htmx filter answering with only its results."""

import pytest
from django.urls import reverse

from circles import services
from tests.factories import CircleFactory


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
