"""Every write to the commons goes through a function here.

Lock order, everywhere: the pool row first, then draw requests. Balances change only
under the pool's row lock, in the same transaction as the ledger entry.
"""

from datetime import timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.urls import reverse
from django.utils import dateformat, timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy, ngettext

from circles.models import CircleMembership
from circles.selectors import circle_ids_of, people_in_circles_other_than
from commons import deadlines, permissions, selectors
from commons.amounts import check_amount, format_amount, is_currency, pool_places
from commons.models import (
    Approval,
    ArchiveEntry,
    ArchiveTag,
    Booking,
    DrawRequest,
    LedgerEntry,
    Pool,
    Resource,
)
from movement.models import Tactic
from movement.services import (
    ensure_tactics,
    notify,
    notify_many,
    publish_after_commit,
    record_event,
)
from movement.tactics import tactics_named
from movement.vocabulary import audit_verbs, notification_kinds


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    POOL_CREATED = "pool.created", gettext_lazy("created a pool")
    POOL_POLICY_CHANGED = "pool.policy_changed", gettext_lazy("changed a pool's policy")
    CONTRIBUTED = "ledger.contributed", gettext_lazy("contributed")
    DRAW_REQUESTED = "draw.requested", gettext_lazy("requested a draw")
    DRAW_APPROVED = "draw.approved", gettext_lazy("approved a draw")
    DRAW_DECLINED = "draw.declined", gettext_lazy("declined a draw")
    DRAW_GRANTED = "draw.granted", gettext_lazy("a draw was granted")
    DRAW_REFUSED = "draw.refused", gettext_lazy("a draw was declined by the circles")
    DRAW_WITHDRAWN = "draw.withdrawn", gettext_lazy("withdrew a draw request")
    ENTRY_REVERSED = "ledger.reversed", gettext_lazy("reversed a ledger entry")
    ARCHIVE_ADDED = "archive.added", gettext_lazy("added to the archive")
    ARCHIVE_EDITED = "archive.edited", gettext_lazy("edited an archive entry")
    RESOURCE_ADDED = "resource.added", gettext_lazy("added a shared space or tool")
    RESOURCE_BOOKED = "resource.booked", gettext_lazy("booked a shared space or tool")
    BOOKING_CANCELLED = "resource.booking_cancelled", gettext_lazy("cancelled a booking")
    BOOKING_APPROVED = "resource.booking_approved", gettext_lazy("approved a long booking")
    BOOKING_DECLINED = "resource.booking_declined", gettext_lazy("declined a long booking")
    PLEDGED = "pledge.made", gettext_lazy("pledged to a pool")
    PLEDGE_CHANGED = "pledge.changed", gettext_lazy("changed a pledge")
    PLEDGE_ENDED = "pledge.ended", gettext_lazy("ended a pledge")


@notification_kinds
class NotificationKind(models.TextChoices):
    """What this app tells people about."""

    DRAW_SETTLED = "commons.draw_settled", gettext_lazy("my draw request was decided")
    DRAW_NEEDS_DECISION = (
        "commons.draw_needs_decision",
        gettext_lazy("a draw request waits for my circle's decision"),
    )
    PLEDGE_DUE = "commons.pledge_due", gettext_lazy("a pledge of mine falls due")
    BOOKING_SOON = "commons.booking_soon", gettext_lazy("a space or tool I booked is soon mine")
    BOOKING_NEEDS_DECISION = (
        "commons.booking_needs_decision",
        gettext_lazy("a long booking waits for my circle's decision"),
    )
    BOOKING_DECIDED = "commons.booking_decided", gettext_lazy("my long booking was decided")


# --- pools ----------------------------------------------------------------------------


