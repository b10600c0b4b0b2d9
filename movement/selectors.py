"""Reads for the movement's ground floor: views ask here, never the ORM directly."""

from django.shortcuts import get_object_or_404

from movement.models import (
    AuditEvent,
    Invitation,
    LensAssessment,
    Membership,
    Notification,
    Tactic,
)
from movement.pagination import keyset_page


def memberships_of(user):
    """The person's movements, by name."""
    return (
        Membership.objects.filter(user=user).select_related("movement").order_by("movement__name")
    )


def membership_in(*, movement, user):
    """The person's membership in this movement, or None."""
    return Membership.objects.filter(movement=movement, user=user).first()


def members_of(movement):
    return (
        Membership.objects.filter(movement=movement)
        .select_related("user")
        .order_by("user__display_name", "pk")
    )


MEMBER_ORDER = ("user__display_name", "id")  # served by the index user_display_name


def members_page(movement, *, older=None, newer=None):
    """One keyset page of the members, by name: the same cost on the first page or the
    800th, however many people the movement has."""
    return keyset_page(
        Membership.objects.filter(movement=movement).select_related("user"),
        ordering=MEMBER_ORDER,
        older=older,
        newer=newer,
    )


def members_named_like(movement, query, *, limit=10):
    """Members whose name contains ``query``, for suggestions (a trigram index serves the
    search on PostgreSQL)."""
    query = query.strip()
    if not query:
        return []
    return list(
        Membership.objects.filter(movement=movement, user__display_name__icontains=query)
        .select_related("user")
        .order_by("user__display_name", "id")[:limit]
    )


def member_or_404(*, membership, member_id):
    """A member of the caller's movement; another movement's member looks missing."""
    return get_object_or_404(
        Membership.objects.select_related("user", "movement"),
        pk=member_id,
        movement=membership.movement,
    )


AUDIT_ORDER = ("-created_at", "-id")  # served by the index audit_movement_time


def audit_page(movement, *, older=None, newer=None):
    """One keyset page of the audit trail, newest first, at the same cost on any page."""
    return keyset_page(
        AuditEvent.objects.filter(movement=movement).select_related("actor"),
        ordering=AUDIT_ORDER,
        older=older,
        newer=newer,
    )


def invitations_of(movement):
    return Invitation.objects.filter(movement=movement).select_related("created_by")


def invitation_or_404(*, membership, invitation_id):
    return get_object_or_404(Invitation, pk=invitation_id, movement=membership.movement)


def invitation_by_token(token):
    """The invitation behind a link, usable or not, or None."""
    return Invitation.objects.select_related("movement", "created_by").filter(token=token).first()


def notifications_of(user):
    return (
        Notification.objects.filter(recipient=user)
        .select_related("movement")
        .order_by("-created_at", "-id")
    )


def tactics_of(movement, *, archived=False):
    """The movement's tactics (its copy of the library), by aim then name."""
    return list(
        Tactic.objects.filter(movement=movement, archived_at__isnull=not archived).order_by(
            "aim", "name", "pk"
        )
    )


def tactic_or_404(*, membership, tactic_id):
    return get_object_or_404(Tactic, pk=tactic_id, movement=membership.movement_id)


def lens_assessment_of(membership):
    """The member's own answers, or None: asked only for the member themself."""
    return LensAssessment.objects.filter(membership=membership).first()
