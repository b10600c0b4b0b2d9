"""Recording sovereignty gained: conveners for their circles, organizers for any circle,
once the cycle's gathering is held."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import CircleMembership
from movement.services import record_event
from movement.vocabulary import audit_verbs
from rituals import permissions
from rituals.models import Gathering, SovereigntyRecord

Kind = SovereigntyRecord.Kind
COUNTED = (Kind.LEADERS, Kind.SKILLS)  # the kinds that say how many people


@audit_verbs
class Verb(models.TextChoices):
    RECORDED = "sovereignty.recorded", gettext_lazy("recorded sovereignty gained")
    REMOVED = "sovereignty.removed", gettext_lazy("removed a record of sovereignty gained")


def _seat(by, circle):
    return CircleMembership.objects.filter(circle=circle, member=by).first()


def record(
    *,
    by,
    cycle,
    circle,
    kind,
    what,
    people=None,
    report=None,
    sprint=None,
    pool=None,
    resource=None,
):
    """A new capacity for self-rule, for ``circle`` in ``cycle``."""
    if not permissions.can_record_sovereignty(by, circle, _seat(by, circle)):
        raise PermissionDenied(_("Only the circle's conveners and organizers record for it."))
    errors = {}
    if cycle.movement_id != by.movement_id or circle.movement_id != by.movement_id:
        errors["cycle"] = _("Pick a cycle and a circle of this movement.")
    elif not Gathering.objects.filter(cycle=cycle, state=Gathering.State.CLOSED).exists():
        errors["cycle"] = _("Record what a cycle gained once its gathering is held.")
    if kind not in Kind.values:
        errors["kind"] = _("Say what was gained.")
    if not what.strip():
        errors["what"] = _("Say it in a few words.")
    if kind in COUNTED and not people:
        errors["people"] = _("Say how many people: a count, never names.")
    for name, evidence, owner in (
        ("report", report, lambda e: e.circle_id == circle.pk and e.cycle_id == cycle.pk),
        ("sprint", sprint, lambda e: e.movement_id == by.movement_id),
        ("pool", pool, lambda e: e.movement_id == by.movement_id),
        ("resource", resource, lambda e: e.movement_id == by.movement_id),
    ):
        if evidence is not None and not owner(evidence):
            errors[name] = _("That evidence belongs elsewhere.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        entry = SovereigntyRecord.objects.create(
            movement=by.movement,
            cycle=cycle,
            circle=circle,
            kind=kind,
            what=what.strip(),
            people=people if kind in COUNTED else None,
            report=report,
            sprint=sprint,
            pool=pool,
            resource=resource,
            recorded_by=by,
        )
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.RECORDED,
            target=circle.name,
            cycle=cycle.number,
            kind=kind,
        )
    return entry


def remove(*, by, entry):
    if entry.recorded_by_id != by.pk and not permissions.can_record_sovereignty(
        by, entry.circle, None
    ):
        raise PermissionDenied(_("Only who recorded it, or an organizer, removes a record."))
    with transaction.atomic():
        record_event(
            movement=by.movement,
            actor=by.user,
            verb=Verb.REMOVED,
            target=entry.circle.name,
            cycle=entry.cycle.number,
        )
        entry.delete()