def create_pool(
    *, by, name, kind, purpose, instant_limit, approvals_required=2, currency="", unit=""
):
    """An organizer opens a pool in the movement's commons."""
    errors = {}
    currency = currency.strip().upper()
    unit = unit.strip()
    if kind in Pool.MONEY_KINDS:
        if not is_currency(currency):
            errors["currency"] = _("Use a three-letter ISO currency code, like EUR or USD.")
        unit = ""
    else:
        currency = ""
        if kind == Pool.Kind.ITEMS and not unit:
            errors["unit"] = _("Name what the pool holds, like meals or tents.")
    if kind not in Pool.Kind.values:
        errors["kind"] = _("Pick money, hours or items.")
    if approvals_required < 1:
        errors["approvals_required"] = _("At least one other circle must approve large draws.")
    if errors:
        raise ValidationError(errors)
    places = pool_places(kind, currency)
    if instant_limit != 0:
        instant_limit = check_amount(instant_limit, places=places, field="instant_limit")
    name_key = name.strip().casefold()
    if Pool.objects.filter(movement=by.movement, name_key=name_key).exists():
        raise ValidationError({"name": _("The commons already has a pool with this name.")})
    try:
        with transaction.atomic():
            pool = Pool.objects.create(
                movement=by.movement,
                name=name.strip(),
                name_key=name_key,
                kind=kind,
                currency=currency,
                unit=unit,
                decimal_places=places,
                purpose=purpose.strip(),
                instant_limit=instant_limit,
                approvals_required=approvals_required,
            )
            record_event(
                movement=by.movement,
                actor=by.user,
                verb=Verb.POOL_CREATED,
                target=pool.name,
                pool=pool.pk,
            )
    except IntegrityError:
        raise ValidationError(
            {"name": _("The commons already has a pool with this name.")}
        ) from None
    return pool


def change_pool_policy(*, by, pool, purpose, instant_limit, approvals_required):
    """An organizer changes what a pool is for and its access policy, in the open: the
    change is on the audit trail with the old and new values. Open requests are judged by
    the new policy from then on."""
    if approvals_required < 1:
        raise ValidationError(
            {"approvals_required": _("At least one other circle must approve large draws.")}
        )
    if instant_limit != 0:
        instant_limit = check_amount(
            instant_limit, places=pool.decimal_places, field="instant_limit"
        )
    with transaction.atomic():
        pool = _locked(pool)
        previous = {
            "instant_limit": str(pool.instant_limit),
            "approvals_required": pool.approvals_required,
        }
        pool.purpose = purpose.strip()
        pool.instant_limit = instant_limit
        pool.approvals_required = approvals_required
        pool.save(update_fields=["purpose", "instant_limit", "approvals_required"])
        record_event(
            movement=pool.movement,
            actor=by.user,
            verb=Verb.POOL_POLICY_CHANGED,
            target=pool.name,
            pool=pool.pk,
            previous=previous,
            instant_limit=str(instant_limit),
            approvals_required=approvals_required,
        )
    return pool


def _locked(pool):
    return Pool.objects.select_for_update(of=("self",)).select_related("movement").get(pk=pool.pk)


def _append(
    pool,
    *,
    kind,
    amount,
    recorded_by,
    circle=None,
    anonymous=False,
    note="",
    reverses=None,
    at=None,
):
    """Write one entry and move the (locked) pool's balance with it."""
    new_balance = pool.balance + amount
    if new_balance < 0 and not pool.allow_negative:
        raise ValidationError(
            {
                "amount": _("The pool holds %(balance)s; this needs %(needed)s.")
                % {
                    "balance": format_amount(pool.balance, pool),
                    "needed": format_amount(-amount, pool),
                }
            }
        )
    pool.balance = new_balance
    pool.save(update_fields=["balance"])
    return LedgerEntry.objects.create(
        pool=pool,
        kind=kind,
        amount=amount,
        balance_after=new_balance,
        recorded_by=recorded_by,
        circle=circle,
        anonymous=anonymous,
        note=note[:500],
        reverses=reverses,
        created_at=at or timezone.now(),
    )


ROTATING_ONLY = gettext_lazy(
    "A rotating pool takes each round's shares and pays out each round's pot; nothing else."
)


def _not_rotating(pool):
    if pool.kind == Pool.Kind.ROTATING:
        raise ValidationError(ROTATING_ONLY)


def _own_circle(by, circle):
    if circle is not None and circle.pk not in circle_ids_of(by):
        raise ValidationError({"circle": _("You can only speak for a circle you are in.")})


