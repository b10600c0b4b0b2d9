"""Only the commons: a draw request that served a sprint is linked to it (the link lives in
rituals, pointing at the draw), and the sprint page lists what it drew and what it still
waits for.

Street Medics (cora convenes) and Tenants Union (mo convenes) forge together. Legal
(alice convenes) is in no sprint. Tidewater's bail fund grants up to €50 at once; above,
one other circle approves.
"""

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from commons import services as commons_services
from commons.models import Approval, DrawRequest, Pool
from movement.models import AuditEvent
from rituals.models import Sprint, SprintDraw
from rituals.services import sprints
from tests.factories import CircleFactory, CircleMembershipFactory
from tests.submitting import token_on


@pytest.fixture
def legal(tidewater, alice):
    circle = CircleFactory(movement=tidewater, name="Legal", slug="legal")
    CircleMembershipFactory(circle=circle, member=alice, is_convener=True)
    return circle


def pool_of(by, name="Bail Fund", **policy):
    pool = commons_services.create_pool(
        by=by,
        name=name,
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Bail and fines.",
        instant_limit=Decimal("50"),
        approvals_required=1,
        **policy,
    )
    commons_services.contribute(by=by, pool=pool, amount=Decimal("1000"))
    return pool


@pytest.fixture
def bail_fund(alice, legal):
    return pool_of(alice)


def draw(by, pool, amount, circle=None, purpose="Van hire for the print run."):
    return commons_services.request_draw(
        by=by, pool=pool, amount=Decimal(amount), purpose=purpose, circle=circle
    )


def link_url(sprint, slug="tidewater"):
    return reverse(
        "rituals:sprint_draw_link", kwargs={"movement_slug": slug, "sprint_id": sprint.pk}
    )


# --- the rules ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_paired_member_links_a_draw_asked_by_a_member_of_the_sprint(sprint, mo, bail_fund):
    granted = draw(mo, bail_fund, "20")
    link = sprints.link_draw(by=mo, sprint=sprint, draw_request=granted)
    assert (link.sprint, link.draw_request, link.linked_by) == (sprint, granted, mo)


@pytest.mark.django_db
def test_a_draw_asked_for_one_of_the_sprints_circles_may_be_linked(
    sprint, cora, alice, tenants, bail_fund
):
    for_tenants = draw(alice, bail_fund, "20", circle=tenants)  # alice is in neither circle
    assert sprints.link_draw(by=cora, sprint=sprint, draw_request=for_tenants).pk


@pytest.mark.django_db
def test_linking_is_on_the_audit_trail(sprint, mo, bail_fund):
    granted = draw(mo, bail_fund, "20")
    sprints.link_draw(by=mo, sprint=sprint, draw_request=granted)
    event = AuditEvent.objects.get(verb=sprints.LogVerb.DRAW_LINKED)
    assert (event.actor, event.data["draw"], event.data["amount"]) == (
        mo.user,
        granted.pk,
        "20.00",
    )


@pytest.mark.django_db
def test_a_draw_that_served_neither_circle_is_refused(sprint, cora, alice, legal, bail_fund):
    for_legal = draw(alice, bail_fund, "20", circle=legal)
    with pytest.raises(ValidationError) as error:
        sprints.link_draw(by=cora, sprint=sprint, draw_request=for_legal)
    assert error.value.messages == [
        "This draw was neither asked for one of the sprint's circles nor by one of their members."
    ]


@pytest.mark.django_db
def test_a_draw_of_another_movement_is_refused_in_words(sprint, cora, otto, elsewhere):
    night_pantry = CircleFactory(movement=elsewhere, name="Night Pantry")
    CircleMembershipFactory(circle=night_pantry, member=otto, is_convener=True)
    theirs = draw(otto, pool_of(otto, name="Rent Strike Fund"), "20")
    with pytest.raises(ValidationError) as error:
        sprints.link_draw(by=cora, sprint=sprint, draw_request=theirs)
    assert error.value.messages == [
        "This draw is from another movement's commons: a sprint draws only on its own "
        "movement's commons."
    ]
    assert not SprintDraw.objects.exists()


@pytest.mark.django_db
@pytest.mark.parametrize("who", ["alice", "fay", "otto"])
def test_only_members_of_the_paired_circles_link_draws(request, sprint, mo, bail_fund, who):
    granted = draw(mo, bail_fund, "20")
    with pytest.raises(PermissionDenied, match="Only members of the sprint's circles link"):
        sprints.link_draw(by=request.getfixturevalue(who), sprint=sprint, draw_request=granted)


@pytest.mark.django_db
def test_a_draw_serves_one_sprint(sprint, mo, cora, bail_fund):
    granted = draw(mo, bail_fund, "20")
    sprints.link_draw(by=mo, sprint=sprint, draw_request=granted)
    with pytest.raises(ValidationError) as error:
        sprints.link_draw(by=cora, sprint=sprint, draw_request=granted)
    assert error.value.messages == [
        "This draw is already linked to a sprint: a draw serves one sprint."
    ]


