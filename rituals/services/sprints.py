"""Integration sprints ("swap and forge"): a round opens, circles opt in, the pairs that have
collaborated least are proposed, a facilitator may swap circles between them, and launching
turns each pair (or the odd trio) into a running sprint with a durable deadline.

The pairing itself is ``rituals.pairing`` (pure, seeded); the collaboration strength it reads
is ``rituals.selectors.ligaments_between``. This module only keeps the rules and the rows.
"""

from datetime import timedelta
from itertools import combinations

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import F
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import CircleMembership
from movement.models import Movement, User
from movement.services import notify_each, notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds
from rituals import pairing, permissions, selectors
from rituals.models import RoundCircle, Sprint, SprintCircle, SprintRound, Timer
from rituals.timers import handler, handler_for


@audit_verbs
class Verb(models.TextChoices):
    """What sprint rounds write on the audit trail."""

    ROUND_OPENED = "sprint_round.opened", gettext_lazy("opened a sprint round")
    CIRCLE_OPTED_IN = "sprint_round.opted_in", gettext_lazy("opted a circle in to a sprint round")
    CIRCLE_OPTED_OUT = (
        "sprint_round.opted_out",
        gettext_lazy("opted a circle out of a sprint round"),
    )
    PAIRS_PROPOSED = "sprint_round.proposed", gettext_lazy("proposed the pairs of a sprint round")
    CIRCLES_SWAPPED = "sprint_round.swapped", gettext_lazy("swapped two circles between sprints")
    ROUND_LAUNCHED = "sprint_round.launched", gettext_lazy("launched a sprint round")
    ROUND_CANCELLED = "sprint_round.cancelled", gettext_lazy("cancelled a sprint round")


@notification_kinds
class NotificationKind(models.TextChoices):
    """What sprints tell people about."""

    SPRINT_LAUNCHED = "rituals.sprint_launched", gettext_lazy("a sprint of my circle begins")
    SPRINT_DEADLINE = (
        "rituals.sprint_deadline",
        gettext_lazy("a sprint of my circle reached its deadline"),
    )


SPRINT_DEADLINE = "sprint.deadline"
MAX_OPT_IN_WINDOW = timedelta(days=90)
MAX_SPRINT_HOURS = 24 * 14


def _when(moment, movement):
    """A moment in the movement's zone, in words of the reader's language (lazy: written when
    each notification is)."""
    local = timezone.localtime(moment, movement.zone)
    return lazy(lambda: dateformat.format(local, "l j F Y, H:i"), str)()


def _lock(sprint_round, *states):
    sprint_round = (
        SprintRound.objects.select_for_update(of=("self",))
        .select_related("movement")
        .get(pk=sprint_round.pk)
    )
    if states and sprint_round.state not in states:
        raise ValidationError(_not_in_state_message(sprint_round))
    return sprint_round


def _not_in_state_message(sprint_round):
    return {
        SprintRound.State.OPEN: _("This round is still open to circles."),
        SprintRound.State.PROPOSED: _("The pairs of this round are already proposed."),
        SprintRound.State.LAUNCHED: _("This round has already launched its sprints."),
        SprintRound.State.CANCELLED: _("This round was cancelled."),
    }[sprint_round.state]


def _require_runner(by):
    if not permissions.can_run_sprint_rounds(by):
        raise PermissionDenied(_("Only facilitators and organizers run sprint rounds."))


# --- opening and opting in ---------------------------------------------------------------


def open_round(*, by, deadline, sprint_hours=SprintRound.DEFAULT_SPRINT_HOURS, now=None):
    """A facilitator or organizer opens a round: circles may opt in until ``deadline``, and
    each sprint will last ``sprint_hours``. A movement runs one round at a time, until its
    sprints launch or it is cancelled."""
    _require_runner(by)
    now = now or timezone.now()
    errors = {}
    if deadline <= now:
        errors["deadline"] = _("The opt-in deadline must be in the future.")
    elif deadline > now + MAX_OPT_IN_WINDOW:
        errors["deadline"] = _("Circles opt in within 90 days at most.")
    if not 1 <= sprint_hours <= MAX_SPRINT_HOURS:
        errors["sprint_hours"] = _("A sprint lasts between 1 hour and 14 days (336 hours).")
    if errors:
        raise ValidationError(errors)
    movement = by.movement
    with transaction.atomic():
        # One round at a time: the movement's row serializes two facilitators opening at once
        # (and a partial unique index backs it up).
        Movement.objects.select_for_update(no_key=True).get(pk=movement.pk)
        if SprintRound.objects.for_movement(movement).in_progress().exists():
            raise ValidationError(
                _("A sprint round is already under way: launch or cancel it first.")
            )
        sprint_round = SprintRound.objects.create(
            movement=movement, opened_by=by, deadline=deadline, sprint_hours=sprint_hours
        )
        record_event(
            movement=movement,
            actor=by.user,
            verb=Verb.ROUND_OPENED,
            target=str(sprint_round.pk),
            deadline=deadline.isoformat(),
            sprint_hours=sprint_hours,
        )
    return sprint_round


