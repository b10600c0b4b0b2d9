"""Named predicates for the rituals: convergence now; sprints and conflicts later."""

from movement.models import Role


def can_set_rhythm(membership):
    return membership.role == Role.ORGANIZER