# --- contributions ----------------------------------------------------------------------


def contribute(*, by, pool, amount, note="", circle=None, anonymous=False):
    """A member adds to a pool, optionally for one of their circles, optionally anonymous
    to other members (the ledger still records who)."""
    _not_rotating(pool)
    amount = check_amount(amount, places=pool.decimal_places)
    _own_circle(by, circle)
    with transaction.atomic():
        return _contribution(
            _locked(pool),
            by=by,
            amount=amount,
            circle=circle,
            anonymous=anonymous,
            note=note.strip(),
        )


def _contribution(pool, *, by, amount, circle, anonymous, note):
    """A contribution to the (locked) pool, on the audit trail; it may fund waiting draws."""
    entry = _append(
        pool,
        kind=LedgerEntry.Kind.CONTRIBUTION,
        amount=amount,
        recorded_by=by.user,
        circle=circle,
        anonymous=anonymous,
        note=note,
    )
    record_event(
        movement=pool.movement,
        actor=by.user,
        verb=Verb.CONTRIBUTED,
        target=pool.name,
        pool=pool.pk,
        entry=entry.pk,
        amount=str(amount),
        anonymous=anonymous,
    )
    _fund_waiting_draws(pool)
    return entry


# --- draws --------------------------------------------------------------------------------


def request_draw(*, by, pool, amount, purpose, circle=None):
    """Ask to draw from a pool. Up to the pool's limit it is granted at once (or refused
    with the reason); above it the request waits for approvals from other circles."""
    _not_rotating(pool)
    amount = check_amount(amount, places=pool.decimal_places)
    if not purpose.strip():
        raise ValidationError({"purpose": _("Say what the draw is for.")})
    if circle is not None and (circle.movement_id != pool.movement_id or circle.is_archived):
        raise ValidationError({"circle": _("Pick an active circle of this movement.")})
    excluded = circle_ids_of(by) | ({circle.pk} if circle else set())
    with transaction.atomic():
        pool = _locked(pool)
        # Decided under the lock: a policy changed a moment ago applies to this request.
        needs_approval = amount > pool.instant_limit
        if needs_approval:
            other_circles = selectors.other_active_circles(
                movement=pool.movement, excluded_ids=excluded
            )
            if other_circles < pool.approvals_required:
                raise ValidationError(
                    {
                        "amount": _(
                            "Above %(limit)s a draw needs approvals from %(needed)d circles "
                            "other than yours, and this movement has only %(found)d. Ask for "
                            "less, or ask an organizer to change the pool's policy."
                        )
                        % {
                            "limit": format_amount(pool.instant_limit, pool),
                            "needed": pool.approvals_required,
                            "found": other_circles,
                        }
                    }
                )
        draw = DrawRequest.objects.create(
            pool=pool,
            requested_by=by.user,
            circle=circle,
            amount=amount,
            purpose=purpose.strip(),
            excluded_circle_ids=sorted(excluded),
        )
        record_event(
            movement=pool.movement,
            actor=by.user,
            verb=Verb.DRAW_REQUESTED,
            target=pool.name,
            draw=draw.pk,
            amount=str(amount),
        )
        if needs_approval:
            publish_after_commit(_tell_deciders_task(), draw.pk)
        else:
            _grant(pool, draw)  # raises (and rolls back the request) if the pool can't afford it
    return draw


def _tell_deciders_task():
    from commons.tasks import tell_deciders

    return tell_deciders.delay