def _check_answer_for(by, sprint_round, circle, now):
    if circle.movement_id != sprint_round.movement_id:
        raise ValidationError(_("This circle is not part of this movement."))
    if circle.is_archived:
        raise ValidationError(
            _("%(circle)s is archived: it cannot join a sprint.") % {"circle": circle.name}
        )
    seat = CircleMembership.objects.filter(circle=circle, member=by).first()
    if not permissions.can_answer_for_circle(by, circle, seat):
        raise PermissionDenied(_("Only this circle's conveners answer for it."))
    if sprint_round.state != SprintRound.State.OPEN:
        raise ValidationError(_not_in_state_message(sprint_round))
    if now >= sprint_round.deadline:
        local = timezone.localtime(sprint_round.deadline, sprint_round.movement.zone)
        raise ValidationError(
            _("Circles could opt in until %(deadline)s; that time has passed.")
            % {"deadline": dateformat.format(local, "j F Y, H:i")}
        )


def opt_in(*, by, round, circle, now=None):
    """A convener opts their circle in to an open round, until its deadline. Opting in twice
    is harmless. Returns the round's entry for the circle."""
    now = now or timezone.now()
    with transaction.atomic():
        sprint_round = _lock(round)
        _check_answer_for(by, sprint_round, circle, now)
        entry, created = RoundCircle.objects.get_or_create(
            round=sprint_round, circle=circle, defaults={"opted_in_by": by, "opted_in_at": now}
        )
        if created:
            SprintRound.objects.filter(pk=sprint_round.pk).update(
                circle_count=F("circle_count") + 1
            )
            record_event(
                movement=sprint_round.movement,
                actor=by.user,
                verb=Verb.CIRCLE_OPTED_IN,
                target=circle.name,
                round=sprint_round.pk,
            )
    return entry


def opt_out(*, by, round, circle, now=None):
    """A convener takes their circle out of an open round, until its deadline."""
    now = now or timezone.now()
    with transaction.atomic():
        sprint_round = _lock(round)
        _check_answer_for(by, sprint_round, circle, now)
        deleted, _rows = RoundCircle.objects.filter(round=sprint_round, circle=circle).delete()
        if deleted:
            SprintRound.objects.filter(pk=sprint_round.pk).update(
                circle_count=F("circle_count") - 1
            )
            record_event(
                movement=sprint_round.movement,
                actor=by.user,
                verb=Verb.CIRCLE_OPTED_OUT,
                target=circle.name,
                round=sprint_round.pk,
            )
    return bool(deleted)


# --- proposing and swapping -----------------------------------------------------------------


def ligament(ligaments, a, b):
    """The ligament between circles ``a`` and ``b`` (ids), or none at all."""
    return ligaments.get(frozenset((a, b)), pairing.NO_LIGAMENT)


