"""Integration sprints ("swap and forge"): a round opens, circles opt in, the pairs that have
collaborated least are proposed, a facilitator may swap circles between them, and launching
turns each pair (or the odd trio) into a running sprint with a durable deadline.

The pairing itself is ``rituals.pairing`` (pure, seeded); the collaboration strength it reads
is ``rituals.selectors.ligaments_between``. This module only keeps the rules and the rows.
"""

from datetime import timedelta
from itertools import combinations

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.validators import URLValidator
from django.db import IntegrityError, models, transaction
from django.db.models import F
from django.template.defaultfilters import filesizeformat
from django.utils import dateformat, timezone
from django.utils.functional import cached_property, lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import CircleMembership
from commons import services as commons_services
from commons.models import DrawRequest
from movement.models import Movement, User
from movement.services import notify_each, notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds
from rituals import pairing, permissions, selectors, uploads
from rituals.models import (
    ArtifactFile,
    RoundCircle,
    Sprint,
    SprintArtifact,
    SprintBooking,
    SprintCircle,
    SprintDraw,
    SprintLogEntry,
    SprintRound,
    Timer,
)
from rituals.services.convergence import tactics_in
from rituals.timers import cancel_timers, handler, handler_for


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


# --- the open log and the draws a sprint used --------------------------------------------------


@audit_verbs
class LogVerb(models.TextChoices):
    """What a sprint's open log and its draws from the commons write on the audit trail."""

    LOG_WRITTEN = "sprint.log_written", gettext_lazy("wrote in a sprint's open log")
    DRAW_LINKED = "sprint.draw_linked", gettext_lazy("linked a commons draw to a sprint")


LOG_OPEN = (Sprint.State.RUNNING, Sprint.State.PRESENTING)
LINKABLE_DRAWS = (*DrawRequest.OPEN_STATES, DrawRequest.State.GRANTED)


def _lock_sprint(sprint):
    return (
        Sprint.objects.select_for_update(of=("self",)).select_related("movement").get(pk=sprint.pk)
    )


def _my_circle_ids(by, sprint):
    """The sprint's circles ``by`` sits in, by name."""
    return list(
        SprintCircle.objects.filter(sprint=sprint, circle__circle_memberships__member=by)
        .order_by("circle__name", "circle_id")
        .values_list("circle_id", flat=True)
    )


def _require_part_in(by, sprint, reason):
    if by.movement_id != sprint.movement_id:
        raise PermissionDenied(reason)
    my_circle_ids = _my_circle_ids(by, sprint)
    if not permissions.takes_part_in_sprint(by, my_circle_ids):
        raise PermissionDenied(reason)
    return my_circle_ids


def _category_words():
    return ", ".join(str(label) for label in SprintLogEntry.Category.labels)


def _check_log_entry(sprint, kind, category, text, pool, tool):
    errors = {}
    if kind not in SprintLogEntry.Kind.values:
        errors["kind"] = _("Say whether it was a friction or a breakthrough.")
    if category not in SprintLogEntry.Category.values:
        errors["category"] = _("Unknown category: pick one of %(categories)s.") % {
            "categories": _category_words()
        }
    if not text:
        errors["text"] = _("Write what happened: an empty entry tells nobody anything.")
    elif len(text) > SprintLogEntry._meta.get_field("text").max_length:
        errors["text"] = _("An entry holds 2,000 characters at most.")
    if len(tool) > SprintLogEntry._meta.get_field("tool").max_length:
        errors["tool"] = _("Name the tool in 80 characters at most.")
    if pool is not None and pool.movement_id != sprint.movement_id:
        errors["pool"] = _("This pool is not part of this movement's commons.")
    if errors:
        raise ValidationError(errors)