def tell_deciders(draw_id):
    """Tell the members of every circle that may decide on a waiting draw that it waits for
    them: once, however often this runs, even from two workers at the same time. Returns
    how many were told."""
    with transaction.atomic():
        draw = (
            DrawRequest.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("pool__movement")
            .filter(pk=draw_id, deciders_told_at__isnull=True)
            .first()
        )
        if draw is None:
            return 0
        told = []
        if draw.state == DrawRequest.State.PENDING:
            movement = draw.pool.movement
            told = list(
                people_in_circles_other_than(movement, draw.excluded_circle_ids).exclude(
                    pk=draw.requested_by_id
                )
            )
            notify_many(
                recipients=told,
                kind=NotificationKind.DRAW_NEEDS_DECISION,
                movement=movement,
                subject=gettext_lazy("A draw from %(pool)s waits for your circle"),
                body=gettext_lazy(
                    "Someone asks for %(amount)s from %(pool)s: %(purpose)s\n\nAbove the "
                    "pool's limit it needs approvals from %(needed)s circles other than "
                    "the requester's, and you sit in one of them. Approve or decline, with "
                    "a word on why."
                ),
                params={
                    "pool": draw.pool.name,
                    "amount": format_amount(draw.amount, draw.pool),
                    "purpose": draw.purpose[:300],
                    "needed": draw.pool.approvals_required,
                },
                url=draw.get_absolute_url(),
            )
        draw.deciders_told_at = timezone.now()
        draw.save(update_fields=["deciders_told_at"])
    return len(told)


def tell_waiting_deciders(*, limit=50):
    """Beat's catch-up: waiting draws whose deciders a broker outage kept untold."""
    untold = DrawRequest.objects.filter(
        state=DrawRequest.State.PENDING, deciders_told_at__isnull=True
    ).order_by("created_at")
    return sum(tell_deciders(pk) for pk in untold.values_list("pk", flat=True)[:limit])


def _grant(pool, draw):
    entry = _append(
        pool,
        kind=LedgerEntry.Kind.DRAW,
        amount=-draw.amount,
        recorded_by=draw.requested_by,
        circle=draw.circle,
        note=draw.purpose,
    )
    draw.entry = entry
    draw.state = DrawRequest.State.GRANTED
    draw.decided_at = timezone.now()
    draw.save(update_fields=["entry", "state", "decided_at"])
    record_event(
        movement=pool.movement,
        actor=None,
        verb=Verb.DRAW_GRANTED,
        target=pool.name,
        draw=draw.pk,
        entry=entry.pk,
        amount=str(draw.amount),
    )
    return entry


def _fund_waiting_draws(pool):
    """Grant approved requests, oldest approval first, while they fit. One queue: a request
    approved later never overtakes an earlier one that is still waiting for funds."""
    waiting = (
        DrawRequest.objects.select_for_update()
        .filter(pool=pool, state=DrawRequest.State.APPROVED)
        .order_by("decided_at", "pk")
    )
    granted = []
    for draw in waiting:
        if pool.balance - draw.amount < 0 and not pool.allow_negative:
            break
        _grant(pool, draw)
        _tell_requester(draw, gettext_lazy("Your draw of %(amount)s was granted."))
        granted.append(draw.pk)
    return granted


def _tell_requester(draw, message):
    notify(
        recipient=draw.requested_by,
        kind=NotificationKind.DRAW_SETTLED,
        movement=draw.pool.movement,
        subject=gettext_lazy("Your draw request from %(pool)s"),
        body=message,
        params={"pool": draw.pool.name, "amount": format_amount(draw.amount, draw.pool)},
        url=draw.get_absolute_url(),
    )


