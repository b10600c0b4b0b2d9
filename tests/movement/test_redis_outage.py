"""Redis is an accelerator, never a single point of failure.

The production settings are read with ``REDIS_URL`` pointing at a closed port, and at a
server that accepts connections and never answers. With the broker and everything else
that would use that Redis down, a member logs in with a password, browses, contributes and
an organizer changes a role: no server error, no request waits more than about 1.5 s, and
the e-mail waits in the outbox until Redis is back.
"""

import runpy
import socket
import threading
import time
from decimal import Decimal

import pytest
from django.core import mail
from django.test import Client
from django.urls import reverse

import constellation.settings
from commons import services as commons_services
from movement.models import Notification
from movement.tasks import drain_outbox
from tests.factories import PASSWORD
from tests.movement.test_outbox import _swap_celery_conf

LIMIT = 1.5  # seconds any one request may take while Redis is away


class SilentServer:
    """Accepts TCP connections and never says a word: the worst Redis there is."""

    def __init__(self):
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.port = self.listener.getsockname()[1]
        self.held = []
        self.stopped = threading.Event()
        self.thread = threading.Thread(target=self._accept, daemon=True)
        self.thread.start()

    def _accept(self):
        self.listener.settimeout(0.2)
        while not self.stopped.is_set():
            try:
                connection, _address = self.listener.accept()
            except TimeoutError:
                continue
            except OSError:
                return
            self.held.append(connection)

    def close(self):
        self.stopped.set()
        self.thread.join(timeout=2)
        for connection in self.held:
            connection.close()
        self.listener.close()


@pytest.fixture(params=["refused", "silent"])
def redis_away(request, monkeypatch, settings):
    """The production settings with their one Redis refused or silent; ``back()`` ends it."""
    server = None
    if request.param == "refused":
        url = "redis://127.0.0.1:1/0"
    else:
        server = SilentServer()
        url = f"redis://127.0.0.1:{server.port}/0"
    with monkeypatch.context() as env:
        env.setenv("REDIS_URL", url)
        production = runpy.run_path(constellation.settings.__file__)
    settings.CACHES = production["CACHES"]
    settings.SESSION_ENGINE = production["SESSION_ENGINE"]
    restore = _swap_celery_conf(
        broker_url=production["CELERY_BROKER_URL"],
        broker_transport_options=production["CELERY_BROKER_TRANSPORT_OPTIONS"],
        task_always_eager=False,
    )
    yield restore
    restore()
    if server:
        server.close()


def _timed(call, *args, **kwargs):
    started = time.monotonic()
    response = call(*args, **kwargs)
    return response, time.monotonic() - started


@pytest.mark.django_db(transaction=True)
def test_people_log_in_read_and_write_while_redis_is_away(redis_away, alice, mo):
    pool = commons_services.create_pool(
        by=alice, name="Bail Fund", kind="money", currency="EUR", purpose="Bail", instant_limit=0
    )
    timings = {}
    member, organizer = Client(), Client()

    for client, who in ((member, mo), (organizer, alice)):
        response, timings[f"log in {who.user}"] = _timed(
            client.post, "/accounts/login/", {"login": who.user.email, "password": PASSWORD}
        )
        assert response.status_code == 302, response.content.decode()[:500]
        assert client.get("/").context["user"] == who.user

    for name, kwargs in [
        ("movement:home", {}),
        ("movement:members", {}),
        ("circles:directory", {}),
        ("commons:pool", {"pool_id": pool.pk}),
        ("rituals:convergence", {}),
    ]:
        url = reverse(name, kwargs={"movement_slug": "tidewater", **kwargs})
        response, timings[url] = _timed(member.get, url)
        assert response.status_code == 200, url

    contribute = reverse(
        "commons:contribute", kwargs={"movement_slug": "tidewater", "pool_id": pool.pk}
    )
    response, timings["contribute"] = _timed(member.post, contribute, {"amount": "25"})
    assert response.status_code == 302
    pool.refresh_from_db()
    assert pool.balance == Decimal("25")

    role = reverse(
        "movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": mo.pk}
    )
    for attempt in range(2):  # the second finds the broker already known to be away
        response, timings[f"change role {attempt}"] = _timed(
            organizer.post, role, {"role": ["facilitator", "member"][attempt]}
        )
        assert response.status_code == 302

    slow = {step: round(seconds, 2) for step, seconds in timings.items() if seconds > LIMIT}
    assert slow == {}
    waiting = Notification.objects.filter(recipient=mo.user, sent_at__isnull=True)
    assert waiting.count() == 2
    assert mail.outbox == []

    redis_away()  # Redis is back: beat's next drain delivers what waited
    assert drain_outbox.delay().get() == 2
    assert [message.to for message in mail.outbox] == [[mo.user.email]] * 2
