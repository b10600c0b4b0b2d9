"""What the commons asks of a member, for the "needs me" list (``movement/needs.py``):
draws waiting for a decision the member can give, and where their own requests stand."""

from datetime import timedelta

from django.db.models import Q
from django.urls import reverse
from django.utils import formats
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.selectors import circle_ids_of
from commons import services
from commons.amounts import format_amount
from commons.models import Booking, DrawRequest, PledgeGift
from commons.selectors import earlier_asks_for, open_rounds_owed, with_tallies
from movement.needs import Need, needs_provider

SHOWN = 3
# Pending requests read to find the ones this member may decide on: the oldest first.
LOOKED_AT = 50
# A decided request stays on its requester's list this long.
DECIDED_SHOWN_FOR = timedelta(days=14)


def _my_circle_ids(membership):
    """The member's circles, read once for every provider here on this request."""
    if not hasattr(membership, "_needs_circle_ids"):
        membership._needs_circle_ids = circle_ids_of(membership)
    return membership._needs_circle_ids


def _waiting_for_me(membership):
    """(The first SHOWN draws this member may decide on, how many of the LOOKED_AT oldest
    pending ones they may.) Eligibility is read from two columns; only the shown draws are
    loaded whole."""
    mine = _my_circle_ids(membership)
    if not mine:
        return [], 0
    pending = (
        DrawRequest.objects.filter(
            pool__movement=membership.movement_id, state=DrawRequest.State.PENDING
        )
        .exclude(requested_by=membership.user_id)
        .exclude(approvals__member=membership.user_id)
        .order_by("created_at", "pk")
        .values_list("pk", "excluded_circle_ids")[:LOOKED_AT]
    )
    eligible = [pk for pk, excluded in pending if mine - set(excluded)]
    shown = DrawRequest.objects.filter(pk__in=eligible[:SHOWN]).select_related(
        "pool__movement", "circle"
    )
    return sorted(shown, key=lambda draw: eligible.index(draw.pk)), len(eligible)


def _my_requests(membership, now):
    open_or_recent = Q(state__in=[DrawRequest.State.PENDING, DrawRequest.State.APPROVED]) | Q(
        decided_at__gte=now - DECIDED_SHOWN_FOR
    )
    return list(
        DrawRequest.objects.filter(
            open_or_recent, requested_by=membership.user_id, pool__movement=membership.movement_id
        )
        .select_related("pool__movement")
        .order_by("-created_at", "-pk")[:SHOWN]
    )


def _standing(draw):
    State = DrawRequest.State
    if draw.state == State.PENDING:
        return ngettext(
            "waiting for approvals: %(approving)d of %(needed)d circle so far",
            "waiting for approvals: %(approving)d of %(needed)d circles so far",
            draw.pool.approvals_required,
        ) % {"approving": draw.approving_circles, "needed": draw.pool.approvals_required}
    if draw.state == State.APPROVED:
        return _("approved; it waits for the pool to hold enough")
    return draw.get_state_display()


@needs_provider
def draw_needs(membership, now):
    waiting, eligible = _waiting_for_me(membership)
    mine = _my_requests(membership, now)
    with_tallies([*waiting, *mine])
    needs = []
    for draw in waiting:
        needs.append(
            Need(
                title=_("Decide on a draw of %(amount)s from %(pool)s")
                % {"amount": format_amount(draw.amount, draw.pool), "pool": draw.pool.name},
                detail=_("%(purpose)s — %(approving)d of %(needed)d approvals so far")
                % {
                    "purpose": draw.purpose[:120],
                    "approving": draw.approving_circles,
                    "needed": draw.pool.approvals_required,
                },
                url=draw.get_absolute_url(),
            )
        )
    if eligible > SHOWN:
        more = eligible - SHOWN
        needs.append(
            Need(
                title=ngettext(
                    "%(count)d more draw waits for your decision",
                    "%(count)d more draws wait for your decision",
                    more,
                )
                % {"count": more}
                if eligible < LOOKED_AT
                else _("More draws wait for your decision"),
                url=reverse("commons:draws", kwargs={"movement_slug": membership.movement.slug})
                + "?state=pending",
            )
        )
    for draw in mine:
        needs.append(
            Need(
                title=_("Your draw of %(amount)s from %(pool)s")
                % {"amount": format_amount(draw.amount, draw.pool), "pool": draw.pool.name},
                detail=_standing(draw),
                url=draw.get_absolute_url(),
            )
        )
    return needs


