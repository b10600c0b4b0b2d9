"""The sprint pages through the test client: a whole round from opening to a running sprint,
bad input answered in words, and a fixed number of queries per page at two sizes."""

from datetime import timedelta

import pytest
from django.contrib.messages import get_messages
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from rituals.models import RoundCircle, Sprint, SprintRound
from rituals.services import sprints
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    MembershipFactory,
    RoundCircleFactory,
    SprintRoundFactory,
)
from tests.submitting import token_on


def url(name, slug="tidewater", **kwargs):
    return reverse(f"rituals:{name}", kwargs={"movement_slug": slug, **kwargs})


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture
def four_circles(tidewater, medics, cora, tenants, alice):
    """Street Medics (cora), Tenants Union (mo), Food Not Bombs and Print Shop (alice)."""
    food = CircleFactory(movement=tidewater, name="Food Not Bombs", slug="food-not-bombs")
    print_shop = CircleFactory(movement=tidewater, name="Print Shop", slug="print-shop")
    for circle in (food, print_shop):
        CircleMembershipFactory(circle=circle, member=alice, is_convener=True)
    return {
        medics: cora,
        tenants: tenants.circle_memberships.get().member,
        food: alice,
        print_shop: alice,
    }


@pytest.mark.django_db
def test_a_whole_round_from_opening_to_a_running_sprint(
    client, login, tidewater, fay, cora, mo, medics, tenants
):
    deadline = (timezone.now() + timedelta(days=2)).astimezone(tidewater.zone)
    page = login(fay).get(url("round_open"))
    response = client.post(
        url("round_open"),
        {
            "deadline": f"{deadline:%Y-%m-%dT%H:%M}",
            "sprint_hours": "48",
            "submission": token_on(page.content.decode()),
        },
    )
    sprint_round = SprintRound.objects.get()
    assert response["Location"] == sprint_round.get_absolute_url()
    assert sprint_round.sprint_hours == 48

    for convener, circle in ((cora, medics), (mo, tenants)):
        page = login(convener).get(sprint_round.get_absolute_url())
        assert f"Opt {circle.name} in" in page.content.decode()
        client.post(url("round_opt_in", round_id=sprint_round.pk, circle_slug=circle.slug))
    assert RoundCircle.objects.filter(round=sprint_round).count() == 2

    login(fay).post(url("round_propose", round_id=sprint_round.pk))
    page = client.get(sprint_round.get_absolute_url()).content.decode()
    assert "never in a sprint together; no shared members" in page
    assert "Collaboration strength: 0" in page

    client.post(url("round_launch", round_id=sprint_round.pk))
    sprint = Sprint.objects.get()
    assert sprint.ends_at - sprint.starts_at == timedelta(hours=48)
    page = login(mo).get(sprint.get_absolute_url()).content.decode()
    assert "Street Medics" in page and "Tenants Union" in page
    assert '<progress id="sprint-progress" max="172800"' in page
    assert "Time left: 1\xa0day, 23\xa0hours" in page


@pytest.mark.django_db
def test_the_countdown_alone_for_htmx(login, fay, four_circles):
    sprint_round = SprintRoundFactory(by=fay)
    for circle, convener in four_circles.items():
        sprints.opt_in(by=convener, round=sprint_round, circle=circle)
    sprints.propose(by=fay, round=sprint_round)
    sprint = sprints.launch(by=fay, round=sprint_round)[0]
    response = login(fay).get(sprint.get_absolute_url(), headers={"HX-Request": "true"})
    body = response.content.decode()
    assert body.lstrip().startswith('<section id="countdown"')
    assert "<h1>" not in body


@pytest.mark.django_db
def test_the_swap_page_shows_the_cost_before_swapping(login, fay, four_circles, medics):
    sprint_round = SprintRoundFactory(by=fay)
    for circle, convener in four_circles.items():
        sprints.opt_in(by=convener, round=sprint_round, circle=circle)
    sprints.propose(by=fay, round=sprint_round)
    rows = list(RoundCircle.objects.filter(round=sprint_round).select_related("circle"))
    medics_group = next(row.group for row in rows if row.circle_id == medics.pk)
    other = next(row.circle for row in rows if row.group != medics_group)
    client = login(fay)
    swap_url = url("round_swap", round_id=sprint_round.pk)

    preview = client.get(swap_url, {"a": "Street Medics", "b": other.name}).content.decode()
    assert "What the swap costs" in preview
    assert "Swap them" in preview
    assert RoundCircle.objects.get(round=sprint_round, circle=medics).group == medics_group

    response = client.post(swap_url, {"a": "Street Medics", "b": other.name})
    assert response.status_code == 302
    assert RoundCircle.objects.get(round=sprint_round, circle=medics).group != medics_group


