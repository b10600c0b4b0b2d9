"""Named predicates for the commons. ``membership`` is the caller's, already resolved."""

from commons.models import DrawRequest, LedgerEntry
from movement.models import Role
from movement.permissions import can_see_identity


def can_create_pool(membership):
    return membership.role == Role.ORGANIZER


def can_change_pool_policy(membership, pool):
    return membership.role == Role.ORGANIZER


def can_contribute(membership, pool):
    return True


def can_request_draw(membership, pool):
    return True


def can_decide_draw(membership, draw_request, eligible_circle_ids, already_decided):
    return (
        draw_request.state == DrawRequest.State.PENDING
        and bool(eligible_circle_ids)
        and not already_decided
    )


def can_withdraw_draw(membership, draw_request):
    return draw_request.is_open and draw_request.requested_by_id == membership.user_id


def can_reverse_entry(membership, entry):
    return (
        membership.role == Role.ORGANIZER
        and entry.kind != LedgerEntry.Kind.REVERSAL
        and not entry.is_reversed
    )


def can_see_contributor(membership, entry):
    """Anonymous contributions show their contributor to that person only."""
    return can_see_identity(membership, person_id=entry.recorded_by_id, anonymous=entry.anonymous)


def can_add_archive_entry(membership):
    return True


def can_edit_archive_entry(membership, entry):
    return entry.author_id == membership.user_id or membership.role == Role.ORGANIZER


def can_manage_resources(membership):
    """Organizers add shared spaces and tools to the commons and change their rules."""
    return membership.role == Role.ORGANIZER


def can_start_rotation(membership, rotation, seat):
    """Who starts the rounds sees the order, and only participants see it: a participant
    who opened the pool, or an organizer taking part."""
    return seat is not None and (
        membership.role == Role.ORGANIZER or rotation.opened_by_id == membership.user_id
    )


def can_see_rotation_names(seat):
    """A rotating pool's order, its rounds' recipients and its ledger are its
    participants' alone; everyone else sees totals."""
    return seat is not None


def can_decide_booking(membership, booking, my_circle_ids):
    """A long booking waits for a member of a circle other than the booker's."""
    return (
        booking.waits_for_approval
        and booking.booked_by_id != membership.pk
        and bool(set(my_circle_ids) - set(booking.excluded_circle_ids))
    )
