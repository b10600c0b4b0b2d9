"""Amounts typed in the digits of other scripts are the number they look like; the page says
back what was stored. Exponents, superscripts and other look-alikes are refused."""

from decimal import Decimal

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from commons.models import LedgerEntry


def contribute(client, pool, amount):
    url = reverse("commons:contribute", kwargs={"movement_slug": "tidewater", "pool_id": pool.pk})
    return client.post(url, {"amount": amount})


@pytest.mark.django_db
@pytest.mark.parametrize(
    "typed",
    [
        "١٢٣",  # Arabic-Indic
        "۱۲۳",  # Extended Arabic-Indic (Persian, Urdu)
        "१२३",  # Devanagari
        "１２３",  # fullwidth
        "123",
        " 123 ",
    ],
)
def test_digits_of_any_script_are_the_number_they_look_like(login, mo, bail_fund, typed):
    response = contribute(login(mo), bail_fund, typed)
    assert response.status_code == 302
    entry = LedgerEntry.objects.get(pool=bail_fund)
    assert entry.amount == Decimal("123")
    said = [str(message) for message in get_messages(response.wsgi_request)]
    assert said == ["Thank you: your contribution of €123.00 is on the ledger."]


@pytest.mark.django_db
@pytest.mark.parametrize("typed", ["1e3", "²", "¹²³", "-0", "\x00", "1" * 10_000, "0x7b"])
def test_look_alikes_are_refused_next_to_the_field(login, mo, bail_fund, typed):
    response = contribute(login(mo), bail_fund, typed)
    assert response.status_code == 200
    assert 'id="id_amount"' in response.content.decode()
    assert response.context["form"].errors["amount"]
    assert not LedgerEntry.objects.filter(pool=bail_fund).exists()