def propose(*, by, round, now=None):
    """Close the opt-in (at or before the deadline, as the facilitator decides) and propose
    the pairs that have collaborated least: ``rituals.pairing`` with the round's seed, so the
    same round always proposes the same pairs. Circles archived since they opted in are left
    out. Returns the proposals."""
    _require_runner(by)
    now = now or timezone.now()
    with transaction.atomic():
        sprint_round = _lock(round, SprintRound.State.OPEN)
        entries = RoundCircle.objects.filter(round=sprint_round).select_related("circle")
        entries = list(entries.order_by("circle_id"))
        archived = [entry.pk for entry in entries if entry.circle.is_archived]
        entries = [entry for entry in entries if not entry.circle.is_archived]
        if len(entries) < 2:
            raise ValidationError(
                _(
                    "A sprint pairs at least two circles, and only %(count)d opted in: "
                    "wait for more circles or cancel the round."
                )
                % {"count": len(entries)}
            )
        RoundCircle.objects.filter(pk__in=archived).delete()
        circle_ids = [entry.circle_id for entry in entries]
        ligaments = selectors.ligaments_between(sprint_round.movement, circle_ids)
        proposals = pairing.propose(circle_ids, ligaments, seed=sprint_round.seed)
        group_of = {
            circle_id: number
            for number, proposal in enumerate(proposals, start=1)
            for circle_id in proposal.circles
        }
        for entry in entries:
            entry.group = group_of[entry.circle_id]
        RoundCircle.objects.bulk_update(entries, ["group"], batch_size=500)
        sprint_round.state = SprintRound.State.PROPOSED
        sprint_round.proposed_at = now
        sprint_round.circle_count = len(entries)
        sprint_round.group_count = len(proposals)
        sprint_round.save(update_fields=["state", "proposed_at", "circle_count", "group_count"])
        record_event(
            movement=sprint_round.movement,
            actor=by.user,
            verb=Verb.PAIRS_PROPOSED,
            target=str(sprint_round.pk),
            circles=len(entries),
            sprints=len(proposals),
            strength=sum(proposal.strength for proposal in proposals),
        )
    return proposals


def _groups_of(sprint_round, circle_ids):
    """The proposed groups holding these circles: ``{group: [circle ids]}``."""
    groups = RoundCircle.objects.filter(
        round=sprint_round,
        group__in=RoundCircle.objects.filter(round=sprint_round, circle__in=circle_ids).values(
            "group"
        ),
    )
    found = {}
    for group, circle_id in groups.order_by("group", "circle_id").values_list("group", "circle"):
        found.setdefault(group, []).append(circle_id)
    return found


def _check_swap(sprint_round, a, b):
    """The two circles' groups, or a ValidationError in words."""
    if a.pk == b.pk:
        raise ValidationError(_("A circle cannot be swapped with itself: pick two circles."))
    groups = _groups_of(sprint_round, [a.pk, b.pk])
    group_of = {circle_id: group for group, ids in groups.items() for circle_id in ids}
    for circle in (a, b):
        if circle.pk not in group_of:
            raise ValidationError(
                _("%(circle)s is not in this round's proposed sprints.") % {"circle": circle.name}
            )
    if group_of[a.pk] == group_of[b.pk]:
        raise ValidationError(
            _("%(a)s and %(b)s are already in the same sprint: swapping them changes nothing.")
            % {"a": a.name, "b": b.name}
        )
    return groups, group_of


def swap_cost(*, round, a, b):
    """What swapping circles ``a`` and ``b`` would add to the proposal's total collaboration
    strength (negative: the sprints would join circles that know each other less)."""
    if round.state != SprintRound.State.PROPOSED:
        raise ValidationError(_not_in_state_message(round))
    groups, _group_of = _check_swap(round, a, b)
    return _swap_cost(round, groups, a, b)


def _swap_cost(sprint_round, groups, a, b):
    circle_ids = [circle_id for ids in groups.values() for circle_id in ids]
    ligaments = selectors.ligaments_between(sprint_round.movement, circle_ids)
    proposals = [
        pairing.Proposal(circles=tuple(ids), strength=pairing.group_strength(ids, ligaments))
        for ids in groups.values()
    ]
    return pairing.swap_cost(proposals, ligaments, a.pk, b.pk)


def swap(*, by, round, a, b):
    """Before launch, a facilitator exchanges two circles between their proposed sprints.
    Returns what the swap changed in collaboration strength."""
    _require_runner(by)
    with transaction.atomic():
        sprint_round = _lock(round, SprintRound.State.PROPOSED)
        groups, group_of = _check_swap(sprint_round, a, b)
        cost = _swap_cost(sprint_round, groups, a, b)
        entries = {
            entry.circle_id: entry
            for entry in RoundCircle.objects.select_for_update().filter(
                round=sprint_round, circle__in=[a.pk, b.pk]
            )
        }
        entries[a.pk].group, entries[b.pk].group = group_of[b.pk], group_of[a.pk]
        RoundCircle.objects.bulk_update(entries.values(), ["group"])
        record_event(
            movement=sprint_round.movement,
            actor=by.user,
            verb=Verb.CIRCLES_SWAPPED,
            target=f"{a.name} ⇄ {b.name}",
            round=sprint_round.pk,
            cost=cost,
        )
    return cost


