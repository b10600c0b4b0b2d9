"""What needs me: the top of the movement home tells each person what to do next, and
log-in lands there (issue 11).

Tidewater: Bob sits in Harbor medics and asks the bail fund for €300, above its €50
limit, so two other circles must approve. Carol convenes Tenants united and may decide;
Dan sits only in Harbor medics, whose members may not decide on their own circle's
request. A gathering is a week away.
"""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from commons import services as commons_services
from commons.services import pledges, rotation
from movement.models import Invitation
from movement.needs import needs_of
from rituals.models import Rsvp
from rituals.services import conflicts, convergence
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    DrawRequestFactory,
    GatheringFactory,
    MembershipFactory,
    PoolFactory,
)


@pytest.fixture
def world(tidewater, alice):
    medics = CircleFactory(movement=tidewater, name="Harbor medics", slug="harbor-medics")
    tenants = CircleFactory(movement=tidewater, name="Tenants united", slug="tenants-united")
    CircleFactory(movement=tidewater, name="Print shop", slug="print-shop")
    bob = MembershipFactory(movement=tidewater, user__display_name="Bob")
    carol = MembershipFactory(movement=tidewater, user__display_name="Carol")
    dan = MembershipFactory(movement=tidewater, user__display_name="Dan")
    CircleMembershipFactory(circle=medics, member=bob)
    CircleMembershipFactory(circle=medics, member=dan)
    CircleMembershipFactory(circle=tenants, member=carol, is_convener=True)
    fund = PoolFactory(movement=tidewater, name="Bail fund", instant_limit=Decimal("50"))
    commons_services.contribute(by=alice, pool=fund, amount=Decimal("1000"))
    draw = DrawRequestFactory(by=bob, pool=fund, amount=Decimal("300"), purpose="Bail for Sam")
    gathering = GatheringFactory(movement=tidewater, place="Harbor hall")
    return {
        "medics": medics,
        "tenants": tenants,
        "bob": bob,
        "carol": carol,
        "dan": dan,
        "fund": fund,
        "draw": draw,
        "gathering": gathering,
    }


def home(tidewater):
    return reverse("movement:home", kwargs={"movement_slug": tidewater.slug})


def titles(membership):
    return [need.title for need in needs_of(membership)]


def test_a_member_of_an_eligible_circle_is_asked_to_decide(world, tidewater, login):
    response = login(world["carol"]).get(home(tidewater))

    assert response.status_code == 200
    needs = response.context["needs"]
    decide = [need for need in needs if need.title.startswith("Decide on a draw")]
    assert len(decide) == 1
    assert decide[0].url == world["draw"].get_absolute_url()
    assert "€300" in decide[0].title and "Bail fund" in decide[0].title
    assert "0 of 2 approvals" in decide[0].detail
    assert world["draw"].get_absolute_url() in response.content.decode()


def test_nobody_is_asked_to_decide_what_they_may_not(world):
    assert not any(t.startswith("Decide on a draw") for t in titles(world["bob"]))
    assert not any(t.startswith("Decide on a draw") for t in titles(world["dan"]))


def test_a_decision_taken_leaves_the_list(world):
    commons_services.decide_draw(by=world["carol"], draw_request=world["draw"], decision="approve")

    assert not any(t.startswith("Decide on a draw") for t in titles(world["carol"]))


def test_the_requester_sees_where_their_request_stands(world):
    mine = [n for n in needs_of(world["bob"]) if n.title.startswith("Your draw")]

    assert len(mine) == 1
    assert mine[0].detail == "waiting for approvals: 0 of 2 circles so far"

    commons_services.decide_draw(by=world["carol"], draw_request=world["draw"], decision="approve")
    mine = [n for n in needs_of(world["bob"]) if n.title.startswith("Your draw")]
    assert mine[0].detail == "waiting for approvals: 1 of 2 circles so far"


def test_a_convener_is_told_the_report_their_circle_owes_and_by_when(world):
    owed = [n for n in needs_of(world["carol"]) if n.title.startswith("Write the report")]

    assert [n.title for n in owed] == ["Write the report of Tenants united"]
    assert owed[0].due <= world["gathering"].starts_at
    assert owed[0].url.endswith(f"/reports/{world['tenants'].slug}/")

    convergence.submit_report(
        by=world["carol"],
        gathering=world["gathering"],
        circle=world["tenants"],
        did="Door-knocked two blocks.",
        intention="A rent strike meeting.",
    )
    assert not any(t.startswith("Write the report") for t in titles(world["carol"]))