def write_log_entry(*, by, sprint, kind, category, text, pool=None, tool="", circle=None, now=None):
    """A member of one of the sprint's circles writes a friction or a breakthrough in its
    open log, while the sprint runs or presents; once it is closed, the log is kept as it
    was. The entry is written for ``circle`` (one of the sprint's circles the author sits
    in), or else for the first of them by name. ``pool``, if given, must be one of the
    movement's own pools."""
    my_circle_ids = _require_part_in(
        by, sprint, _("Only members of the sprint's circles write in its log.")
    )
    text = (text or "").strip()
    tool = (tool or "").strip()
    _check_log_entry(sprint, kind, category, text, pool, tool)
    if circle is not None and circle.pk not in my_circle_ids:
        raise ValidationError(
            {"circle": _("Write for one of this sprint's circles that you sit in.")}
        )
    circle_id = circle.pk if circle is not None else my_circle_ids[0]
    now = now or timezone.now()
    with transaction.atomic():
        # The sprint's row, locked: closing it waits for an entry being written, and an
        # entry written after the closing sees the sprint closed.
        sprint = _lock_sprint(sprint)
        if sprint.state not in LOG_OPEN:
            raise ValidationError(
                _("This sprint is closed: its log is kept as it was and takes no new entries.")
            )
        entry = SprintLogEntry.objects.create(
            movement=sprint.movement,
            sprint=sprint,
            author=by,
            circle_id=circle_id,
            kind=kind,
            category=category,
            pool=pool,
            tool=tool,
            text=text,
            created_at=now,
        )
        record_event(
            movement=sprint.movement,
            actor=by.user,
            verb=LogVerb.LOG_WRITTEN,
            target=str(sprint.pk),
            entry=entry.pk,
            kind=kind,
            category=category,
        )
    return entry


def _serves_sprint(draw_request, sprint):
    """Whether the draw was asked for one of the sprint's circles, or by a member of one."""
    circle_ids = SprintCircle.objects.filter(sprint=sprint).values("circle")
    if draw_request.circle_id is not None and (
        SprintCircle.objects.filter(sprint=sprint, circle=draw_request.circle_id).exists()
    ):
        return True
    return CircleMembership.objects.filter(
        circle__in=circle_ids,
        member__user=draw_request.requested_by_id,
        member__movement=sprint.movement_id,
    ).exists()


def link_draw(*, by, sprint, draw_request, now=None):
    """A member of one of the sprint's circles says a draw from the commons served the
    sprint: a sprint draws only on the commons. The draw must be of the sprint's own
    movement, asked for one of its circles or by a member of one, granted or still waiting
    (not declined or withdrawn), and serve no other sprint. The link is a row in rituals,
    pointing at the draw; the commons know nothing of sprints."""
    _require_part_in(by, sprint, _("Only members of the sprint's circles link its draws."))
    if draw_request.pool.movement_id != sprint.movement_id:
        raise ValidationError(
            _(
                "This draw is from another movement's commons: a sprint draws only on its "
                "own movement's commons."
            )
        )
    if draw_request.state not in LINKABLE_DRAWS:
        raise ValidationError(
            _("This draw was %(state)s: link a draw that was granted or still waits.")
            % {"state": draw_request.get_state_display()}
        )
    if not _serves_sprint(draw_request, sprint):
        raise ValidationError(
            _(
                "This draw was neither asked for one of the sprint's circles nor by one of "
                "their members."
            )
        )
    already = _("This draw is already linked to a sprint: a draw serves one sprint.")
    now = now or timezone.now()
    with transaction.atomic():
        sprint = _lock_sprint(sprint)
        if sprint.state not in LOG_OPEN:
            raise ValidationError(
                _("This sprint is closed: the draws it used are kept as they were.")
            )
        if SprintDraw.objects.filter(draw_request=draw_request).exists():
            raise ValidationError(already)
        try:
            with transaction.atomic():  # two members linking the same draw at once
                link = SprintDraw.objects.create(
                    sprint=sprint, draw_request=draw_request, linked_by=by, created_at=now
                )
        except IntegrityError:
            raise ValidationError(already) from None
        record_event(
            movement=sprint.movement,
            actor=by.user,
            verb=LogVerb.DRAW_LINKED,
            target=str(sprint.pk),
            draw=draw_request.pk,
            pool=draw_request.pool.name,
            amount=str(draw_request.amount),
        )
    return link


