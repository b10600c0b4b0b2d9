"""Every URL under ``/m/<movement>/`` (and ``/join/<token>/``) × every kind of caller.

The rules (DESIGN.md, "Tenancy and permissions"):

- anonymous callers are sent to log in, with ``?next=`` pointing back;
- a logged-in non-member, and a member of another movement, get 404 everywhere in
  the movement: never 403, never a hint that it exists;
- a member without the needed role gets 403 with a plain reason in the body;
- an allowed caller gets 200, or 302 once a POST action has succeeded;
- an object of another movement addressed through this movement's URL is 404,
  exactly like a missing one, whoever asks.

Each row is one URL and method, with the status every caller must get. Each
URL × caller is its own test, so a failure names both.
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import timedelta
from urllib.parse import urlencode

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from movement.models import Invitation
from tests.factories import CircleFactory, CircleMembershipFactory, MembershipFactory

LOGIN = "login"  # 302 to the login page, with ?next= back to the URL asked for

OUTSIDERS = ("nina", "otto")
MEMBERS = ("mo", "cora", "fay", "alice")
CALLERS = ("anonymous", *OUTSIDERS, *MEMBERS)
MISSING_ID = 987654321


def allow(*allowed, ok=200, others=403):
    """Tidewater members in ``allowed`` get ``ok``, other members ``others``.

    Outsiders always get 404 and anonymous callers are always sent to log in.
    """
    expected = {"anonymous": LOGIN, "nina": 404, "otto": 404}
    expected.update({who: ok if who in allowed else others for who in MEMBERS})
    return expected


ANY_MEMBER = allow(*MEMBERS)
ANY_MEMBER_ACTS = allow(*MEMBERS, ok=302)
NOT_FOUND_FOR_ALL = allow(others=404)
# A POST-only URL asked for with GET: members are told the method is wrong, while
# outsiders still learn nothing about the movement.
WRONG_METHOD = allow(*MEMBERS, ok=405)


@dataclass
class World:
    """The shared fixture people plus the objects the URLs point at."""

    tidewater: object
    elsewhere: object
    alice: object
    fay: object
    mo: object
    cora: object
    nina: object
    otto: object
    medics: object
    pat: object  # a plain tidewater member whom organizers act on
    invitation: object  # tidewater's open, multi-use invitation
    night_pantry: object  # a circle of elsewhere
    otto_seat: object  # otto's seat in night_pantry
    elsewhere_invitation: object

    def user(self, caller):
        who = getattr(self, caller)
        return getattr(who, "user", who)


def _invitation(movement, by):
    return Invitation.objects.create(
        movement=movement,
        created_by=by.user,
        expires_at=timezone.now() + timedelta(days=7),
        single_use=False,
    )


@pytest.fixture
def world(tidewater, elsewhere, alice, fay, mo, cora, nina, otto, medics):
    night_pantry = CircleFactory(movement=elsewhere, name="Night Pantry", slug="night-pantry")
    return World(
        tidewater=tidewater,
        elsewhere=elsewhere,
        alice=alice,
        fay=fay,
        mo=mo,
        cora=cora,
        nina=nina,
        otto=otto,
        medics=medics,
        pat=MembershipFactory(movement=tidewater, user__display_name="Pat"),
        invitation=_invitation(tidewater, alice),
        night_pantry=night_pantry,
        otto_seat=CircleMembershipFactory(circle=night_pantry, member=otto, is_convener=True),
        elsewhere_invitation=_invitation(elsewhere, otto),
    )


# --- URL builders ---------------------------------------------------------------------


def movement_url(name, slug="tidewater", **kwargs):
    return lambda w: reverse(f"movement:{name}", kwargs={"movement_slug": slug, **kwargs})


def member_url(name, member, slug="tidewater"):
    def build(w):
        member_id = MISSING_ID if member is None else getattr(w, member).pk
        return reverse(f"movement:{name}", kwargs={"movement_slug": slug, "member_id": member_id})

    return build


def revoke_url(invitation, slug="tidewater"):
    def build(w):
        invitation_id = MISSING_ID if invitation is None else getattr(w, invitation).pk
        return reverse(
            "movement:invitation_revoke",
            kwargs={"movement_slug": slug, "invitation_id": invitation_id},
        )

    return build


def circle_url(name, circle_slug="street-medics", slug="tidewater"):
    return lambda w: reverse(
        f"circles:{name}", kwargs={"movement_slug": slug, "circle_slug": circle_slug}
    )


def directory_url(name):
    return lambda w: reverse(f"circles:{name}", kwargs={"movement_slug": "tidewater"})


def convener_url(circle_slug, seat):
    def build(w):
        return reverse(
            "circles:convener_add",
            kwargs={
                "movement_slug": "tidewater",
                "circle_slug": circle_slug,
                "seat_id": seat(w).pk,
            },
        )

    return build


def pat_seat_in_medics(w):
    return CircleMembershipFactory(circle=w.medics, member=w.pat, is_convener=False)


def join_url(token=None):
    return lambda w: reverse("invitation_accept", kwargs={"token": token or w.invitation.token})


# --- valid form data ----------------------------------------------------------------


def invitation_data(w):
    expires_on = timezone.localdate() + timedelta(days=7)
    return {"role": "member", "expires_on": expires_on.isoformat(), "single_use": "on"}


NEW_CIRCLE = {
    "name": "Bike Repair",
    "initiative": "Free repairs on Saturdays.",
    "theory_of_change": "Fixing bikes together builds the trust a tenants' union needs.",
    "lens": "voluntarist",
}
EDITED_CIRCLE = {
    "name": "Street Medics",
    "initiative": "First aid at every action.",
    "theory_of_change": "People who feel safe come back, and bring others.",
    "lens": "structuralist",
}


def second_organizer(w):
    # A movement keeps one organizer, so alice can only leave when someone else organizes.
    MembershipFactory(movement=w.tidewater, role="organizer", user__display_name="Olu")


# --- the table --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Callable[[World], str]
    expected: dict
    reason: str = ""  # the plain reason a 403 must show
    data: dict | Callable[[World], dict] = field(default_factory=dict)
    setup: Callable[[World], object] | None = None


ORGANIZERS_INVITE = "Only organizers can invite people."
ORGANIZERS_AUDIT = "Only organizers read the audit trail."
RHYTHM = "Only organizers set the rhythm."
ORGANIZERS_REVOKE = "Only organizers can revoke invitations."
ORGANIZERS_ROLES = "Only organizers can change roles."
ORGANIZERS_REMOVE = "Only organizers can remove members, and not themselves: use Leave instead."
CONVENERS_EDIT = "Only this circle's conveners can edit it."
CONVENERS_NAME = "Only this circle's conveners (or an organizer) can name conveners."
ORGANIZERS_ARCHIVE = "Only organizers can archive a circle."
ALREADY_IN = "You cannot join this circle."
NOT_IN = "You are not in this circle."

ROWS = [
    # movement pages
    Row("movement-home", "GET", movement_url("home"), ANY_MEMBER),
    Row("members", "GET", movement_url("members"), ANY_MEMBER),
    Row("audit", "GET", movement_url("audit"), allow("alice"), ORGANIZERS_AUDIT),
    Row("convergence", "GET", lambda w: "/m/tidewater/convergence/", ANY_MEMBER),
    Row("rhythm", "GET", lambda w: "/m/tidewater/convergence/rhythm/", allow("alice"), RHYTHM),
    Row(
        "rhythm",
        "POST",
        lambda w: "/m/tidewater/convergence/rhythm/",
        allow("alice", ok=302),
        RHYTHM,
        data={
            "time_zone": "Europe/Paris",
            "kind": "lunar",
            "moon_phase": "full",
            "local_time": "19:00",
            "duration_minutes": "90",
            "report_days_before": "2",
        },
    ),
    Row("leave", "GET", movement_url("leave"), ANY_MEMBER),
    Row("leave", "POST", movement_url("leave"), ANY_MEMBER_ACTS, setup=second_organizer),
    Row("invitations", "GET", movement_url("invitations"), allow("alice"), ORGANIZERS_INVITE),
    Row(
        "invitations",
        "POST",
        movement_url("invitations"),
        allow("alice", ok=302),
        ORGANIZERS_INVITE,
        data=invitation_data,
    ),
    Row(
        "invitation-revoke",
        "POST",
        revoke_url("invitation"),
        allow("alice", ok=302),
        ORGANIZERS_REVOKE,
    ),
    Row("invitation-revoke", "GET", revoke_url("invitation"), WRONG_METHOD),
    Row(
        "member-role",
        "POST",
        member_url("member_role", "pat"),
        allow("alice", ok=302),
        ORGANIZERS_ROLES,
        data={"role": "facilitator"},
    ),
    Row("member-role", "GET", member_url("member_role", "pat"), WRONG_METHOD),
    Row(
        "member-remove",
        "POST",
        member_url("member_remove", "pat"),
        allow("alice", ok=302),
        ORGANIZERS_REMOVE,
    ),
    Row("member-remove", "GET", member_url("member_remove", "pat"), WRONG_METHOD),
    # circle pages
    Row("circle-directory", "GET", directory_url("directory"), ANY_MEMBER),
    Row("circle-create", "GET", directory_url("create"), ANY_MEMBER),
    Row("circle-create", "POST", directory_url("create"), ANY_MEMBER_ACTS, data=NEW_CIRCLE),
    Row("circle-detail", "GET", circle_url("detail"), ANY_MEMBER),
    Row("circle-edit", "GET", circle_url("edit"), allow("cora"), CONVENERS_EDIT),
    Row(
        "circle-edit",
        "POST",
        circle_url("edit"),
        allow("cora", ok=302),
        CONVENERS_EDIT,
        data=EDITED_CIRCLE,
    ),
    Row("circle-join", "POST", circle_url("join"), allow("mo", "fay", "alice", ok=302), ALREADY_IN),
    Row("circle-join", "GET", circle_url("join"), WRONG_METHOD),
    Row("circle-leave", "POST", circle_url("leave"), allow("cora", ok=302), NOT_IN),
    Row("circle-leave", "GET", circle_url("leave"), WRONG_METHOD),
    Row(
        "circle-archive", "POST", circle_url("archive"), allow("alice", ok=302), ORGANIZERS_ARCHIVE
    ),
    Row("circle-archive", "GET", circle_url("archive"), WRONG_METHOD),
    Row(
        "convener-add",
        "POST",
        convener_url("street-medics", pat_seat_in_medics),
        allow("cora", "alice", ok=302),
        CONVENERS_NAME,
    ),
    Row("convener-add", "GET", convener_url("street-medics", pat_seat_in_medics), WRONG_METHOD),
    # things that are not there: a missing movement, circle, member or invitation
    Row(
        "missing-movement", "GET", movement_url("home", slug="no-such-movement"), NOT_FOUND_FOR_ALL
    ),
    Row("missing-circle", "GET", circle_url("detail", "no-such-circle"), NOT_FOUND_FOR_ALL),
    Row(
        "member-role-missing",
        "POST",
        member_url("member_role", None),
        NOT_FOUND_FOR_ALL,
        data={"role": "member"},
    ),
    Row("member-remove-missing", "POST", member_url("member_remove", None), NOT_FOUND_FOR_ALL),
    Row(
        "invitation-revoke-missing",
        "POST",
        revoke_url(None),
        allow("alice", ok=404),
        ORGANIZERS_REVOKE,
    ),
    # objects of elsewhere addressed through tidewater's URLs look exactly like missing ones
    Row(
        "circle-detail-of-elsewhere", "GET", circle_url("detail", "night-pantry"), NOT_FOUND_FOR_ALL
    ),
    Row("circle-edit-of-elsewhere", "GET", circle_url("edit", "night-pantry"), NOT_FOUND_FOR_ALL),
    Row(
        "circle-edit-of-elsewhere",
        "POST",
        circle_url("edit", "night-pantry"),
        NOT_FOUND_FOR_ALL,
        data=EDITED_CIRCLE | {"name": "Night Pantry"},
    ),
    Row("circle-join-of-elsewhere", "POST", circle_url("join", "night-pantry"), NOT_FOUND_FOR_ALL),
    Row(
        "circle-leave-of-elsewhere", "POST", circle_url("leave", "night-pantry"), NOT_FOUND_FOR_ALL
    ),
    Row(
        "circle-archive-of-elsewhere",
        "POST",
        circle_url("archive", "night-pantry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "convener-add-circle-of-elsewhere",
        "POST",
        convener_url("night-pantry", lambda w: w.otto_seat),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "convener-add-seat-of-elsewhere",
        "POST",
        convener_url("street-medics", lambda w: w.otto_seat),
        # Only cora and organizers may name conveners of medics; for them the seat is missing.
        allow("cora", "alice", ok=404),
        CONVENERS_NAME,
    ),
    Row(
        "member-role-of-elsewhere",
        "POST",
        member_url("member_role", "otto"),
        NOT_FOUND_FOR_ALL,
        data={"role": "member"},
    ),
    Row(
        "member-remove-of-elsewhere", "POST", member_url("member_remove", "otto"), NOT_FOUND_FOR_ALL
    ),
    Row(
        "invitation-revoke-of-elsewhere",
        "POST",
        revoke_url("elsewhere_invitation"),
        allow("alice", ok=404),
        ORGANIZERS_REVOKE,
    ),
    # and the other way round: tidewater's objects through elsewhere's URLs (otto's own)
    Row(
        "tidewater-circle-via-elsewhere",
        "GET",
        circle_url("detail", "street-medics", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-member-role-via-elsewhere",
        "POST",
        member_url("member_role", "pat", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data={"role": "organizer"},
    ),
    Row(
        "tidewater-member-remove-via-elsewhere",
        "POST",
        member_url("member_remove", "pat", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-invitation-revoke-via-elsewhere",
        "POST",
        revoke_url("invitation", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    # invitation links: whoever holds one may join; members are sent to the movement
    Row(
        "join",
        "GET",
        join_url(),
        {"anonymous": LOGIN, "nina": 200, "otto": 200} | dict.fromkeys(MEMBERS, 302),
    ),
    Row(
        "join",
        "POST",
        join_url(),
        {"anonymous": LOGIN, "nina": 302, "otto": 302} | dict.fromkeys(MEMBERS, 302),
    ),
    Row("join-unknown-token", "GET", join_url("no-such-token"), NOT_FOUND_FOR_ALL),
    Row("join-unknown-token", "POST", join_url("no-such-token"), NOT_FOUND_FOR_ALL),
]

CASES = [
    pytest.param(row, caller, id=f"{row.name}-{row.method}-{caller}")
    for row in ROWS
    for caller in CALLERS
]


def _request(client, row, world):
    if row.setup:
        row.setup(world)
    url = row.url(world)
    if row.method == "GET":
        return url, client.get(url)
    data = row.data(world) if callable(row.data) else row.data
    return url, client.post(url, data)


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_url_answers_each_caller_by_the_rules(row, caller, world, client):
    if caller != "anonymous":
        client.force_login(world.user(caller))
    url, response = _request(client, row, world)
    expected = row.expected[caller]
    body = response.content.decode()

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?{urlencode({'next': url}, safe='/')}"
        return

    assert response.status_code == expected, f"{row.method} {url} as {caller}"
    if expected == 403:
        assert escape(row.reason) in body, "a 403 shows the plain reason"
    if expected == 404 and caller in OUTSIDERS:
        assert "Tidewater" not in body, "a 404 never names the movement"
    if expected == 302 and row.method == "POST":
        errors = [
            message
            for message in get_messages(response.wsgi_request)
            if message.level == message_levels.ERROR
        ]
        assert errors == [], "an allowed POST with valid data succeeds"
