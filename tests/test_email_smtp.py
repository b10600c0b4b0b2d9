"""Through a real SMTP conversation: an aiosmtpd server on a free local port receives what
Django's SMTP backend sends, and the bytes it received are read back with the ``email``
package, as a mail program would: both parts, the headers, and a one-click unsubscribe
that works."""

import email
import socket
from email import policy
from email.utils import parseaddr
from urllib.parse import urlsplit

import pytest
from aiosmtpd.controller import Controller
from django.test import Client

from movement import services
from movement.models import Notification, NotificationPreference
from movement.services import NotificationKind
from rituals import timers
from rituals.digests import DIGEST
from rituals.models import Timer

SITE = "https://constellation.example.org"
KIND = NotificationKind.ROLE_CHANGED

pytestmark = pytest.mark.django_db


class Mailbox:
    """An aiosmtpd handler that keeps every message it accepts, as raw bytes."""

    def __init__(self):
        self.received = []

    async def handle_DATA(self, server, session, envelope):
        self.received.append((envelope.rcpt_tos, envelope.original_content))
        return "250 Message accepted for delivery"

    def messages(self):
        return [email.message_from_bytes(raw, policy=policy.default) for _to, raw in self.received]


def _free_port():
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture
def smtp_server(settings):
    """A real SMTP server on localhost, and Django's SMTP backend pointed at it."""
    mailbox = Mailbox()
    controller = Controller(mailbox, hostname="127.0.0.1", port=_free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = controller.hostname
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_HOST_USER = ""
    settings.EMAIL_HOST_PASSWORD = ""
    settings.EMAIL_USE_TLS = False
    settings.EMAIL_USE_SSL = False
    settings.EMAIL_TIMEOUT = 10
    settings.SITE_URL = SITE
    try:
        yield mailbox
    finally:
        controller.stop()


def _notify(member, **fields):
    return Notification.objects.create(
        **{
            "recipient": member.user,
            "movement": member.movement,
            "kind": KIND,
            "subject": "Your role changed",
            "body": "You facilitate Tidewater now. Ça marche ?",
            "url": "/m/tidewater/",
        }
        | fields
    )


def _one_click(message):
    """What a mail program does with the one-click header: POST to its https URL, with no
    session, no cookie and no CSRF token."""
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    url = str(message["List-Unsubscribe"]).strip().removeprefix("<").removesuffix(">")
    parts = urlsplit(url)
    assert (parts.scheme, parts.hostname) == ("https", "constellation.example.org")
    return Client(enforce_csrf_checks=True).post(
        parts.path, "List-Unsubscribe=One-Click", content_type="application/x-www-form-urlencoded"
    )


def test_a_notification_arrives_with_both_parts_and_the_headers(smtp_server, mo):
    assert services.deliver_notification(_notify(mo).pk) is True

    ((recipients, _raw),) = smtp_server.received
    assert recipients == [mo.user.email]
    (message,) = smtp_server.messages()
    assert message["Subject"] == "[Constellation] Your role changed"
    assert message["To"] == mo.user.email
    assert message["Auto-Submitted"] == "auto-generated"
    assert parseaddr(message["Message-ID"])[1].endswith("@constellation.example.org")
    assert message.get_content_type() == "multipart/alternative"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (plain, html):
        assert "You facilitate Tidewater now. Ça marche ?" in part
        assert f"{SITE}/m/tidewater/" in part
        assert f"{SITE}/notifications/settings/" in part


def test_the_received_unsubscribe_link_works_with_one_click(smtp_server, mo):
    services.deliver_notification(_notify(mo).pk)
    (message,) = smtp_server.messages()

    response = _one_click(message)

    assert response.status_code == 200
    assert services.delivery_of(mo.user, KIND) == NotificationPreference.Delivery.IN_APP_ONLY


def test_a_digest_arrives_the_same_way(smtp_server, mo):
    services.set_notification_deliveries(
        user=mo.user, deliveries={KIND: NotificationPreference.Delivery.DAILY_DIGEST}
    )
    for subject in ("First news", "Second news"):
        services.deliver_notification(_notify(mo, subject=subject).pk)
    assert smtp_server.received == []

    timers.sweep(now=Timer.objects.get(kind=DIGEST).due_at)

    (message,) = smtp_server.messages()
    assert message["Subject"] == "[Constellation] Your daily digest: 2 new notifications"
    plain = message.get_body(preferencelist=("plain",)).get_content()
    html = message.get_body(preferencelist=("html",)).get_content()
    for part in (plain, html):
        assert "First news" in part
        assert "Second news" in part
    assert _one_click(message).status_code == 200
    assert services.delivery_of(mo.user, KIND) == NotificationPreference.Delivery.IN_APP_ONLY
