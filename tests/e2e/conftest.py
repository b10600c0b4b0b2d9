"""Browser tests: Debian's Chromium drives pytest-django's live server.

Playwright's own browser download does not work on these machines, so the
browser is the system Chromium (see TOOLCHAIN.md). Every test here gets
``transactional_db`` through ``live_server``: the server thread must see
what the test wrote, and the test must see what the server wrote.
"""

import re
from datetime import timedelta
from pathlib import Path

import pytest
from django.utils import timezone

from rituals.services import convergence
from tests.conftest import needs
from tests.factories import first_gathering

CHROMIUM = Path("/usr/bin/chromium")
# allauth's codes look like "XQJC-XWST": on a line of their own, in capitals and digits.
VERIFICATION_CODE = re.compile(r"^\s*([A-Z0-9]{3,}(?:-[A-Z0-9]{3,})*)\s*$", re.MULTILINE)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    needs(CHROMIUM.exists(), f"needs Chromium at {CHROMIUM} (apt-get install chromium)")
    return {
        **browser_type_launch_args,
        "executable_path": str(CHROMIUM),
        "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
    }


@pytest.fixture(scope="session")
def base_url(live_server):
    # Lets pages say page.goto("/") instead of spelling out the server's port.
    return live_server.url


@pytest.fixture(autouse=True)
def _committed_data(transactional_db, live_server):
    """Explicit, though pytest-django adds it for live_server tests anyway."""


@pytest.fixture
def verification_code(mailoutbox):
    """``verification_code("b@example.org")``: the code in the latest e-mail to that address.

    The live server runs in this process, so allauth's e-mail lands in the same
    locmem outbox the test reads.
    """

    def _code(address):
        messages = [message for message in mailoutbox if address in message.to]
        assert messages, f"no e-mail was sent to {address}"
        found = VERIFICATION_CODE.findall(messages[-1].body)
        assert len(found) == 1, f"expected one code in:\n{messages[-1].body}"
        return found[0]

    return _code


@pytest.fixture
def gathering_now(tidewater, alice, cora, medics):
    """Cycle 1's gathering began ten minutes ago (so countdowns count), and Street Medics
    has reported for it."""
    first = first_gathering(by=alice, time_zone="UTC", place="")
    convergence.submit_report(
        by=cora,
        gathering=first,
        circle=medics,
        did="Staffed three actions.",
        intention="Train two new medics.",
    )
    now = timezone.now()
    return convergence.move_gathering(
        by=alice,
        gathering=first,
        starts_at=now - timedelta(minutes=10),
        ends_at=now + timedelta(minutes=110),
    )
