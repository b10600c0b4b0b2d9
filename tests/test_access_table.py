"""Every URL under ``/m/<movement>/`` (and ``/join/<token>/``) × every kind of caller.

The rules (DESIGN.md, "Tenancy and permissions"):

- anonymous callers are sent to log in, with ``?next=`` pointing back;
- a logged-in non-member, and a member of another movement, get 404 everywhere in
  the movement: never 403, never a hint that it exists;
- a member without the needed role gets 403 with a plain reason in the body;
- an allowed caller gets 200, or 302 once a POST action has succeeded (no error
  message); a refused POST changes nothing;
- an object of another movement addressed through this movement's URL is 404,
  exactly like a missing one, whoever asks.

Each row is one URL and method, with the status every caller must get; each
URL × caller is its own test, so a failure names both. The table is checked
against the URL resolver: a URL under ``/m/<movement>/`` with no row fails
``test_every_movement_url_has_a_row``.

The callers are the shared fixture people: nina (logged in, in no movement), otto
(organizes "Elsewhere"), and in "Tidewater" mo (member), cora (convenes Street
Medics), fay (facilitator role) and alice (organizer).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import time, timedelta
from decimal import Decimal
from functools import cached_property
from operator import attrgetter
from types import SimpleNamespace
from urllib.parse import urlencode

import pytest
from django.contrib.messages import constants as message_levels
from django.contrib.messages import get_messages
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import URLResolver, get_resolver, reverse
from django.utils import timezone
from django.utils.html import escape

from circles import services as circle_services
from circles.models import Circle, CircleMembership, Spark, SparkJoin
from commons import services as commons_services
from commons.models import (
    Approval,
    Booking,
    DrawRequest,
    EarlierVote,
    LedgerEntry,
    Pledge,
    PledgeGift,
    Pool,
    Resource,
    RotationRound,
    RotationSeat,
    RoundShare,
)
from movement import services as movement_services
from movement.models import (
    AuditEvent,
    DataExport,
    Invitation,
    LensAssessment,
    Membership,
    Movement,
    Notification,
    Tactic,
)
from rituals.models import (
    Agreement,
    AgreementCheck,
    AvailabilityAnswer,
    AvailabilityOption,
    CaseFacilitator,
    CaseParty,
    ConflictCase,
    ConflictRitual,
    Cycle,
    Gathering,
    RoundCircle,
    Rsvp,
    SovereigntyRecord,
    Sprint,
    SprintBooking,
    SprintRound,
    Timer,
)
from rituals.services import conflicts, convergence, facilitation
from rituals.services import sprints as sprint_services
from rituals.views import FACILITATOR_ACTIONS
from tests.factories import (
    CircleFactory,
    CircleMembershipFactory,
    GatheringFactory,
    MembershipFactory,
)

LOGIN = "login"  # 302 to the login page, with ?next= back to the URL asked for

OUTSIDERS = ("nina", "otto")
MEMBERS = ("mo", "cora", "fay", "alice")
CALLERS = ("anonymous", *OUTSIDERS, *MEMBERS)
MISSING_ID = 987654321

# Names that belong to elsewhere: no answer given through tidewater's URLs may show them.
ELSEWHERE_SECRETS = ("Rent Strike Fund", "How we ran the eviction watch", "The Old Cannery")


def allow(*allowed, ok=200, others=403):
    """Tidewater members in ``allowed`` get ``ok``, other members ``others``.

    Outsiders always get 404 and anonymous callers are always sent to log in.
    """
    expected = {"anonymous": LOGIN, "nina": 404, "otto": 404}
    expected.update({who: ok if who in allowed else others for who in MEMBERS})
    return expected


ANY_MEMBER = allow(*MEMBERS)
NOT_FOUND = {"anonymous": 404}  # the link's token is the secret: unknown is unknown to all
ANY_MEMBER_ACTS = allow(*MEMBERS, ok=302)
NOT_FOUND_FOR_ALL = allow(others=404)
NOBODY = allow()  # every member 403: the action is closed to all of them
# A POST-only URL asked for with GET: members are told the method is wrong, while
# outsiders still learn nothing about the movement.
WRONG_METHOD = allow(*MEMBERS, ok=405)


# --- the world ----------------------------------------------------------------------


def _invitation(movement, by):
    return Invitation.objects.create(
        movement=movement,
        created_by=by.user,
        expires_at=timezone.now() + timedelta(days=7),
        single_use=False,
    )


EMPTY_ZIP = b"PK\x05\x06" + bytes(18)


class World:
    """The shared fixture people plus the objects the URLs point at.

    The commons, its draw requests, the gatherings and elsewhere's own are each built the
    first time a row asks for them, so a row about circles does not pay for a bail fund
    or a rhythm.
    """

    def __init__(self, *, tidewater, elsewhere, alice, fay, mo, cora, nina, otto, medics):
        self.tidewater, self.elsewhere, self.medics = tidewater, elsewhere, medics
        self.alice, self.fay, self.mo, self.cora = alice, fay, mo, cora
        self.nina, self.otto = nina, otto
        # a plain tidewater member whom organizers act on
        self.pat = MembershipFactory(movement=tidewater, user__display_name="Pat")
        self.invitation = _invitation(tidewater, alice)  # open, multi-use
        self.night_pantry = CircleFactory(
            movement=elsewhere, name="Night Pantry", slug="night-pantry"
        )
        self.otto_seat = CircleMembershipFactory(
            circle=self.night_pantry, member=otto, is_convener=True
        )
        self.elsewhere_invitation = _invitation(elsewhere, otto)

    def user(self, caller):
        who = getattr(self, caller)
        return getattr(who, "user", who)

    @cached_property
    def quinn(self):
        """A member who is a party to another case (with pat's neighbour, not mo's)."""
        quinn = MembershipFactory(movement=self.tidewater, user__display_name="Quinn")
        other = MembershipFactory(movement=self.tidewater, user__display_name="Rafa")
        conflicts.file_case(
            by=quinn, others=[other], about="strategy", description="Another one", confirmed=True
        )
        return quinn

    @cached_property
    def frank(self):
        """A facilitator assigned to no case."""
        return MembershipFactory(movement=self.tidewater, role="facilitator")

    @cached_property
    def commons(self):
        return SimpleNamespace(**_tidewater_commons(self))

    @cached_property
    def draws(self):
        return SimpleNamespace(**_tidewater_draws(self))

    @cached_property
    def elsewhere_commons(self):
        return SimpleNamespace(**_elsewhere_commons(self))

    @cached_property
    def gatherings(self):
        return SimpleNamespace(**_tidewater_gatherings(self))

    @cached_property
    def elsewhere_gathering(self):
        return _elsewhere_gathering(self)

    @cached_property
    def sprints(self):
        return SprintWorld(self)

    @cached_property
    def mos_export(self):
        """Mo's data, gathered and ready to download."""
        now = timezone.now()
        export = DataExport(user=self.mo.user, ready_at=now, expires_at=now + timedelta(days=1))
        export.file.save("mo.zip", ContentFile(EMPTY_ZIP), save=False)
        export.save()
        return export


@pytest.fixture
def world(tidewater, elsewhere, alice, fay, mo, cora, nina, otto, medics):
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
    )


def _tidewater_commons(w):
    """Circles: Street Medics (cora convenes, alice sits in), Kitchen (mo convenes, fay sits
    in), Legal (alice convenes, pat sits in). So for a request by mo or fay for the
    Kitchen, cora and alice may decide while mo and fay may not. Two pools with entries,
    one of them reversed, and mo's archive entry.
    """
    alice, fay, mo, cora, medics = w.alice, w.fay, w.mo, w.cora, w.medics
    kitchen = CircleFactory(movement=w.tidewater, name="Kitchen", slug="kitchen")
    legal = CircleFactory(movement=w.tidewater, name="Legal", slug="legal")
    CircleMembershipFactory(circle=kitchen, member=mo, is_convener=True)
    CircleMembershipFactory(circle=kitchen, member=fay)
    CircleMembershipFactory(circle=legal, member=alice, is_convener=True)
    CircleMembershipFactory(circle=medics, member=alice)
    CircleMembershipFactory(circle=legal, member=w.pat)

    bail_fund = commons_services.create_pool(
        by=alice,
        name="Bail Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Bail and fines for anyone arrested at an action.",
        instant_limit=Decimal("50"),
        approvals_required=2,
    )
    tent_library = commons_services.create_pool(
        by=alice,
        name="Tent Library",
        kind=Pool.Kind.ITEMS,
        unit="tents",
        purpose="Tents for occupations and camps.",
        instant_limit=Decimal("2"),
        approvals_required=2,
    )
    bail_entry = commons_services.contribute(
        by=cora, pool=bail_fund, amount=Decimal("200"), circle=medics, note="Benefit gig"
    )
    commons_services.contribute(by=mo, pool=bail_fund, amount=Decimal("100"), anonymous=True)
    commons_services.contribute(by=alice, pool=bail_fund, amount=Decimal("300"), circle=legal)
    reversed_entry = commons_services.contribute(by=fay, pool=bail_fund, amount=Decimal("5"))
    commons_services.reverse_entry(by=alice, entry=reversed_entry, reason="Counted twice.")
    tent_entry = commons_services.contribute(by=fay, pool=tent_library, amount=Decimal("10"))
    archive_entry = commons_services.add_archive_entry(
        by=mo,
        title="Running a court-support table",
        body="Bring water, a list of lawyers, and **snacks**.",
        tags=["court support", "bail"],
        circle=kitchen,
    )
    return {
        "kitchen": kitchen,
        "legal": legal,
        "bail_fund": bail_fund,  # money, EUR, granted at once up to 50, two circles above
        "tent_library": tent_library,  # items (tents), another pool of tidewater
        "bail_entry": bail_entry,  # cora's contribution, reversible
        "tent_entry": tent_entry,  # fay's contribution to the tent library
        "reversed_entry": reversed_entry,  # already reversed by alice
        "archive_entry": archive_entry,  # written by mo for the Kitchen
    }


def _tidewater_draws(w):
    """Draw requests on the bail fund, in each state a decision or a withdrawal meets."""
    commons = w.commons
    bail_fund, kitchen, legal = commons.bail_fund, commons.kitchen, commons.legal
    pending = commons_services.request_draw(
        by=w.mo,
        pool=bail_fund,
        amount=Decimal("120"),
        purpose="Fines after the march.",
        circle=kitchen,
    )
    alice_decided = commons_services.request_draw(
        by=w.fay, pool=bail_fund, amount=Decimal("150"), purpose="Bail for two.", circle=kitchen
    )
    commons_services.decide_draw(
        by=w.alice, draw_request=alice_decided, decision=Approval.Decision.APPROVE, circle=legal
    )
    granted = commons_services.request_draw(
        by=w.mo, pool=bail_fund, amount=Decimal("20"), purpose="Bus fare to court."
    )
    approved = commons_services.request_draw(
        by=w.mo, pool=bail_fund, amount=Decimal("1000"), purpose="A van.", circle=kitchen
    )
    for member, circle in ((w.alice, w.medics), (w.pat, legal)):
        commons_services.decide_draw(
            by=member, draw_request=approved, decision=Approval.Decision.APPROVE, circle=circle
        )
    approved.refresh_from_db()
    assert [draw.state for draw in (pending, alice_decided, granted, approved)] == [
        DrawRequest.State.PENDING,
        DrawRequest.State.PENDING,
        DrawRequest.State.GRANTED,
        DrawRequest.State.APPROVED,
    ]
    return {
        "pending": pending,  # mo asks 120 for the Kitchen: waits for two circles
        "alice_decided": alice_decided,  # fay asks 150 for the Kitchen; alice approved
        "granted": granted,  # mo's 20, granted at once: settled
        "approved": approved,  # mo's 1000, approved by two circles, waiting for funds: open
    }


def _elsewhere_commons(w):
    CircleFactory(movement=w.elsewhere, name="Day Shelter", slug="day-shelter")
    pool = commons_services.create_pool(
        by=w.otto,
        name="Rent Strike Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Keeps striking tenants housed.",
        instant_limit=Decimal("10"),
        approvals_required=1,
    )
    entry = commons_services.contribute(by=w.otto, pool=pool, amount=Decimal("100"))
    draw = commons_services.request_draw(
        by=w.otto, pool=pool, amount=Decimal("50"), purpose="Locks.", circle=w.night_pantry
    )
    assert draw.state == DrawRequest.State.PENDING  # otto's own, waiting
    archive_entry = commons_services.add_archive_entry(
        by=w.otto, title="How we ran the eviction watch", body="Phone tree first."
    )
    return {"pool": pool, "entry": entry, "draw": draw, "archive_entry": archive_entry}


