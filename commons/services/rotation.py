"""A rotating mutual-aid pool: each round everyone puts in the same share and the whole
pot goes to one of them, in an order agreed before the first round.

An organizer opens it; members join on their own consent while it forms; under the need
order a participant may ask to go earlier, with a reason, and the others decide by
majority; the organizer starts it with the order (the lot's, asks approved first), which
must hold every participant once. Each round closes on a durable timer, paying out what
the pool holds (the ledger never goes below zero; a short round shows its gap). Lock
order, as everywhere in the commons: the pool row, then the round.
"""

import random
import secrets
from datetime import datetime, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from commons import deadlines, permissions
from commons.amounts import check_amount, format_amount
from commons.models import (
    EarlierVote,
    LedgerEntry,
    Pool,
    RotationRound,
    RotationSeat,
    RoundShare,
)
from commons.models import Rotation as RotationModel
from commons.services import _append, _locked, create_pool, local_moment
from commons.services.pledges import REMIND_AT
from movement.services import notify, notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds

START_REFUSED = gettext_lazy(
    "Only a participant who opened it, or an organizer taking part, starts the rounds."
)
MAX_ROUND_DAYS = 92
MAX_PARTICIPANTS = 60


@audit_verbs
class Verb(models.TextChoices):
    OPENED = "rotation.opened", gettext_lazy("opened a rotating pool")
    JOINED = "rotation.joined", gettext_lazy("joined a rotating pool")
    LEFT = "rotation.left", gettext_lazy("left a rotating pool before it started")
    STARTED = "rotation.started", gettext_lazy("started a rotating pool")
    SHARE_PAID = "rotation.share_paid", gettext_lazy("put in a round's share")
    ROUND_CLOSED = "rotation.round_closed", gettext_lazy("a round closed and paid out")


@notification_kinds
class NotificationKind(models.TextChoices):
    ROUND_OPEN = "commons.round_open", gettext_lazy("a round of my rotating pool opens")
    ROUND_PAID = "commons.round_paid", gettext_lazy("a round of my rotating pool paid out")
    EARLIER_ASKED = (
        "commons.earlier_asked",
        gettext_lazy("someone in my rotating pool asks to go earlier"),
    )


def open_rotation(*, by, name, currency, purpose, share, round_days, order):
    """An organizer opens a rotating pool; it forms until they start it."""
    if not permissions.can_create_pool(by):
        raise PermissionDenied(_("Only organizers can open pools."))
    errors = {}
    if order not in RotationModel.Order.values:
        errors["order"] = _("Pick by lot or by need.")
    if not isinstance(round_days, int) or not 1 <= round_days <= MAX_ROUND_DAYS:
        errors["round_days"] = _("A round lasts from 1 to %(days)d days.") % {
            "days": MAX_ROUND_DAYS
        }
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        pool = create_pool(
            by=by,
            name=name,
            kind=Pool.Kind.ROTATING,
            currency=currency,
            purpose=purpose,
            instant_limit=0,
            approvals_required=1,
        )
        share = check_amount(share, places=pool.decimal_places, field="share")
        rotation = RotationModel.objects.create(
            pool=pool,
            share=share,
            round_days=round_days,
            order=order,
            seed=secrets.token_hex(8),
            opened_by=by.user,
        )
        record_event(movement=by.movement, actor=by.user, verb=Verb.OPENED, target=pool.name)
    return rotation


def _locked_rotation(rotation):
    return (
        RotationModel.objects.select_for_update(of=("self",))
        .select_related("pool__movement")
        .get(pk=rotation.pk)
    )


def _forming(rotation):
    if rotation.state != RotationModel.State.FORMING:
        raise ValidationError(
            _("Its rounds have begun: nobody joins or leaves until it ends. Ask for the next one.")
        )


def join(*, by, rotation):
    """A member takes part, on their own consent, while the pool forms."""
    with transaction.atomic():
        rotation = _locked_rotation(rotation)
        if rotation.pool.movement_id != by.movement_id:
            raise PermissionDenied(_("Join a pool of your own movement."))
        _forming(rotation)
        if rotation.seats.filter(member=by.user_id).exists():
            raise ValidationError(_("You are already taking part."))
        if rotation.seats.count() >= MAX_PARTICIPANTS:
            raise ValidationError(_("This pool is full."))
        seat = RotationSeat.objects.create(rotation=rotation, member=by.user)
        record_event(
            movement=by.movement, actor=by.user, verb=Verb.JOINED, target=rotation.pool.name
        )
    return seat


def leave(*, by, rotation):
    with transaction.atomic():
        rotation = _locked_rotation(rotation)
        _forming(rotation)
        seat = rotation.seats.filter(member=by.user_id).first()
        if seat is None:
            raise ValidationError(_("You are not taking part."))
        seat.delete()
        record_event(movement=by.movement, actor=by.user, verb=Verb.LEFT, target=rotation.pool.name)


def _seat_of(rotation, user_id):
    return rotation.seats.filter(member=user_id).first()


