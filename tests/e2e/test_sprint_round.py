"""A whole sprint round through the browser (issue 12): four people, four browsers.

Fay, a facilitator, opens a round. Cora convenes Street Medics and Tam convenes Tenants
Union, two circles that share no member and have never worked together; each opts their
circle in from the round page. Fay proposes the pairs (the round page lets her close the
opt-in before its deadline), reads why Street Medics and Tenants Union are paired, and
launches their sprint.

During the sprint Cora logs a friction with the commons, naming the Print Fund, and Tam a
breakthrough. Cora links the €40 the Print Fund granted Street Medics for posters, and Tam
publishes the artifact they forged with a poster attached. Dee, a member of neither circle,
downloads the poster. Then the deadline passes (the sprint's timer is moved into the past
and the timers' sweep runs, as the beat would run it), and the sprint presents. The
frictions report counts Cora's friction under commons access, and the constellation, where
both circles were drifting, now draws the ligament the sprint made between them. axe-core
finds no serious or critical violation on the round, the sprint, the report or the graph.
"""

import struct
import zlib
from dataclasses import dataclass
from datetime import timedelta
from decimal import Decimal
from pathlib import Path

import pytest
from django.utils import timezone
from playwright.sync_api import Page, expect

from commons import services as commons
from rituals.models import Sprint, Timer
from rituals.services.sprints import SPRINT_DEADLINE
from rituals.timers import sweep
from tests.e2e.axe import serious_violations
from tests.e2e.people import log_in
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

FRICTION = "Nobody knew who could approve a draw from the Print Fund on a Sunday."
BREAKTHROUGH = "The tenants' phone tree reached every medic in an hour."
DRAW_PURPOSE = "Posters for the joint first-aid and eviction-defence night."
ARTIFACT = "Know your rights, mind your wounds"
WHAT_WE_MADE = "A pocket card: first aid on one side, tenants' rights on the other."


def tiny_png():
    """A valid 1 × 1 PNG, built byte by byte: the upload is judged by its content."""

    def chunk(kind, data):
        body = kind + data
        return struct.pack(">I", len(data)) + body + struct.pack(">I", zlib.crc32(body))

    header = struct.pack(">IIBBBBB", 1, 1, 8, 2, 0, 0, 0)  # 1 × 1, 8-bit RGB
    pixels = zlib.compress(b"\x00\xcc\x33\x33")  # one row: no filter, one red pixel
    return (
        b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", header) + chunk(b"IDAT", pixels) + chunk(b"IEND", b"")
    )


POSTER = tiny_png()


def convener_of(movement, circle_name, display_name):
    """A new member convening a new circle of that name (and sitting in no other)."""
    circle = CircleFactory(movement=movement, name=circle_name)
    membership = MembershipFactory(movement=movement, user__display_name=display_name)
    CircleMembershipFactory(circle=circle, member=membership, is_convener=True)
    return membership, circle


@dataclass
class World:
    movement: object
    fay: object
    cora: object
    tam: object
    dee: object
    medics: object
    tenants: object


