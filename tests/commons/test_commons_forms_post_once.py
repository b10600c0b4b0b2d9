"""A member on a slow phone who taps twice is charged once: each commons form posted twice
(one after the other, or at once) writes one row and sends the second tap where the first
led."""

import threading
import uuid
from decimal import Decimal

import pytest
from django.db import connections
from django.test import Client
from django.urls import reverse

from commons import services
from commons.models import Approval, DrawRequest, LedgerEntry
from tests.submitting import ALREADY_SENT, post_at_once, post_twice, said


def url(name, **kwargs):
    return reverse(f"commons:{name}", kwargs={"movement_slug": "tidewater", **kwargs})


def _contributions(pool):
    return LedgerEntry.objects.filter(pool=pool, kind=LedgerEntry.Kind.CONTRIBUTION).count()


@pytest.mark.django_db
def test_a_contribution_tapped_twice_is_one_entry(login, mo, funded):
    before = _contributions(funded)
    first, second = post_twice(
        login(mo), url("contribute", pool_id=funded.pk), {"amount": "20", "note": "rent party"}
    )
    assert _contributions(funded) == before + 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)
    funded.refresh_from_db()
    assert funded.balance == Decimal("320")


@pytest.mark.django_db
def test_a_draw_requested_twice_is_one_request(login, in_food, funded, pat, quinn):
    first, second = post_twice(
        login(in_food),
        url("draw_create", pool_id=funded.pk),
        {"amount": "120", "purpose": "Bail for Sam"},
    )
    assert DrawRequest.objects.count() == 1
    assert second["Location"] == first["Location"] == DrawRequest.objects.get().get_absolute_url()


@pytest.mark.django_db
def test_an_instant_draw_tapped_twice_is_drawn_once(login, in_food, funded):
    post_twice(
        login(in_food), url("draw_create", pool_id=funded.pk), {"amount": "30", "purpose": "Bus"}
    )
    assert LedgerEntry.objects.filter(pool=funded, kind=LedgerEntry.Kind.DRAW).count() == 1
    funded.refresh_from_db()
    assert funded.balance == Decimal("270")


@pytest.mark.django_db
def test_a_decision_sent_twice_counts_once(login, in_food, funded, pat, quinn, legal):
    draw = services.request_draw(by=in_food, pool=funded, amount=Decimal("120"), purpose="Bail")
    first, second = post_twice(
        login(pat), url("draw_decide", draw_id=draw.pk), {"decision": "approve", "circle": legal.pk}
    )
    assert Approval.objects.filter(draw_request=draw).count() == 1
    assert first.status_code == second.status_code == 302
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db
def test_a_reversal_sent_twice_reverses_once(login, alice, funded):
    entry = LedgerEntry.objects.filter(pool=funded).get()
    first, second = post_twice(
        login(alice),
        url("entry_reverse", pool_id=funded.pk, entry_id=entry.pk),
        {"reason": "Typed 300 for 30."},
    )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)  # not "already reversed": the first tap counted


@pytest.mark.django_db(transaction=True)
def test_a_contribution_posted_twice_at_once_is_one_entry(postgres, mo, funded):
    data = {"amount": "20", "submission": str(uuid.uuid4())}
    start_together = threading.Barrier(2, timeout=10)
    results = []

    def post():
        client = Client()
        client.force_login(mo.user)
        try:
            start_together.wait()
            results.append(client.post(url("contribute", pool_id=funded.pk), data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert _contributions(funded) == 2  # alice's 300 in the fixture, and one 20
    assert sorted(response.status_code for response in results) == [302, 302]
    funded.refresh_from_db()
    assert funded.balance == Decimal("320")


@pytest.mark.django_db(transaction=True)
def test_a_draw_requested_twice_at_once_is_one_request(postgres, in_food, funded, pat, quinn):
    responses = post_at_once(
        in_food.user,
        url("draw_create", pool_id=funded.pk),
        {"amount": "120", "purpose": "Bail for Sam"},
    )
    assert DrawRequest.objects.count() == 1
    assert [response.status_code for response in responses] == [302, 302]


@pytest.mark.django_db(transaction=True)
def test_a_decision_sent_twice_at_once_counts_once(postgres, in_food, funded, pat, quinn, legal):
    draw = services.request_draw(by=in_food, pool=funded, amount=Decimal("120"), purpose="Bail")
    responses = post_at_once(
        pat.user, url("draw_decide", draw_id=draw.pk), {"decision": "approve", "circle": legal.pk}
    )
    assert Approval.objects.filter(draw_request=draw).count() == 1
    assert [response.status_code for response in responses] == [302, 302]


@pytest.mark.django_db(transaction=True)
def test_a_reversal_sent_twice_at_once_reverses_once(postgres, alice, funded):
    entry = LedgerEntry.objects.filter(pool=funded).get()
    responses = post_at_once(
        alice.user,
        url("entry_reverse", pool_id=funded.pk, entry_id=entry.pk),
        {"reason": "Typed 300 for 30."},
    )
    assert LedgerEntry.objects.filter(kind=LedgerEntry.Kind.REVERSAL).count() == 1
    assert [response.status_code for response in responses] == [302, 302]
