"""Circles and members are chosen by typing a name, with suggestions, instead of a select or
a checkbox list holding every circle or every member of a large movement."""

from decimal import Decimal

import pytest
from django.urls import reverse

from commons import services as commons_services
from commons.models import DrawRequest
from tests.factories import CircleFactory, GatheringFactory, MembershipFactory


def url(name, **kwargs):
    return reverse(name, kwargs={"movement_slug": "tidewater", **kwargs})


@pytest.fixture
def many_circles(tidewater):
    return CircleFactory.create_batch(40, movement=tidewater)


@pytest.fixture
def pool(alice):
    pool = commons_services.create_pool(
        by=alice, name="Bail", kind="money", currency="EUR", purpose="x", instant_limit=50
    )
    commons_services.contribute(by=alice, pool=pool, amount=Decimal("100"))
    return pool


@pytest.mark.django_db
def test_the_draw_form_holds_no_list_of_every_circle(login, mo, pool, many_circles):
    html = login(mo).get(url("commons:draw_create", pool_id=pool.pk)).content.decode()
    assert "<select" not in html
    assert f'hx-get="{url("circles:suggest")}"' in html
    assert 'list="id_circle-suggestions"' in html
    assert '<datalist id="id_circle-suggestions">' in html


@pytest.mark.django_db
def test_suggestions_are_this_movements_active_circles(login, mo, tidewater, elsewhere, medics):
    CircleFactory(movement=elsewhere, name="Street Theatre", slug="street-theatre")
    CircleFactory(movement=tidewater, name="Street Art", slug="street-art")
    CircleFactory(
        movement=tidewater, name="Street Ghosts", slug="ghosts", archived_at="2026-01-01T00:00Z"
    )
    html = login(mo).get(url("circles:suggest"), {"circle": "street"}).content.decode()
    assert (
        html.strip()
        == '<option value="Street Art"></option><option value="Street Medics"></option>'
    )


@pytest.mark.django_db
def test_a_draw_names_the_circle_it_serves(login, mo, pool, medics, many_circles):
    response = login(mo).post(
        url("commons:draw_create", pool_id=pool.pk),
        {"amount": "20", "purpose": "Gauze", "circle": "street medics"},
    )
    assert response.status_code == 302
    assert DrawRequest.objects.get().circle == medics


@pytest.fixture
def gathering(tidewater):
    return GatheringFactory(movement=tidewater)


@pytest.mark.django_db
def test_the_gathering_form_holds_no_box_per_member(login, alice, tidewater, gathering, fay):
    MembershipFactory.create_batch(60, movement=tidewater)
    gathering.facilitators.add(fay)
    html = (
        login(alice).get(url("rituals:gathering_edit", gathering_id=gathering.pk)).content.decode()
    )
    assert html.count('type="checkbox"') == 1  # fay, named already
    assert f'hx-get="{url("movement:member_suggest")}"' in html


def _edit(client, gathering, **data):
    form = {
        "starts_at": gathering.starts_at.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": gathering.ends_at.strftime("%Y-%m-%dT%H:%M"),
        **data,
    }
    return client.post(url("rituals:gathering_edit", gathering_id=gathering.pk), form)


@pytest.mark.django_db
def test_a_facilitator_is_added_by_name_and_kept_by_their_box(login, alice, gathering, fay, mo):
    gathering.facilitators.add(fay)
    response = _edit(login(alice), gathering, facilitators=[fay.pk], add_facilitator="mo")
    assert response.status_code == 302
    assert set(gathering.facilitators.all()) == {fay, mo}


@pytest.mark.django_db
def test_two_people_of_one_name_are_told_apart_by_their_number(login, alice, tidewater, gathering):
    first, second = MembershipFactory.create_batch(
        2, movement=tidewater, user__display_name="Sam Lee"
    )
    client = login(alice)
    refused = _edit(client, gathering, add_facilitator="Sam Lee")
    assert refused.status_code == 200
    assert "Several members are called “Sam Lee”" in refused.content.decode()
    assert _edit(client, gathering, add_facilitator=f"Sam Lee · #{second.pk}").status_code == 302
    assert list(gathering.facilitators.all()) == [second]


@pytest.mark.django_db
def test_member_suggestions_carry_a_number_and_stay_in_the_movement(login, mo, otto, tidewater):
    sam = MembershipFactory(movement=tidewater, user__display_name="Otis Sam")
    html = login(mo).get(url("movement:member_suggest"), {"q": "ot"}).content.decode()
    assert f'<option value="Otis Sam · #{sam.pk}"></option>' in html
    assert "Otto" not in html  # otto organizes elsewhere
