"""Leaving without a trace (issue 16): a person deletes their account. Memberships end (the
last organizer must hand over first, and then nothing is deleted), the ledger keeps what
they gave under "former member", and nothing that names them remains in the users table,
e-mail addresses, notifications, sessions, calendar link or the audit trail's text."""

import json
from decimal import Decimal

import pytest
from allauth.account.models import EmailAddress
from django.core.exceptions import ValidationError
from django.urls import reverse

from circles import services as circle_services
from commons import services as commons_services
from movement import personal_data
from movement.models import AuditEvent, Membership, Notification, Session, User
from rituals.models import CalendarFeed, CaseParty
from rituals.services import conflicts
from tests.factories import MembershipFactory

DELETE = reverse("delete_account")


def test_deleting_leaves_the_gifts_and_nothing_that_names_the_person(
    login, client, mo, alice, fund
):
    user = mo.user
    user.display_name = "Morwenna Quillfeather"  # "Mo" alone is in "Monday", "Month"…
    user.save(update_fields=["display_name"])
    email, name = user.email, user.display_name
    assert EmailAddress.objects.filter(user=user).exists()
    CalendarFeed.objects.create(user=user)
    entry = commons_services.contribute(by=mo, pool=fund, amount=Decimal("15"))
    from movement.services import change_role

    change_role(by=alice, membership=mo, role="facilitator")  # an audit line naming mo
    assert AuditEvent.objects.filter(target=name).exists()
    assert Notification.objects.filter(recipient=user).exists()
    login(mo)
    assert Session.objects.filter(user=user).exists()

    response = client.post(DELETE, {"email": email.upper()})
    assert response.status_code == 302 and response["Location"] == "/"

    user.refresh_from_db()
    assert (user.email, user.display_name, user.is_active) == (
        f"former-member-{user.pk}@invalid",
        "former member",
        False,
    )
    assert not user.has_usable_password()
    assert not Membership.objects.filter(user=user).exists()
    assert not EmailAddress.objects.filter(user=user).exists()
    assert not Notification.objects.filter(recipient=user).exists()
    assert not Session.objects.filter(user=user).exists()
    assert not CalendarFeed.objects.filter(user=user).exists()
    assert not AuditEvent.objects.filter(target__in=[name, email]).exists()
    # The trail's data holds ids, amounts and roles, never a name or an address.
    trail = [json.dumps(event.data, ensure_ascii=False) for event in AuditEvent.objects.all()]
    assert not [data for data in trail if name in data or email in data]
    assert not User.objects.filter(email=email).exists()
    entry.refresh_from_db()
    assert entry.recorded_by == user and entry.amount == Decimal("15")
    page = login(alice).get(fund.get_absolute_url()).content.decode()
    assert "former member" in page and name not in page


def test_the_last_organizer_hands_over_first_and_nothing_is_deleted(alice, mo):
    with pytest.raises(ValidationError, match="at least one organizer"):
        personal_data.delete_account(user=alice.user)
    alice.user.refresh_from_db()
    assert alice.user.is_active and Membership.objects.filter(pk=alice.pk).exists()


def test_the_page_asks_for_the_address_and_says_why_it_refuses(login, alice):
    client = login(alice)
    response = client.post(DELETE, {"email": "someone@else.org"})
    assert response.status_code == 200
    assert "not the address you log in with" in str(response.context["form"].errors)
    response = client.post(DELETE, {"email": alice.user.email})
    assert "at least one organizer" in str(response.context["form"].errors)
    alice.user.refresh_from_db()
    assert alice.user.is_active


def test_a_deleted_account_cannot_log_in(client, mo):
    mo.user.set_password("a-long-passphrase-here")
    mo.user.save()
    email = mo.user.email
    personal_data.delete_account(user=mo.user)
    response = client.post(
        reverse("account_login"), {"login": email, "password": "a-long-passphrase-here"}
    )
    assert response.status_code == 200  # the form again, not a log-in
    assert "_auth_user_id" not in client.session


@pytest.fixture
def written_by_mo(mo, tidewater, fund):
    """Texts Mo wrote in shared places, one of each app's."""
    ruth = MembershipFactory(movement=tidewater, user__display_name="Ruth")
    case = conflicts.file_case(
        by=mo, others=[ruth], about="behaviour", description="The keys.", confirmed=True
    )
    conflicts.write_statement(by=mo, case=case, text="I took the keys home, by mistake.")
    commons_services.contribute(by=mo, pool=fund, amount=Decimal("20"))
    return {
        "spark": circle_services.post_spark(
            by=mo, passion="A seed library", lens="structuralist", horizon="Food we keep."
        ),
        "draw": commons_services.request_draw(
            by=mo, pool=fund, amount=Decimal("10"), purpose="Bus fare to the hearing"
        ),
        "archive": commons_services.add_archive_entry(
            by=mo, title="Phone tree", body="Call three people, then they call three."
        ),
        "party": CaseParty.objects.get(case=case, member=mo),
    }


def texts(written):
    for thing in written.values():
        thing.refresh_from_db()
    return (
        written["spark"].passion,
        written["draw"].purpose,
        written["archive"].body,
        written["party"].statement,
    )


def test_what_they_wrote_in_shared_places_stays_unless_they_ask(login, mo, written_by_mo):
    login(mo).post(DELETE, {"email": mo.user.email})
    assert texts(written_by_mo) == (
        "A seed library",
        "Bus fare to the hearing",
        "Call three people, then they call three.",
        "I took the keys home, by mistake.",
    )


def test_asked_for_it_removes_what_they_wrote_in_shared_places(login, mo, written_by_mo):
    response = login(mo).post(DELETE, {"email": mo.user.email, "remove_texts": "on"})
    assert response.status_code == 302
    removed = "(Removed at the writer's request.)"
    assert texts(written_by_mo) == (removed, removed, removed, removed)
    # The spark, the draw and the entry themselves stay: others joined, approved, linked.
    assert written_by_mo["archive"].title == "Phone tree"
