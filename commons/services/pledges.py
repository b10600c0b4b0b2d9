"""Pledges: giving to a pool again and again, on a rhythm the pledger chose.

The app moves no money. On each day a pledge falls due (REMIND_AT, in the movement's
zone, on a durable timer) a ``PledgeGift`` asks the pledger whether they gave; "I gave"
is an ordinary contribution on the ledger, linked to the gift, "skip" is known to the
pledger alone. Lock order, as everywhere in the commons: the pool row, then the gift.
"""

import calendar
from datetime import date, datetime, time, timedelta

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.selectors import circle_ids_of
from commons import deadlines
from commons.amounts import check_amount, format_amount
from commons.models import Pledge, PledgeGift, Pool
from commons.services import NotificationKind, Verb, _contribution, _locked
from movement.services import notify, record_event

# The hour, in the movement's zone, at which a pledge falling due asks its pledger.
REMIND_AT = time(9)
# A pledge may start this far ahead at most.
START_WITHIN = timedelta(days=366)


def last_day_of(year, month):
    return calendar.monthrange(year, month)[1]


def monthly_on(anchor, year, month):
    """The ``anchor``-th of the month, or its last day when the month is shorter: a pledge
    on the 31st falls on 30 April and on 28 or 29 February."""
    return date(year, month, min(anchor, last_day_of(year, month)))


def next_due(pledge, *, after, movement):
    """The first day strictly after ``after`` (and not before the start) on which the
    pledge falls due, or None (past its end, or no convergence ahead)."""
    start = pledge.starts_on
    if pledge.rhythm == Pledge.Rhythm.WEEKLY:
        weeks = 0 if after < start else (after - start).days // 7 + 1
        day = start + timedelta(weeks=weeks)
    elif pledge.rhythm == Pledge.Rhythm.MONTHLY:
        year, month = (start.year, start.month) if after < start else (after.year, after.month)
        day = monthly_on(start.day, year, month)
        if day <= after or day < start:
            year, month = (year + 1, 1) if month == 12 else (year, month + 1)
            day = monthly_on(start.day, year, month)
    else:
        day = deadlines.next_convergence(movement, after=max(after, start - timedelta(days=1)))
    if day is None or (pledge.ends_on is not None and day > pledge.ends_on):
        return None
    return day


def reminder_time(day, movement):
    """REMIND_AT on ``day``, on the movement's wall clock (the same hour across a change
    of daylight-saving time)."""
    return datetime.combine(day, REMIND_AT, tzinfo=movement.zone)


def local_today(movement, now=None):
    return timezone.localtime(now or timezone.now(), movement.zone).date()


def _check_terms(*, pool, amount, currency, starts_on, ends_on, rhythm, today):
    errors = {}
    if pool.kind == Pool.Kind.MONEY and currency and currency.strip().upper() != pool.currency:
        errors["currency"] = _("%(pool)s counts %(currency)s: pledge in %(currency)s.") % {
            "pool": pool.name,
            "currency": pool.currency,
        }
    try:
        amount = check_amount(amount, places=pool.decimal_places)
    except ValidationError as error:
        errors.update(error.message_dict)
    if starts_on is not None and starts_on < today:
        errors["starts_on"] = _("Start today or later.")
    elif starts_on is not None and starts_on > today + START_WITHIN:
        errors["starts_on"] = _("Start within the next year.")
    if ends_on is not None and starts_on is not None and ends_on < starts_on:
        errors["ends_on"] = _("The last time cannot come before the first.")
    if rhythm not in Pledge.Rhythm.values:
        errors["rhythm"] = _("Pick how often.")
    elif (
        rhythm == Pledge.Rhythm.CONVERGENCE
        and deadlines.convergences_per_year(pool.movement) is None
    ):
        errors["rhythm"] = _(
            "This movement has no convergence rhythm yet: pledge every week or every month."
        )
    if errors:
        raise ValidationError(errors)
    return amount


