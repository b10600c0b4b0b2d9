"""Named predicates for the movement's own pages. Views and templates use the same ones.

Each takes the caller's ``Membership`` (already resolved by the tenancy helper).
"""

from movement.models import Role


def can_manage_members(membership):
    return membership.role == Role.ORGANIZER


def can_invite(membership):
    return membership.role == Role.ORGANIZER


def can_change_role(membership, target):
    return membership.role == Role.ORGANIZER and target.movement_id == membership.movement_id


def can_remove_member(membership, target):
    return (
        membership.role == Role.ORGANIZER
        and target.movement_id == membership.movement_id
        and target.pk != membership.pk
    )


def can_view_audit_trail(membership):
    return membership.role == Role.ORGANIZER


def can_see_member_emails(membership):
    return membership.role == Role.ORGANIZER


def can_see_identity(membership, *, person_id, anonymous):
    """The anonymity rule, for the ledger, its CSV and the audit trail alike: someone who
    chose to be anonymous to other members is named to themselves only. (The database
    always knows who.)"""
    return not anonymous or person_id == membership.user_id


def can_edit_tactics(membership):
    """Organizers edit, add and archive the movement's tactics; every member reads them."""
    return membership.role == Role.ORGANIZER


def can_set_movement_settings(membership):
    """Organizers set the movement's rules: the blind-spot threshold, a spark's quorum."""
    return membership.role == Role.ORGANIZER
