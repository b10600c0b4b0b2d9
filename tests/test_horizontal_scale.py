"""Horizontal scale (issue 10): two gunicorn instances and two Celery workers against the
same PostgreSQL and Redis behave as one site.

Everything runs for real: the processes are started as production starts them (DEBUG off,
one shared SECRET_KEY, the test database, Redis as the broker under a key prefix of this
run's own), and the test speaks plain HTTP to them, cookies and CSRF tokens included.

- a session made on instance A works on instance B;
- failed log-ins count across both: five wrong passwords, alternating A and B, lock the
  account on either, while another account logs in from the same address;
- every due timer fires once: both workers sweep at the same time, each timer fires
  exactly once and every member gets exactly one reminder per timer;
- a member an organizer removes on A loses access on B with their very next request.
"""

import contextlib
import http.client
import json
import os
import re
import secrets
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections import Counter
from dataclasses import dataclass, field
from datetime import timedelta
from html.parser import HTMLParser
from http.cookies import SimpleCookie
from pathlib import Path
from urllib.parse import quote, urlencode

import pytest
import redis
from celery import Celery
from django.conf import global_settings
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from movement.models import Notification
from rituals import reminders, timers
from rituals.models import Timer
from tests.conftest import needs
from tests.factories import PASSWORD, GatheringFactory, MembershipFactory, UserFactory

BIN = Path(sys.executable).parent
READY_WITHIN = 30  # seconds for every process to answer
SWEEPS = 6  # sweep tasks sent at once: both workers take some
# More than two claims' worth, so the sweepers have several batches to share out.
TIMER_COUNT = 2 * timers.SWEEP_BATCH + 20
SWEPT_WITHIN = 30
STOP_WITHIN = 10  # seconds between SIGTERM and SIGKILL


# --- the processes ----------------------------------------------------------------------


def _database_url():
    db = connection.settings_dict
    credentials = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        credentials += ":" + quote(db["PASSWORD"], safe="")
    return f"postgres://{credentials}@{db['HOST'] or 'localhost'}:{db['PORT'] or 5432}/{db['NAME']}"


def _free_port():
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@dataclass
class Service:
    name: str
    process: subprocess.Popen
    log: Path

    def output(self):
        return self.log.read_text(errors="replace")

    def tail(self, lines=40):
        return "\n".join(self.output().splitlines()[-lines:])

    def check_running(self):
        if self.process.poll() is not None:
            pytest.fail(
                f"{self.name} exited with {self.process.returncode}:\n{self.tail()}",
                pytrace=False,
            )


@dataclass
class WebInstance(Service):
    port: int = 0

    @property
    def origin(self):
        return f"http://127.0.0.1:{self.port}"


@dataclass
class Worker(Service):
    nodename: str = ""

    def sweeps(self):
        """How many timers each sweep this worker finished fired, from its log."""
        return [int(n) for n in SWEEP_DONE.findall(self.output())]


SWEEP_DONE = re.compile(r"rituals\.tasks\.sweep_timers\[[^\]]+\] succeeded in [\d.]+s: (\d+)")


def _start(name, command, env, tmp_path, service=Service, **extra):
    log = tmp_path / f"{name}.log"
    with log.open("wb") as out:
        process = subprocess.Popen(
            command,
            cwd=Path(__file__).resolve().parent.parent,
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, stopped as a whole
        )
    return service(name=name, process=process, log=log, **extra)


def _stop(services):
    """SIGTERM every process group, give them STOP_WITHIN seconds together, then SIGKILL."""
    for service in services:
        _signal_group(service.process, signal.SIGTERM)
    deadline = time.monotonic() + STOP_WITHIN
    for service in services:
        with contextlib.suppress(subprocess.TimeoutExpired):
            service.process.wait(timeout=max(deadline - time.monotonic(), 0.1))
    for service in services:
        _signal_group(service.process, signal.SIGKILL)  # stragglers: the group, not just its head
        service.process.wait()


def _signal_group(process, signum):
    with contextlib.suppress(ProcessLookupError, PermissionError):
        os.killpg(process.pid, signum)