def ask_earlier(*, by, rotation, reason):
    """Under the need order, a participant asks to be paid earlier, saying why."""
    reason = reason.strip()
    if not reason:
        raise ValidationError({"reason": _("Say why you need it earlier.")})
    with transaction.atomic():
        rotation = _locked_rotation(rotation)
        _forming(rotation)
        if rotation.order != RotationModel.Order.NEED:
            raise ValidationError(_("This pool's order is drawn by lot alone."))
        seat = _seat_of(rotation, by.user_id)
        if seat is None:
            raise ValidationError(_("Only participants ask to go earlier."))
        if seat.earlier:
            raise ValidationError(_("You have asked already."))
        seat.earlier_reason = reason[:500]
        seat.earlier = RotationSeat.Ask.PENDING
        seat.earlier_asked_at = timezone.now()
        seat.save(update_fields=["earlier_reason", "earlier", "earlier_asked_at"])
        others = [s.member for s in rotation.seats.exclude(pk=seat.pk).select_related("member")]
        notify_many(
            recipients=others,
            kind=NotificationKind.EARLIER_ASKED,
            movement=rotation.pool.movement,
            subject=gettext_lazy("Someone in %(pool)s asks to go earlier"),
            body=gettext_lazy("They say: %(reason)s\n\nSay yes or no on the pool's page."),
            params={"pool": rotation.pool.name, "reason": reason[:300]},
            url=rotation.pool.get_absolute_url(),
        )
    return seat


def needed_votes(participants):
    """A majority of the others: 1 of 1, 2 of 2 or 3, 3 of 4 or 5 …"""
    return (participants - 1) // 2 + 1


def vote_earlier(*, by, seat, approve):
    """Another participant says yes or no; a majority of the others decides."""
    with transaction.atomic():
        rotation = _locked_rotation(seat.rotation)
        _forming(rotation)
        seat = RotationSeat.objects.select_for_update().get(pk=seat.pk)
        if seat.earlier != RotationSeat.Ask.PENDING:
            raise ValidationError(_("This ask is already decided."))
        if seat.member_id == by.user_id or _seat_of(rotation, by.user_id) is None:
            raise ValidationError(_("Only the other participants decide."))
        try:
            with transaction.atomic():
                EarlierVote.objects.create(seat=seat, voter=by.user, approve=approve)
        except IntegrityError:
            raise ValidationError(_("You have decided already.")) from None
        others = rotation.seats.count() - 1
        needed = needed_votes(others + 1)
        tally = seat.votes.aggregate(
            yes=models.Count("id", filter=models.Q(approve=True)),
            no=models.Count("id", filter=models.Q(approve=False)),
        )
        if tally["yes"] >= needed:
            seat.earlier = RotationSeat.Ask.APPROVED
        elif tally["no"] > others - needed:
            seat.earlier = RotationSeat.Ask.DECLINED
        seat.save(update_fields=["earlier"])
    return seat


def proposed_order(rotation):
    """The order the pool would start with: approved asks first, in the order they were
    asked, then everyone else by the seeded lot (anyone can draw it again)."""
    seats = list(rotation.seats.order_by("pk"))
    first = sorted(
        (s for s in seats if s.earlier == RotationSeat.Ask.APPROVED),
        key=lambda s: (s.earlier_asked_at, s.pk),
    )
    rest = [s for s in seats if s not in first]
    random.Random(rotation.seed).shuffle(rest)
    return first + rest


def close_time(start, rounds, movement):
    """When round ``rounds`` closes: REMIND_AT on the movement's wall clock, ``rounds``
    round lengths after the day it started (the same hour across daylight-saving)."""
    day = timezone.localtime(start, movement.zone).date()
    return datetime.combine(day + timedelta(days=rounds), REMIND_AT, tzinfo=movement.zone)


def start(*, by, rotation, order, now=None):
    """The organizer starts the rounds with ``order`` (seat ids, first paid first), which
    must name every participant once. Every round is planned now, so all see the rounds
    ahead; the first is open and its close is on a timer."""
    now = now or timezone.now()
    with transaction.atomic():
        rotation = _locked_rotation(rotation)
        if not permissions.can_start_rotation(by, rotation, _seat_of(rotation, by.user_id)):
            raise PermissionDenied(START_REFUSED)
        _forming(rotation)
        seats = {seat.pk: seat for seat in rotation.seats.select_related("member")}
        if len(seats) < 2:
            raise ValidationError(_("A rotating pool needs two participants at least."))
        missing = [seat for pk, seat in seats.items() if pk not in order]
        if missing or len(order) != len(seats) or set(order) != set(seats):
            names = ", ".join(seat.member.display_name for seat in missing)
            raise ValidationError(
                _("Every participant needs one place in the order; missing: %(names)s.")
                % {"names": names}
                if missing
                else _("Every participant needs one place in the order, once.")
            )
        movement = rotation.pool.movement
        for position, pk in enumerate(order, start=1):
            seats[pk].position = position
        RotationSeat.objects.bulk_update(seats.values(), ["position"])
        opens = now
        for number, pk in enumerate(order, start=1):
            closes = close_time(now, number * rotation.round_days, movement)
            RotationRound.objects.create(
                rotation=rotation,
                number=number,
                recipient=seats[pk],
                opens_at=opens,
                closes_at=closes,
            )
            opens = closes
        rotation.state, rotation.started_at = RotationModel.State.RUNNING, now
        rotation.save(update_fields=["state", "started_at"])
        first = rotation.rounds.get(number=1)
        _schedule_close(first, movement)
        record_event(movement=movement, actor=by.user, verb=Verb.STARTED, target=rotation.pool.name)
        _tell_round_open(rotation, first)
    return rotation