def book_for_sprint(*, by, sprint, resource, starts_at, ends_at, note="", now=None):
    """A member of one of the sprint's circles books a shared space or tool for the
    sprint's hours (past the resource's usual longest booking: the sprint is the reason),
    in the name of their circle. The commons' own rules hold: never two bookings of one
    resource at once."""
    my_circle_ids = _require_part_in(
        by, sprint, _("Only members of the sprint's circles book for it.")
    )
    if sprint.state != Sprint.State.RUNNING:
        raise ValidationError(_("The sprint's hours are over: nothing more is booked for it."))
    circle = next(
        seat.circle for seat in sprint.sprint_circles.all() if seat.circle_id in my_circle_ids
    )
    with transaction.atomic():
        booking = commons_services.book(
            by=by,
            resource=resource,
            starts_at=starts_at,
            ends_at=ends_at,
            circle=circle,
            note=note or _("Sprint"),
            now=now,
            within=(sprint.starts_at, sprint.ends_at),
        )
        return SprintBooking.objects.create(sprint=sprint, booking=booking)


# --- the artifact, its files, the reflection and the closing -----------------------------------


@audit_verbs
class ArtifactVerb(models.TextChoices):
    """What a sprint's artifact, its reflection and its closing write on the audit trail."""

    ARTIFACT_PUBLISHED = "sprint.artifact_published", gettext_lazy("published a sprint's artifact")
    ARTIFACT_EDITED = "sprint.artifact_edited", gettext_lazy("edited a sprint's artifact")
    FILE_ADDED = "sprint.file_added", gettext_lazy("added a file to a sprint's artifact")
    FILE_REMOVED = "sprint.file_removed", gettext_lazy("removed a file from a sprint's artifact")
    REFLECTION_WRITTEN = "sprint.reflected", gettext_lazy("wrote a sprint's reflection")
    SPRINT_CLOSED = "sprint.closed", gettext_lazy("closed a sprint")


@notification_kinds
class ClosingKind(models.TextChoices):
    """What closing a sprint tells people about."""

    SPRINT_CLOSED = "rituals.sprint_closed", gettext_lazy("a sprint of my circle was closed")


FORGING = (Sprint.State.RUNNING, Sprint.State.PRESENTING)
MAX_ARTIFACT_FILES = 12
_WEB_LINK = URLValidator(schemes=["http", "https"])


def forge_reason():
    return _(
        "Only members of this sprint's circles write its artifact and reflection, until the "
        "sprint is closed."
    )


def close_reason():
    return _("Only facilitators and organizers close a sprint, once.")


def _require_forger(by, sprint):
    if by.movement_id != sprint.movement_id or not selectors.my_circles_in_sprint(by, sprint):
        raise PermissionDenied(forge_reason())


def _lock_forging(sprint):
    """The sprint's row, locked, while it still takes its artifact: a closing waits for a
    write under way, and a write after the closing sees the sprint closed."""
    sprint = _lock_sprint(sprint)
    if sprint.state not in FORGING:
        raise ValidationError(
            _("This sprint is closed: its artifact and reflection are kept as they were.")
        )
    return sprint


def _field_length(model, name):
    return model._meta.get_field(name).max_length


def _check_artifact(title, description, link):
    errors = {}
    if not title:
        errors["title"] = _("Give the artifact a title.")
    elif len(title) > _field_length(SprintArtifact, "title"):
        errors["title"] = _("A title holds 200 characters at most.")
    if not description:
        errors["description"] = _("Say what you made: a title alone tells the movement little.")
    elif len(description) > _field_length(SprintArtifact, "description"):
        errors["description"] = _("A description holds 5,000 characters at most.")
    if link:
        try:
            if len(link) > _field_length(SprintArtifact, "link"):
                raise ValidationError("too long")
            _WEB_LINK(link)
        except ValidationError:
            errors["link"] = _(
                "A link is a web address starting with http:// or https://, 500 characters at most."
            )
    if errors:
        raise ValidationError(errors)