@pytest.fixture
def world(tidewater, alice, fay, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"  # the live server stores the poster here
    cora, medics = convener_of(tidewater, "Street Medics", "Cora")
    tam, tenants = convener_of(tidewater, "Tenants Union", "Tam")
    # The Print Fund grants up to €50 at once: Cora's €40 for Street Medics is granted.
    pool = commons.create_pool(
        by=alice,
        name="Print Fund",
        kind="money",
        currency="EUR",
        purpose="Printing for any circle.",
        instant_limit=Decimal("50"),
        approvals_required=1,
    )
    commons.contribute(by=alice, pool=pool, amount=Decimal("200"))
    commons.request_draw(
        by=cora, pool=pool, amount=Decimal("40"), purpose=DRAW_PURPOSE, circle=medics
    )
    return World(
        movement=tidewater,
        fay=fay,
        cora=cora,
        tam=tam,
        dee=MembershipFactory(movement=tidewater, user__display_name="Dee"),
        medics=medics,
        tenants=tenants,
    )


# --- small steps ------------------------------------------------------------------------------


def assert_accessible(page: Page):
    assert serious_violations(page) == [], page.url


def says(page: Page, text):
    expect(page.get_by_role("status")).to_contain_text(text)


def open_sprint_rounds(page: Page, world):
    page.goto(f"/m/{world.movement.slug}/")
    page.get_by_role("navigation", name="Site").get_by_role("link", name="Convergence").click()
    page.get_by_role("link", name="Sprint rounds").click()
    expect(page.get_by_role("heading", name="Integration sprints", level=1)).to_be_visible()


def open_the_round(page: Page, world):
    """From the list of rounds, the one that is open."""
    open_sprint_rounds(page, world)
    rounds = page.get_by_role("region", name="Rounds")
    open_round = rounds.get_by_role("row").filter(
        has=page.get_by_role("cell", name="open to circles")
    )
    open_round.get_by_role("link").click()
    expect(page.get_by_role("heading", name="Sprint round of", level=1)).to_be_visible()


def opt_in(page: Page, world, circle):
    open_the_round(page, world)
    page.get_by_role("button", name=f"Opt {circle} in").click()
    says(page, f"{circle} is in the round.")
    yours = page.get_by_role("region", name="Your circles")
    expect(yours).to_contain_text(f"{circle}: in the round")


def open_my_sprint(page: Page):
    """From the launched round's page, the sprint of my circle."""
    page.reload()
    mine = page.get_by_role("region", name="Your circles' sprints")
    mine.get_by_role("link", name="Street Medics · Tenants Union").click()
    expect(
        page.get_by_role("heading", name="Street Medics · Tenants Union", level=1)
    ).to_be_visible()


def write_in_the_log(page: Page, *, kind, category, text, pool=None):
    log = page.get_by_role("region", name="Open log")
    log.get_by_role("radio", name=kind).check()
    log.get_by_label("Category").select_option(label=category)
    log.get_by_label("What happened").fill(text)
    if pool:
        log.get_by_label("Pool involved (if any)").select_option(label=pool)
    log.get_by_role("button", name="Add to the log").click()
    says(page, "Your entry is in the open log.")


def open_graph(page: Page, world):
    page.goto(f"/m/{world.movement.slug}/")
    page.get_by_role("link", name="The constellation: who works with whom").click()
    expect(page.get_by_role("heading", name="The constellation", level=1)).to_be_visible()


def ligaments_of(page: Page, circle):
    """The table's "Ligaments" cell in the row of ``circle``."""
    table = page.get_by_role("region", name="The same data as a table")
    row = table.get_by_role("row").filter(has=page.get_by_role("rowheader", name=circle))
    return row.get_by_role("cell").nth(1)


# --- the round ------------------------------------------------------------------------------


def test_a_round_pairs_two_circles_that_forge_present_and_tie_a_ligament(new_context, world):
    # Before: the two circles have never worked together; the constellation says so.
    dee = log_in(new_context, world.dee)
    open_graph(dee, world)
    expect(ligaments_of(dee, "Street Medics")).to_have_text("none")
    expect(ligaments_of(dee, "Tenants Union")).to_have_text("none")

    # Fay opens a round: circles opt in until tomorrow, each sprint lasts 72 hours.
    fay = log_in(new_context, world.fay)
    open_sprint_rounds(fay, world)
    fay.get_by_role("link", name="Open a sprint round").click()
    tomorrow = timezone.localtime(timezone.now() + timedelta(days=1), world.movement.zone)
    fay.get_by_label("Circles opt in until").fill(tomorrow.strftime("%Y-%m-%dT%H:%M"))
    fay.get_by_label("Each sprint lasts (hours)").fill("72")
    fay.get_by_role("button", name="Open the round").click()
    says(fay, "The round is open: conveners can opt their circles in.")
    expect(fay.get_by_text("No circle has opted in yet.")).to_be_visible()
    round_url = fay.url

    # Cora and Tam, conveners, each opt their circle in.
    cora = log_in(new_context, world.cora)
    opt_in(cora, world, "Street Medics")
    tam = log_in(new_context, world.tam)
    opt_in(tam, world, "Tenants Union")

    # Fay proposes the pairs before the deadline, and reads why these two are paired.
    fay.reload()
    circles_in = fay.get_by_role("region", name="Circles in the round")
    expect(circles_in.get_by_role("listitem")).to_have_text(["Street Medics", "Tenants Union"])
    fay.get_by_role("button", name="Propose the pairs").click()
    says(fay, "The pairs are proposed.")
    proposed = fay.get_by_role("region", name="Proposed sprints").get_by_role("listitem")
    pair = proposed.filter(has=fay.get_by_role("heading", name="Street Medics · Tenants Union"))
    expect(pair).to_contain_text("Collaboration strength: 0")
    expect(pair).to_contain_text("never in a sprint together; no shared members")
    assert_accessible(fay)

    fay.get_by_role("button", name="Launch the sprints").click()
    says(fay, "The sprints are running; every paired circle has been told.")
    sprints = fay.get_by_role("region", name="Sprints")
    expect(sprints).to_contain_text("Street Medics · Tenants Union: running")
    sprint = Sprint.objects.get(round__movement=world.movement)

    # Cora logs a friction with the commons, naming the pool; Tam logs a breakthrough.
    cora.goto(round_url)
    open_my_sprint(cora)
    expect(cora.get_by_role("heading", name="Running", level=2)).to_be_visible()
    write_in_the_log(
        cora, kind="friction", category="commons access", text=FRICTION, pool="Print Fund"
    )
    tam.goto(round_url)
    open_my_sprint(tam)
    write_in_the_log(tam, kind="breakthrough", category="tempo", text=BREAKTHROUGH)
    log = tam.get_by_role("region", name="Open log").get_by_role("listitem")
    expect(log.filter(has_text=FRICTION)).to_contain_text(
        "Friction · commons access · pool: Print Fund"
    )
    expect(log.filter(has_text=FRICTION)).to_contain_text("Cora (Street Medics)")
    expect(log.filter(has_text=BREAKTHROUGH)).to_contain_text("Breakthrough · tempo")
    expect(log.filter(has_text=BREAKTHROUGH)).to_contain_text("Tam (Tenants Union)")

    # Cora links the draw the Print Fund granted Street Medics; the sprint lists it.
    cora.reload()
    cora.get_by_role("link", name="Link a draw from the commons").click()
    cora.get_by_role("radio", name=DRAW_PURPOSE).check()
    cora.get_by_role("button", name="Link this draw").click()
    says(cora, "The draw is linked to the sprint.")
    draws = cora.get_by_role("region", name="From the commons")
    expect(draws.get_by_role("listitem")).to_have_text([f"€40.00 from Print Fund: {DRAW_PURPOSE}"])
    expect(draws).to_contain_text("In all: €40.00 from Print Fund.")

    # Tam publishes the artifact and attaches the poster.
    tam.reload()
    tam.get_by_role("link", name="Publish the artifact").click()
    tam.get_by_label("Title").fill(ARTIFACT)
    tam.get_by_label("What you made").fill(WHAT_WE_MADE)
    tam.get_by_label("Link (optional)").fill("https://example.org/pocket-card")
    tam.get_by_role("button", name="Publish the artifact").click()
    says(tam, "The artifact is published.")
    tam.get_by_label("Add a file").set_input_files(
        {"name": "poster.png", "mimeType": "image/png", "buffer": POSTER}
    )
    tam.get_by_role("button", name="Attach the file").click()
    says(tam, "poster.png is attached to the artifact.")
    artifact = tam.get_by_role("article", name=ARTIFACT)
    expect(artifact.get_by_role("link", name="https://example.org/pocket-card")).to_be_visible()
    expect(artifact.get_by_role("listitem")).to_contain_text(["poster.png"])

    # Dee, in neither circle, reads the artifact and downloads the poster.
    dee.goto(tam.url)
    with dee.expect_download() as downloading:
        dee.get_by_role("article", name=ARTIFACT).get_by_role("link", name="poster.png").click()
    download = downloading.value
    assert download.suggested_filename == "poster.png"
    assert Path(download.path()).read_bytes() == POSTER

    # Time passes the deadline: the sprint's timer is moved into the past, the sweep runs.
    past = timezone.now() - timedelta(minutes=1)
    moved = Timer.objects.filter(
        kind=SPRINT_DEADLINE, target_id=sprint.pk, fired_at__isnull=True
    ).update(due_at=past, run_after=past)
    assert moved == 1
    assert sweep() == 1
    cora.reload()
    expect(cora.get_by_role("heading", name="Presenting", level=2)).to_be_visible()
    expect(cora.get_by_text("The time is up.")).to_be_visible()
    assert_accessible(cora)

    # The frictions report counts Cora's friction under commons access.
    dee.goto(round_url)
    dee.get_by_role("link", name="Integration sprints").click()
    dee.get_by_role("link", name="Frictions across sprints").click()
    expect(dee.get_by_role("heading", name="Frictions across sprints", level=1)).to_be_visible()
    counts = dee.get_by_role("region", name="Frictions by category and month")
    expect(counts.get_by_role("table")).to_contain_text("Commons access: 1")
    entries = dee.get_by_role("region", name="The entries behind the counts")
    entry = entries.get_by_role("listitem").filter(has_text=FRICTION)
    expect(entry).to_contain_text("Commons access · pool: Print Fund")
    expect(entries).not_to_contain_text(BREAKTHROUGH)
    involved = dee.get_by_role("region", name="Most involved")
    expect(involved.get_by_role("listitem")).to_have_text(["Print Fund: 1 friction"])
    assert_accessible(dee)

    # The constellation now ties the two circles: in the table and in the picture.
    open_graph(dee, world)
    tie = "strength 3 (1 sprint together)"
    expect(ligaments_of(dee, "Street Medics")).to_have_text(f"Tenants Union: {tie}")
    expect(ligaments_of(dee, "Tenants Union")).to_have_text(f"Street Medics: {tie}")
    edges = dee.locator("#graph svg line.graph-edge > title")
    expect(edges).to_have_text([f"Street Medics and Tenants Union: {tie}"])
    assert_accessible(dee)