def decide_draw(*, by, draw_request, decision, comment="", circle=None):
    """An eligible member approves or declines, counted for one of their circles.

    The request is granted once members of ``pool.approvals_required`` different circles
    approve (or waits for funds), and declined once as many circles decline: no single
    circle decides alone.
    """
    comment = comment.strip()
    if decision not in Approval.Decision.values:
        raise ValidationError({"decision": _("Approve or decline.")})
    if decision == Approval.Decision.DECLINE and not comment:
        raise ValidationError({"comment": _("Say why you decline, so the requester can answer.")})
    with transaction.atomic():
        pool = _locked(draw_request.pool)
        draw = DrawRequest.objects.select_for_update().get(pk=draw_request.pk)
        draw.pool = pool
        if draw.state != DrawRequest.State.PENDING:
            raise ValidationError(_("This request is no longer waiting for decisions."))
        eligible = selectors.eligible_circle_ids(membership=by, draw_request=draw)
        if not eligible:
            raise ValidationError(
                _("Only members of circles other than the requester's can decide.")
            )
        circle_id = circle.pk if circle is not None else eligible[0]
        if circle_id not in eligible:
            raise ValidationError({"circle": _("Decide for one of your own circles.")})
        if Approval.objects.filter(draw_request=draw, member=by.user).exists():
            raise ValidationError(_("You have already decided on this request."))
        Approval.objects.create(
            draw_request=draw,
            member=by.user,
            circle_id=circle_id,
            decision=decision,
            comment=comment,
        )
        verb = Verb.DRAW_APPROVED if decision == Approval.Decision.APPROVE else Verb.DRAW_DECLINED
        record_event(
            movement=pool.movement,
            actor=by.user,
            verb=verb,
            target=pool.name,
            draw=draw.pk,
            circle=circle_id,
        )
        approving, declining = selectors.draw_tally(draw)
        same_mind = approving if decision == Approval.Decision.APPROVE else declining
        if same_mind >= pool.approvals_required:
            if decision == Approval.Decision.DECLINE:
                draw.state = DrawRequest.State.DECLINED
                draw.decided_at = timezone.now()
                draw.save(update_fields=["state", "decided_at"])
                record_event(
                    movement=pool.movement,
                    actor=None,
                    verb=Verb.DRAW_REFUSED,
                    target=pool.name,
                    draw=draw.pk,
                )
                _tell_requester(
                    draw, gettext_lazy("Your draw of %(amount)s was declined; see why.")
                )
            else:
                draw.state = DrawRequest.State.APPROVED
                draw.decided_at = timezone.now()
                draw.save(update_fields=["state", "decided_at"])
                if draw.pk not in _fund_waiting_draws(pool):
                    _tell_requester(
                        draw,
                        gettext_lazy(
                            "Your draw of %(amount)s is approved and waits for the pool to "
                            "hold enough."
                        ),
                    )
                draw.refresh_from_db()
    return draw


def withdraw_draw(*, by, draw_request):
    """The requester takes back an open request; a withdrawn approved request frees its
    place in the queue for the next one."""
    with transaction.atomic():
        pool = _locked(draw_request.pool)
        draw = (
            DrawRequest.objects.select_for_update(of=("self",))
            .select_related("pool__movement")
            .get(pk=draw_request.pk)
        )
        if draw.requested_by_id != by.user_id:
            raise ValidationError(_("Only the requester can withdraw a request."))
        if not draw.is_open:
            raise ValidationError(_("This request is already settled."))
        was_waiting_for_funds = draw.state == DrawRequest.State.APPROVED
        draw.state = DrawRequest.State.WITHDRAWN
        draw.decided_at = timezone.now()
        draw.save(update_fields=["state", "decided_at"])
        if was_waiting_for_funds:
            _fund_waiting_draws(pool)
        record_event(
            movement=draw.pool.movement,
            actor=by.user,
            verb=Verb.DRAW_WITHDRAWN,
            target=draw.pool.name,
            draw=draw.pk,
        )
    return draw


# --- reversals ------------------------------------------------------------------------------