@dataclass
class Cluster:
    a: WebInstance
    b: WebInstance
    workers: list[Worker]
    broker: Celery

    def send_sweeps(self, count):
        with self.broker.connection_for_write() as conn:
            for _ in range(count):
                self.broker.send_task("rituals.tasks.sweep_timers", connection=conn)


def _wait_for_web(instances, deadline):
    waiting = list(instances)
    while waiting:
        for instance in list(waiting):
            instance.check_running()
            try:
                report = json.loads(_http(instance, "GET", "/healthz", {}).body)
            except (OSError, ValueError):
                continue  # not listening yet, or not yet answering as the app
            if report.get("database") and report.get("broker"):
                waiting.remove(instance)
        if waiting and time.monotonic() > deadline:
            names = ", ".join(sorted(instance.name for instance in waiting))
            pytest.fail(f"{names} did not reach the database and broker in time", pytrace=False)
        time.sleep(0.1)


def _wait_for_workers(broker, workers, deadline):
    expected = {worker.nodename for worker in workers}
    answered = set()
    while answered != expected:
        for worker in workers:
            worker.check_running()
        replies = broker.control.ping(destination=sorted(expected), timeout=0.5)
        answered |= {name for reply in replies for name in reply}
        if answered != expected and time.monotonic() > deadline:
            pytest.fail(f"no ping reply from {sorted(expected - answered)}", pytrace=False)