def publish_artifact(*, by, sprint, title, description, link="", tactics=""):
    """A member of one of the sprint's circles publishes the artifact the circles forged
    (title, description, an optional http or https link), or edits it, while the sprint
    runs or presents. One artifact per sprint. Returns it."""
    _require_forger(by, sprint)
    title, description, link = (value.strip() for value in (title, description, link or ""))
    _check_artifact(title, description, link)
    with transaction.atomic():
        sprint = _lock_forging(sprint)
        now = timezone.now()
        artifact = SprintArtifact.objects.filter(sprint=sprint).first()
        if artifact is None:
            artifact = SprintArtifact.objects.create(
                sprint=sprint,
                title=title,
                description=description,
                link=link,
                tactics=(tactics or "").strip(),
                published_by=by,
                published_at=now,
                updated_at=now,
            )
            verb = ArtifactVerb.ARTIFACT_PUBLISHED
        else:
            artifact.title, artifact.description, artifact.link = title, description, link
            artifact.tactics = (tactics or "").strip()
            artifact.updated_at = now
            artifact.save(update_fields=["title", "description", "link", "tactics", "updated_at"])
            verb = ArtifactVerb.ARTIFACT_EDITED
        artifact.tactic_tags.set(tactics_in(sprint.movement, artifact.tactics))
        record_event(
            movement=sprint.movement, actor=by.user, verb=verb, target=title, sprint=sprint.pk
        )
    return artifact


def check_upload(upload):
    """The kind of an uploaded file (``rituals.uploads``), or a ValidationError in words: too
    large, empty, or not a kind the artifact takes, judged by its content whatever its
    name."""
    name = uploads.clean_name(upload.name)
    limit = settings.ARTIFACT_MAX_BYTES
    if upload.size > limit:
        raise ValidationError(
            {
                "file": _("%(name)s is too large: a file may be %(limit)s at most.")
                % {"name": name, "limit": filesizeformat(limit)}
            }
        )
    if not upload.size:
        raise ValidationError({"file": _("%(name)s is empty.") % {"name": name}})
    kind = uploads.kind_of(upload)
    if kind is None:
        raise ValidationError(
            {
                "file": _(
                    "%(name)s is not a kind of file the artifact takes, whatever its name "
                    "says. Its content must be one of: %(kinds)s."
                )
                % {"name": name, "kinds": uploads.allowed_labels()}
            }
        )
    return kind


def add_artifact_file(*, by, sprint, upload):
    """A member of one of the sprint's circles attaches a file to its published artifact,
    while the sprint runs or presents: at most ``ARTIFACT_MAX_BYTES``, of a kind recognised
    by its content, twelve files per artifact. The file is stored under ``MEDIA_ROOT`` with
    a random name; its own name is kept only to name the download. Returns the row.

    A file written by a request whose transaction then rolls back stays on disk, unnamed by
    any row: harmless, since nothing serves it."""
    _require_forger(by, sprint)
    kind = check_upload(upload)
    with transaction.atomic():
        sprint = _lock_forging(sprint)
        artifact = SprintArtifact.objects.filter(sprint=sprint).first()
        if artifact is None:
            raise ValidationError(_("Publish the artifact first: its files belong to it."))
        if artifact.files.count() >= MAX_ARTIFACT_FILES:
            raise ValidationError(
                _("An artifact holds %(count)d files at most: remove one to add another.")
                % {"count": MAX_ARTIFACT_FILES}
            )
        stored = ArtifactFile(
            artifact=artifact,
            movement_id=sprint.movement_id,
            original_name=uploads.clean_name(upload.name),
            content_type=kind.content_type,
            size=upload.size,
            uploaded_by=by,
        )
        stored.file.save("artifact", upload, save=False)
        try:
            stored.save()
            record_event(
                movement=sprint.movement,
                actor=by.user,
                verb=ArtifactVerb.FILE_ADDED,
                target=stored.original_name,
                sprint=sprint.pk,
                file=stored.pk,
                size=stored.size,
                content_type=stored.content_type,
            )
        except Exception:
            stored.file.delete(save=False)
            raise
    return stored


def remove_artifact_file(*, by, sprint, artifact_file):
    """A member of one of the sprint's circles takes a file off the artifact, while the
    sprint runs or presents. The stored file is deleted once the removal is committed."""
    _require_forger(by, sprint)
    with transaction.atomic():
        sprint = _lock_forging(sprint)
        deleted, _rows = ArtifactFile.objects.filter(
            pk=artifact_file.pk, artifact__sprint=sprint
        ).delete()
        if not deleted:
            raise ValidationError(_("This file was already removed."))
        record_event(
            movement=sprint.movement,
            actor=by.user,
            verb=ArtifactVerb.FILE_REMOVED,
            target=artifact_file.original_name,
            sprint=sprint.pk,
        )
        name, storage = artifact_file.file.name, artifact_file.file.storage
        transaction.on_commit(lambda: storage.delete(name), robust=True)