# --- launching -------------------------------------------------------------------------------


def launch(*, by, round, now=None):
    """Each proposed group becomes a sprint running from now for the round's sprint length,
    with a durable timer at its deadline. Every member of the paired circles hears who they
    are paired with. Returns the sprints."""
    _require_runner(by)
    now = now or timezone.now()
    with transaction.atomic():
        sprint_round = _lock(round, SprintRound.State.PROPOSED)
        movement = sprint_round.movement
        groups = {}
        entries = RoundCircle.objects.filter(round=sprint_round).select_related("circle")
        for entry in entries.order_by("group", "circle_id"):
            groups.setdefault(entry.group, []).append(entry.circle)
        ligaments = selectors.ligaments_between(
            movement, [circle.pk for circles in groups.values() for circle in circles]
        )
        ends_at = now + sprint_round.sprint_length
        sprints = Sprint.objects.bulk_create(
            Sprint(
                round=sprint_round,
                movement=movement,
                strength=pairing.group_strength([circle.pk for circle in circles], ligaments),
                starts_at=now,
                ends_at=ends_at,
                created_at=now,
            )
            for circles in groups.values()
        )
        SprintCircle.objects.bulk_create(
            SprintCircle(sprint=sprint, round=sprint_round, circle=circle)
            for sprint, circles in zip(sprints, groups.values(), strict=True)
            for circle in circles
        )
        _schedule_deadlines(sprints)
        sprint_round.state = SprintRound.State.LAUNCHED
        sprint_round.launched_at = now
        sprint_round.save(update_fields=["state", "launched_at"])
        _tell_paired_circles(sprint_round, dict(zip(sprints, groups.values(), strict=True)))
        record_event(
            movement=movement,
            actor=by.user,
            verb=Verb.ROUND_LAUNCHED,
            target=str(sprint_round.pk),
            sprints=len(sprints),
            ends_at=ends_at.isoformat(),
        )
    return sprints


def _schedule_deadlines(sprints):
    """One durable timer per sprint, in one INSERT (``rituals.timers.schedule_timer``, in
    bulk)."""
    handler_for(SPRINT_DEADLINE)
    sprint_type = ContentType.objects.get_for_model(Sprint)
    Timer.objects.bulk_create(
        Timer(
            kind=SPRINT_DEADLINE,
            due_at=sprint.ends_at,
            run_after=sprint.ends_at,
            movement_id=sprint.movement_id,
            target_type=sprint_type,
            target_id=sprint.pk,
        )
        for sprint in sprints
    )


def _tell_paired_circles(sprint_round, circles_of_sprint):
    """Each member of a paired circle hears, once per sprint, which circles they forge with
    and until when: one bulk insert, one drain of the outbox."""
    sprint_of_circle = {
        circle.pk: sprint for sprint, circles in circles_of_sprint.items() for circle in circles
    }
    seats = (
        CircleMembership.objects.filter(circle__in=sprint_of_circle)
        .select_related("member__user", "circle")
        .order_by("circle_id", "pk")
    )
    told = set()
    deliveries = []
    for seat in seats:
        sprint = sprint_of_circle[seat.circle_id]
        if (seat.member.user_id, sprint.pk) in told:
            continue
        told.add((seat.member.user_id, sprint.pk))
        partners = [c.name for c in circles_of_sprint[sprint] if c.pk != seat.circle_id]
        deliveries.append(
            (
                seat.member.user,
                {
                    "circle": seat.circle.name,
                    "partners": ", ".join(partners),
                    "hours": sprint_round.sprint_hours,
                    "when": _when(sprint.ends_at, sprint_round.movement),
                },
            )
        )
    notify_each(
        deliveries=deliveries,
        kind=NotificationKind.SPRINT_LAUNCHED,
        movement=sprint_round.movement,
        subject=gettext_lazy("Sprint: %(circle)s forges with %(partners)s"),
        body=gettext_lazy(
            "%(circle)s is paired with %(partners)s for %(hours)s hours, until %(when)s. "
            "Make something neither circle could make alone, drawing only on the commons."
        ),
        url=sprint_round.get_absolute_url(),
    )


