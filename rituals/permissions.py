"""Named predicates for the rituals: convergence now; sprints and conflicts later."""

from movement.models import Role
from rituals.models import Gathering


def can_set_rhythm(membership):
    return membership.role == Role.ORGANIZER


def can_edit_gathering(membership, gathering):
    return membership.role == Role.ORGANIZER and gathering.state == Gathering.State.SCHEDULED


def can_see_drift(membership):
    return membership.role == Role.ORGANIZER


def can_submit_report(membership, circle, seat, gathering):
    """Only a circle's conveners speak for it, until its gathering is closed."""
    return (
        seat is not None
        and seat.is_convener
        and seat.circle_id == circle.pk
        and not circle.is_archived
        and gathering.state != Gathering.State.CLOSED
    )


def can_facilitate(membership, gathering, facilitator_ids):
    """Organizers, and the gathering's facilitators. While none is named, any member with
    the facilitator role may step in."""
    if gathering.state == Gathering.State.CLOSED:
        return False
    if membership.role == Role.ORGANIZER:
        return True
    if facilitator_ids:
        return membership.pk in facilitator_ids
    return membership.role == Role.FACILITATOR


# --- integration sprints ---------------------------------------------------------------------


def can_run_sprint_rounds(membership):
    """Facilitators and organizers open sprint rounds, propose, swap, launch and cancel."""
    return membership.role in (Role.ORGANIZER, Role.FACILITATOR)


def can_answer_for_circle(membership, circle, seat):
    """A circle's conveners opt it in to a sprint round (or out), while it is active."""
    return (
        seat is not None
        and seat.is_convener
        and seat.circle_id == circle.pk
        and seat.member_id == membership.pk
        and not circle.is_archived
    )


# --- the open log and the sprint's draws -------------------------------------------------------


def takes_part_in_sprint(membership, my_circle_ids):
    """Members of a sprint's circles take part in it: ``my_circle_ids`` are the sprint's
    circles this member sits in (``rituals.selectors.my_circles_in_sprint``)."""
    return bool(my_circle_ids)


def can_write_sprint_log(membership, sprint, my_circle_ids):
    """Members of the sprint's circles write its open log while it runs or presents."""
    return takes_part_in_sprint(membership, my_circle_ids) and sprint.state in (
        sprint.State.RUNNING,
        sprint.State.PRESENTING,
    )


def can_link_sprint_draw(membership, sprint, my_circle_ids):
    """Members of the sprint's circles link the commons draws it used, until it is closed."""
    return can_write_sprint_log(membership, sprint, my_circle_ids)


def can_read_frictions(membership):
    """The frictions report, like the log it counts, is open to the whole movement."""
    return True


# --- the artifact, the reflection and the closing ------------------------------------------


def can_forge_artifact(membership, sprint, seated):
    """Members of the sprint's circles (``seated``) publish and edit its artifact, attach
    and remove its files and write its reflection, while it runs or presents."""
    return seated and sprint.state in (sprint.State.RUNNING, sprint.State.PRESENTING)


def can_close_sprint(membership, sprint):
    """Facilitators and organizers close a sprint that runs or presents, once."""
    return can_run_sprint_rounds(membership) and sprint.state != sprint.State.CLOSED


def can_read_artifact(membership, sprint):
    """The artifact and its files, like the sprint's log, are the whole movement's to read
    (the download view finds a file only within the caller's movement)."""
    return membership.movement_id == sprint.movement_id


# --- the conflict ritual ---------------------------------------------------------------------


def can_adopt_ritual(membership):
    """Organizers write and adopt the movement's conflict ritual."""
    return membership.role == Role.ORGANIZER


def can_run_drill(membership):
    """Facilitators and organizers run practice drills."""
    return membership.role in (Role.ORGANIZER, Role.FACILITATOR)


def can_assign_case_facilitator(membership):
    return membership.role == Role.ORGANIZER


def case_roles(membership, case, party_member_ids, facilitator_member_ids):
    """What the member is to the case: any of "party", "facilitator", "organizer"."""
    roles = set()
    if membership.movement_id != case.movement_id:
        return roles
    if membership.pk in party_member_ids:
        roles.add("party")
    if membership.pk in facilitator_member_ids:
        roles.add("facilitator")
    if membership.role == Role.ORGANIZER:
        roles.add("organizer")
    return roles


def can_see_case(roles):
    """Its parties, its assigned facilitators and the movement's organizers; nobody else
    (they get 404: a case they may not see does not exist for them)."""
    return bool(roles)


# --- sovereignty gained ----------------------------------------------------------------------


def can_record_sovereignty(membership, circle, seat):
    """A circle's conveners record what it gained; organizers record for any circle."""
    if membership.role == Role.ORGANIZER:
        return True
    return seat is not None and seat.is_convener and seat.circle_id == circle.pk