def test_the_next_gathering_is_answered_in_place(world, tidewater, login):
    client = login(world["dan"])
    page = client.get(home(tidewater)).content.decode()
    assert "Will you come?" in page
    form_start = page.index(f'action="{world["gathering"].get_absolute_url()}"')
    assert 'name="submission"' in page[form_start : form_start + 800]

    response = client.post(
        world["gathering"].get_absolute_url(),
        {"answer": "yes", "next": home(tidewater)},
        follow=True,
    )

    assert response.redirect_chain[-1][0] == home(tidewater)
    assert Rsvp.objects.get(member=world["dan"]).answer == "yes"
    assert "Your answer: yes. Change it?" in response.content.decode()


def test_an_answer_never_leads_off_the_site(world, tidewater, login):
    response = login(world["dan"]).post(
        world["gathering"].get_absolute_url(),
        {"answer": "no", "next": "https://evil.example/phish"},
    )

    assert response.status_code == 302
    assert response["Location"] == world["gathering"].get_absolute_url()


def test_organizers_hear_of_invitations_about_to_expire(world, tidewater, alice):
    now = timezone.now()
    Invitation.objects.create(movement=tidewater, expires_at=now + timedelta(days=2))
    Invitation.objects.create(movement=tidewater, expires_at=now + timedelta(days=20))
    Invitation.objects.create(
        movement=tidewater, expires_at=now + timedelta(days=1), revoked_at=now
    )

    assert "An invitation link expires soon" in titles(alice)
    assert "An invitation link expires soon" not in titles(world["carol"])


def test_an_honest_empty_state(tidewater, login):
    quiet = MembershipFactory(movement=tidewater)

    response = login(quiet).get(home(tidewater))

    assert response.context["needs"] == []
    assert "Nothing waits for you right now" in response.content.decode()


def test_log_in_lands_on_the_only_movement_and_otherwise_on_the_list(
    world, tidewater, elsewhere, client
):
    password = "a-passphrase-for-carol"
    carol = world["carol"].user
    carol.set_password(password)
    carol.save()
    form = {"login": carol.email, "password": password}

    response = client.post(reverse("account_login"), form)
    assert response["Location"] == home(tidewater)

    client.logout()
    MembershipFactory(movement=elsewhere, user=carol)
    response = client.post(reverse("account_login"), form)
    assert response["Location"] == reverse("home")


@pytest.mark.parametrize("size", [3, 30])
def test_the_home_costs_the_same_queries_however_much_waits(
    size, world, tidewater, alice, login, django_assert_num_queries
):
    """Many waiting draws, many circles convened and owing reports, many expiring links:
    the same number of queries, and only a handful of items with a link to the rest."""
    carol = world["carol"]
    for n in range(size):
        circle = CircleFactory(movement=tidewater, name=f"Circle {n:02}", slug=f"circle-{n}")
        CircleMembershipFactory(circle=circle, member=carol, is_convener=True)
        CircleMembershipFactory(circle=circle, member=alice, is_convener=True)
        DrawRequestFactory(
            by=world["bob"], pool=world["fund"], amount=Decimal("60"), purpose=f"Need {n}"
        )
        Invitation.objects.create(movement=tidewater, expires_at=timezone.now() + timedelta(days=1))
        conflicts.file_case(
            by=alice, others=[world["bob"]], about="strategy", description="x", confirmed=True
        )
        pledge = pledges.make_pledge(
            by=alice,
            pool=world["fund"],
            amount="5",
            rhythm="weekly",
            starts_on=pledges.local_today(tidewater),
        )
        pledges.pledge_falls_due(pledge_id=pledge.pk, due_on=pledge.next_due_on)
        shared = rotation.open_rotation(
            by=alice,
            name=f"Sou-sou {n}",
            currency="EUR",
            purpose="x",
            share="5",
            round_days=7,
            order="lot",
        )
        rotation.join(by=alice, rotation=shared)
        rotation.join(by=world["bob"], rotation=shared)
        order = [seat.pk for seat in rotation.proposed_order(shared)]
        rotation.start(by=alice, rotation=shared, order=order)
        hall = commons_services.add_resource(by=alice, name=f"Hall {n}", description="x")
        start = timezone.now() + timedelta(days=2)
        commons_services.book(
            by=world["bob"], resource=hall, starts_at=start, ends_at=start + timedelta(hours=9)
        )
    client = login(alice)
    # alice: organizer, convener of every circle, facing every draw and expiring link, and
    # a party to cases waiting for a facilitator, with a pledge, a rotating round's share
    # and a long booking to decide asking for each.
    with django_assert_num_queries(39):
        response = client.get(home(tidewater))

    assert response.status_code == 200
    assert len(response.context["needs"]) <= 24  # a handful from each app, whatever waits