def _tidewater_gatherings(w):
    """Last month's gathering, closed; then the rhythm's next three: the first moved to
    begin in half an hour and already started (two agenda items, the first under way), the
    second planned with nobody named to facilitate, the third with mo named to facilitate.
    """
    held_at = timezone.now() - timedelta(days=30)
    closed = Gathering.objects.create(
        cycle=Cycle.objects.create(movement=w.tidewater, number=1),
        movement=w.tidewater,
        starts_at=held_at,
        ends_at=held_at + timedelta(hours=2),
        from_rhythm=False,
        state=Gathering.State.CLOSED,
        started_at=held_at,
        closed_at=held_at + timedelta(hours=2),
    )
    convergence.set_rhythm(
        by=w.alice,
        kind="monthly",
        week=1,
        weekday=5,
        local_time=time(18),
        duration=timedelta(hours=2),
    )
    live, scheduled, named = Gathering.objects.filter(
        movement=w.tidewater, state=Gathering.State.SCHEDULED
    ).order_by("starts_at")
    live = _begins_soon(w, live)
    facilitation.start_gathering(by=w.alice, gathering=live)
    opening = facilitation.add_agenda_item(
        by=w.alice, gathering=live, title="Opening round", minutes=10
    )
    pairings = facilitation.add_agenda_item(
        by=w.alice, gathering=live, title="Next sprint pairings", minutes=15
    )
    facilitation.start_item(by=w.alice, item=opening)
    named = convergence.update_gathering(
        by=w.alice,
        gathering=named,
        starts_at=named.starts_at,
        ends_at=named.ends_at,
        facilitators=[w.mo],
    )
    return {
        "closed": closed,
        "live": live,
        "opening": opening,  # the live gathering's current item
        "pairings": pairings,  # its next item
        "scheduled": scheduled,
        "named": named,
    }


def _begins_soon(w, gathering):
    # A gathering can be started only shortly before it begins.
    starts_at = timezone.now() + timedelta(minutes=30)
    return convergence.move_gathering(
        by=w.alice, gathering=gathering, starts_at=starts_at, ends_at=starts_at + timedelta(hours=2)
    )


def _elsewhere_gathering(w):
    convergence.set_rhythm(
        by=w.otto,
        kind="lunar",
        moon_phase="new",
        local_time=time(20),
        duration=timedelta(hours=2),
        place="The Old Cannery",
    )
    return Gathering.objects.filter(movement=w.elsewhere).first()


# --- URL builders ---------------------------------------------------------------------


@dataclass(frozen=True)
class Url:
    """A named URL pattern and how to fill in its arguments from the world."""

    name: str
    arguments: Callable[[World], dict]

    def __call__(self, world):
        return reverse(self.name, kwargs=self.arguments(world))


def url(name, slug="tidewater", **arguments):
    """``name`` under ``/m/<slug>/``; each argument is a literal or a function of the world."""

    def fill(w):
        values = {key: value(w) if callable(value) else value for key, value in arguments.items()}
        return {"movement_slug": slug, **values}

    return Url(name, fill)


def pk(path):
    """The id of the world's object at ``path`` (``"commons.bail_fund"``); ``None``: an id
    that nothing has."""
    if path is None:
        return lambda w: MISSING_ID
    get = attrgetter(path)
    return lambda w: get(w).pk


def movement_url(name, slug="tidewater"):
    return url(f"movement:{name}", slug)


def member_url(name, member, slug="tidewater"):
    return url(f"movement:{name}", slug, member_id=pk(member))


def revoke_url(invitation, slug="tidewater"):
    return url("movement:invitation_revoke", slug, invitation_id=pk(invitation))


def circle_url(name, circle_slug="street-medics", slug="tidewater"):
    return url(f"circles:{name}", slug, circle_slug=circle_slug)


def directory_url(name):
    return url(f"circles:{name}")


def convener_url(circle_slug, seat):
    return url("circles:convener_add", circle_slug=circle_slug, seat_id=lambda w: seat(w).pk)


def pat_seat_in_medics(w):
    return CircleMembershipFactory(circle=w.medics, member=w.pat, is_convener=False)


def join_url(token=None):
    return Url("invitation_accept", lambda w: {"token": token or w.invitation.token})


def personal_settings_url():
    return Url("personal_settings", lambda w: {})


def notification_settings_url():
    return Url("notification_settings", lambda w: {})


def own_url(name):
    """A page of the logged-in person's own, outside any movement."""
    return Url(name, lambda w: {})


EVERY_PERSON = {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 200)
EVERY_PERSON_ACTS = {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 302)


def unsubscribe_url(token=None):
    """mo's link that stops e-mails about role changes; ``token``: a link that is not one."""

    def fill(w):
        kinds = [movement_services.NotificationKind.ROLE_CHANGED]
        return {"token": token or movement_services.unsubscribe_token(user=w.mo.user, kinds=kinds)}

    return Url("notification_unsubscribe", fill)


def commons_url(name, slug="tidewater", **objects):
    """``objects`` maps a URL keyword to a world object's path (``None``: an id nothing has)."""
    return url(f"commons:{name}", slug, **{keyword: pk(path) for keyword, path in objects.items()})


def pool_url(name, pool="commons.bail_fund", slug="tidewater"):
    return commons_url(name, slug, pool_id=pool)


def reverse_url(pool="commons.bail_fund", entry="commons.bail_entry", slug="tidewater"):
    return commons_url("entry_reverse", slug, pool_id=pool, entry_id=entry)


def draw_url(name, draw="draws.pending", slug="tidewater"):
    return commons_url(name, slug, draw_id=draw)


def archive_url(name, entry="commons.archive_entry", slug="tidewater"):
    return commons_url(name, slug, entry_id=entry)


def gathering_url(name, gathering="gatherings.scheduled", slug="tidewater", **arguments):
    """A URL of one gathering, named by its path in the world (``None``: an id nothing has)."""
    return url(f"rituals:{name}", slug, gathering_id=pk(gathering), **arguments)


def action_url(action, gathering="gatherings.live", slug="tidewater"):
    return gathering_url("facilitate_action", gathering, slug, action=action)


def report_url(gathering="gatherings.scheduled", circle_slug="street-medics", slug="tidewater"):
    return gathering_url("report", gathering, slug, circle_slug=circle_slug)


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


NEW_POOL = {
    "name": "Time Bank",
    "kind": "hours",
    "purpose": "Hours of childcare, driving and cooking, given and taken.",
    "instant_limit": "4",
    "approvals_required": "2",
}
CONTRIBUTION = {"amount": "25.00", "note": "Bake sale"}
SMALL_DRAW = {"amount": "30.00", "purpose": "Train tickets to the hearing."}
REVERSAL = {"reason": "Entered against the wrong pool."}
NEW_ARCHIVE_ENTRY = {
    "title": "Phone trees that work",
    "body": "Keep each branch to five people.",
    "tags": "outreach, phone tree",
    "lens": "voluntarist",
}


def approve_for_medics(w):
    # cora and alice both sit in Street Medics, which is not the requester's circle.
    return {"decision": "approve", "circle": w.medics.pk, "comment": ""}


def edited_archive_entry(w):
    return {
        "title": "Running a court-support table",
        "body": "Bring water, a list of lawyers, snacks and a charger.",
        "tags": "court support, bail, jail support",
        "lens": "",
        "circle": w.commons.kitchen.pk,
    }


def elsewhere_edit(w):
    return edited_archive_entry(w) | {"circle": ""}


RHYTHM_DATA = {
    "time_zone": "Europe/Paris",
    "kind": "lunar",
    "moon_phase": "full",
    "local_time": "19:00",
    "duration_minutes": "90",
    "report_days_before": "2",
}
RSVP = {"answer": "yes"}
REPORT = {
    "did": "Staffed three actions.",
    "lessons": "Bring more water.",
    "needs": "Gauze from the tool pool.",
    "intention": "Train two new medics.",
    "tactics": "first aid, training",
}


def moved_an_hour_later(gathering="gatherings.scheduled"):
    """The gathering's edit form, moved an hour later, in the movement's wall-clock time."""

    def data(w):
        moved = attrgetter(gathering)(w)
        zone = moved.movement.zone
        starts_at = (moved.starts_at + timedelta(hours=1)).astimezone(zone)
        return {
            "starts_at": f"{starts_at:%Y-%m-%dT%H:%M}",
            "ends_at": f"{starts_at + timedelta(hours=2):%Y-%m-%dT%H:%M}",
            "place": "Harbor hall",
        }

    return data


def on_item(item, **more):
    """A facilitator action's data: the live gathering's agenda item, and more fields."""
    return lambda w: {"item": getattr(w.gatherings, item).pk, **more}


def with_draws(w):
    # A page that lists or sums draw requests, shown with some to list.
    return w.draws


def with_gatherings(w):
    # The convergence page with gatherings held, live and planned, not an empty one.
    return w.gatherings


def scheduled_begins_soon(w):
    _begins_soon(w, w.gatherings.scheduled)


def scheduled_started_by_mistake(w):
    # Started, with nothing recorded yet: it can still be put back to planned.
    facilitation.start_gathering(by=w.alice, gathering=_begins_soon(w, w.gatherings.scheduled))


def fay_sits_in_medics(w):
    CircleMembershipFactory(circle=w.medics, member=w.fay, is_convener=False)


def medics_archived(w):
    circle_services.archive_circle(by=w.alice, circle=w.medics)


# --- the table --------------------------------------------------------------------


@dataclass(frozen=True)
class Row:
    name: str
    method: str
    url: Url
    expected: dict
    reason: str = ""  # the plain reason a 403 must show
    data: dict | Callable[[World], dict] = field(default_factory=dict)
    setup: Callable[[World], object] | None = None


# movement
ORGANIZERS_INVITE = "Only organizers can invite people."
ORGANIZERS_AUDIT = "Only organizers read the audit trail."
ORGANIZERS_REVOKE = "Only organizers can revoke invitations."
ORGANIZERS_ROLES = "Only organizers can change roles."
ORGANIZERS_REMOVE = "Only organizers can remove members, and not themselves: use Leave instead."
# circles
CONVENERS_EDIT = "Only this circle's conveners can edit it."
CONVENERS_NAME = "Only this circle's conveners (or an organizer) can name conveners."
ORGANIZERS_ARCHIVE = "Only organizers can archive a circle."
ALREADY_IN = "You cannot join this circle."
NOT_IN = "You are not in this circle."
# commons
ORGANIZERS_OPEN_POOLS = "Only organizers can open pools."
ORGANIZERS_POLICY = "Only organizers change a pool's policy."
ORGANIZERS_REVERSE = "Only organizers reverse entries, and each entry only once."
OTHER_CIRCLES_DECIDE = "Only members of other circles decide, once, while the request waits."
REQUESTER_WITHDRAWS = "Only the requester can withdraw an open request."
AUTHOR_OR_ORGANIZER_EDITS = "Only its author or an organizer can edit this entry."
# rituals
RHYTHM = "Only organizers set the rhythm."
ORGANIZERS_EDIT_GATHERING = "Only organizers change a gathering, before it starts."
FACILITATORS = "Only this gathering's facilitators (or an organizer) run it, while it is open."
CONVENERS_REPORT = "Only this circle's conveners report for it, until the gathering closes."

# With nobody named, organizers and members with the facilitator role run a gathering.
FACILITATE = allow("fay", "alice")
FACILITATOR_ACTS = allow("fay", "alice", ok=302)

MOVEMENT_ROWS = [
    Row("movement-home", "GET", movement_url("home"), ANY_MEMBER),
    Row("members", "GET", movement_url("members"), ANY_MEMBER),
    Row("member-suggest", "GET", movement_url("member_suggest"), ANY_MEMBER),
    Row("audit", "GET", movement_url("audit"), allow("alice"), ORGANIZERS_AUDIT),
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
    # things that are not there: a missing movement, member or invitation
    Row(
        "missing-movement", "GET", movement_url("home", slug="no-such-movement"), NOT_FOUND_FOR_ALL
    ),
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
    # invitation links: whoever holds one sees who invites them to what (and may join once
    # logged in); members are sent to the movement
    Row(
        "join",
        "GET",
        join_url(),
        {"anonymous": 200, "nina": 200, "otto": 200} | dict.fromkeys(MEMBERS, 302),
    ),
    Row(
        "join",
        "POST",
        join_url(),
        {"anonymous": LOGIN, "nina": 302, "otto": 302} | dict.fromkeys(MEMBERS, 302),
    ),
    Row("join-unknown-token", "GET", join_url("no-such-token"), allow(others=404) | NOT_FOUND),
    Row("join-unknown-token", "POST", join_url("no-such-token"), allow(others=404) | NOT_FOUND),
    # outside any movement: each person's own notification settings, and the unsubscribe
    # link of an e-mail, whose signed token is its only key (no log-in, no CSRF token)
    Row(
        "personal-settings",
        "GET",
        personal_settings_url(),
        {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 200),
    ),
    Row(
        "personal-settings",
        "POST",
        personal_settings_url(),
        {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 302),
        data=lambda w: {"display_name": "Renamed", "time_zone": "Europe/Lisbon"},
    ),
    Row(
        "notification-settings",
        "GET",
        notification_settings_url(),
        {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 200),
    ),
    Row(
        "notification-settings",
        "POST",
        notification_settings_url(),
        {"anonymous": LOGIN} | dict.fromkeys((*OUTSIDERS, *MEMBERS), 302),
        data=lambda w: dict.fromkeys(movement_services.NOTIFICATION_KINDS, "daily_digest"),
    ),
    Row("notification-unsubscribe", "GET", unsubscribe_url(), dict.fromkeys(CALLERS, 200)),
    Row("notification-unsubscribe", "POST", unsubscribe_url(), dict.fromkeys(CALLERS, 200)),
    Row(
        "notification-unsubscribe-damaged",
        "POST",
        unsubscribe_url("not-a-signed-token"),
        dict.fromkeys(CALLERS, 400),
    ),
    # each person's own data: theirs to gather and download (a link only its owner
    # opens), and their account to delete (a wrong address deletes nothing)
    Row("data-export", "GET", own_url("data_export"), EVERY_PERSON),
    Row("data-export", "POST", own_url("data_export"), EVERY_PERSON_ACTS),
    Row(
        "data-export-file",
        "GET",
        Url("data_export_file", lambda w: {"token": w.mos_export.token}),
        allow("mo", others=404),
    ),
    Row("delete-account", "GET", own_url("delete_account"), EVERY_PERSON),
    Row(
        "delete-account",
        "POST",
        own_url("delete_account"),
        EVERY_PERSON,
        data={"email": "not-my-address@example.org"},
    ),
]

