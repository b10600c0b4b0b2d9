"""The facilitator page runs a fixed number of queries, however long the agenda grows.

Who may reach each convergence URL is checked in ``tests/test_access_table.py``.
"""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from rituals.services import convergence, facilitation
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory


def facilitator_page_queries(client, gathering):
    url = f"/m/{gathering.movement.slug}/convergence/gatherings/{gathering.pk}/facilitate/"
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_facilitator_page_does_not_grow_with_the_agenda(login, alice, gathering, tidewater):
    client = login(alice)
    # Started on its own clock, as it begins.
    facilitation.start_gathering(by=alice, gathering=gathering, now=gathering.starts_at)
    opening = facilitation.add_agenda_item(
        by=alice, gathering=gathering, title="Opening", minutes=5
    )
    facilitation.start_item(by=alice, item=opening)
    small = facilitator_page_queries(client, gathering)
    for number in range(25):
        circle = CircleFactory(movement=tidewater)
        convener = MembershipFactory(movement=tidewater)
        CircleMembershipFactory(circle=circle, member=convener, is_convener=True)
        convergence.submit_report(
            by=convener, gathering=gathering, circle=circle, did="x", intention="y"
        )
        facilitation.record_decision(by=alice, gathering=gathering, text=f"Decision {number}")
        facilitation.record_commitment(by=alice, gathering=gathering, circle=circle, text="Do it")
    facilitation.build_agenda(by=alice, gathering=gathering)
    facilitation.start_item(by=alice, item=gathering.agenda.last())
    assert gathering.agenda.count() == 26
    assert facilitator_page_queries(client, gathering) == small
