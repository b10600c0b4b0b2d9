from decimal import Decimal

import pytest
from django.urls import reverse

from commons import services as commons_services

URL = reverse("movement:audit", kwargs={"movement_slug": "tidewater"})


@pytest.mark.django_db
def test_organizers_read_who_did_what(login, alice, mo):
    login(alice).post(
        reverse("movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": mo.pk}),
        {"role": "facilitator"},
    )
    html = login(alice).get(URL).content.decode()
    assert "changed a role" in html
    assert "Alice" in html


@pytest.mark.django_db
def test_members_may_not(login, mo):
    response = login(mo).get(URL)
    assert response.status_code == 403
    assert "Only organizers read the audit trail." in response.content.decode()


@pytest.mark.django_db
def test_anonymous_contributions_stay_anonymous_in_the_trail(login, alice, mo):
    pool = commons_services.create_pool(
        by=alice, name="Bail", kind="money", currency="EUR", purpose="x", instant_limit=0
    )
    commons_services.contribute(by=mo, pool=pool, amount=Decimal("5"), anonymous=True)
    rows = login(alice).get(URL).content.decode().split("<tbody>")[1]
    contributed_row = next(row for row in rows.split("<tr>") if "contributed" in row)
    assert "anonymous" in contributed_row
    assert "Mo" not in contributed_row
