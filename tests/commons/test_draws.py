from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from commons import services
from commons.models import DrawRequest, LedgerEntry
from movement.models import AuditEvent, Notification


def large_request(by, pool, amount="200", circle=None):
    return services.request_draw(
        by=by, pool=pool, amount=Decimal(amount), purpose="Bail for Sam", circle=circle
    )


@pytest.mark.django_db
def test_a_draw_within_the_limit_is_granted_at_once(funded, in_food):
    draw = services.request_draw(by=in_food, pool=funded, amount=Decimal("40"), purpose="Fees")
    funded.refresh_from_db()
    assert draw.state == "granted"
    assert draw.entry.amount == Decimal("-40")
    assert funded.balance == Decimal("260")


@pytest.mark.django_db
def test_a_draw_the_pool_cannot_afford_is_refused_with_the_reason(bail_fund, in_food):
    with pytest.raises(ValidationError) as refused:
        services.request_draw(by=in_food, pool=bail_fund, amount=Decimal("40"), purpose="Fees")
    assert "The pool holds €0.00; this needs €40.00." in refused.value.messages
    assert not DrawRequest.objects.exists()


@pytest.mark.django_db
def test_a_larger_draw_waits_for_approvals(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    assert draw.state == "pending"
    assert not LedgerEntry.objects.filter(kind="draw").exists()


@pytest.mark.django_db
def test_two_other_circles_grant_it(
    funded, in_food, pat, quinn, mailoutbox, django_capture_on_commit_callbacks
):
    draw = large_request(in_food, funded)
    services.decide_draw(by=pat, draw_request=draw, decision="approve")
    with django_capture_on_commit_callbacks(execute=True):
        services.decide_draw(by=quinn, draw_request=draw, decision="approve")
    draw.refresh_from_db()
    funded.refresh_from_db()
    assert draw.state == "granted"
    assert funded.balance == Decimal("100")
    assert "granted" in mailoutbox[-1].body


@pytest.mark.django_db
def test_one_circle_cannot_approve_alone(funded, in_food, pat, quinn, tidewater, legal):
    from tests.commons.conftest import seat
    from tests.factories import MembershipFactory

    pat_colleague = seat(legal, MembershipFactory(movement=tidewater))
    draw = large_request(in_food, funded)
    services.decide_draw(by=pat, draw_request=draw, decision="approve")
    services.decide_draw(by=pat_colleague, draw_request=draw, decision="approve")
    draw.refresh_from_db()
    assert draw.state == "pending"


@pytest.mark.django_db
def test_the_requesters_own_circle_cannot_approve(funded, in_food, food, tidewater, pat, quinn):
    from tests.commons.conftest import seat
    from tests.factories import MembershipFactory

    friend = seat(food, MembershipFactory(movement=tidewater))
    draw = large_request(in_food, funded)
    with pytest.raises(ValidationError):
        services.decide_draw(by=friend, draw_request=draw, decision="approve")


@pytest.mark.django_db
def test_the_circle_a_draw_serves_cannot_approve_it(funded, alice, pat, quinn, rae, legal):
    draw = large_request(alice, funded, circle=legal)
    with pytest.raises(ValidationError):
        services.decide_draw(by=pat, draw_request=draw, decision="approve")


@pytest.mark.django_db
def test_a_member_decides_once(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    services.decide_draw(by=pat, draw_request=draw, decision="decline", comment="Too soon")
    with pytest.raises(ValidationError):
        services.decide_draw(by=pat, draw_request=draw, decision="approve")


@pytest.mark.django_db
def test_declining_needs_a_reason(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    with pytest.raises(ValidationError) as error:
        services.decide_draw(by=pat, draw_request=draw, decision="decline", comment="  ")
    assert "comment" in error.value.message_dict


@pytest.mark.django_db
def test_two_circles_declining_settle_it(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    services.decide_draw(
        by=pat, draw_request=draw, decision="decline", comment="Use the pantry fund"
    )
    services.decide_draw(by=quinn, draw_request=draw, decision="decline", comment="Agreed")
    draw.refresh_from_db()
    assert draw.state == "declined"


@pytest.mark.django_db
def test_an_approved_draw_waits_for_funds_then_is_granted(bail_fund, alice, in_food, pat, quinn):
    services.contribute(by=alice, pool=bail_fund, amount=Decimal("100"))
    draw = large_request(in_food, bail_fund, amount="150")
    services.decide_draw(by=pat, draw_request=draw, decision="approve")
    services.decide_draw(by=quinn, draw_request=draw, decision="approve")
    draw.refresh_from_db()
    assert draw.state == "approved"
    services.contribute(by=alice, pool=bail_fund, amount=Decimal("60"))
    draw.refresh_from_db()
    bail_fund.refresh_from_db()
    assert draw.state == "granted"
    assert bail_fund.balance == Decimal("10")


@pytest.mark.django_db
def test_a_request_that_can_never_be_approved_is_refused_up_front(funded, in_food, pat):
    # Only one circle other than the requester's exists; two must approve.
    with pytest.raises(ValidationError) as error:
        large_request(in_food, funded)
    assert "only 1" in error.value.messages[0]


@pytest.mark.django_db
def test_the_requester_withdraws(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    services.withdraw_draw(by=in_food, draw_request=draw)
    draw.refresh_from_db()
    assert draw.state == "withdrawn"
    with pytest.raises(ValidationError):
        services.decide_draw(by=pat, draw_request=draw, decision="approve")


@pytest.mark.django_db
def test_only_the_requester_withdraws(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    with pytest.raises(ValidationError):
        services.withdraw_draw(by=pat, draw_request=draw)


@pytest.mark.django_db
def test_every_money_and_approval_step_is_audited(funded, in_food, pat, quinn):
    draw = large_request(in_food, funded)
    services.decide_draw(by=pat, draw_request=draw, decision="approve")
    services.decide_draw(by=quinn, draw_request=draw, decision="approve")
    verbs = list(AuditEvent.objects.order_by("id").values_list("verb", flat=True))
    assert verbs[-4:] == ["draw.requested", "draw.approved", "draw.approved", "draw.granted"]
    assert "ledger.contributed" in verbs


@pytest.mark.django_db
def test_a_contribution_for_a_circle_you_are_not_in_is_refused(bail_fund, in_food, legal):
    with pytest.raises(ValidationError):
        services.contribute(by=in_food, pool=bail_fund, amount=Decimal("5"), circle=legal)
    assert not Notification.objects.exists()
