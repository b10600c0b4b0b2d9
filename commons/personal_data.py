"""What the commons hold about a person, for their download (``movement/personal_data.py``):
their contributions (the anonymous ones too — they are theirs), draws, decisions, pledges,
rotating pools and bookings, and what they wrote in the archive."""

from commons.models import (
    Approval,
    ArchiveEntry,
    Booking,
    DrawRequest,
    LedgerEntry,
    Pledge,
    PledgeGift,
    RotationSeat,
    RoundShare,
)
from movement.personal_data import holds_personal_data, removes_written_texts


@holds_personal_data
def commons_data(user):
    return {
        "ledger_entries": LedgerEntry.objects.filter(recorded_by=user)
        .order_by("created_at", "id")
        .values(
            "pool__movement__name",
            "pool__name",
            "kind",
            "amount",
            "anonymous",
            "circle__name",
            "note",
            "created_at",
        ),
        "draw_requests": DrawRequest.objects.filter(requested_by=user).values(
            "pool__name", "amount", "purpose", "state", "created_at", "decided_at"
        ),
        "draw_decisions": Approval.objects.filter(member=user).values(
            "draw_request__pool__name", "circle__name", "decision", "comment", "created_at"
        ),
        "pledges": Pledge.objects.filter(pledged_by=user).values(
            "pool__name",
            "amount",
            "rhythm",
            "starts_on",
            "ends_on",
            "anonymous",
            "circle__name",
            "paused_at",
            "ended_at",
            "created_at",
        ),
        "pledge_days": PledgeGift.objects.filter(pledge__pledged_by=user).values(
            "pool__name", "due_on", "amount", "state", "answered_at"
        ),
        "rotating_pools": RotationSeat.objects.filter(member=user).values(
            "rotation__pool__name", "position", "joined_at", "earlier_reason", "earlier"
        ),
        "rotating_shares": RoundShare.objects.filter(seat__member=user).values(
            "round__rotation__pool__name", "round__number", "entry__amount", "entry__created_at"
        ),
        "bookings": Booking.objects.filter(booked_by__user=user).values(
            "resource__name", "starts_at", "ends_at", "circle__name", "note", "cancelled_at"
        ),
        "archive_entries": ArchiveEntry.objects.filter(author=user).values(
            "movement__name", "title", "body", "created_at", "updated_at"
        ),
    }


@removes_written_texts
def remove_commons_texts(user, removed):
    """Requests, decisions, booking notes and archive entries. A ledger line's note stays:
    the ledger is never changed, only added to."""
    DrawRequest.objects.filter(requested_by=user).update(purpose=removed)
    Approval.objects.filter(member=user).exclude(comment="").update(comment=removed)
    Booking.objects.filter(booked_by__user=user).exclude(note="").update(note="")
    ArchiveEntry.objects.filter(author=user).update(body=removed)