CIRCLE_ROWS = [
    Row("circle-directory", "GET", directory_url("directory"), ANY_MEMBER),
    Row("circle-create", "GET", directory_url("create"), ANY_MEMBER),
    Row("circle-suggest", "GET", directory_url("suggest"), ANY_MEMBER),
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
    # a circle that is not there
    Row("missing-circle", "GET", circle_url("detail", "no-such-circle"), NOT_FOUND_FOR_ALL),
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
    # and the other way round: tidewater's circle through elsewhere's URLs (otto's own)
    Row(
        "tidewater-circle-via-elsewhere",
        "GET",
        circle_url("detail", "street-medics", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
]

# The commons' own rules: pools, the ledger, contributions, draw requests, fairness, the
# CSV and the archive are open to every member; only organizers open pools, change their
# policy and reverse entries; a draw request is decided by members of a circle other than
# the requester's (never the requester), once each, while it is pending; only the
# requester withdraws a request, while it is open; an archive entry is edited by its author
# or an organizer. An entry addressed under a pool it does not belong to is missing.
COMMONS_ROWS = [
    # pools
    Row("pools", "GET", commons_url("pools"), ANY_MEMBER),
    Row("pool-create", "GET", commons_url("pool_create"), allow("alice"), ORGANIZERS_OPEN_POOLS),
    Row(
        "pool-create",
        "POST",
        commons_url("pool_create"),
        allow("alice", ok=302),
        ORGANIZERS_OPEN_POOLS,
        data=NEW_POOL,
    ),
    Row("pool", "GET", pool_url("pool"), ANY_MEMBER, setup=with_draws),
    Row("pool-edit", "GET", pool_url("pool_edit"), allow("alice"), ORGANIZERS_POLICY),
    Row(
        "pool-edit",
        "POST",
        pool_url("pool_edit"),
        allow("alice", ok=302),
        ORGANIZERS_POLICY,
        data={"purpose": "Bail and fees.", "instant_limit": "40", "approvals_required": "3"},
    ),
    Row("contribute", "GET", pool_url("contribute"), ANY_MEMBER),
    Row("contribute", "POST", pool_url("contribute"), ANY_MEMBER_ACTS, data=CONTRIBUTION),
    Row("draw-create", "GET", pool_url("draw_create"), ANY_MEMBER),
    Row("draw-create", "POST", pool_url("draw_create"), ANY_MEMBER_ACTS, data=SMALL_DRAW),
    Row("fairness", "GET", pool_url("fairness"), ANY_MEMBER, setup=with_draws),
    Row("ledger-csv", "GET", pool_url("ledger_csv"), ANY_MEMBER, setup=with_draws),
    # reversing ledger entries
    Row("entry-reverse", "GET", reverse_url(), allow("alice"), ORGANIZERS_REVERSE),
    Row(
        "entry-reverse",
        "POST",
        reverse_url(),
        allow("alice", ok=302),
        ORGANIZERS_REVERSE,
        data=REVERSAL,
    ),
    Row(
        "entry-reverse-already-reversed",
        "GET",
        reverse_url(entry="commons.reversed_entry"),
        NOBODY,
        ORGANIZERS_REVERSE,
    ),
    Row(
        "entry-reverse-already-reversed",
        "POST",
        reverse_url(entry="commons.reversed_entry"),
        NOBODY,
        ORGANIZERS_REVERSE,
        data=REVERSAL,
    ),
    # draw requests
    Row("draws", "GET", commons_url("draws"), ANY_MEMBER, setup=with_draws),
    Row("draw", "GET", draw_url("draw"), ANY_MEMBER),
    Row(
        "draw-decide",
        "POST",
        draw_url("draw_decide"),
        allow("cora", "alice", ok=302),
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row("draw-decide", "GET", draw_url("draw_decide"), WRONG_METHOD),
    Row(
        "draw-decide-already-decided",
        "POST",
        draw_url("draw_decide", "draws.alice_decided"),
        allow("cora", ok=302),
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        "draw-decide-settled",
        "POST",
        draw_url("draw_decide", "draws.granted"),
        NOBODY,
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        # approved and waiting for funds: no longer pending, though cora never decided
        "draw-decide-approved",
        "POST",
        draw_url("draw_decide", "draws.approved"),
        NOBODY,
        OTHER_CIRCLES_DECIDE,
        data=approve_for_medics,
    ),
    Row(
        "draw-withdraw",
        "POST",
        draw_url("draw_withdraw"),
        allow("mo", ok=302),
        REQUESTER_WITHDRAWS,
    ),
    Row("draw-withdraw", "GET", draw_url("draw_withdraw"), WRONG_METHOD),
    Row(
        # still open while it waits for funds
        "draw-withdraw-approved",
        "POST",
        draw_url("draw_withdraw", "draws.approved"),
        allow("mo", ok=302),
        REQUESTER_WITHDRAWS,
    ),
    Row(
        "draw-withdraw-settled",
        "POST",
        draw_url("draw_withdraw", "draws.granted"),
        NOBODY,
        REQUESTER_WITHDRAWS,
    ),
    # the knowledge archive
    Row("archive", "GET", commons_url("archive"), ANY_MEMBER),
    Row("archive-create", "GET", commons_url("archive_create"), ANY_MEMBER),
    Row(
        "archive-create",
        "POST",
        commons_url("archive_create"),
        ANY_MEMBER_ACTS,
        data=NEW_ARCHIVE_ENTRY,
    ),
    Row("archive-entry", "GET", archive_url("archive_entry"), ANY_MEMBER),
    Row(
        "archive-edit",
        "GET",
        archive_url("archive_edit"),
        allow("mo", "alice"),
        AUTHOR_OR_ORGANIZER_EDITS,
    ),
    Row(
        "archive-edit",
        "POST",
        archive_url("archive_edit"),
        allow("mo", "alice", ok=302),
        AUTHOR_OR_ORGANIZER_EDITS,
        data=edited_archive_entry,
    ),
    # things that are not there
    Row("pool-missing", "GET", pool_url("pool", None), NOT_FOUND_FOR_ALL),
    Row(
        "contribute-missing",
        "POST",
        pool_url("contribute", None),
        NOT_FOUND_FOR_ALL,
        data=CONTRIBUTION,
    ),
    Row("entry-reverse-missing", "GET", reverse_url(entry=None), NOT_FOUND_FOR_ALL),
    Row("draw-missing", "GET", draw_url("draw", None), NOT_FOUND_FOR_ALL),
    Row(
        "draw-decide-missing",
        "POST",
        draw_url("draw_decide", None),
        NOT_FOUND_FOR_ALL,
        data=approve_for_medics,
    ),
    Row("draw-withdraw-missing", "POST", draw_url("draw_withdraw", None), NOT_FOUND_FOR_ALL),
    Row("archive-entry-missing", "GET", archive_url("archive_entry", None), NOT_FOUND_FOR_ALL),
    Row(
        "archive-edit-missing",
        "POST",
        archive_url("archive_edit", None),
        NOT_FOUND_FOR_ALL,
        data=NEW_ARCHIVE_ENTRY,
    ),
    # an entry addressed under another pool of the same movement
    Row(
        "entry-reverse-under-another-pool",
        "GET",
        reverse_url(pool="commons.bail_fund", entry="commons.tent_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-under-another-pool",
        "POST",
        reverse_url(pool="commons.bail_fund", entry="commons.tent_entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    # objects of elsewhere addressed through tidewater's URLs look exactly like missing ones
    Row("pool-of-elsewhere", "GET", pool_url("pool", "elsewhere_commons.pool"), NOT_FOUND_FOR_ALL),
    Row(
        "pool-edit-of-elsewhere",
        "POST",
        pool_url("pool_edit", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
        data={"purpose": "Ours now.", "instant_limit": "0", "approvals_required": "1"},
    ),
    Row(
        "contribute-of-elsewhere",
        "GET",
        pool_url("contribute", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "contribute-of-elsewhere",
        "POST",
        pool_url("contribute", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
        data=CONTRIBUTION,
    ),
    Row(
        "draw-create-of-elsewhere",
        "GET",
        pool_url("draw_create", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "draw-create-of-elsewhere",
        "POST",
        pool_url("draw_create", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
        data=SMALL_DRAW | {"amount": "5.00"},
    ),
    Row(
        "fairness-of-elsewhere",
        "GET",
        pool_url("fairness", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "ledger-csv-of-elsewhere",
        "GET",
        pool_url("ledger_csv", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-of-elsewhere",
        "GET",
        reverse_url(pool="elsewhere_commons.pool", entry="elsewhere_commons.entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-reverse-of-elsewhere",
        "POST",
        reverse_url(pool="elsewhere_commons.pool", entry="elsewhere_commons.entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row(
        "entry-of-elsewhere-under-tidewater-pool",
        "GET",
        reverse_url(pool="commons.bail_fund", entry="elsewhere_commons.entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "entry-of-elsewhere-under-tidewater-pool",
        "POST",
        reverse_url(pool="commons.bail_fund", entry="elsewhere_commons.entry"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row("draw-of-elsewhere", "GET", draw_url("draw", "elsewhere_commons.draw"), NOT_FOUND_FOR_ALL),
    Row(
        "draw-decide-of-elsewhere",
        "POST",
        draw_url("draw_decide", "elsewhere_commons.draw"),
        NOT_FOUND_FOR_ALL,
        data={"decision": "approve", "comment": ""},
    ),
    Row(
        "draw-withdraw-of-elsewhere",
        "POST",
        draw_url("draw_withdraw", "elsewhere_commons.draw"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-entry-of-elsewhere",
        "GET",
        archive_url("archive_entry", "elsewhere_commons.archive_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-edit-of-elsewhere",
        "GET",
        archive_url("archive_edit", "elsewhere_commons.archive_entry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "archive-edit-of-elsewhere",
        "POST",
        archive_url("archive_edit", "elsewhere_commons.archive_entry"),
        NOT_FOUND_FOR_ALL,
        data=elsewhere_edit,
    ),
    # and the other way round: tidewater's objects through elsewhere's URLs (otto's own)
    Row(
        "tidewater-pool-via-elsewhere",
        "GET",
        pool_url("pool", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-entry-reverse-via-elsewhere",
        "POST",
        reverse_url(slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=REVERSAL,
    ),
    Row(
        "tidewater-draw-decide-via-elsewhere",
        "POST",
        draw_url("draw_decide", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=approve_for_medics,
    ),
    Row(
        "tidewater-archive-edit-via-elsewhere",
        "POST",
        archive_url("archive_edit", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=edited_archive_entry,
    ),
]


def action_row(action, data=None, gathering="gatherings.live", setup=None):
    """One facilitator action, with data that makes it succeed. Nobody is named to run the
    gathering, so fay (facilitator role) and alice (organizer) may."""
    return Row(
        f"facilitate-action-{action}",
        "POST",
        action_url(action, gathering),
        FACILITATOR_ACTS,
        FACILITATORS,
        data=data or {},
        setup=setup,
    )


# Each action on the live gathering; the ones that come before a gathering starts act on
# the planned one.
ACTION_ROWS = [
    action_row("start", gathering="gatherings.scheduled", setup=scheduled_begins_soon),
    action_row("unstart", gathering="gatherings.scheduled", setup=scheduled_started_by_mistake),
    action_row("build_agenda", gathering="gatherings.scheduled"),
    action_row(
        "add_item", {"title": "Next sprint pairings", "minutes": "15"}, "gatherings.scheduled"
    ),
    action_row("up", on_item("pairings")),
    action_row("down", on_item("opening")),
    action_row("start_item", on_item("pairings")),
    action_row("extend_item", on_item("opening", minutes="5")),
    action_row("end_item", on_item("opening")),
    action_row("notes", on_item("opening", notes="Everyone said their name and pronouns.")),
    action_row("decision", {"text": "Medics get gauze from the bail fund."}),
    action_row("commitment", lambda w: {"circle": w.medics.name, "text": "Train two medics."}),
    action_row("close", {"confirm": "yes"}),
]

# Gatherings: last month's (closed), the live one, the next (scheduled, nobody named to
# facilitate) and the one after (mo named to facilitate). Every member sees and answers
# them; only organizers set the rhythm and change a gathering that has not started;
# organizers and named facilitators facilitate (with nobody named, members with the
# facilitator role may) while it is open; only a circle's conveners report for it, until
# the gathering closes.
RITUALS_ROWS = [
    Row("convergence", "GET", url("rituals:convergence"), ANY_MEMBER, setup=with_gatherings),
    Row("rhythm", "GET", url("rituals:rhythm"), allow("alice"), RHYTHM),
    Row(
        "rhythm",
        "POST",
        url("rituals:rhythm"),
        allow("alice", ok=302),
        RHYTHM,
        data=RHYTHM_DATA,
    ),
    # the gathering page, its answer (RSVP), calendar file and live panel
    Row("gathering", "GET", gathering_url("gathering"), ANY_MEMBER),
    Row("gathering", "POST", gathering_url("gathering"), ANY_MEMBER_ACTS, data=RSVP),
    Row("gathering-closed", "GET", gathering_url("gathering", "gatherings.closed"), ANY_MEMBER),
    Row("gathering-ics", "GET", gathering_url("gathering_ics"), ANY_MEMBER),
    Row("live", "GET", gathering_url("live", "gatherings.live"), ANY_MEMBER),
    # changing a gathering: organizers, before it starts
    Row(
        "gathering-edit",
        "GET",
        gathering_url("gathering_edit"),
        allow("alice"),
        ORGANIZERS_EDIT_GATHERING,
    ),
    Row(
        "gathering-edit",
        "POST",
        gathering_url("gathering_edit"),
        allow("alice", ok=302),
        ORGANIZERS_EDIT_GATHERING,
        data=moved_an_hour_later(),
    ),
    Row(
        "gathering-edit-live",
        "GET",
        gathering_url("gathering_edit", "gatherings.live"),
        NOBODY,
        ORGANIZERS_EDIT_GATHERING,
    ),
    Row(
        "gathering-edit-closed",
        "POST",
        gathering_url("gathering_edit", "gatherings.closed"),
        NOBODY,
        ORGANIZERS_EDIT_GATHERING,
        data=moved_an_hour_later("gatherings.closed"),
    ),
    # facilitator mode
    Row("facilitate", "GET", gathering_url("facilitate"), FACILITATE, FACILITATORS),
    Row(
        # mo is named: he runs it, and fay's role no longer lets her
        "facilitate-named",
        "GET",
        gathering_url("facilitate", "gatherings.named"),
        allow("mo", "alice"),
        FACILITATORS,
    ),
    Row(
        "facilitate-closed",
        "GET",
        gathering_url("facilitate", "gatherings.closed"),
        NOBODY,
        FACILITATORS,
    ),
    *ACTION_ROWS,
    Row(
        # closing publishes the minutes to everyone: the first post asks to confirm
        "facilitate-action-close-asks",
        "POST",
        action_url("close"),
        FACILITATE,
        FACILITATORS,
    ),
    Row(
        "facilitate-action-named",
        "POST",
        action_url("add_item", "gatherings.named"),
        allow("mo", "alice", ok=302),
        FACILITATORS,
        data={"title": "Welcome the new circles", "minutes": "10"},
    ),
    Row(
        "facilitate-action-closed",
        "POST",
        action_url("decision", "gatherings.closed"),
        NOBODY,
        FACILITATORS,
        data={"text": "Too late."},
    ),
    Row(
        # the gathering is checked first: a member who may not run it learns nothing more
        "facilitate-action-unknown",
        "POST",
        action_url("no-such-action"),
        allow("fay", "alice", ok=404),
        FACILITATORS,
    ),
    Row("facilitate-action", "GET", action_url("start", "gatherings.scheduled"), WRONG_METHOD),
    # circle reports: the circle's conveners, until the gathering closes
    # fay sits in Street Medics but does not convene it: she may not report for it
    Row("report", "GET", report_url(), allow("cora"), CONVENERS_REPORT, setup=fay_sits_in_medics),
    Row(
        "report",
        "POST",
        report_url(),
        allow("cora", ok=302),
        CONVENERS_REPORT,
        data=REPORT,
        setup=fay_sits_in_medics,
    ),
    Row(
        "report-live",
        "POST",
        report_url("gatherings.live"),
        allow("cora", ok=302),
        CONVENERS_REPORT,
        data=REPORT,
    ),
    Row("report-closed", "GET", report_url("gatherings.closed"), NOBODY, CONVENERS_REPORT),
    Row(
        "report-closed",
        "POST",
        report_url("gatherings.closed"),
        NOBODY,
        CONVENERS_REPORT,
        data=REPORT,
    ),
    Row(
        "report-archived-circle",
        "POST",
        report_url(),
        NOBODY,
        CONVENERS_REPORT,
        data=REPORT,
        setup=medics_archived,
    ),
    # things that are not there
    Row("gathering-missing", "GET", gathering_url("gathering", None), NOT_FOUND_FOR_ALL),
    Row(
        "gathering-missing", "POST", gathering_url("gathering", None), NOT_FOUND_FOR_ALL, data=RSVP
    ),
    Row("gathering-ics-missing", "GET", gathering_url("gathering_ics", None), NOT_FOUND_FOR_ALL),
    Row("live-missing", "GET", gathering_url("live", None), NOT_FOUND_FOR_ALL),
    Row(
        "gathering-edit-missing",
        "POST",
        gathering_url("gathering_edit", None),
        NOT_FOUND_FOR_ALL,
        data={"starts_at": "2030-01-05T18:00", "ends_at": "2030-01-05T20:00"},
    ),
    Row("facilitate-missing", "GET", gathering_url("facilitate", None), NOT_FOUND_FOR_ALL),
    Row("facilitate-action-missing", "POST", action_url("start", None), NOT_FOUND_FOR_ALL),
    Row("report-missing-gathering", "GET", report_url(None), NOT_FOUND_FOR_ALL),
    Row(
        "report-missing-circle", "GET", report_url(circle_slug="no-such-circle"), NOT_FOUND_FOR_ALL
    ),
    # objects of elsewhere addressed through tidewater's URLs look exactly like missing ones
    Row(
        "gathering-of-elsewhere",
        "GET",
        gathering_url("gathering", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "gathering-of-elsewhere",
        "POST",
        gathering_url("gathering", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
        data=RSVP,
    ),
    Row(
        "gathering-ics-of-elsewhere",
        "GET",
        gathering_url("gathering_ics", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "live-of-elsewhere",
        "GET",
        gathering_url("live", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "gathering-edit-of-elsewhere",
        "GET",
        gathering_url("gathering_edit", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "gathering-edit-of-elsewhere",
        "POST",
        gathering_url("gathering_edit", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
        data=moved_an_hour_later("elsewhere_gathering"),
    ),
    Row(
        "facilitate-of-elsewhere",
        "GET",
        gathering_url("facilitate", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "facilitate-action-of-elsewhere",
        "POST",
        action_url("start", "elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "report-gathering-of-elsewhere",
        "POST",
        report_url("elsewhere_gathering"),
        NOT_FOUND_FOR_ALL,
        data=REPORT,
    ),
    Row(
        "report-circle-of-elsewhere",
        "GET",
        report_url(circle_slug="night-pantry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "report-circle-of-elsewhere",
        "POST",
        report_url(circle_slug="night-pantry"),
        NOT_FOUND_FOR_ALL,
        data=REPORT,
    ),
    # and the other way round: tidewater's gathering through elsewhere's URLs (otto's own)
    Row(
        "tidewater-gathering-via-elsewhere",
        "GET",
        gathering_url("gathering", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-gathering-edit-via-elsewhere",
        "POST",
        gathering_url("gathering_edit", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=moved_an_hour_later(),
    ),
    Row(
        "tidewater-facilitate-action-via-elsewhere",
        "POST",
        action_url("start", "gatherings.scheduled", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
]

# Integration sprints: a round open to circles, one proposed, one launched (each built only
# by the rows that ask for it: a movement runs one round at a time). Every member reads
# them; only facilitators and organizers open, propose, swap, launch and cancel; only a
# circle's conveners opt it in or out, while it is active.


class SprintWorld:
    """Tidewater's sprint rounds, each built the first time a row asks for it. Circles:
    Street Medics (cora convenes), Tenants Union (mo), Print Shop (alice), Food Not Bombs
    (pat)."""

    def __init__(self, world):
        self.w = world

    @cached_property
    def circles(self):
        w = self.w
        circles = [w.medics]
        for name, slug, convener in (
            ("Tenants Union", "tenants-union", w.mo),
            ("Print Shop", "print-shop", w.alice),
            ("Food Not Bombs", "food-not-bombs", w.pat),
        ):
            circle = CircleFactory(movement=w.tidewater, name=name, slug=slug)
            CircleMembershipFactory(circle=circle, member=convener, is_convener=True)
            circles.append(circle)
        return circles

    def _opened(self, *circles):
        w = self.w
        conveners = {w.medics.pk: w.cora}
        sprint_round = sprint_services.open_round(
            by=w.fay, deadline=timezone.now() + timedelta(days=7)
        )
        for circle in circles:
            convener = conveners.get(circle.pk) or circle.circle_memberships.get().member
            sprint_services.opt_in(by=convener, round=sprint_round, circle=circle)
        return sprint_round

    @cached_property
    def open(self):
        """Tenants Union and Print Shop are in; Street Medics not yet."""
        return self._opened(*self.circles[1:3])

    @cached_property
    def proposed(self):
        """All four circles in, two pairs proposed."""
        sprint_round = self._opened(*self.circles)
        sprint_services.propose(by=self.w.fay, round=sprint_round)
        sprint_round.refresh_from_db()
        return sprint_round

    @cached_property
    def launched(self):
        sprint_round = self.proposed
        sprint_services.launch(by=self.w.fay, round=sprint_round)
        sprint_round.refresh_from_db()
        return sprint_round

    @cached_property
    def sprint(self):
        return Sprint.objects.filter(round=self.launched).first()

    @cached_property
    def elsewhere(self):
        """Elsewhere's launched round: Night Pantry with Rent Clinic (otto convenes both)."""
        w = self.w
        clinic = CircleFactory(movement=w.elsewhere, name="Rent Clinic", slug="rent-clinic")
        CircleMembershipFactory(circle=clinic, member=w.otto, is_convener=True)
        sprint_round = sprint_services.open_round(
            by=w.otto, deadline=timezone.now() + timedelta(days=7)
        )
        for circle in (w.night_pantry, clinic):
            sprint_services.opt_in(by=w.otto, round=sprint_round, circle=circle)
        sprint_services.propose(by=w.otto, round=sprint_round)
        sprint_services.launch(by=w.otto, round=sprint_round)
        return sprint_round

    @cached_property
    def elsewhere_sprint(self):
        return Sprint.objects.get(round=self.elsewhere)

    @cached_property
    def paired(self):
        """A running sprint of Street Medics (cora) and Tenants Union (mo) alone: its own
        round, so who takes part is known (the launched round's pairs are drawn by lot)."""
        w = self.w
        medics, tenants = self.circles[:2]
        sprint_round = sprint_services.open_round(
            by=w.fay, deadline=timezone.now() + timedelta(days=7)
        )
        for circle, convener in ((medics, w.cora), (tenants, w.mo)):
            sprint_services.opt_in(by=convener, round=sprint_round, circle=circle)
        sprint_services.propose(by=w.fay, round=sprint_round)
        return sprint_services.launch(by=w.fay, round=sprint_round)[0]


def round_url(name, sprint_round="sprints.open", slug="tidewater", **arguments):
    return url(f"rituals:{name}", slug, round_id=pk(sprint_round), **arguments)


def opt_url(name, sprint_round="sprints.open", circle_slug="street-medics", slug="tidewater"):
    return round_url(name, sprint_round, slug, circle_slug=circle_slug)


def sprint_url(sprint="sprints.sprint", slug="tidewater"):
    return url("rituals:sprint", slug, sprint_id=pk(sprint))


def new_round(w):
    deadline = (timezone.now() + timedelta(days=7)).astimezone(w.tidewater.zone)
    return {"deadline": f"{deadline:%Y-%m-%dT%H:%M}", "sprint_hours": "72"}


def swap_medics_across(w):
    """Street Medics with a circle of the other proposed sprint."""
    rows = list(RoundCircle.objects.filter(round=w.sprints.proposed).select_related("circle"))
    group = next(row.group for row in rows if row.circle_id == w.medics.pk)
    other = next(row.circle for row in rows if row.group != group)
    return {"a": w.medics.name, "b": other.name}


def medics_opted_in(w):
    sprint_services.opt_in(by=w.cora, round=w.sprints.open, circle=w.medics)


def with_launched_round(w):
    return w.sprints.launched


SPRINT_RUNNERS = "Only facilitators and organizers run sprint rounds."
CONVENERS_ANSWER = "Only this circle's conveners answer for it."
RUN_ROUNDS = allow("fay", "alice")
RUNNER_ACTS = allow("fay", "alice", ok=302)

SPRINT_ROWS = [
    Row("sprints", "GET", url("rituals:sprints"), ANY_MEMBER, setup=with_launched_round),
    # The constellation graph (a roof page), with the launched sprints' ligaments drawn.
    Row("constellation-graph", "GET", movement_url("graph"), ANY_MEMBER, setup=with_launched_round),
    Row("round-open", "GET", url("rituals:round_open"), RUN_ROUNDS, SPRINT_RUNNERS),
    Row(
        "round-open",
        "POST",
        url("rituals:round_open"),
        RUNNER_ACTS,
        SPRINT_RUNNERS,
        data=new_round,
    ),
    Row("sprint-round", "GET", round_url("sprint_round"), ANY_MEMBER),
    Row("sprint-round-proposed", "GET", round_url("sprint_round", "sprints.proposed"), ANY_MEMBER),
    Row("sprint-round-launched", "GET", round_url("sprint_round", "sprints.launched"), ANY_MEMBER),
    # conveners answer for their circle
    Row("round-opt-in", "POST", opt_url("round_opt_in"), allow("cora", ok=302), CONVENERS_ANSWER),
    Row("round-opt-in", "GET", opt_url("round_opt_in"), WRONG_METHOD),
    Row(
        "round-opt-in-archived-circle",
        "POST",
        opt_url("round_opt_in"),
        NOBODY,
        CONVENERS_ANSWER,
        setup=medics_archived,
    ),
    Row(
        "round-opt-out",
        "POST",
        opt_url("round_opt_out"),
        allow("cora", ok=302),
        CONVENERS_ANSWER,
        setup=medics_opted_in,
    ),
    Row("round-opt-out", "GET", opt_url("round_opt_out"), WRONG_METHOD),
    # facilitators and organizers run the round
    Row("round-propose", "POST", round_url("round_propose"), RUNNER_ACTS, SPRINT_RUNNERS),
    Row("round-propose", "GET", round_url("round_propose"), WRONG_METHOD),
    Row(
        "round-swap", "GET", round_url("round_swap", "sprints.proposed"), RUN_ROUNDS, SPRINT_RUNNERS
    ),
    Row(
        "round-swap",
        "POST",
        round_url("round_swap", "sprints.proposed"),
        RUNNER_ACTS,
        SPRINT_RUNNERS,
        data=swap_medics_across,
    ),
    Row(
        "round-launch",
        "POST",
        round_url("round_launch", "sprints.proposed"),
        RUNNER_ACTS,
        SPRINT_RUNNERS,
    ),
    Row("round-launch", "GET", round_url("round_launch", "sprints.proposed"), WRONG_METHOD),
    Row("round-cancel", "POST", round_url("round_cancel"), RUNNER_ACTS, SPRINT_RUNNERS),
    Row("round-cancel", "GET", round_url("round_cancel"), WRONG_METHOD),
    Row("sprint", "GET", sprint_url(), ANY_MEMBER),
    # things that are not there
    Row("sprint-round-missing", "GET", round_url("sprint_round", None), NOT_FOUND_FOR_ALL),
    Row("round-launch-missing", "POST", round_url("round_launch", None), NOT_FOUND_FOR_ALL),
    Row(
        "round-opt-in-missing-circle",
        "POST",
        opt_url("round_opt_in", circle_slug="no-such-circle"),
        NOT_FOUND_FOR_ALL,
    ),
    Row("sprint-missing", "GET", sprint_url(None), NOT_FOUND_FOR_ALL),
    # objects of elsewhere addressed through tidewater's URLs look exactly like missing ones
    Row(
        "sprint-round-of-elsewhere",
        "GET",
        round_url("sprint_round", "sprints.elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "round-swap-of-elsewhere",
        "GET",
        round_url("round_swap", "sprints.elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "round-cancel-of-elsewhere",
        "POST",
        round_url("round_cancel", "sprints.elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "round-opt-in-round-of-elsewhere",
        "POST",
        opt_url("round_opt_in", "sprints.elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "round-opt-in-circle-of-elsewhere",
        "POST",
        opt_url("round_opt_in", circle_slug="night-pantry"),
        NOT_FOUND_FOR_ALL,
    ),
    Row("sprint-of-elsewhere", "GET", sprint_url("sprints.elsewhere_sprint"), NOT_FOUND_FOR_ALL),
    # and the other way round: tidewater's through elsewhere's URLs (otto's own)
    Row(
        "tidewater-sprint-round-via-elsewhere",
        "GET",
        round_url("sprint_round", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-round-launch-via-elsewhere",
        "POST",
        round_url("round_launch", "sprints.proposed", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row("tidewater-sprint-via-elsewhere", "GET", sprint_url(slug="elsewhere"), NOT_FOUND_FOR_ALL),
]

# The open log and the sprint's draws: every member reads them; only members of the paired
# circles (cora and mo) write the log and link draws; the frictions report is for everyone.


def paired_url(name, sprint="sprints.paired", slug="tidewater"):
    return url(f"rituals:{name}", slug, sprint_id=pk(sprint))


LOG_ENTRY = {"kind": "friction", "category": "tempo", "text": "Replies took a day."}
LOG_WRITERS = "Only members of the sprint's circles write in its log."
DRAW_LINKERS = "Only members of the sprint's circles link its draws."
SPRINT_BOOKERS = "Only members of the sprint's circles book for it."


def a_slot_in_the_sprint(w):
    sprint = w.sprints.paired
    hall = commons_services.add_resource(
        by=w.alice, name=f"Sprint hall {Resource.objects.count()}", description="x"
    )
    start = timezone.localtime(sprint.starts_at + timedelta(hours=1), w.tidewater.zone)
    return {
        "resource": hall.pk,
        "starts_at": start.strftime("%Y-%m-%dT%H:%M"),
        "ends_at": (start + timedelta(hours=10)).strftime("%Y-%m-%dT%H:%M"),
    }


PAIRED = allow("cora", "mo")
PAIRED_ACT = allow("cora", "mo", ok=302)


def mo_drew_bus_fares(w):
    """A draw mo asked for (granted at once) from a fund of Tidewater's own, ready to link."""
    fund = commons_services.create_pool(
        by=w.alice,
        name="Print Fund",
        kind=Pool.Kind.MONEY,
        currency="EUR",
        purpose="Paper and ink.",
        instant_limit=Decimal("50"),
        approvals_required=1,
    )
    commons_services.contribute(by=w.alice, pool=fund, amount=Decimal("100"))
    draw = commons_services.request_draw(
        by=w.mo, pool=fund, amount=Decimal("20"), purpose="Bus fares."
    )
    return {"draw": str(draw.pk)}


def elsewheres_draw(w):
    w.sprints.paired  # noqa: B018 (built before the footprint is taken)
    return {"draw": str(w.elsewhere_commons.draw.pk)}


SPRINT_LOG_ROWS = [
    Row("sprint-log", "GET", paired_url("sprint_log"), PAIRED, LOG_WRITERS),
    Row("sprint-log", "POST", paired_url("sprint_log"), PAIRED_ACT, LOG_WRITERS, data=LOG_ENTRY),
    Row("sprint-draw-link", "GET", paired_url("sprint_draw_link"), PAIRED, DRAW_LINKERS),
    Row(
        "sprint-draw-link",
        "POST",
        paired_url("sprint_draw_link"),
        PAIRED_ACT,
        DRAW_LINKERS,
        data=mo_drew_bus_fares,
    ),
    Row("sprint-book", "GET", paired_url("sprint_book"), PAIRED, SPRINT_BOOKERS),
    Row(
        "sprint-book",
        "POST",
        paired_url("sprint_book"),
        PAIRED_ACT,
        SPRINT_BOOKERS,
        data=a_slot_in_the_sprint,
    ),
    Row(
        "sprint-book-of-elsewhere",
        "GET",
        paired_url("sprint_book", "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
    ),
    Row("sprint-paired", "GET", paired_url("sprint"), ANY_MEMBER),
    Row("frictions", "GET", url("rituals:frictions"), ANY_MEMBER),
    # things that are not there, and elsewhere's
    Row("sprint-log-missing", "POST", paired_url("sprint_log", None), NOT_FOUND_FOR_ALL),
    Row(
        "sprint-log-of-elsewhere",
        "POST",
        paired_url("sprint_log", "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
        data=LOG_ENTRY,
    ),
    Row(
        "sprint-draw-link-of-elsewhere",
        "GET",
        paired_url("sprint_draw_link", "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
    ),
    # a draw of elsewhere linked through tidewater's sprint: not found, for those who may link
    Row(
        "sprint-draw-link-draw-of-elsewhere",
        "POST",
        paired_url("sprint_draw_link"),
        allow("cora", "mo", ok=404),
        DRAW_LINKERS,
        data=elsewheres_draw,
    ),
    Row(
        "tidewater-sprint-log-via-elsewhere",
        "POST",
        paired_url("sprint_log", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
        data=LOG_ENTRY,
    ),
]

# The artifact, its files, the reflection and the closing: every member reads them and
# downloads the files; only members of the paired circles (cora and mo) publish, attach,
# remove and reflect; only facilitators and organizers close. Files are stored under a
# temporary MEDIA_ROOT for these tests.

PDF = b"%PDF-1.7\n%%EOF\n"
FORGERS = (
    "Only members of this sprint's circles write its artifact and reflection, until the "
    "sprint is closed."
)
CLOSERS = "Only facilitators and organizers close a sprint, once."
ARTIFACT = {"title": "Walls that talk", "description": "Six stencils."}


@pytest.fixture(autouse=True)
def _media_in_tmp(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def artifact_published(w):
    """The paired sprint's artifact, published by cora (once per world)."""
    if not hasattr(w, "paired_artifact"):
        w.paired_artifact = sprint_services.publish_artifact(
            by=w.cora, sprint=w.sprints.paired, **ARTIFACT
        )
    return w.paired_artifact


def pdf_attached(w):
    """A PDF attached to the paired sprint's artifact by mo (once per world)."""
    if not hasattr(w, "paired_pdf"):
        artifact_published(w)
        w.paired_pdf = sprint_services.add_artifact_file(
            by=w.mo, sprint=w.sprints.paired, upload=SimpleUploadedFile("zine.pdf", PDF)
        )
    return w.paired_pdf


def elsewheres_pdf(w):
    """A PDF of elsewhere's sprint, attached by otto (once per world)."""
    if not hasattr(w, "elsewhere_pdf"):
        sprint = w.sprints.elsewhere_sprint
        sprint_services.publish_artifact(by=w.otto, sprint=sprint, **ARTIFACT)
        w.elsewhere_pdf = sprint_services.add_artifact_file(
            by=w.otto, sprint=sprint, upload=SimpleUploadedFile("The Old Cannery.pdf", PDF)
        )
    return w.elsewhere_pdf


def file_url(name, file_of=pdf_attached, sprint="sprints.paired", slug="tidewater"):
    return url(f"rituals:{name}", slug, sprint_id=pk(sprint), file_id=lambda w: file_of(w).pk)


def a_pdf(w):
    return {"file": SimpleUploadedFile("zine.pdf", PDF)}


SPRINT_ARTIFACT_ROWS = [
    Row("artifact-edit", "GET", paired_url("artifact_edit"), PAIRED, FORGERS),
    Row("artifact-edit", "POST", paired_url("artifact_edit"), PAIRED_ACT, FORGERS, data=ARTIFACT),
    Row(
        "artifact-upload",
        "GET",
        paired_url("artifact_upload"),
        PAIRED,
        FORGERS,
        setup=artifact_published,
    ),
    Row(
        "artifact-upload",
        "POST",
        paired_url("artifact_upload"),
        PAIRED_ACT,
        FORGERS,
        data=a_pdf,
        setup=artifact_published,
    ),
    Row("artifact-file", "GET", file_url("artifact_file"), ANY_MEMBER),
    Row("artifact-file", "POST", file_url("artifact_file"), WRONG_METHOD),
    Row("artifact-file-remove", "POST", file_url("artifact_file_remove"), PAIRED_ACT, FORGERS),
    Row("artifact-file-remove", "GET", file_url("artifact_file_remove"), WRONG_METHOD),
    Row(
        "reflection-edit",
        "GET",
        paired_url("reflection_edit"),
        PAIRED,
        FORGERS,
        setup=artifact_published,
    ),
    Row(
        "reflection-edit",
        "POST",
        paired_url("reflection_edit"),
        PAIRED_ACT,
        FORGERS,
        data={"text": "Jargon got in the way."},
        setup=artifact_published,
    ),
    Row("sprint-close", "POST", paired_url("sprint_close"), RUNNER_ACTS, CLOSERS),
    Row("sprint-close", "GET", paired_url("sprint_close"), WRONG_METHOD),
    # things that are not there
    Row(
        "artifact-file-missing",
        "GET",
        file_url("artifact_file", file_of=lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "artifact-file-remove-missing",
        "POST",
        file_url("artifact_file_remove", file_of=lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
    Row("sprint-close-missing", "POST", paired_url("sprint_close", None), NOT_FOUND_FOR_ALL),
    # elsewhere's, through tidewater's URLs: missing, whoever asks
    Row(
        "artifact-file-of-elsewhere",
        "GET",
        file_url("artifact_file", elsewheres_pdf, "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "artifact-file-of-elsewhere-under-tidewater-sprint",
        "GET",
        file_url("artifact_file", elsewheres_pdf),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "artifact-edit-of-elsewhere",
        "POST",
        paired_url("artifact_edit", "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
        data=ARTIFACT,
    ),
    Row(
        "sprint-close-of-elsewhere",
        "POST",
        paired_url("sprint_close", "sprints.elsewhere_sprint"),
        NOT_FOUND_FOR_ALL,
    ),
    # and tidewater's file through elsewhere's URL (otto's own movement)
    Row(
        "tidewater-artifact-file-via-elsewhere",
        "GET",
        file_url("artifact_file", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
]


# The conflict ritual: cases are seen only by their parties, their assigned facilitators
# and the organizers. cora is a member who is none of these for tidewater's cases: she gets
# 404, exactly like a stranger to the movement.


def _conflict_cases(w):
    """Tidewater's cases between mo (who filed them) and pat, fay assigned to each, one in
    each step; and one of elsewhere's (built once per world)."""
    if hasattr(w, "conflict_cases"):
        return w.conflict_cases

    def case_between(filer, other):
        return conflicts.file_case(
            by=filer, others=[other], about="behaviour", description="The van keys", confirmed=True
        )

    def cooled(case):
        timer = Timer.objects.get(target_id=case.pk, kind=conflicts.COOLING_OFF_ENDS)
        conflicts.cooling_off_ends(timer)
        case.refresh_from_db()
        return case

    soon = timezone.now() + timedelta(days=2)
    cases = {}
    for step in ("cooling", "awaiting", "scheduled", "follow_up"):
        case = case_between(w.mo, w.pat)
        conflicts.assign_facilitator(by=w.alice, case=case, member=w.fay)
        if step != "cooling":
            cooled(case)
            conflicts.offer_times(by=w.fay, case=case, times=[soon, soon + timedelta(days=1)])
        if step in ("scheduled", "follow_up"):
            conflicts.schedule_circle(by=w.fay, case=case, option=case.options.first())
            # The day of the circle has come.
            ConflictCase.objects.filter(pk=case.pk).update(circle_at=timezone.now())
        if step == "follow_up":
            heard = [party.pk for party in case.parties.all()]
            conflicts.record_held(
                by=w.fay,
                case=case,
                heard=heard,
                agreements=["Keys back"],
                now=timezone.now() + timedelta(hours=2),
            )
            timer = Timer.objects.get(target_id=case.pk, kind=conflicts.FOLLOW_UP_DUE)
            conflicts.follow_up_due(timer)
        case.refresh_from_db()
        cases[step] = case
    someone = MembershipFactory(movement=w.elsewhere)
    cases["elsewhere"] = case_between(w.otto, someone)
    w.conflict_cases = SimpleNamespace(**cases)
    return w.conflict_cases


def case_url(name, step="cooling", slug="tidewater"):
    return url(f"rituals:{name}", slug, case_id=lambda w: getattr(_conflict_cases(w), step).pk)


# More kinds of caller for the conflict rows: pat (the other party to tidewater's cases),
# quinn (a party to another case) and frank (a facilitator assigned to none of them).
CASE_CALLERS = ("pat", "quinn", "frank")


def case_rule(**members):
    """mo (who filed) and pat are the parties, fay the facilitator, alice an organizer; cora,
    quinn and frank are none of these and get 404, like a stranger. ``pat`` is as ``mo``
    unless told."""
    members.setdefault("pat", members["mo"])
    return {
        "anonymous": LOGIN,
        "nina": 404,
        "otto": 404,
        "cora": 404,
        "quinn": 404,
        "frank": 404,
        **members,
    }


def members_too(expected, *, pat=None, quinn=None, frank=None):
    """``expected`` for the conflict pages every member reaches, with the case callers: pat
    and quinn as plain members (as mo), frank as a facilitator (as fay)."""
    return {
        **expected,
        "pat": pat or expected["mo"],
        "quinn": quinn or expected["mo"],
        "frank": frank or expected["fay"],
    }


def offered_times(w):
    options = _conflict_cases(w).awaiting.options.all()
    return {f"option_{option.pk}": "yes" for option in options}


def first_option(w):
    return {"option": _conflict_cases(w).awaiting.options.first().pk, "place": "Hall B"}


def everyone_heard(w):
    case = _conflict_cases(w).scheduled
    return {"heard": [party.pk for party in case.parties.all()], "agreements": "Keys back"}


def it_held(w):
    case = _conflict_cases(w).follow_up
    return {f"agreement_{agreement.pk}": "yes" for agreement in case.agreements.all()}


def a_new_case(w):
    return {
        "party_1": "Pat",
        "about": "strategy",
        "description": "The action was moved without asking.",
        "confirmed": "on",
    }


def a_time(w):
    when = (timezone.now() + timedelta(days=4)).astimezone(w.tidewater.zone)
    return {"time_1": f"{when:%Y-%m-%dT%H:%M}"}


ORGANIZERS_RITUAL = "Only organizers adopt the ritual."
DRILLS = "Only facilitators and organizers run practice drills."
WITHDRAWERS = "Only the person who filed a case withdraws it."
ASSIGNERS = "Only organizers assign a case's facilitator."
HOLDERS = "Only the case's assigned facilitators hold its circle."
POLLED = "Only the parties answer the availability poll."
CHECKERS = "Only the parties check in on the agreements."
RITUAL = {
    "text": "## Ours\n\nWe cool off first.",
    "cooling_off_hours": "24",
    "follow_up_days": "14",
    "retention_months": "12",
}

CONFLICT_ROWS = [
    Row(
        "conflicts",
        "GET",
        url("rituals:conflicts"),
        members_too(ANY_MEMBER),
        setup=_conflict_cases,
    ),
    Row("conflict-ritual", "GET", url("rituals:conflict_ritual"), members_too(ANY_MEMBER)),
    Row(
        "conflict-ritual-version",
        "GET",
        url("rituals:conflict_ritual_version", version=1),
        ANY_MEMBER,
        setup=_conflict_cases,
    ),
    Row(
        "conflict-ritual-version-missing",
        "GET",
        url("rituals:conflict_ritual_version", version=99),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "conflict-ritual-edit",
        "GET",
        url("rituals:conflict_ritual_edit"),
        members_too(allow("alice")),
        ORGANIZERS_RITUAL,
    ),
    Row(
        "conflict-ritual-edit",
        "POST",
        url("rituals:conflict_ritual_edit"),
        members_too(allow("alice", ok=302)),
        ORGANIZERS_RITUAL,
        data=RITUAL,
    ),
    Row("case-new", "GET", url("rituals:case_new"), members_too(ANY_MEMBER)),
    Row(
        "case-new",
        "POST",
        url("rituals:case_new"),
        members_too(ANY_MEMBER_ACTS, pat=200),  # pat would name only herself: told so
        data=a_new_case,
    ),
    Row(
        "drill-new",
        "GET",
        url("rituals:drill_new"),
        members_too(allow("fay", "alice"), frank=200),
        DRILLS,
    ),
    Row(
        "drill-new",
        "POST",
        url("rituals:drill_new"),
        members_too(allow("fay", "alice", ok=302), frank=302),
        DRILLS,
        data=a_new_case,
    ),
    Row("conflict-case", "GET", case_url("conflict_case"), case_rule(mo=200, fay=200, alice=200)),
    Row(
        "case-withdraw",
        "POST",
        case_url("case_withdraw"),
        case_rule(mo=302, pat=403, fay=403, alice=403),
        WITHDRAWERS,
    ),
    Row("case-withdraw", "GET", case_url("case_withdraw"), WRONG_METHOD, setup=_conflict_cases),
    Row(
        "case-statement",
        "POST",
        case_url("case_statement"),
        case_rule(mo=302, fay=403, alice=403),
        "Only the parties write their account.",
        data={"statement": "I moved the banner because the police asked."},
    ),
    Row(
        "case-assign",
        "POST",
        case_url("case_assign"),
        case_rule(mo=403, fay=403, alice=302),
        ASSIGNERS,
        data={"member": "Fay"},
    ),
    Row(
        "case-offer-times",
        "POST",
        case_url("case_offer_times", "awaiting"),
        case_rule(mo=403, fay=302, alice=403),
        HOLDERS,
        data=a_time,
    ),
    Row(
        "case-availability",
        "POST",
        case_url("case_availability", "awaiting"),
        case_rule(mo=302, fay=403, alice=403),
        POLLED,
        data=offered_times,
    ),
    Row(
        "case-schedule",
        "POST",
        case_url("case_schedule", "awaiting"),
        case_rule(mo=403, fay=302, alice=403),
        HOLDERS,
        data=first_option,
    ),
    Row(
        "case-reschedule",
        "POST",
        case_url("case_reschedule", "scheduled"),
        case_rule(mo=403, fay=302, alice=403),
        HOLDERS,
    ),
    Row(
        "case-held",
        "POST",
        case_url("case_held", "scheduled"),
        case_rule(mo=403, fay=302, alice=403),
        HOLDERS,
        data=everyone_heard,
    ),
    Row(
        "case-check-in",
        "POST",
        case_url("case_check_in", "follow_up"),
        case_rule(mo=302, fay=403, alice=403),
        CHECKERS,
        data=it_held,
    ),
    Row(
        "case-close",
        "POST",
        case_url("case_close", "follow_up"),
        case_rule(mo=403, fay=302, alice=403),
        HOLDERS,
        data={"outcome": "resolved"},
    ),
    # elsewhere's case through tidewater's URL, and tidewater's through elsewhere's (otto's)
    Row(
        "conflict-case-of-elsewhere",
        "GET",
        case_url("conflict_case", "elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tidewater-case-via-elsewhere",
        "GET",
        case_url("conflict_case", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "conflict-case-missing",
        "GET",
        url("rituals:conflict_case", case_id=MISSING_ID),
        NOT_FOUND_FOR_ALL,
    ),
]


# The tactics library (every member reads it, organizers edit it) and pattern decay.
ORGANIZERS_TACTICS = "Only organizers edit the tactics library."


def _tactic(w, key="strike", movement=None):
    movement = movement or w.tidewater
    movement_services.ensure_tactics(movement)
    return Tactic.objects.get(movement=movement, library_key=key)


def tactic_url(name, of=_tactic, slug="tidewater"):
    return url(f"movement:{name}", slug, tactic_id=lambda w: of(w).pk)


def elsewheres_tactic(w):
    return _tactic(w, movement=w.elsewhere)


A_TACTIC = {
    "name": "Block party",
    "lens": "subjectivist",
    "aim": "persuade",
    "description": "A street closed for a day of music and talk.",
}

LENSES = {"change": "voluntarist", "power": "voluntarist", "time": "structuralist"}
LENSES.update({"setback": "subjectivist", "victory": "voluntarist"})

TACTIC_ROWS = [
    Row("lens-map", "GET", movement_url("lens_map"), ANY_MEMBER),
    Row("lens-assessment", "GET", movement_url("lens_assessment"), ANY_MEMBER),
    Row(
        "lens-assessment",
        "POST",
        movement_url("lens_assessment"),
        ANY_MEMBER_ACTS,
        data=LENSES,
    ),
    Row("lens-assessment-forget", "POST", movement_url("lens_assessment_forget"), ANY_MEMBER_ACTS),
    Row("lens-assessment-forget", "GET", movement_url("lens_assessment_forget"), WRONG_METHOD),
    Row(
        "blind-spot-threshold",
        "POST",
        movement_url("blind_spot_threshold"),
        allow("alice", ok=302),
        "Only organizers set the blind-spot threshold.",
        data={"percent": "25"},
    ),
    Row(
        "spark-quorum",
        "POST",
        movement_url("spark_quorum"),
        allow("alice", ok=302),
        "Only organizers set how many people a spark needs.",
        data={"people": "4"},
    ),
    Row("spark-quorum", "GET", movement_url("spark_quorum"), WRONG_METHOD),
    Row(
        "movement-language",
        "GET",
        movement_url("language"),
        allow("alice"),
        "Only organizers set the movement's language.",
    ),
    Row(
        "movement-language",
        "POST",
        movement_url("language"),
        allow("alice", ok=302),
        "Only organizers set the movement's language.",
        data={"language": "fr"},
    ),
    Row(
        "blind-spot-threshold",
        "GET",
        movement_url("blind_spot_threshold"),
        WRONG_METHOD,
    ),
    Row("tactics", "GET", movement_url("tactics"), ANY_MEMBER),
    Row("patterns", "GET", movement_url("patterns"), ANY_MEMBER),
    Row("tactic-create", "GET", movement_url("tactic_create"), allow("alice"), ORGANIZERS_TACTICS),
    Row(
        "tactic-create",
        "POST",
        movement_url("tactic_create"),
        allow("alice", ok=302),
        ORGANIZERS_TACTICS,
        data=A_TACTIC,
    ),
    Row("tactic-edit", "GET", tactic_url("tactic_edit"), allow("alice"), ORGANIZERS_TACTICS),
    Row(
        "tactic-edit",
        "POST",
        tactic_url("tactic_edit"),
        allow("alice", ok=302),
        ORGANIZERS_TACTICS,
        data=A_TACTIC,
    ),
    Row(
        "tactic-archive",
        "POST",
        tactic_url("tactic_archive"),
        allow("alice", ok=302),
        ORGANIZERS_TACTICS,
    ),
    Row("tactic-archive", "GET", tactic_url("tactic_archive"), WRONG_METHOD),
    Row(
        "tactic-edit-missing",
        "GET",
        tactic_url("tactic_edit", of=lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "tactic-edit-of-elsewhere",
        "POST",
        tactic_url("tactic_edit", of=elsewheres_tactic),
        NOT_FOUND_FOR_ALL,
        data=A_TACTIC,
    ),
    Row(
        "tactic-archive-of-elsewhere",
        "POST",
        tactic_url("tactic_archive", of=elsewheres_tactic),
        NOT_FOUND_FOR_ALL,
    ),
]


# Sparks: every member posts and joins; only the author (pat here) turns one into a circle.
IGNITERS = "Only the person who posted the spark turns it into a circle."


def _spark(w, movement=None, author=None):
    """Pat's spark in tidewater, three people in already (built once per world)."""
    if movement is None and hasattr(w, "spark"):
        return w.spark
    author = author or w.pat
    spark = circle_services.post_spark(
        by=author,
        passion="A rent escrow fund",
        lens="structuralist",
        horizon="Leverage for the tenants",
    )
    if movement is None:
        for _ in range(3):
            circle_services.join_spark(by=MembershipFactory(movement=w.tidewater), spark=spark)
        w.spark = spark
    return spark


def elsewheres_spark(w):
    return _spark(w, movement=w.elsewhere, author=w.otto)


def spark_url(name, of=_spark, slug="tidewater"):
    return url(f"circles:{name}", slug, spark_id=lambda w: of(w).pk)


A_SPARK = {"passion": "A choir", "lens": "subjectivist", "horizon": "Songs of the strike"}

SPARK_ROWS = [
    Row("sparks", "GET", url("circles:sparks"), ANY_MEMBER),
    Row("sparks", "POST", url("circles:sparks"), ANY_MEMBER_ACTS, data=A_SPARK),
    Row("spark-join", "POST", spark_url("spark_join"), ANY_MEMBER_ACTS),
    Row("spark-join", "GET", spark_url("spark_join"), WRONG_METHOD),
    Row("spark-leave", "POST", spark_url("spark_leave"), ANY_MEMBER_ACTS),
    Row("spark-leave", "GET", spark_url("spark_leave"), WRONG_METHOD),
    Row("spark-ignite", "GET", spark_url("spark_ignite"), members_too(allow(), pat=200), IGNITERS),
    Row(
        "spark-ignite",
        "POST",
        spark_url("spark_ignite"),
        members_too(allow(), pat=302),
        IGNITERS,
        data={"name": "Rent Escrow"},
    ),
    Row(
        "spark-join-of-elsewhere",
        "POST",
        spark_url("spark_join", elsewheres_spark),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "spark-ignite-missing",
        "GET",
        spark_url("spark_ignite", lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
]


# Sovereignty gained: every member reads it; conveners (cora, of Street Medics) and
# organizers record. A cycle is held for the form to open.
RECORDERS = "Only conveners and organizers record sovereignty gained."


def a_held_cycle(w):
    if not hasattr(w, "held_gathering"):
        w.held_gathering = GatheringFactory(
            movement=w.tidewater,
            starts_at=timezone.now() - timedelta(days=3),
            state=Gathering.State.CLOSED,
        )
    return w.held_gathering


def a_record(w):
    return {
        "cycle": a_held_cycle(w).cycle.number,
        "circle": "Street Medics",
        "kind": "skills",
        "what": "first aid",
        "people": "12",
    }


def retro_url(name, slug="tidewater", missing=False):
    return url(
        f"movement:{name}",
        slug,
        number=lambda w: MISSING_ID if missing else a_held_cycle(w).cycle.number,
    )


SOVEREIGNTY_ROWS = [
    Row("sovereignty", "GET", url("rituals:sovereignty"), ANY_MEMBER, setup=a_held_cycle),
    Row("retrospective", "GET", retro_url("retrospective"), ANY_MEMBER),
    Row("overview", "GET", movement_url("overview"), ANY_MEMBER),
    Row("retrospective-csv", "GET", retro_url("retrospective_csv"), ANY_MEMBER),
    Row(
        "retrospective-missing", "GET", retro_url("retrospective", missing=True), NOT_FOUND_FOR_ALL
    ),
    Row(
        "retrospective-csv-via-elsewhere",
        "GET",
        retro_url("retrospective_csv", slug="elsewhere"),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "sovereignty-new",
        "GET",
        url("rituals:sovereignty_new"),
        allow("cora", "alice"),
        RECORDERS,
        setup=a_held_cycle,
    ),
    Row(
        "sovereignty-new",
        "POST",
        url("rituals:sovereignty_new"),
        allow("cora", "alice", ok=302),
        RECORDERS,
        data=a_record,
    ),
]


# Shared spaces and tools: every member books; organizers add them and cancel any booking.
ORGANIZERS_RESOURCES = "Only organizers add spaces and tools to the commons."
CANCELLERS = "Only who booked it, or an organizer, cancels a booking."


def _hall(w, movement=None, by=None):
    movement = movement or w.tidewater
    key = f"hall_{movement.pk}"
    if not hasattr(w, key):
        setattr(
            w,
            key,
            commons_services.add_resource(
                by=by or w.alice, name="Hall", description="Seats 80", max_hours=4
            ),
        )
    return getattr(w, key)


def elsewheres_hall(w):
    return _hall(w, movement=w.elsewhere, by=w.otto)


def _slot(hours=14):
    day = timezone.now() + timedelta(days=3)
    return day.replace(hour=hours, minute=0, second=0, microsecond=0)


def pats_booking(w):
    if not hasattr(w, "booking"):
        w.booking = commons_services.book(
            by=w.pat, resource=_hall(w), starts_at=_slot(), ends_at=_slot(16)
        )
    return w.booking


def a_slot(w):
    zone = w.tidewater.zone
    return {
        "starts_at": _slot(18).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
        "ends_at": _slot(20).astimezone(zone).strftime("%Y-%m-%dT%H:%M"),
    }


def elsewheres_booking(w):
    if not hasattr(w, "elsewheres_booking"):
        start = _slot(5)
        w.elsewheres_booking = commons_services.book(
            by=w.otto,
            resource=elsewheres_hall(w),
            starts_at=start,
            ends_at=start + timedelta(hours=1),
        )
    return w.elsewheres_booking


def hall_url(name="resource", of=_hall, slug="tidewater"):
    return url(f"commons:{name}", slug, resource_id=lambda w: of(w).pk)


def cancel_url(of=pats_booking, slug="tidewater"):
    return url(
        "commons:booking_cancel",
        slug,
        resource_id=lambda w: of(w).resource_id,
        booking_id=lambda w: of(w).pk,
    )


def pats_long_booking(w):
    """pat (Legal) books the hall for a whole day: it waits for another circle."""
    if not hasattr(w, "long_booking"):
        start = _slot(8) + timedelta(days=1)
        w.long_booking = commons_services.book(
            by=w.pat, resource=_hall(w), starts_at=start, ends_at=start + timedelta(hours=10)
        )
    return w.long_booking


def decide_url(of=pats_long_booking, slug="tidewater"):
    return url(
        "commons:booking_decide",
        slug,
        resource_id=lambda w: of(w).resource_id,
        booking_id=lambda w: of(w).pk,
    )


BOOKING_DECIDERS = (
    "Only members of a circle other than the booker's decide, while the booking waits."
)

RESOURCE_ROWS = [
    Row("booking-decide", "GET", decide_url(), members_too(ANY_MEMBER, pat=200)),
    Row(
        "booking-decide",
        "POST",
        decide_url(),
        members_too(allow("cora", ok=302), pat=403),  # alice sits in Legal, as pat does
        BOOKING_DECIDERS,
        data={"decision": "approve"},
    ),
    Row("booking-decide-of-elsewhere", "GET", decide_url(of=elsewheres_booking), NOT_FOUND_FOR_ALL),
    Row("resources", "GET", url("commons:resources"), ANY_MEMBER),
    Row(
        "resources",
        "POST",
        url("commons:resources"),
        allow("alice", ok=302),
        ORGANIZERS_RESOURCES,
        data={"name": "Van", "description": "Blue", "max_hours": "6"},
    ),
    Row("resource", "GET", hall_url(), ANY_MEMBER),
    Row("resource", "POST", hall_url(), ANY_MEMBER_ACTS, data=a_slot),
    Row(
        "booking-cancel",
        "POST",
        cancel_url(),
        members_too(allow("alice", ok=302), pat=302),
        CANCELLERS,
    ),
    Row("booking-cancel", "GET", cancel_url(), WRONG_METHOD, setup=pats_booking),
    Row("resource-of-elsewhere", "GET", hall_url(of=elsewheres_hall), NOT_FOUND_FOR_ALL),
    Row(
        "resource-missing",
        "GET",
        hall_url(of=lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
]

# --- pledges ------------------------------------------------------------------------------


def pats_pledge(w):
    """pat's monthly pledge to the bail fund, fallen due once: one gift waits for pat."""
    if not hasattr(w, "pledge"):
        from commons.services import pledges

        w.pledge = pledges.make_pledge(
            by=w.pat,
            pool=w.commons.bail_fund,
            amount="10",
            rhythm="monthly",
            starts_on=pledges.local_today(w.tidewater),
        )
        w.gift = pledges.pledge_falls_due(pledge_id=w.pledge.pk, due_on=w.pledge.next_due_on)
    return w.pledge


def otto_s_pledge(w):
    from commons.services import pledges

    return pledges.make_pledge(
        by=w.otto,
        pool=w.elsewhere_commons.pool,
        amount="10",
        rhythm="weekly",
        starts_on=pledges.local_today(w.elsewhere),
    )


def pledge_url(name="pledge", of=pats_pledge, slug="tidewater"):
    return url(f"commons:{name}", slug, pledge_id=lambda w: of(w).pk)


def gift_url(slug="tidewater"):
    def gift(w):
        pats_pledge(w)
        return w.gift.pk

    return url("commons:gift_answer", slug, gift_id=gift)


def a_pledge(w):
    return {
        "amount": "15",
        "currency": "EUR",
        "rhythm": "monthly",
        "starts_on": (timezone.localdate() + timedelta(days=2)).isoformat(),
    }


# --- rotating pools -----------------------------------------------------------------------


def _rotations(w):
    """Two rotating pools of tidewater, opened by alice, with alice and pat taking part:
    one forming, by need, where pat asked to go earlier; one running, round 1 open."""
    if not hasattr(w, "rotations"):
        from commons.services import rotation

        forming = rotation.open_rotation(
            by=w.alice,
            name="Forming Circle",
            currency="EUR",
            purpose="x",
            share="20",
            round_days=14,
            order="need",
        )
        running = rotation.open_rotation(
            by=w.alice,
            name="Running Circle",
            currency="EUR",
            purpose="x",
            share="20",
            round_days=14,
            order="lot",
        )
        for opened in (forming, running):
            rotation.join(by=w.alice, rotation=opened)
            rotation.join(by=w.pat, rotation=opened)
        rotation.ask_earlier(by=w.pat, rotation=forming, reason="Rent is due.")
        order = [seat.pk for seat in rotation.proposed_order(running)]
        rotation.start(by=w.alice, rotation=running, order=order)
        w.rotations = SimpleNamespace(forming=forming, running=running)
    return w.rotations


def elsewheres_rotation(w):
    from commons.services import rotation

    return rotation.open_rotation(
        by=w.otto,
        name="Their Circle",
        currency="EUR",
        purpose="x",
        share="5",
        round_days=7,
        order="lot",
    )


def rotation_url(name, which="forming", of=None, slug="tidewater", **more):
    def pool_id(w):
        return (of(w) if of else getattr(_rotations(w), which)).pool_id

    return url(f"commons:{name}", slug, pool_id=pool_id, **more)


def pats_seat(w):
    return _rotations(w).forming.seats.get(member=w.pat.user).pk


def both_placed(w):
    seats = _rotations(w).forming.seats.order_by("pk")
    return {f"place_{seat.pk}": str(place) for place, seat in enumerate(seats, 1)}


ONLY_PARTICIPANTS = "Only the pool's participants see who gave and who received."
START_REFUSED = "Only a participant who opened it, or an organizer taking part, starts the rounds."
ROTATING_ONLY = (
    "A rotating pool takes each round's shares and pays out each round's pot; nothing else."
)
PARTICIPANTS_ACT = members_too(allow("alice", ok=302, others=400), pat=302)

ROTATION_ROWS = [
    Row(
        "rotation-create",
        "GET",
        url("commons:rotation_create"),
        allow("alice"),
        ORGANIZERS_OPEN_POOLS,
    ),
    Row(
        "rotation-create",
        "POST",
        url("commons:rotation_create"),
        allow("alice", ok=302),
        ORGANIZERS_OPEN_POOLS,
        data={
            "name": "Sou-sou",
            "currency": "EUR",
            "purpose": "x",
            "share": "25",
            "round_days": "30",
            "order": "lot",
        },
    ),
    Row("rotation-pool", "GET", rotation_url("pool", "running"), ANY_MEMBER),
    Row(
        "rotation-ledger",
        "GET",
        rotation_url("ledger_csv", "running"),
        members_too(allow("alice"), pat=200),
        ONLY_PARTICIPANTS,
    ),
    Row("rotation-contribute", "GET", rotation_url("contribute", "running"), NOBODY, ROTATING_ONLY),
    Row(
        "rotation-take-part",
        "POST",
        rotation_url("rotation_take_part"),
        members_too(allow("mo", "cora", "fay", ok=302, others=400), pat=400),
        data={"action": "join"},
    ),
    Row("rotation-take-part", "GET", rotation_url("rotation_take_part"), WRONG_METHOD),
    Row(
        "rotation-earlier",
        "POST",
        rotation_url("rotation_earlier"),
        members_too(allow("alice", ok=302, others=400), pat=400),
        data={"reason": "The landlord wants it by Friday."},
    ),
    Row(
        "rotation-vote",
        "POST",
        rotation_url("rotation_vote", seat_id=pats_seat),
        members_too(allow("alice", ok=302), pat=400),
        ONLY_PARTICIPANTS,
        data={"approve": "yes"},
    ),
    Row("rotation-vote", "GET", rotation_url("rotation_vote", seat_id=pats_seat), WRONG_METHOD),
    Row("rotation-start", "GET", rotation_url("rotation_start"), allow("alice"), START_REFUSED),
    Row(
        "rotation-start",
        "POST",
        rotation_url("rotation_start"),
        allow("alice", ok=302),
        START_REFUSED,
        data=both_placed,
    ),
    Row("rotation-share", "POST", rotation_url("rotation_share", "running"), PARTICIPANTS_ACT),
    Row("rotation-share", "GET", rotation_url("rotation_share", "running"), WRONG_METHOD),
    Row(
        "rotation-of-elsewhere",
        "GET",
        rotation_url("rotation_start", of=elsewheres_rotation),
        NOT_FOUND_FOR_ALL,
    ),
    Row(
        "rotation-of-a-plain-pool",
        "GET",
        pool_url("rotation_start"),
        NOT_FOUND_FOR_ALL,
    ),
]

PATS_ALONE = members_too(NOT_FOUND_FOR_ALL, pat=200)
PAT_ACTS = members_too(NOT_FOUND_FOR_ALL, pat=302)

PLEDGE_ROWS = [
    Row("pledges", "GET", url("commons:pledges"), ANY_MEMBER),
    Row("pledge-create", "GET", pool_url("pledge_create"), ANY_MEMBER),
    Row("pledge-create", "POST", pool_url("pledge_create"), ANY_MEMBER_ACTS, data=a_pledge),
    Row(
        "pledge-create-of-elsewhere",
        "GET",
        pool_url("pledge_create", "elsewhere_commons.pool"),
        NOT_FOUND_FOR_ALL,
    ),
    Row("pledge", "GET", pledge_url(), PATS_ALONE),
    Row("pledge", "POST", pledge_url(), PAT_ACTS, data={"amount": "12", "currency": "EUR"}),
    Row("pledge-state", "POST", pledge_url("pledge_state"), PAT_ACTS, data={"action": "pause"}),
    Row("pledge-state", "GET", pledge_url("pledge_state"), WRONG_METHOD),
    Row("gift-answer", "POST", gift_url(), PAT_ACTS, data={"answer": "gave"}),
    Row("gift-answer", "GET", gift_url(), WRONG_METHOD),
    Row("pledge-of-elsewhere", "GET", pledge_url(of=otto_s_pledge), NOT_FOUND_FOR_ALL),
    Row(
        "pledge-missing",
        "GET",
        pledge_url(of=lambda w: SimpleNamespace(pk=MISSING_ID)),
        NOT_FOUND_FOR_ALL,
    ),
]

ROWS = [
    *MOVEMENT_ROWS,
    *CIRCLE_ROWS,
    *COMMONS_ROWS,
    *RITUALS_ROWS,
    *SPRINT_ROWS,
    *SPRINT_LOG_ROWS,
    *SPRINT_ARTIFACT_ROWS,
    *CONFLICT_ROWS,
    *TACTIC_ROWS,
    *SPARK_ROWS,
    *SOVEREIGNTY_ROWS,
    *RESOURCE_ROWS,
    *PLEDGE_ROWS,
    *ROTATION_ROWS,
]

CASES = [
    pytest.param(row, caller, id=f"{row.name}-{row.method}-{caller}")
    for row in ROWS
    for caller in (*CALLERS, *(who for who in CASE_CALLERS if who in row.expected))
]


# --- the runner ---------------------------------------------------------------------


def _footprint():
    """What a refused request must leave exactly as it was."""
    return (
        AuditEvent.objects.count(),
        Membership.objects.count(),
        CircleMembership.objects.filter(is_convener=True).count(),
        CircleMembership.objects.count(),
        LedgerEntry.objects.count(),
        Approval.objects.count(),
        Rsvp.objects.count(),
        list(DrawRequest.objects.order_by("pk").values_list("state", flat=True)),
        list(Gathering.objects.order_by("pk").values_list("state", "version")),
        list(SprintRound.objects.order_by("pk").values_list("state", "circle_count")),
        list(RoundCircle.objects.order_by("pk").values_list("circle", "group")),
        Sprint.objects.count(),
        list(ConflictCase.objects.order_by("pk").values_list("state", "outcome")),
        list(CaseParty.objects.order_by("pk").values_list("statement", flat=True)),
        Notification.objects.count(),
        CaseFacilitator.objects.count(),
        AvailabilityAnswer.objects.count(),
        AvailabilityOption.objects.count(),
        Agreement.objects.count(),
        AgreementCheck.objects.count(),
        ConflictRitual.objects.count(),
        list(Tactic.objects.order_by("pk").values_list("name", "archived_at")),
        list(LensAssessment.objects.order_by("pk").values_list("answers", flat=True)),
        list(Spark.objects.order_by("pk").values_list("ignited_at", flat=True)),
        SparkJoin.objects.count(),
        SovereigntyRecord.objects.count(),
        list(Booking.objects.order_by("pk").values_list("cancelled_at", "decided_at")),
        Resource.objects.count(),
        SprintBooking.objects.count(),
        list(Pledge.objects.order_by("pk").values_list("amount", "paused_at", "ended_at")),
        list(PledgeGift.objects.order_by("pk").values_list("state", flat=True)),
        list(RotationSeat.objects.order_by("pk").values_list("position", "earlier")),
        list(RotationRound.objects.order_by("pk").values_list("closed_at", flat=True)),
        RoundShare.objects.count(),
        EarlierVote.objects.count(),
        Circle.objects.count(),
        list(
            Movement.objects.order_by("pk").values_list(
                "blind_spot_below", "spark_quorum", "language"
            )
        ),
    )


def _body(response):
    if response.streaming:
        return b"".join(response.streaming_content).decode()
    return response.content.decode()


@pytest.mark.parametrize(("row", "caller"), CASES)
def test_url_answers_each_caller_by_the_rules(row, caller, world, client):
    if caller != "anonymous":
        client.force_login(world.user(caller))
    if row.setup:
        row.setup(world)
    url = row.url(world)
    expected = row.expected[caller]
    refused = expected in (LOGIN, 403, 404, 405)
    if row.method == "GET":
        response = client.get(url)
    else:
        data = row.data(world) if callable(row.data) else row.data
        before = _footprint() if refused else None
        response = client.post(url, data)
        if refused:
            assert _footprint() == before, "a refused POST changes nothing"
    body = _body(response)

    if expected == LOGIN:
        assert response.status_code == 302
        assert response["Location"] == f"/accounts/login/?{urlencode({'next': url}, safe='/')}"
        return

    assert response.status_code == expected, f"{row.method} {url} as {caller}"
    if expected == 403:
        assert escape(row.reason) in body, "a 403 shows the plain reason"
    if expected == 404:
        if caller in OUTSIDERS:
            assert "Tidewater" not in body, "a 404 never names the movement"
        assert not [secret for secret in ELSEWHERE_SECRETS if escape(secret) in body]
    if expected == 302 and row.method == "POST":
        errors = [
            message
            for message in get_messages(response.wsgi_request)
            if message.level == message_levels.ERROR
        ]
        assert errors == [], "an allowed POST with valid data succeeds"
        assert not response["Location"].startswith("/accounts/login/")


# --- the table covers every URL ---------------------------------------------------------

MOVEMENT_ROUTES = ("m/<slug:movement_slug>/", "join/")


def _routes(patterns, prefix="", namespace=""):
    """Every URL pattern as ``(route, "namespace:name")``, through includes."""
    for entry in patterns:
        route = prefix + str(entry.pattern)
        if isinstance(entry, URLResolver):
            inner = ":".join(part for part in (namespace, entry.namespace) if part)
            yield from _routes(entry.url_patterns, route, inner)
        elif entry.name:
            yield route, f"{namespace}:{entry.name}" if namespace else entry.name
        else:
            yield route, f"(unnamed) {route}"


def movement_url_names():
    return {
        name
        for route, name in _routes(get_resolver().url_patterns)
        if route.startswith(MOVEMENT_ROUTES)
    }


def test_every_movement_url_has_a_row():
    missing = sorted(movement_url_names() - {row.url.name for row in ROWS})
    assert not missing, f"URLs with no row in the access table: {', '.join(missing)}"


def test_the_walk_reaches_every_app():
    apps = {name.partition(":")[0] for name in movement_url_names()}
    assert apps == {"movement", "circles", "commons", "rituals", "invitation_accept"}


def test_every_facilitator_action_has_a_row():
    # The action is a URL argument, invisible to the resolver: each one needs its own row.
    rows = {row.name.removeprefix("facilitate-action-") for row in ACTION_ROWS}
    assert sorted(set(FACILITATOR_ACTIONS) - rows) == []


def test_each_case_has_its_own_id():
    ids = [case.id for case in CASES]
    assert len(ids) == len(set(ids))


# --- the table's 302s really did what they say --------------------------------------


def test_a_successful_reversal_leaves_both_entries_on_the_ledger(world, login):
    client = login(world.alice)
    client.post(reverse_url()(world), REVERSAL)
    assert LedgerEntry.objects.filter(reverses=world.commons.bail_entry).count() == 1


def test_a_second_decision_by_the_same_member_is_refused(world, login):
    client = login(world.cora)
    url = draw_url("draw_decide")(world)
    client.post(url, approve_for_medics(world))
    response = client.post(url, approve_for_medics(world))
    assert response.status_code == 403
    assert Approval.objects.filter(draw_request=world.draws.pending).count() == 1


def test_a_withdrawn_request_cannot_be_withdrawn_again(world, login):
    client = login(world.mo)
    url = draw_url("draw_withdraw")(world)
    client.post(url)
    response = client.post(url)
    assert response.status_code == 403
    world.draws.pending.refresh_from_db()
    assert world.draws.pending.state == DrawRequest.State.WITHDRAWN