def reverse_entry(*, by, entry, reason):
    """Cancel a mistaken entry with a new, opposite one. The original stays as it was."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why this entry is reversed.")})
    _not_rotating(entry.pool)
    with transaction.atomic():
        pool = _locked(entry.pool)
        entry = LedgerEntry.objects.get(pk=entry.pk)
        if entry.kind == LedgerEntry.Kind.REVERSAL:
            raise ValidationError(_("A reversal cannot itself be reversed."))
        if LedgerEntry.objects.filter(reverses=entry).exists():
            raise ValidationError(_("This entry has already been reversed."))
        try:
            reversal = _append(
                pool,
                kind=LedgerEntry.Kind.REVERSAL,
                amount=-entry.amount,
                recorded_by=by.user,
                circle=entry.circle,
                note=reason,
                reverses=entry,
            )
        except ValidationError:
            raise ValidationError(
                {
                    "reason": _(
                        "Reversing this would take the pool below zero (it holds %(balance)s)."
                    )
                    % {"balance": format_amount(pool.balance, pool)}
                }
            ) from None
        record_event(
            movement=pool.movement,
            actor=by.user,
            verb=Verb.ENTRY_REVERSED,
            target=pool.name,
            entry=entry.pk,
            reversal=reversal.pk,
            reason=reason,
        )
        if reversal.amount > 0:
            _fund_waiting_draws(pool)
    return reversal


# --- the knowledge archive ---------------------------------------------------------------------


def _tags_for(movement, tag_names):
    names = sorted({name.strip().lower()[:40] for name in tag_names if name.strip()})
    existing = {
        tag.name: tag for tag in ArchiveTag.objects.filter(movement=movement, name__in=names)
    }
    missing = [ArchiveTag(movement=movement, name=name) for name in names if name not in existing]
    ArchiveTag.objects.bulk_create(missing, ignore_conflicts=True)
    return list(ArchiveTag.objects.filter(movement=movement, name__in=names))


def _tactics_named_by(movement, tag_names):
    """The library's tactics the entry's tags name ("bail fund", "mural")."""
    text = ", ".join(tag_names)
    if not text.strip():
        return []
    ensure_tactics(movement)
    return tactics_named(text, Tactic.objects.filter(movement=movement))


def add_archive_entry(*, by, title, body, tags=(), lens="", circle=None):
    _own_circle(by, circle)
    with transaction.atomic():
        entry = ArchiveEntry.objects.create(
            movement=by.movement,
            title=title.strip(),
            body=body.strip(),
            lens=lens,
            circle=circle,
            author=by.user,
        )
        entry.tags.set(_tags_for(by.movement, tags))
        entry.tactic_tags.set(_tactics_named_by(by.movement, tags))
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.ARCHIVE_ADDED,
            target=entry.title,
            archive_entry=entry.pk,
        )
    return entry


def edit_archive_entry(*, by, entry, title, body, tags=(), lens="", circle=None):
    if circle is not None and circle.pk != entry.circle_id:
        _own_circle(by, circle)
    with transaction.atomic():
        entry.title, entry.body, entry.lens, entry.circle = (
            title.strip(),
            body.strip(),
            lens,
            circle,
        )
        entry.updated_at = timezone.now()
        entry.save()
        entry.tags.set(_tags_for(entry.movement, tags))
        entry.tactic_tags.set(_tactics_named_by(entry.movement, tags))
        record_event(
            movement=entry.movement,
            actor=by.user,
            verb=Verb.ARCHIVE_EDITED,
            target=entry.title,
            archive_entry=entry.pk,
        )
    return entry


# --- shared spaces and tools ---------------------------------------------------------------

SLOT_TAKEN = gettext_lazy("Someone booked that time a moment ago: pick another.")
LONGEST_BOOKING = timedelta(days=14)
BOOKING_DECIDERS = gettext_lazy(
    "Only members of a circle other than the booker's decide, while the booking waits."
)
# A booker is reminded this long before their slot, or an hour before when booked later.
REMIND_BEFORE = (timedelta(hours=24), timedelta(hours=1))


def _book_reminder(booking, now):
    for before in REMIND_BEFORE:
        due_at = booking.starts_at - before
        if due_at > now:
            deadlines.schedule(
                deadlines.BOOKING_SOON,
                due_at=due_at,
                target=booking,
                movement=booking.resource.movement,
            )
            return due_at
    return None


def remind_booking(*, booking_id):
    """The timer's work: tell the booker their slot is coming, unless it was cancelled."""
    booking = (
        Booking.objects.select_related("resource__movement", "booked_by__user")
        .filter(pk=booking_id, cancelled_at__isnull=True)
        .first()
    )
    if booking is None or booking.booked_by is None or booking.waits_for_approval:
        return None
    movement = booking.resource.movement
    return notify(
        recipient=booking.booked_by.user,
        kind=NotificationKind.BOOKING_SOON,
        movement=movement,
        subject=gettext_lazy("%(resource)s is yours from %(starts)s"),
        body=gettext_lazy(
            "Your booking of %(resource)s runs from %(starts)s to %(ends)s. If you no longer "
            "need it, cancel it so someone else can book the time."
        ),
        params={
            "resource": booking.resource.name,
            "starts": local_moment(booking.starts_at, movement),
            "ends": local_moment(booking.ends_at, movement),
        },
        url=booking.resource.get_absolute_url(),
    )