@pytest.fixture
def cluster(postgres, settings, tmp_path):
    """Two gunicorn instances (A and B) and two Celery workers on the test database and on
    Redis, under a broker key prefix of this run's own; all stopped at the end, even when
    the test fails."""
    needs(bool(settings.REDIS_URL), "needs Redis (set REDIS_URL)")
    run = uuid.uuid4().hex[:12]
    prefix = f"constellation-scale-{run}:"
    env = {
        name: value
        for name, value in os.environ.items()
        if not name.startswith(("PYTEST_", "DJANGO_ALLOW_ASYNC"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="tests.processes",
        TEST_BROKER_KEYPREFIX=prefix,
        DEBUG="false",
        HTTPS="false",
        SECRET_KEY=secrets.token_urlsafe(50),  # one key, shared by every process
        ALLOWED_HOSTS="127.0.0.1",
        DATABASE_URL=_database_url(),
        REDIS_URL=settings.REDIS_URL,
        CELERY_TASK_ALWAYS_EAGER="false",
        EMAIL_HOST="",  # e-mail goes to the worker's log
        STATIC_MANIFEST="false",
        VAR_DIR=str(tmp_path / "var"),
        PYTHONUNBUFFERED="1",
    )
    broker = Celery(f"scale-test-{run}", set_as_current=False)
    broker.conf.update(
        broker_url=settings.REDIS_URL,
        broker_transport_options={"global_keyprefix": prefix, "socket_connect_timeout": 2},
        task_publish_retry=False,
    )
    services = []
    try:
        for name in ("web-a", "web-b"):
            port = _free_port()
            services.append(
                _start(
                    name,
                    [str(BIN / "gunicorn"), "constellation.wsgi", "--bind", f"127.0.0.1:{port}"]
                    + ["--workers", "2", "--access-logfile", "-", "--graceful-timeout", "5"],
                    env,
                    tmp_path,
                    service=WebInstance,
                    port=port,
                )
            )
        for name in ("worker-a", "worker-b"):
            nodename = f"{name}-{run}@localhost"
            services.append(
                _start(
                    name,
                    [str(BIN / "celery"), "-A", "constellation", "worker", "--pool=solo"]
                    + ["--loglevel=INFO", "--hostname", nodename],
                    env,
                    tmp_path,
                    service=Worker,
                    nodename=nodename,
                )
            )
        a, b, *workers = services
        deadline = time.monotonic() + READY_WITHIN
        _wait_for_web([a, b], deadline)
        _wait_for_workers(broker, workers, deadline)
        yield Cluster(a=a, b=b, workers=workers, broker=broker)
    finally:
        _stop(services)
        broker.close()
        _forget_keys(settings.REDIS_URL, prefix)


def _forget_keys(url, prefix):
    client = redis.Redis.from_url(url, socket_connect_timeout=2)
    try:
        keys = list(client.scan_iter(match=f"{prefix}*"))
        if keys:
            client.delete(*keys)
    except redis.RedisError:
        pass
    finally:
        client.close()


# --- a browser, in plain HTTP ----------------------------------------------------------------


@dataclass
class Response:
    status: int
    location: str
    body: str

    def __str__(self):
        return f"{self.status} {self.location} {self.body[:300]!r}"


def _http(instance, method, path, cookies, fields=None):
    headers = {}
    if cookies:
        headers["Cookie"] = "; ".join(f"{name}={value}" for name, value in cookies.items())
    body = None
    if fields is not None:
        body = urlencode(fields)
        headers["Content-Type"] = "application/x-www-form-urlencoded"
        headers["Origin"] = instance.origin  # as a browser sends with a form post
    conn = http.client.HTTPConnection("127.0.0.1", instance.port, timeout=10)
    try:
        conn.request(method, path, body=body, headers=headers)
        raw = conn.getresponse()
        response = Response(
            status=raw.status,
            location=raw.headers.get("Location", ""),
            body=raw.read().decode("utf-8", errors="replace"),
        )
        set_cookies = raw.headers.get_all("Set-Cookie") or []
    finally:
        conn.close()
    for header in set_cookies:
        for name, morsel in SimpleCookie(header).items():
            if morsel["max-age"] == "0" or morsel.value == "":
                cookies.pop(name, None)
            else:
                cookies[name] = morsel.value
    return response


class _Forms(HTMLParser):
    """Each form on a page: its action and its hidden fields."""

    def __init__(self, html):
        super().__init__()
        self.forms, self._form = [], None
        self.feed(html)

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self._form = {"action": attrs.get("action") or "", "fields": {}, "names": set()}
            self.forms.append(self._form)
        elif tag in ("input", "select", "textarea") and self._form and attrs.get("name"):
            self._form["names"].add(attrs["name"])
            if tag == "input" and attrs.get("type") == "hidden":
                self._form["fields"][attrs["name"]] = attrs.get("value") or ""

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None


@dataclass
class Browser:
    """One person's browser. Cookies do not depend on the port, so what instance A sets
    goes to instance B too, as behind a load balancer."""

    cookies: dict = field(default_factory=dict)

    def get(self, instance, path):
        return _http(instance, "GET", path, self.cookies)

    def submit(self, instance, page, fields, *, action=None, with_field=None):
        """Post the form on ``page`` (found by its action or by a field it has) to
        ``instance``, with its hidden fields (the CSRF token, the form's one-time token)."""
        forms = _Forms(page.body).forms
        matching = [
            form
            for form in forms
            if (action is None or form["action"] == action)
            and (with_field is None or with_field in form["names"])
        ]
        assert len(matching) == 1, f"expected one such form, found {len(matching)}: {page}"
        form = matching[0]
        return _http(instance, "POST", form["action"], self.cookies, {**form["fields"], **fields})

    def log_in(self, instance, email, password):
        page = self.get(instance, reverse("account_login"))
        assert page.status == 200, page
        return self.submit(
            instance, page, {"login": email, "password": password}, with_field="login"
        )


def _logged_in(browser, instance):
    response = browser.get(instance, reverse("notifications"))
    if response.status == 200:
        return True
    assert response.status == 302 and reverse("account_login") in response.location, response
    return False


# --- the test ------------------------------------------------------------------------------------


@pytest.fixture
def production_passwords(settings):
    """Passwords hashed as production hashes them: the processes know no test hasher."""
    settings.PASSWORD_HASHERS = global_settings.PASSWORD_HASHERS

    def set_password(*users):
        for user in users:
            user.set_password(PASSWORD)
            user.save(update_fields=["password"])

    return set_password


@pytest.mark.django_db(transaction=True)
def test_two_web_instances_and_two_workers_act_as_one_site(
    cluster, production_passwords, tidewater, alice, mo
):
    a, b = cluster.a, cluster.b
    production_passwords(alice.user, mo.user)
    home = reverse("movement:home", kwargs={"movement_slug": tidewater.slug})

    # 1. A session made on A works on B.
    alices = Browser()
    response = alices.log_in(a, alice.user.email, PASSWORD)
    assert response.status == 302, f"log-in on A: {response}"
    assert "sessionid" in alices.cookies
    on_b = alices.get(b, home)
    assert on_b.status == 200, f"A's session on B: {on_b}"
    assert "Tidewater" in on_b.body
    assert _logged_in(alices, a) and _logged_in(alices, b)
    assert not _logged_in(Browser(), b)

    # 2. Failed log-ins count across both instances.
    lou = UserFactory(display_name="Lou")
    for attempt in range(5):
        instance = (a, b)[attempt % 2]
        response = Browser().log_in(instance, lou.email, "not-the-passphrase")
        assert response.status == 200, f"wrong password {attempt + 1} on {instance.name}"
    for instance in (a, b):
        lous = Browser()
        response = lous.log_in(instance, lou.email, PASSWORD)
        assert "Too many failed login attempts" in response.body, (
            f"the right password after five failures on A and B went through on "
            f"{instance.name}: {response}"
        )
        assert not _logged_in(lous, instance)
    # The limit is the account's, not the address's: mo logs in, from the same address.
    mos = Browser()
    response = mos.log_in(b, mo.user.email, PASSWORD)
    assert response.status == 302, f"mo's log-in on B: {response}"

    # 3. Every due timer fires once, with both workers sweeping at the same time.
    members = [alice, mo, MembershipFactory(movement=tidewater, user__display_name="Pat")]
    gatherings = [GatheringFactory(movement=tidewater) for _ in range(TIMER_COUNT)]
    due = [
        timers.schedule_timer(
            kind=reminders.TOMORROW,
            due_at=timezone.now() - timedelta(minutes=1),
            target=gathering,
            movement=tidewater,
        ).pk
        for gathering in gatherings
    ]
    cluster.send_sweeps(SWEEPS)
    deadline = time.monotonic() + SWEPT_WITHIN
    while sum(len(worker.sweeps()) for worker in cluster.workers) < SWEEPS:
        for worker in cluster.workers:
            worker.check_running()
        assert time.monotonic() < deadline, "the sweeps did not finish in time:\n" + "\n".join(
            worker.tail() for worker in cluster.workers
        )
        time.sleep(0.1)

    assert not Timer.objects.filter(fired_at__isnull=True, cancelled_at__isnull=True).exists()
    assert Counter(Timer.objects.filter(pk__in=due).values_list("attempts", flat=True)) == {
        1: TIMER_COUNT
    }
    # What each sweep fired, from each worker's log: together every timer, once; and
    # both workers had a share (the other sweep skipped the rows one had locked).
    fired_by = {worker.name: worker.sweeps() for worker in cluster.workers}
    assert sum(sum(fired) for fired in fired_by.values()) == TIMER_COUNT, fired_by
    assert all(sum(fired) > 0 for fired in fired_by.values()), (
        f"both workers should have fired some timers: {fired_by}"
    )
    reminded = Counter(
        Notification.objects.filter(kind=reminders.NotificationKind.GATHERING_TOMORROW).values_list(
            "recipient", "url"
        )
    )
    assert reminded == Counter(
        {
            (member.user_id, gathering.get_absolute_url()): 1
            for member in members
            for gathering in gatherings
        }
    )

    # 4. A member removed on A loses access on B at once. The organizer's form comes from
    # B and is posted to A: its CSRF and one-time tokens hold on either instance.
    assert mos.get(b, home).status == 200
    members_page = alices.get(
        b, reverse("movement:members", kwargs={"movement_slug": tidewater.slug})
    )
    assert members_page.status == 200, members_page
    remove = reverse(
        "movement:member_remove", kwargs={"movement_slug": tidewater.slug, "member_id": mo.pk}
    )
    response = alices.submit(a, members_page, {}, action=remove)
    assert response.status == 302, f"removing mo on A: {response}"
    assert mos.get(b, home).status == 404
    assert mos.get(a, home).status == 404