@needs_provider
def pledge_needs(membership, now):
    """The days the member's live pledges last fell due, waiting for "I gave" or "skip"."""
    waiting = list(
        PledgeGift.objects.filter(
            pledge__pledged_by=membership.user_id,
            pool__movement=membership.movement_id,
            # The latest day of a live pledge; earlier ones can still be answered on the
            # pledges page, but are not asked for again, nor anything of a paused pledge.
            state=PledgeGift.State.DUE,
            pledge__paused_at__isnull=True,
            pledge__ended_at__isnull=True,
        )
        .select_related("pool")
        .order_by("due_on", "pk")[: SHOWN + 1]
    )
    url = reverse("commons:pledges", kwargs={"movement_slug": membership.movement.slug})
    needs = [
        Need(
            title=_("Did you give %(amount)s to %(pool)s?")
            % {"amount": format_amount(gift.amount, gift.pool), "pool": gift.pool.name},
            detail=_("Your pledge fell due on %(day)s. Say you gave, or skip this time.")
            % {"day": formats.date_format(gift.due_on, "DATE_FORMAT")},
            url=f"{url}#pledge-{gift.pledge_id}",
        )
        for gift in waiting[:SHOWN]
    ]
    if len(waiting) > SHOWN:
        needs.append(Need(title=_("More of your pledges wait for an answer"), url=url))
    return needs


@needs_provider
def rotation_needs(membership, now):
    """Shares owed to open rounds of the member's rotating pools, and asks to go earlier
    that wait for their word."""
    needs = [
        Need(
            title=_("Your share of %(amount)s for round %(number)d of %(pool)s")
            % {
                "amount": format_amount(round_.rotation.share, round_.rotation.pool),
                "number": round_.number,
                "pool": round_.rotation.pool.name,
            },
            detail=_("Put it in before the round closes."),
            url=round_.rotation.pool.get_absolute_url(),
            due=round_.closes_at,
        )
        for round_ in open_rounds_owed(membership)[:SHOWN]
    ]
    needs += [
        Need(
            title=_("%(name)s asks to go earlier in %(pool)s")
            % {"name": seat.member.display_name, "pool": seat.rotation.pool.name},
            detail=seat.earlier_reason[:120],
            url=seat.rotation.pool.get_absolute_url(),
        )
        for seat in earlier_asks_for(membership)[:SHOWN]
    ]
    return needs


@needs_provider
def booking_needs(membership, now):
    """Long bookings that wait for a member of a circle other than the booker's, when the
    member sits in one: the oldest first."""
    mine = _my_circle_ids(membership)
    if not mine:
        return []
    waiting = (
        Booking.objects.filter(
            resource__movement=membership.movement_id,
            waits_since__isnull=False,
            decided_at__isnull=True,
            cancelled_at__isnull=True,
        )
        .exclude(booked_by=membership.pk)
        .order_by("waits_since", "pk")
        .values_list("pk", "excluded_circle_ids")[:LOOKED_AT]
    )
    eligible = [pk for pk, excluded in waiting if mine - set(excluded)][:SHOWN]
    shown = Booking.objects.filter(pk__in=eligible).select_related("resource__movement")
    return [
        Need(
            title=_("Approve or decline a long booking of %(resource)s")
            % {"resource": booking.resource.name},
            detail=booking.note[:120],
            url=services.booking_decision_url(booking),
            due=booking.starts_at,
        )
        for booking in sorted(shown, key=lambda booking: eligible.index(booking.pk))
    ]