def _schedule_close(round_, movement):
    deadlines.schedule(
        deadlines.ROUND_CLOSES, due_at=round_.closes_at, target=round_, movement=movement
    )


def _tell_round_open(rotation, round_):
    notify_many(
        recipients=[seat.member for seat in rotation.seats.select_related("member")],
        kind=NotificationKind.ROUND_OPEN,
        movement=rotation.pool.movement,
        subject=gettext_lazy("Round %(number)s of %(pool)s is open"),
        body=gettext_lazy(
            "Put in your share of %(share)s before %(closes)s: the pot goes to %(recipient)s."
        ),
        params={
            "number": round_.number,
            "pool": rotation.pool.name,
            "share": format_amount(rotation.share, rotation.pool),
            "closes": local_moment(round_.closes_at, rotation.pool.movement),
            "recipient": round_.recipient.member.display_name,
        },
        url=rotation.pool.get_absolute_url(),
    )


def pay_share(*, by, rotation, now=None):
    """A participant says they put in their share of the open round: a contribution on
    the ledger, once per round however often it is sent."""
    now = now or timezone.now()
    with transaction.atomic():
        pool = _locked(rotation.pool)
        # A round takes shares from the moment the one before it closes.
        round_ = (
            RotationRound.objects.select_for_update(of=("self",))
            .filter(rotation=rotation, closed_at__isnull=True)
            .order_by("number")
            .first()
        )
        if round_ is None:
            raise ValidationError(_("No round is taking shares now."))
        seat = _seat_of(rotation, by.user_id)
        if seat is None:
            raise ValidationError(_("Only participants put in shares."))
        if RoundShare.objects.filter(round=round_, seat=seat).exists():
            raise ValidationError(_("Your share of this round is in already."))
        entry = _append(
            pool,
            kind=LedgerEntry.Kind.CONTRIBUTION,
            amount=rotation.share,
            recorded_by=by.user,
            note=_("Share of round %(number)d") % {"number": round_.number},
            at=now,
        )
        RoundShare.objects.create(round=round_, seat=seat, entry=entry)
        record_event(
            movement=pool.movement,
            actor=by.user,
            verb=Verb.SHARE_PAID,
            target=pool.name,
            round=round_.number,
        )
    return entry


def close_round(*, round_id, now=None):
    """The timer's work: pay the pot to the round's recipient, once, however many sweepers
    run it; open the next round and book its close. Returns the payout entry (None when
    the round was closed already or held nothing)."""
    with transaction.atomic():
        return _close_round(round_id, now or timezone.now())


def _close_round(round_id, now):
    round_ = RotationRound.objects.select_related("rotation__pool").filter(pk=round_id).first()
    if round_ is None:
        return None
    pool = _locked(round_.rotation.pool)
    round_ = (
        RotationRound.objects.select_for_update(of=("self",))
        .select_related("rotation", "recipient__member")
        .get(pk=round_id)
    )
    if round_.closed_at is not None:
        return None
    rotation = round_.rotation
    entry = None
    if pool.balance > 0:
        entry = _append(
            pool,
            kind=LedgerEntry.Kind.DRAW,
            amount=-pool.balance,
            recorded_by=round_.recipient.member,
            note=_("Payout of round %(number)d") % {"number": round_.number},
            at=now,
        )
    round_.closed_at, round_.payout = now, entry
    round_.paid_out = -entry.amount if entry else 0
    round_.save(update_fields=["closed_at", "payout", "paid_out"])
    record_event(
        movement=pool.movement,
        actor=None,
        verb=Verb.ROUND_CLOSED,
        target=pool.name,
        round=round_.number,
        paid_out=str(round_.paid_out),
    )
    following = rotation.rounds.filter(number=round_.number + 1).first()
    if following is None:
        RotationModel.objects.filter(pk=rotation.pk).update(state=RotationModel.State.FINISHED)
    else:
        _schedule_close(following, pool.movement)
    notify(
        recipient=round_.recipient.member,
        kind=NotificationKind.ROUND_PAID,
        movement=pool.movement,
        subject=gettext_lazy("Round %(number)s of %(pool)s is yours"),
        body=gettext_lazy("The round closed and its pot, %(amount)s, is paid out to you."),
        params={
            "number": round_.number,
            "pool": pool.name,
            "amount": format_amount(round_.paid_out, pool),
        },
        url=pool.get_absolute_url(),
    )
    if following is not None:
        following.rotation = rotation
        _tell_round_open(rotation, following)
    return entry
