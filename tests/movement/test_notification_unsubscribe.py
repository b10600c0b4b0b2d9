"""One click in an e-mail stops e-mails of that kind (RFC 8058): a signed, expiring link that
works without logging in and without a CSRF token, asks before it acts when opened in a
browser, and answers a link that cannot be honoured with a 400 and the reason."""

import time
from datetime import timedelta
from unittest import mock

import pytest
from django.conf import settings
from django.core import mail, signing
from django.test import Client
from django.urls import reverse

from movement import services
from movement.models import NotificationPreference
from movement.services import NotificationKind
from tests.submitting import token_on

Delivery = NotificationPreference.Delivery
KIND = NotificationKind.ROLE_CHANGED
ONE_CLICK = {"List-Unsubscribe": "One-Click"}  # what RFC 8058 has mail programs post

pytestmark = pytest.mark.django_db


def link(user, kinds=(KIND,)):
    return url_for(services.unsubscribe_token(user=user, kinds=kinds))


def url_for(token):
    return reverse("notification_unsubscribe", kwargs={"token": token})


def mail_program():
    """A mail program's one-click POST: no session, no cookie, no CSRF token."""
    return Client(enforce_csrf_checks=True)


def delivery(member, kind=KIND):
    return services.delivery_of(member.user, kind)


# --- a link that works ----------------------------------------------------------------


def test_opening_the_link_asks_first_and_changes_nothing(client, mo):
    response = client.get(link(mo.user))

    assert response.status_code == 200
    body = response.content.decode()
    assert "My role changed" in body
    assert "Stop these e-mails" in body
    assert delivery(mo) == Delivery.AT_ONCE


def test_the_one_click_post_switches_the_kind_to_in_app_only(mo):
    response = mail_program().post(link(mo.user), ONE_CLICK)

    assert response.status_code == 200, "answered in place: RFC 8058 forbids a redirect"
    assert delivery(mo) == Delivery.IN_APP_ONLY
    assert "No more e-mails about these" in response.content.decode()


def test_the_confirmation_button_works_for_a_logged_in_person(login, mo):
    client = login(mo)
    page = client.get(link(mo.user)).content.decode()

    response = client.post(link(mo.user), {"submission": token_on(page)})

    assert response.status_code == 200
    assert delivery(mo) == Delivery.IN_APP_ONLY


def test_only_the_kinds_the_link_names_change(mo):
    mail_program().post(link(mo.user), ONE_CLICK)

    assert delivery(mo, NotificationKind.MEMBER_JOINED) == Delivery.AT_ONCE


def test_a_digests_link_stops_every_kind_it_held(mo):
    kinds = (NotificationKind.ROLE_CHANGED, NotificationKind.REMOVED)

    mail_program().post(link(mo.user, kinds), ONE_CLICK)

    assert [delivery(mo, kind) for kind in kinds] == [Delivery.IN_APP_ONLY] * 2


def test_posting_twice_is_harmless(mo):
    mail_program().post(link(mo.user), ONE_CLICK)
    response = mail_program().post(link(mo.user), ONE_CLICK)

    assert response.status_code == 200
    assert NotificationPreference.objects.filter(user=mo.user).count() == 1


def test_the_link_from_a_real_email_unsubscribes(mo, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.notify(recipient=mo.user, kind=KIND, subject="Role", body="Changed")
    header = mail.outbox[0].extra_headers["List-Unsubscribe"]
    path = header.strip("<>").removeprefix(settings.SITE_URL)

    assert mail_program().post(path, ONE_CLICK).status_code == 200
    assert delivery(mo) == Delivery.IN_APP_ONLY


# --- a link that does not work: 400 with the reason, never a 500 --------------------------


def _refused(response, reason):
    assert response.status_code == 400
    assert reason in response.content.decode()


@pytest.mark.parametrize("method", ["get", "post"])
def test_an_expired_link_is_refused(mo, method):
    signed_long_ago = (
        time.time() - timedelta(days=services.UNSUBSCRIBE_LINK_DAYS + 1).total_seconds()
    )
    with mock.patch("django.core.signing.time.time", return_value=signed_long_ago):
        old_link = link(mo.user)

    response = getattr(mail_program(), method)(old_link, ONE_CLICK)

    _refused(response, "more than 60 days old")
    assert delivery(mo) == Delivery.AT_ONCE


def test_a_link_a_day_short_of_expiring_still_works(mo):
    signed = time.time() - timedelta(days=services.UNSUBSCRIBE_LINK_DAYS - 1).total_seconds()
    with mock.patch("django.core.signing.time.time", return_value=signed):
        old_link = link(mo.user)

    assert mail_program().post(old_link, ONE_CLICK).status_code == 200


@pytest.mark.parametrize("method", ["get", "post"])
def test_a_tampered_link_is_refused(mo, fay, method):
    # Someone swaps in another person's id, keeping the signature.
    token = services.unsubscribe_token(user=mo.user, kinds=[KIND])
    payload, stamp, signature = token.split(":")
    forged_payload = signing.b64_encode(
        signing.JSONSerializer().dumps({"user": fay.user.pk, "kinds": [KIND]})
    ).decode()

    response = getattr(mail_program(), method)(
        url_for(f"{forged_payload}:{stamp}:{signature}"), ONE_CLICK
    )

    _refused(response, "damaged or changed")
    assert delivery(fay) == Delivery.AT_ONCE


def test_a_token_signed_for_something_else_is_refused(mo):
    other = signing.TimestampSigner(salt="something.else").sign_object(
        {"user": mo.user.pk, "kinds": [KIND]}
    )

    _refused(mail_program().post(url_for(other), ONE_CLICK), "damaged or changed")
    assert delivery(mo) == Delivery.AT_ONCE


def test_a_link_about_a_kind_no_longer_sent_is_refused(mo):
    token = services._unsubscribe_signer().sign_object({"user": mo.user.pk, "kinds": ["gossip"]})

    _refused(mail_program().post(url_for(token), ONE_CLICK), "no longer sends")
    assert not NotificationPreference.objects.exists()


def test_a_link_for_an_account_that_is_gone_is_refused(mo):
    stale = link(mo.user)
    mo.user.delete()

    _refused(mail_program().post(stale, ONE_CLICK), "no longer exists")


@pytest.mark.parametrize(
    "token", ["x", "a:b:c", "::", "%E2%82%AC", "eyJ1c2VyIjoxfQ:1xY8RW:nope", "A" * 600]
)
def test_junk_is_a_400_not_a_500(token):
    _refused(mail_program().post(url_for(token), ONE_CLICK), "damaged or changed")


def test_a_link_signed_with_a_well_formed_but_strange_payload_is_refused(mo):
    token = services._unsubscribe_signer().sign_object(["not", "a", "dict"])

    _refused(mail_program().get(url_for(token)), "damaged or changed")