def _schedule(pledge, movement):
    deadlines.schedule(
        deadlines.PLEDGE_DUE,
        due_at=reminder_time(pledge.next_due_on, movement),
        target=pledge,
        movement=movement,
        payload={"due_on": pledge.next_due_on.isoformat()},
    )


def make_pledge(
    *,
    by,
    pool,
    amount,
    rhythm,
    starts_on,
    ends_on=None,
    currency="",
    circle=None,
    anonymous=False,
    now=None,
):
    """``by`` pledges ``amount`` to ``pool`` on a rhythm, from ``starts_on``."""
    movement = pool.movement
    if pool.movement_id != by.movement_id or pool.kind == Pool.Kind.ROTATING:
        raise ValidationError(_("Pledge to one of this movement's pools."))
    if circle is not None and circle.pk not in circle_ids_of(by):
        raise ValidationError({"circle": _("You can only speak for a circle you are in.")})
    today = local_today(movement, now)
    amount = _check_terms(
        pool=pool,
        amount=amount,
        currency=currency,
        starts_on=starts_on,
        ends_on=ends_on,
        rhythm=rhythm,
        today=today,
    )
    with transaction.atomic():
        pledge = Pledge(
            pool=pool,
            pledged_by=by.user,
            circle=circle,
            anonymous=anonymous,
            amount=amount,
            rhythm=rhythm,
            starts_on=starts_on,
            ends_on=ends_on,
        )
        first = next_due(pledge, after=starts_on - timedelta(days=1), movement=movement)
        if first is None:
            raise ValidationError(
                {"ends_on": _("No day falls between the first and the last time.")}
            )
        pledge.next_due_on = first
        pledge.save()
        _schedule(pledge, movement)
        record_event(
            movement=movement,
            actor=None if anonymous else by.user,
            verb=Verb.PLEDGED,
            target=pool.name,
            pool=pool.pk,
            pledge=pledge.pk,
        )
    return pledge


def _own(by, pledge):
    if pledge.pledged_by_id != by.user_id or pledge.pool.movement_id != by.movement_id:
        raise PermissionDenied(_("Only who pledged changes a pledge."))


def _locked_pledge(pledge):
    return (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("pool__movement")
        .get(pk=pledge.pk)
    )


def change_pledge(*, by, pledge, amount, ends_on=None, currency="", now=None):
    """A new amount from the next time it falls due, and a new last time (or none)."""
    _own(by, pledge)
    if pledge.ended_at is not None:
        raise ValidationError(_("This pledge has ended; make a new one."))
    movement = pledge.pool.movement
    today = local_today(movement, now)
    amount = _check_terms(
        pool=pledge.pool,
        amount=amount,
        currency=currency,
        starts_on=None,
        ends_on=None,
        rhythm=pledge.rhythm,
        today=today,
    )
    if ends_on is not None and ends_on < max(today, pledge.starts_on):
        raise ValidationError({"ends_on": _("The last time cannot be in the past.")})
    with transaction.atomic():
        pledge = _locked_pledge(pledge)
        pledge.amount, pledge.ends_on = amount, ends_on
        if pledge.next_due_on is not None and ends_on is not None and pledge.next_due_on > ends_on:
            _finish(pledge)
        pledge.save(update_fields=["amount", "ends_on", "next_due_on", "ended_at"])
        record_event(
            movement=movement,
            actor=None if pledge.anonymous else by.user,
            verb=Verb.PLEDGE_CHANGED,
            target=pledge.pool.name,
            pledge=pledge.pk,
        )
    return pledge


def _finish(pledge):
    pledge.next_due_on = None
    pledge.ended_at = timezone.now()
    deadlines.cancel(deadlines.PLEDGE_DUE, target=pledge)


def pause_pledge(*, by, pledge, paused):
    """Paused, a pledge keeps its days but asks nothing until it is resumed."""
    _own(by, pledge)
    with transaction.atomic():
        pledge = _locked_pledge(pledge)
        if pledge.ended_at is not None:
            raise ValidationError(_("This pledge has ended; make a new one."))
        pledge.paused_at = timezone.now() if paused else None
        pledge.save(update_fields=["paused_at"])
    return pledge


