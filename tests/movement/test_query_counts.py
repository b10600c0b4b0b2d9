"""List pages run a fixed number of queries, however big the movement grows.

Each page is measured with a small movement (3 circles, 3 members) and a large one
(60 of each). Both must stay within the same bound: the count measured on the
small movement. A page that runs one more query per row (an N+1) fails on the
large one, and pytest-django prints the queries it ran.
"""

import pytest
from django.urls import reverse

from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

SMALL, LARGE = 3, 60


# page name, URL name, extra kwargs, queries measured for the small movement
PAGES = [
    ("movement-home", "movement:home", {}, 33),
    ("members", "movement:members", {}, 4),
    ("circle-directory", "circles:directory", {}, 8),
    ("circle-detail", "circles:detail", {"circle_slug": "circle-0"}, 7),
]


def grow(movement, organizer, size):
    """``size`` members and ``size`` circles, each circle with a convener and the organizer;
    everyone sits in ``circle-0``, so its page lists ``size`` people."""
    members = [MembershipFactory(movement=movement) for _ in range(size)]
    circles = [
        CircleFactory(movement=movement, name=f"Circle {n:02}", slug=f"circle-{n}")
        for n in range(size)
    ]
    for circle, convener in zip(circles, members, strict=True):
        CircleMembershipFactory(circle=circle, member=convener, is_convener=True)
        CircleMembershipFactory(circle=circle, member=organizer)
    for member in members[1:]:
        CircleMembershipFactory(circle=circles[0], member=member)


@pytest.mark.parametrize("size", [SMALL, LARGE], ids=lambda size: f"{size}-of-each")
@pytest.mark.parametrize(
    ("url_name", "kwargs", "bound"),
    [pytest.param(url_name, kwargs, bound, id=page) for page, url_name, kwargs, bound in PAGES],
)
def test_page_queries_do_not_grow_with_the_movement(
    url_name, kwargs, bound, size, tidewater, alice, login, django_assert_max_num_queries
):
    grow(tidewater, alice, size)
    client = login(alice)
    url = reverse(url_name, kwargs={"movement_slug": tidewater.slug, **kwargs})

    with django_assert_max_num_queries(bound):
        response = client.get(url)

    assert response.status_code == 200
