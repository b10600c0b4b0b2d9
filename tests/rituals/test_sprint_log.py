"""The open log of a sprint: members of the paired circles write frictions and breakthroughs
while it runs or presents; the whole movement reads it on the sprint page, newest first.

Street Medics (cora convenes) and Tenants Union (mo convenes) forge together; alice
organizes and sits in neither circle; otto belongs to another movement.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from commons import services as commons_services
from movement.models import AuditEvent
from rituals.models import Sprint, SprintLogEntry
from rituals.services import sprints
from tests.factories import (
    CircleMembershipFactory,
    PoolFactory,
    SprintLogEntryFactory,
)
from tests.submitting import ALREADY_SENT, post_twice, said, token_on

Kind = SprintLogEntry.Kind
Category = SprintLogEntry.Category


def write(by, sprint, **fields):
    entry = {"kind": Kind.FRICTION, "category": Category.TEMPO, "text": "Replies took a day."}
    return sprints.write_log_entry(by=by, sprint=sprint, **{**entry, **fields})


def log_url(sprint):
    return reverse(
        "rituals:sprint_log", kwargs={"movement_slug": "tidewater", "sprint_id": sprint.pk}
    )


def closed(sprint):
    Sprint.objects.filter(pk=sprint.pk).update(state=Sprint.State.CLOSED, closed_at=timezone.now())
    sprint.refresh_from_db()
    return sprint


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_member_of_a_paired_circle_writes_for_their_circle(sprint, cora, medics):
    entry = write(cora, sprint, kind=Kind.BREAKTHROUGH, category=Category.LANGUAGE)
    assert (entry.circle, entry.author, entry.movement) == (medics, cora, sprint.movement)
    assert (entry.kind, entry.category) == (Kind.BREAKTHROUGH, Category.LANGUAGE)


@pytest.mark.django_db
def test_writing_is_on_the_audit_trail(sprint, mo):
    entry = write(mo, sprint)
    event = AuditEvent.objects.get(verb=sprints.LogVerb.LOG_WRITTEN)
    assert (event.actor, event.target, event.data["entry"]) == (mo.user, str(sprint.pk), entry.pk)


@pytest.mark.django_db
def test_a_member_in_both_circles_chooses_which_one_they_write_for(sprint, mo, medics, tenants):
    CircleMembershipFactory(circle=medics, member=mo)
    assert write(mo, sprint).circle == medics  # the first by name, unless told
    assert write(mo, sprint, circle=tenants).circle == tenants


@pytest.mark.django_db
def test_one_cannot_write_for_a_circle_of_the_sprint_one_is_not_in(sprint, cora, tenants):
    with pytest.raises(ValidationError) as error:
        write(cora, sprint, circle=tenants)
    assert error.value.message_dict == {
        "circle": ["Write for one of this sprint's circles that you sit in."]
    }


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "fay", "otto"])
def test_only_members_of_the_paired_circles_write(request, sprint, who):
    with pytest.raises(PermissionDenied, match="Only members of the sprint's circles write"):
        write(request.getfixturevalue(who), sprint)
    assert not SprintLogEntry.objects.exists()


@pytest.mark.django_db
def test_the_log_stays_open_while_the_sprint_presents(sprint, cora):
    Sprint.objects.filter(pk=sprint.pk).update(state=Sprint.State.PRESENTING)
    assert write(cora, sprint).pk


@pytest.mark.django_db
def test_an_entry_after_the_sprint_closed_is_refused_in_words(sprint, cora):
    with pytest.raises(ValidationError) as error:
        write(cora, closed(sprint))
    assert error.value.messages == [
        "This sprint is closed: its log is kept as it was and takes no new entries."
    ]
    assert not SprintLogEntry.objects.exists()


@pytest.mark.django_db
def test_an_unknown_category_is_refused_in_words(sprint, cora):
    with pytest.raises(ValidationError) as error:
        write(cora, sprint, category="vibes")
    assert error.value.message_dict["category"] == [
        "Unknown category: pick one of commons access, communication tools, tempo, "
        "language and jargon, roles, other."
    ]


@pytest.mark.django_db
@pytest.mark.parametrize("text", ["", "   \n "])
def test_an_empty_entry_is_refused_in_words(sprint, cora, text):
    with pytest.raises(ValidationError) as error:
        write(cora, sprint, text=text)
    assert error.value.message_dict["text"] == [
        "Write what happened: an empty entry tells nobody anything."
    ]


@pytest.mark.django_db
def test_the_pool_must_be_of_the_movement(sprint, cora, elsewhere, tidewater):
    with pytest.raises(ValidationError) as error:
        write(cora, sprint, pool=PoolFactory(movement=elsewhere))
    assert error.value.message_dict["pool"] == ["This pool is not part of this movement's commons."]
    pool = PoolFactory(movement=tidewater, name="Bail Fund")
    assert write(cora, sprint, pool=pool, tool=" Signal ").tool == "Signal"


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_whole_movement_reads_the_log_newest_first(login, sprint, cora, mo, alice):
    write(cora, sprint, text="Jargon walls on the first call.")
    write(mo, sprint, kind=Kind.BREAKTHROUGH, text="A shared glossary.")
    page = login(alice).get(sprint.get_absolute_url()).content.decode()
    assert page.index("A shared glossary.") < page.index("Jargon walls on the first call.")
    assert "Add to the log" not in page  # alice reads; she is in neither circle


@pytest.mark.django_db
def test_a_paired_member_writes_from_the_sprint_page(login, sprint, cora, tidewater):
    pool = PoolFactory(movement=tidewater, name="Bail Fund")
    page = login(cora).get(sprint.get_absolute_url()).content.decode()
    assert "Add to the log" in page
    response = login(cora).post(
        log_url(sprint),
        {
            "kind": "friction",
            "category": "commons_access",
            "text": "The bail fund needed two approvals at midnight.",
            "pool": str(pool.pk),
            "tool": "",
            "submission": token_on(page),
        },
    )
    assert response["Location"] == f"{sprint.get_absolute_url()}#log"
    entry = SprintLogEntry.objects.get()
    assert (entry.category, entry.pool) == ("commons_access", pool)
    page = login(cora).get(sprint.get_absolute_url()).content.decode()
    assert "The bail fund needed two approvals at midnight." in page


@pytest.mark.django_db
def test_a_double_tap_writes_one_entry(login, sprint, cora):
    data = {"kind": "friction", "category": "tempo", "text": "Slow."}
    first, second = post_twice(login(cora), log_url(sprint), data)
    assert first.status_code == second.status_code == 302
    assert said(second, ALREADY_SENT)
    assert SprintLogEntry.objects.count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "friction", "category": "tempo", "text": "  "}, "Write what happened"),
        ({"kind": "friction", "category": "vibes", "text": "Slow."}, "Unknown category: pick"),
    ],
)
def test_bad_input_comes_back_with_the_reason(login, sprint, cora, data, message):
    response = login(cora).post(log_url(sprint), data)
    assert response.status_code == 200
    assert message in response.content.decode()
    assert not SprintLogEntry.objects.exists()


@pytest.mark.django_db
def test_an_entry_posted_after_the_closing_comes_back_with_the_reason(login, sprint, cora):
    closed(sprint)
    response = login(cora).post(
        log_url(sprint), {"kind": "friction", "category": "tempo", "text": "Late."}
    )
    assert response.status_code == 200
    assert "This sprint is closed: its log is kept as it was" in response.content.decode()
    assert "Add to the log" not in login(cora).get(sprint.get_absolute_url()).content.decode()


@pytest.mark.django_db
def test_the_log_pages_newest_first(login, sprint, cora, medics, alice):
    start = timezone.now() - timedelta(hours=30)
    for number in range(30):
        SprintLogEntryFactory(
            sprint=sprint,
            circle=medics,
            author=cora,
            text=f"Entry number {number:02d}.",
            created_at=start + timedelta(minutes=number),
        )
    client = login(alice)
    first = client.get(sprint.get_absolute_url()).content.decode()
    assert "Entry number 29." in first and "Entry number 05." in first
    assert "Entry number 04." not in first
    older = first.split('href="?log_older=')[1].split("#")[0]
    second = client.get(sprint.get_absolute_url(), {"log_older": older}).content.decode()
    assert "Entry number 04." in second and "Entry number 05." not in second


def sprint_page_queries(client, sprint):
    client.get(sprint.get_absolute_url())  # the session settles on the first visit
    with CaptureQueriesContext(connection) as queries:
        assert client.get(sprint.get_absolute_url()).status_code == 200
    return len(queries)


@pytest.mark.django_db
def test_the_sprint_page_runs_a_fixed_number_of_queries(
    login, sprint, cora, mo, alice, medics, tenants, tidewater, django_assert_num_queries
):
    write(cora, sprint, pool=PoolFactory(movement=tidewater))
    small = {who: sprint_page_queries(login(who), sprint) for who in (cora, alice)}
    # the same for the paired circles and the readers: the form's pools are read either way
    assert small[cora] == small[alice]

    pools = [PoolFactory(movement=tidewater) for _ in range(8)]
    fund = commons_services.create_pool(
        by=alice,
        name="Bail Fund",
        kind="money",
        currency="EUR",
        purpose="Bail.",
        instant_limit=Decimal("50"),
        approvals_required=1,
    )
    commons_services.contribute(by=alice, pool=fund, amount=Decimal("500"))
    for number in range(12):
        draw = commons_services.request_draw(
            by=mo, pool=fund, amount=Decimal("5"), purpose=f"Fare {number}", circle=tenants
        )
        sprints.link_draw(by=mo, sprint=sprint, draw_request=draw)
    for number in range(60):
        SprintLogEntryFactory(
            sprint=sprint, circle=medics, author=cora, pool=pools[number % 8], tool="Signal"
        )
    for who in (cora, alice):
        client = login(who)
        with django_assert_num_queries(small[who]):
            client.get(sprint.get_absolute_url())