@pytest.mark.django_db
def test_a_swap_of_a_circle_with_itself_is_refused_in_words(login, fay, four_circles):
    sprint_round = SprintRoundFactory(by=fay)
    for circle, convener in four_circles.items():
        sprints.opt_in(by=convener, round=sprint_round, circle=circle)
    sprints.propose(by=fay, round=sprint_round)
    response = login(fay).post(
        url("round_swap", round_id=sprint_round.pk), {"a": "Street Medics", "b": "street medics"}
    )
    assert response.status_code == 200
    assert "A circle cannot be swapped with itself" in response.content.decode()


@pytest.mark.django_db
def test_opting_in_after_the_deadline_says_so(login, fay, cora, medics):
    sprint_round = SprintRoundFactory(by=fay)
    SprintRound.objects.filter(pk=sprint_round.pk).update(
        deadline=timezone.now() - timedelta(minutes=5)
    )
    response = login(cora).post(
        url("round_opt_in", round_id=sprint_round.pk, circle_slug="street-medics")
    )
    assert response.status_code == 302
    assert any("that time has passed" in message for message in messages_of(response))
    assert not RoundCircle.objects.exists()


@pytest.mark.django_db
def test_proposing_a_round_of_one_circle_says_so(login, fay, cora, medics):
    sprint_round = SprintRoundFactory(by=fay)
    sprints.opt_in(by=cora, round=sprint_round, circle=medics)
    response = login(fay).post(url("round_propose", round_id=sprint_round.pk))
    assert messages_of(response) == [
        "A sprint pairs at least two circles, and only 1 opted in: "
        "wait for more circles or cancel the round."
    ]


@pytest.mark.django_db
def test_opening_a_round_with_a_past_deadline_says_so(login, alice, tidewater):
    past = (timezone.now() - timedelta(hours=1)).astimezone(tidewater.zone)
    response = login(alice).post(
        url("round_open"), {"deadline": f"{past:%Y-%m-%dT%H:%M}", "sprint_hours": "72"}
    )
    assert response.status_code == 200
    assert "The opt-in deadline must be in the future." in response.content.decode()
    assert not SprintRound.objects.exists()


# --- a fixed number of queries -----------------------------------------------------------------


def round_with(movement, runner, size, state):
    """A round of ``size`` circles, each with a convener, in ``state``; the runner convenes
    one of them, so the page shows them their own circle and sprint too."""
    sprint_round = SprintRoundFactory(by=runner)
    for index in range(size):
        circle = CircleFactory(movement=movement)
        convener = runner if index == 0 else MembershipFactory(movement=movement)
        CircleMembershipFactory(circle=circle, member=convener, is_convener=True)
        RoundCircleFactory(round=sprint_round, circle=circle)
    if state != SprintRound.State.OPEN:
        sprints.propose(by=runner, round=sprint_round)
    if state == SprintRound.State.LAUNCHED:
        sprints.launch(by=runner, round=sprint_round)
    for done in range(size // 4):  # older rounds, for the list of rounds
        SprintRound.objects.create(
            movement=movement,
            deadline=timezone.now() - timedelta(days=done + 1),
            state=SprintRound.State.CANCELLED,
        )
    sprint_round.refresh_from_db()
    return sprint_round


def count(client, path):
    with CaptureQueriesContext(connection) as queries:
        assert client.get(path).status_code == 200
    return len(queries)


def pages_of(sprint_round, slug):
    paths = [url("sprints", slug), sprint_round.get_absolute_url()]
    sprint = Sprint.objects.filter(round=sprint_round).first()
    if sprint is not None:
        paths.append(sprint.get_absolute_url())
    return paths


@pytest.mark.django_db
@pytest.mark.parametrize("state", ["open", "proposed", "launched"])
def test_sprint_pages_run_a_fixed_number_of_queries(
    state, login, fay, tidewater, elsewhere, otto, django_assert_num_queries
):
    small = round_with(tidewater, fay, 4, state)
    big = round_with(elsewhere, otto, 60, state)  # more than a page of circles and sprints
    small_counts = [count(login(fay), path) for path in pages_of(small, "tidewater")]
    client = login(otto)
    for path, expected in zip(pages_of(big, "elsewhere"), small_counts, strict=True):
        with django_assert_num_queries(expected):
            client.get(path)
    assert max(small_counts) <= 16
