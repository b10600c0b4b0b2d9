"""E-mails mail programs handle well: a plain-text and an HTML part saying the same, in the
reader's language and time zone, a link to the page and to the notification settings, and
the headers that thread them (Message-ID on the site's domain), hold back auto-replies
(Auto-Submitted) and offer a one-click unsubscribe (List-Unsubscribe, RFC 8058).

Django's locmem backend catches them here; tests/test_email_smtp.py sends through a real
SMTP server."""

import re
from datetime import UTC, datetime
from email.utils import parseaddr

import pytest
from django.core import mail
from django.utils import translation

from movement import services
from movement.models import Notification, NotificationPreference
from movement.services import NotificationKind
from rituals import timers
from rituals.digests import DIGEST
from rituals.models import Timer

SITE = "https://constellation.example.org"
KIND = NotificationKind.ROLE_CHANGED

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _site(settings):
    settings.SITE_URL = SITE


def _notification(member, **fields):
    defaults = {
        "recipient": member.user,
        "movement": member.movement,
        "kind": KIND,
        "subject": "Your role changed",
        "body": "You facilitate Tidewater now.\nThank you & welcome <3",
        "url": "/m/tidewater/",
    }
    return Notification.objects.create(**(defaults | fields))


def _sent(member, **fields):
    services.deliver_notification(_notification(member, **fields).pk)
    (message,) = mail.outbox
    return message


def _html(message):
    ((html, mimetype),) = message.alternatives
    assert mimetype == "text/html"
    return html


def _links(text):
    return re.findall(r"https://[^\s\"<>]+", text)


def test_an_email_has_a_plain_text_and_an_html_part_saying_the_same(mo):
    message = _sent(mo)

    assert message.content_subtype == "plain"
    html = _html(message)
    assert "You facilitate Tidewater now." in message.body
    assert "You facilitate Tidewater now." in html
    assert "Thank you & welcome <3" in message.body, "plain text is not HTML-escaped"
    assert "Thank you &amp; welcome &lt;3" in html, "the HTML part is escaped"
    assert set(_links(message.body)) == {link.replace("&amp;", "&") for link in _links(html)}


def test_an_email_links_to_its_page_and_to_the_settings(mo):
    message = _sent(mo)

    for part in (message.body, _html(message)):
        assert f"{SITE}/m/tidewater/" in part
        assert f"{SITE}/notifications/settings/" in part


def test_an_email_carries_the_headers_mail_programs_read(mo):
    message = _sent(mo).message()

    assert message["Auto-Submitted"] == "auto-generated"
    assert message["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    unsubscribe = message["List-Unsubscribe"].replace("\n", "").replace(" ", "")
    assert re.fullmatch(rf"<{SITE}/notifications/unsubscribe/[^/]+/>", unsubscribe)
    _name, message_id = parseaddr(message["Message-ID"])
    assert message_id.endswith("@constellation.example.org")
    assert message["Subject"] == "[Constellation] Your role changed"


def test_each_email_has_its_own_message_id(mo, fay):
    services.deliver_notification(_notification(mo).pk)
    services.deliver_notification(_notification(fay).pk)

    ids = {message.message()["Message-ID"] for message in mail.outbox}
    assert len(ids) == 2


def test_an_email_is_written_in_the_readers_language(mo):
    mo.user.language = "fr"
    mo.user.save()

    with translation.override("en"):  # whoever triggered the delivery reads English
        message = _sent(mo)

    assert '<html lang="fr">' in _html(message)


def test_an_email_shows_times_in_the_readers_zone(mo):
    mo.movement.time_zone = "America/New_York"
    mo.movement.save()

    message = _sent(mo, created_at=datetime(2026, 11, 30, 20, 57, tzinfo=UTC))

    assert "15:57" in message.body  # 20:57 UTC is 15:57 in New York
    assert "15:57" in _html(message)


def test_a_message_of_no_declared_kind_has_no_unsubscribe_but_the_settings_link(mo):
    message = _sent(mo, kind="")

    assert "List-Unsubscribe" not in message.extra_headers
    assert f"{SITE}/notifications/settings/" in message.body


def test_the_digest_has_both_parts_and_unsubscribes_from_every_kind_it_holds(mo):
    services.set_notification_deliveries(
        user=mo.user,
        deliveries={
            KIND: NotificationPreference.Delivery.DAILY_DIGEST,
            NotificationKind.REMOVED: NotificationPreference.Delivery.DAILY_DIGEST,
        },
    )
    services.deliver_notification(_notification(mo, subject="Role news").pk)
    services.deliver_notification(
        _notification(mo, subject="Removal news", kind=NotificationKind.REMOVED).pk
    )
    timers.sweep(now=Timer.objects.get(kind=DIGEST).due_at)

    (digest,) = mail.outbox
    html = _html(digest)
    for subject in ("Role news", "Removal news"):
        assert subject in digest.body
        assert subject in html
    assert f"{SITE}/notifications/" in digest.body
    headers = digest.message()
    assert headers["Auto-Submitted"] == "auto-generated"
    assert headers["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"
    token = re.search(r"/unsubscribe/([^/]+)/", headers["List-Unsubscribe"].replace("\n ", ""))
    user, kinds = services.read_unsubscribe_token(token.group(1))
    assert (user, sorted(kinds)) == (mo.user, sorted([KIND, NotificationKind.REMOVED]))