BOOK_AHEAD = timedelta(days=366)


def add_resource(*, by, name, description, place="", max_hours=4):
    if not permissions.can_manage_resources(by):
        raise PermissionDenied(_("Only organizers add spaces and tools to the commons."))
    name = name.strip()
    if Resource.objects.filter(movement=by.movement, name_key=name.casefold()).exists():
        raise ValidationError({"name": _("The commons already has something of that name.")})
    with transaction.atomic():
        resource = Resource.objects.create(
            movement=by.movement,
            name=name,
            name_key=name.casefold(),
            description=description.strip(),
            place=place.strip(),
            max_hours=max_hours,
        )
        record_event(
            movement=by.movement, actor=by.user, verb=Verb.RESOURCE_ADDED, target=resource.name
        )
    return resource


def book(*, by, resource, starts_at, ends_at, circle=None, note="", now=None, within=None):
    """A slot of ``resource`` for ``by`` (or one of their circles). Two live bookings of one
    resource never overlap: PostgreSQL's exclusion constraint refuses the second of two
    bookings made at the same moment; on SQLite the resource row is locked and checked.
    ``within`` (a start and an end) replaces the resource's longest booking: a sprint
    books for its own window."""
    now = now or timezone.now()
    errors = {}
    if ends_at <= starts_at:
        errors["ends_at"] = _("The booking has to end after it starts.")
    elif starts_at < now and within is None:
        errors["starts_at"] = _("That time has passed: book a time to come.")
    elif ends_at <= now:
        errors["ends_at"] = _("That time has passed: book a time to come.")
    elif starts_at > now + BOOK_AHEAD:
        errors["starts_at"] = _("Book within the next year.")
    elif within is not None:
        if starts_at < within[0] or ends_at > within[1]:
            errors["starts_at"] = _("Book within the sprint's own hours.")
    elif ends_at - starts_at > LONGEST_BOOKING:
        errors["ends_at"] = _("Book for two weeks at most at once.")
    if resource.archived_at is not None or resource.movement_id != by.movement_id:
        errors["resource"] = _("This space or tool cannot be booked.")
    if (
        circle is not None
        and not CircleMembership.objects.filter(circle=circle, member=by).exists()
    ):
        errors["circle"] = _("Book for a circle you are in, or for yourself.")
    long = within is None and ends_at - starts_at > timedelta(hours=resource.max_hours)
    excluded = circle_ids_of(by) | ({circle.pk} if circle is not None else set())
    if (
        long
        and not errors
        and not selectors.other_active_circles(movement=by.movement, excluded_ids=excluded)
    ):
        errors["ends_at"] = ngettext(
            "Beyond %(hours)d hour, a booking of %(name)s needs a member of another circle "
            "than yours to approve it, and this movement has none: book less.",
            "Beyond %(hours)d hours, a booking of %(name)s needs a member of another circle "
            "than yours to approve it, and this movement has none: book less.",
            resource.max_hours,
        ) % {"name": resource.name, "hours": resource.max_hours}
    if errors:
        raise ValidationError(errors)
    try:
        with transaction.atomic():
            Resource.objects.select_for_update().get(pk=resource.pk)  # SQLite: one at a time
            clash = Booking.objects.filter(
                resource=resource,
                cancelled_at__isnull=True,
                starts_at__lt=ends_at,
                ends_at__gt=starts_at,
            ).exists()
            if clash:
                raise ValidationError({"starts_at": _("That time is already booked.")})
            booking = Booking.objects.create(
                resource=resource,
                booked_by=by,
                circle=circle,
                starts_at=starts_at,
                ends_at=ends_at,
                note=note.strip(),
                waits_since=now if long else None,
                excluded_circle_ids=sorted(excluded) if long else [],
            )
            _book_reminder(booking, now)
            if long:
                _tell_booking_deciders(booking)
            record_event(
                movement=by.movement,
                actor=by.user,
                verb=Verb.RESOURCE_BOOKED,
                target=resource.name,
                booking=booking.pk,
            )
    except IntegrityError:  # PostgreSQL's exclusion constraint: booked a moment ago
        raise ValidationError({"starts_at": SLOT_TAKEN}) from None
    return booking


