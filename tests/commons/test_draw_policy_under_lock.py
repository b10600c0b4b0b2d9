"""Whether a draw needs approvals is decided under the pool's row lock, from the policy
that holds at that moment, not from the pool as the requester's page loaded it."""

from decimal import Decimal

import pytest

from commons import services
from commons.models import DrawRequest, Pool


@pytest.mark.django_db
def test_a_request_follows_a_policy_changed_a_moment_before(funded, alice, in_food, pat, quinn):
    as_loaded = Pool.objects.get(pk=funded.pk)  # instant limit 50 when the form was shown
    services.change_pool_policy(
        by=alice, pool=funded, purpose=funded.purpose, instant_limit=0, approvals_required=2
    )
    draw = services.request_draw(
        by=in_food, pool=as_loaded, amount=Decimal("40"), purpose="Bail for Sam"
    )
    assert draw.state == DrawRequest.State.PENDING
    assert draw.entry_id is None
    funded.refresh_from_db()
    assert funded.balance == Decimal("300")