def write_reflection(*, by, sprint, text):
    """A member of one of the sprint's circles writes (or rewrites) the reflection on the
    obstacles met, once the artifact is published and until the sprint is closed."""
    _require_forger(by, sprint)
    text = (text or "").strip()
    if not text:
        raise ValidationError({"text": _("Write what got in the way, in a few words at least.")})
    if len(text) > _field_length(SprintArtifact, "reflection"):
        raise ValidationError({"text": _("A reflection holds 5,000 characters at most.")})
    with transaction.atomic():
        sprint = _lock_forging(sprint)
        artifact = SprintArtifact.objects.filter(sprint=sprint).first()
        if artifact is None:
            raise ValidationError(
                _("Publish the artifact first: the reflection looks back on what you made.")
            )
        artifact.reflection, artifact.reflected_by = text, by
        artifact.reflected_at = timezone.now()
        artifact.save(update_fields=["reflection", "reflected_by", "reflected_at"])
        record_event(
            movement=sprint.movement,
            actor=by.user,
            verb=ArtifactVerb.REFLECTION_WRITTEN,
            target=artifact.title,
            sprint=sprint.pk,
        )
    return artifact


def _circle_names(sprint):
    return " × ".join(
        SprintCircle.objects.filter(sprint=sprint)
        .order_by("circle__name")
        .values_list("circle__name", flat=True)
    )


def close_sprint(*, by, sprint):
    """A facilitator or organizer closes a sprint that runs or presents: from then on its
    artifact, files, reflection and log are kept as they are. A pending deadline is called
    off, and every member of its circles hears it."""
    if by.movement_id != sprint.movement_id or not permissions.can_run_sprint_rounds(by):
        raise PermissionDenied(close_reason())
    with transaction.atomic():
        sprint = _lock_sprint(sprint)
        if sprint.state == Sprint.State.CLOSED:
            raise ValidationError(_("This sprint is already closed."))
        sprint.state = Sprint.State.CLOSED
        sprint.closed_at = timezone.now()
        sprint.save(update_fields=["state", "closed_at"])
        cancel_timers(target=sprint, kind=SPRINT_DEADLINE)
        names = _circle_names(sprint)
        record_event(
            movement=sprint.movement,
            actor=by.user,
            verb=ArtifactVerb.SPRINT_CLOSED,
            target=names,
            sprint=sprint.pk,
            artifact=SprintArtifact.objects.filter(sprint=sprint).exists(),
        )
        notify_many(
            recipients=User.objects.filter(
                memberships__circle_memberships__circle__in=SprintCircle.objects.filter(
                    sprint=sprint
                ).values("circle")
            ).distinct(),
            kind=ClosingKind.SPRINT_CLOSED,
            movement=sprint.movement,
            subject=gettext_lazy("Sprint closed: %(circles)s"),
            body=gettext_lazy(
                "%(by)s closed the sprint of %(circles)s. What you made and what you learned "
                "stay on its page for the whole movement."
            ),
            params={"circles": names, "by": by.user.display_name},
            url=sprint.get_absolute_url(),
        )
    return sprint


# What the sprint page reads of the artifact (beside the rules it shows, like the round's).


class SprintForge:
    """What the sprint page shows of its artifact to one member, each part read only when
    the page asks for it (the countdown's refresh asks for none): a fixed number of queries
    whatever the number of files."""

    def __init__(self, membership, sprint):
        self.membership, self.sprint = membership, sprint

    @cached_property
    def artifact(self):
        return (
            SprintArtifact.objects.filter(sprint=self.sprint)
            .select_related("published_by__user", "reflected_by__user")
            .prefetch_related("files")
            .first()
        )

    @cached_property
    def files(self):
        return list(self.artifact.files.all()) if self.artifact else []

    @cached_property
    def seated(self):
        return bool(selectors.my_circles_in_sprint(self.membership, self.sprint))

    @cached_property
    def can_forge(self):
        return permissions.can_forge_artifact(self.membership, self.sprint, self.seated)

    @property
    def can_close(self):
        return permissions.can_close_sprint(self.membership, self.sprint)

    @property
    def can_add_files(self):
        return self.can_forge and self.artifact is not None and len(self.files) < MAX_ARTIFACT_FILES