def _tell_booking_deciders(booking):
    movement = booking.resource.movement
    notify_many(
        recipients=people_in_circles_other_than(movement, booking.excluded_circle_ids).exclude(
            pk=booking.booked_by.user_id
        ),
        kind=NotificationKind.BOOKING_NEEDS_DECISION,
        movement=movement,
        subject=gettext_lazy("A long booking of %(resource)s waits for your circle"),
        body=gettext_lazy(
            "%(resource)s is asked for from %(starts)s to %(ends)s: %(note)s\n\nIt is "
            "longer than members book alone, so a member of another circle than the "
            "booker's approves it, or declines with a word on why."
        ),
        params={
            "resource": booking.resource.name,
            "starts": local_moment(booking.starts_at, movement),
            "ends": local_moment(booking.ends_at, movement),
            "note": booking.note or "—",
        },
        url=booking_decision_url(booking),
    )


def local_moment(moment, movement):
    """``moment`` on the movement's wall clock, in words of the reader's language (lazy:
    written when each notification is, in its recipient's language)."""
    local = timezone.localtime(moment, movement.zone)
    return lazy(lambda: dateformat.format(local, "l j F Y, H:i"), str)()


def booking_decision_url(booking):
    return reverse(
        "commons:booking_decide",
        kwargs={
            "movement_slug": booking.resource.movement.slug,
            "resource_id": booking.resource_id,
            "booking_id": booking.pk,
        },
    )


def decide_booking(*, by, booking, approve, reason=""):
    """A member of a circle other than the booker's approves a long booking, or declines
    it with a word on why (the slot is free again)."""
    reason = reason.strip()
    if not approve and not reason:
        raise ValidationError({"reason": _("Say why you decline, so the booker can answer.")})
    with transaction.atomic():
        booking = (
            Booking.objects.select_for_update(of=("self",))
            .select_related("resource__movement", "booked_by__user")
            .get(pk=booking.pk)
        )
        if not booking.waits_for_approval:
            raise ValidationError(_("This booking no longer waits for a decision."))
        if not permissions.can_decide_booking(by, booking, circle_ids_of(by)):
            raise PermissionDenied(BOOKING_DECIDERS)
        booking.decided_by, booking.decided_at = by, timezone.now()
        if not approve:
            booking.cancelled_at, booking.declined_because = booking.decided_at, reason[:500]
            deadlines.cancel(deadlines.BOOKING_SOON, target=booking)
        booking.save(update_fields=["decided_by", "decided_at", "cancelled_at", "declined_because"])
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.BOOKING_APPROVED if approve else Verb.BOOKING_DECLINED,
            target=booking.resource.name,
            booking=booking.pk,
        )
        if booking.booked_by is not None:
            notify(
                recipient=booking.booked_by.user,
                kind=NotificationKind.BOOKING_DECIDED,
                movement=by.movement,
                subject=gettext_lazy("Your booking of %(resource)s"),
                body=gettext_lazy("It is approved: %(starts)s to %(ends)s is yours.")
                if approve
                else gettext_lazy("It is declined, and the time is free again: %(reason)s"),
                params={
                    "resource": booking.resource.name,
                    "starts": local_moment(booking.starts_at, by.movement),
                    "ends": local_moment(booking.ends_at, by.movement),
                    "reason": reason,
                },
                url=booking.resource.get_absolute_url(),
            )
    return booking


def cancel_booking(*, by, booking):
    if booking.booked_by_id != by.pk and not permissions.can_manage_resources(by):
        raise PermissionDenied(_("Only who booked it, or an organizer, cancels a booking."))
    with transaction.atomic():
        updated = Booking.objects.filter(pk=booking.pk, cancelled_at__isnull=True).update(
            cancelled_at=timezone.now()
        )
        if updated:
            deadlines.cancel(deadlines.BOOKING_SOON, target=booking)
            record_event(
                movement=by.movement,
                actor=by.user,
                verb=Verb.BOOKING_CANCELLED,
                target=booking.resource.name,
                booking=booking.pk,
            )
    return booking