@pytest.mark.django_db
def test_a_withdrawn_draw_is_refused(sprint, mo, bail_fund):
    pending = draw(mo, bail_fund, "200")
    commons_services.withdraw_draw(by=mo, draw_request=pending)
    pending.refresh_from_db()
    with pytest.raises(ValidationError) as error:
        sprints.link_draw(by=mo, sprint=sprint, draw_request=pending)
    assert error.value.messages == [
        "This draw was withdrawn: link a draw that was granted or still waits."
    ]


@pytest.mark.django_db
def test_a_closed_sprint_takes_no_new_draws(sprint, mo, bail_fund):
    granted = draw(mo, bail_fund, "20")
    Sprint.objects.filter(pk=sprint.pk).update(state=Sprint.State.CLOSED, closed_at=timezone.now())
    with pytest.raises(ValidationError, match="This sprint is closed"):
        sprints.link_draw(by=mo, sprint=sprint, draw_request=granted)


# --- the pages ---------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_sprint_page_lists_what_it_drew_and_what_it_waits_for(
    login, sprint, mo, cora, alice, legal, tenants, bail_fund
):
    granted = draw(mo, bail_fund, "20", purpose="Bus fares to the print shop.")
    also_granted = draw(cora, bail_fund, "12.50", purpose="Paper.")
    pending = draw(mo, bail_fund, "120", circle=tenants, purpose="A van for the weekend.")
    approved = draw(mo, bail_fund, "1500", circle=tenants, purpose="A risograph.")
    commons_services.decide_draw(
        by=alice, draw_request=approved, decision=Approval.Decision.APPROVE, circle=legal
    )
    approved.refresh_from_db()
    assert (pending.state, approved.state) == (DrawRequest.State.PENDING, "approved")
    for each in (granted, also_granted, pending, approved):
        sprints.link_draw(by=mo, sprint=sprint, draw_request=each)

    page = login(alice).get(sprint.get_absolute_url()).content.decode()
    drew = page.split("What it drew")[1].split("What it still waits for")[0]
    waits = page.split("What it still waits for")[1].split("</section>")[0]
    assert "€20.00" in drew and "€12.50" in drew and "Bus fares to the print shop." in drew
    assert "In all: €32.50 from Bail Fund." in " ".join(drew.split())
    assert "€120.00" in waits and "waiting for approvals" in waits
    assert "€1,500.00" in waits and "approved, waiting for funds" in waits
    assert "Link a draw from the commons" not in page  # alice reads; she is in neither circle


@pytest.mark.django_db
def test_a_paired_member_picks_a_draw_and_links_it(login, sprint, mo, alice, legal, bail_fund):
    granted = draw(mo, bail_fund, "20", purpose="Bus fares.")
    draw(alice, bail_fund, "20", circle=legal, purpose="Legal's own.")
    client = login(mo)
    assert "Link a draw from the commons" in client.get(sprint.get_absolute_url()).content.decode()
    page = client.get(link_url(sprint)).content.decode()
    assert "Bus fares." in page and "Legal&#x27;s own." not in page
    response = client.post(
        link_url(sprint), {"draw": str(granted.pk), "submission": token_on(page)}
    )
    assert response["Location"] == f"{sprint.get_absolute_url()}#draws"
    assert SprintDraw.objects.get().draw_request == granted
    assert "Bus fares." not in client.get(link_url(sprint)).content.decode()  # linked: gone


@pytest.mark.django_db
def test_a_draw_id_of_another_movement_is_not_found(login, sprint, mo, otto, elsewhere):
    night_pantry = CircleFactory(movement=elsewhere, name="Night Pantry")
    CircleMembershipFactory(circle=night_pantry, member=otto, is_convener=True)
    theirs = draw(otto, pool_of(otto, name="Rent Strike Fund"), "20")
    response = login(mo).post(link_url(sprint), {"draw": str(theirs.pk)})
    assert response.status_code == 404
    assert not SprintDraw.objects.exists()


@pytest.mark.django_db
def test_linking_a_draw_twice_comes_back_with_the_reason(login, sprint, mo, cora, bail_fund):
    granted = draw(mo, bail_fund, "20")
    sprints.link_draw(by=mo, sprint=sprint, draw_request=granted)
    response = login(cora).post(link_url(sprint), {"draw": str(granted.pk)})
    assert response.status_code == 200
    assert "This draw is already linked to a sprint" in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("value", ["", "abc", "١٢"])
def test_a_draw_that_is_not_an_id_comes_back_with_the_reason(login, sprint, mo, value):
    response = login(mo).post(link_url(sprint), {"draw": value})
    assert response.status_code == 200
    assert "Pick the draw that served the sprint." in response.content.decode()