def end_pledge(*, by, pledge):
    _own(by, pledge)
    with transaction.atomic():
        pledge = _locked_pledge(pledge)
        if pledge.ended_at is None:
            _finish(pledge)
            pledge.save(update_fields=["next_due_on", "ended_at"])
            record_event(
                movement=pledge.pool.movement,
                actor=None if pledge.anonymous else by.user,
                verb=Verb.PLEDGE_ENDED,
                target=pledge.pool.name,
                pledge=pledge.pk,
            )
    return pledge


def pledge_falls_due(*, pledge_id, due_on):
    """The timer's work on a pledge's day: ask the pledger (unless it is paused), leave
    the last time unanswered if it still waits, and book the next day. Idempotent: a day
    already handled is not handled again."""
    pledge = (
        Pledge.objects.select_for_update(of=("self",))
        .select_related("pool__movement", "pledged_by")
        .filter(pk=pledge_id)
        .first()
    )
    if pledge is None or pledge.next_due_on != due_on or pledge.ended_at is not None:
        return None
    movement = pledge.pool.movement
    pledge.gifts.filter(state=PledgeGift.State.DUE).update(state=PledgeGift.State.UNANSWERED)
    gift = None
    if pledge.paused_at is None:
        gift = PledgeGift.objects.create(
            pledge=pledge, pool=pledge.pool, due_on=due_on, amount=pledge.amount
        )
        notify(
            recipient=pledge.pledged_by,
            kind=NotificationKind.PLEDGE_DUE,
            movement=movement,
            subject=gettext_lazy("Your pledge to %(pool)s falls due today"),
            body=gettext_lazy(
                "You pledged %(amount)s to %(pool)s. Once you have given it, say so with "
                "one tap and it goes on the ledger; or skip this time. Nobody else sees "
                "which."
            ),
            params={"pool": pledge.pool.name, "amount": format_amount(gift.amount, pledge.pool)},
            url=gift_url(movement),
        )
    following = next_due(pledge, after=due_on, movement=movement)
    if following is None:
        pledge.next_due_on, pledge.ended_at = None, timezone.now()
    else:
        pledge.next_due_on = following
        _schedule(pledge, movement)
    pledge.save(update_fields=["next_due_on", "ended_at"])
    return gift


def gift_url(movement):
    return reverse("commons:pledges", kwargs={"movement_slug": movement.slug})


def answer_gift(*, by, gift, gave):
    """The pledger says they gave (a contribution on the ledger, linked to the gift) or
    skipped this time. Once per gift, however often the answer is sent at once."""
    with transaction.atomic():
        pool = _locked(gift.pool)
        gift = (
            PledgeGift.objects.select_for_update(of=("self",))
            .select_related("pledge")
            .get(pk=gift.pk)
        )
        pledge = gift.pledge
        if pledge.pledged_by_id != by.user_id or pool.movement_id != by.movement_id:
            raise PermissionDenied(_("Only who pledged answers for a pledge."))
        if gift.state not in PledgeGift.ANSWERABLE:
            raise ValidationError(
                _("You already said you gave this one.")
                if gift.state == PledgeGift.State.GIVEN
                else _("You already skipped this one.")
            )
        gift.answered_at = timezone.now()
        if not gave:
            gift.state = PledgeGift.State.SKIPPED
            gift.save(update_fields=["state", "answered_at"])
            return gift
        entry = _contribution(
            pool,
            by=by,
            amount=gift.amount,
            circle=pledge.circle,
            anonymous=pledge.anonymous,
            note=_("Pledge for %(day)s") % {"day": gift.due_on.isoformat()},
        )
        gift.state, gift.entry = PledgeGift.State.GIVEN, entry
        gift.save(update_fields=["state", "entry", "answered_at"])
    return gift