@handler(SPRINT_DEADLINE)
def sprint_reaches_deadline(timer):
    """At its deadline a running sprint moves to presenting, and every member of its circles
    hears it. Idempotent: a sprint no longer running is left as it is."""
    sprint = (
        Sprint.objects.select_for_update(of=("self",))
        .select_related("movement")
        .filter(pk=timer.target_id, state=Sprint.State.RUNNING)
        .first()
    )
    if sprint is None:
        return
    sprint.state = Sprint.State.PRESENTING
    sprint.presenting_at = timezone.now()
    sprint.save(update_fields=["state", "presenting_at"])
    circle_ids = SprintCircle.objects.filter(sprint=sprint).values("circle")
    names = SprintCircle.objects.filter(sprint=sprint).order_by("circle__name")
    notify_many(
        recipients=User.objects.filter(
            memberships__circle_memberships__circle__in=circle_ids
        ).distinct(),
        kind=NotificationKind.SPRINT_DEADLINE,
        movement=sprint.movement,
        subject=gettext_lazy("Sprint time is up: %(circles)s"),
        body=gettext_lazy(
            "The sprint of %(circles)s reached its deadline. Time to present what you forged "
            "and to reflect on what got in the way."
        ),
        params={"circles": ", ".join(names.values_list("circle__name", flat=True))},
        url=sprint.get_absolute_url(),
    )


# --- cancelling ------------------------------------------------------------------------------


def cancel_round(*, by, round, now=None):
    """A facilitator or organizer calls off a round before launch; its opt-ins stay on the
    record."""
    _require_runner(by)
    now = now or timezone.now()
    with transaction.atomic():
        sprint_round = _lock(round, *SprintRound.IN_PROGRESS)
        sprint_round.state = SprintRound.State.CANCELLED
        sprint_round.cancelled_at = now
        sprint_round.save(update_fields=["state", "cancelled_at"])
        record_event(
            movement=sprint_round.movement,
            actor=by.user,
            verb=Verb.ROUND_CANCELLED,
            target=str(sprint_round.pk),
        )
    return sprint_round


# --- what the round's pages read ------------------------------------------------------------
# (Reads belong in ``rituals.selectors``; these stay beside the rules they explain until the
# pairing's selectors settle.)

GROUPS_PER_PAGE = 25


def proposed_groups(sprint_round, *, first=1, size=GROUPS_PER_PAGE):
    """The proposed groups numbered ``first`` to ``first + size - 1``, each with its circles,
    its collaboration strength, and each pair's ligament in words: a fixed number of queries
    whatever the round's size (a range of group numbers, never an OFFSET)."""
    entries = (
        RoundCircle.objects.filter(round=sprint_round, group__gte=first, group__lt=first + size)
        .select_related("circle__movement")
        .order_by("group", "circle__name", "circle_id")
    )
    groups = {}
    for entry in entries:
        groups.setdefault(entry.group, []).append(entry.circle)
    ligaments = selectors.ligaments_between(
        sprint_round.movement, [circle.pk for circles in groups.values() for circle in circles]
    )
    rows = []
    for number, circles in groups.items():
        pairs = []
        for a, b in combinations(circles, 2):
            between = ligament(ligaments, a.pk, b.pk)
            pairs.append(
                {"a": a, "b": b, "strength": between.strength, "reasons": pairing.reasons(between)}
            )
        rows.append(
            {
                "number": number,
                "circles": circles,
                "strength": sum(pair["strength"] for pair in pairs),
                "pairs": pairs,
            }
        )
    return rows


def convened_circles_in(sprint_round, membership):
    """The active circles this member convenes, each with ``opted_in`` set for this round."""
    seats = list(
        CircleMembership.objects.filter(
            member=membership, is_convener=True, circle__archived_at__isnull=True
        )
        .select_related("circle")
        .order_by("circle__name")
    )
    opted = set(
        RoundCircle.objects.filter(
            round=sprint_round, circle__in=[seat.circle_id for seat in seats]
        ).values_list("circle", flat=True)
    )
    circles = []
    for seat in seats:
        seat.circle.opted_in = seat.circle_id in opted
        circles.append(seat.circle)
    return circles
