"""Every write to circles goes through a function here."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import Circle, CircleMembership
from movement.services import record_event
from movement.vocabulary import audit_verbs


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    CIRCLE_CREATED = "circle.created", gettext_lazy("created a circle")
    CIRCLE_UPDATED = "circle.updated", gettext_lazy("edited a circle")
    CIRCLE_ARCHIVED = "circle.archived", gettext_lazy("archived a circle")
    CIRCLE_JOINED = "circle.joined", gettext_lazy("joined a circle")
    CIRCLE_LEFT = "circle.left", gettext_lazy("left a circle")
    CONVENER_ADDED = "circle.convener_added", gettext_lazy("made someone a convener")


NAME_TAKEN = gettext_lazy("A circle with this name already exists in this movement.")


def _check_name_free(*, movement, name, exclude=None):
    taken = Circle.objects.filter(movement=movement, name_key=Circle.key_for(name))
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": NAME_TAKEN})


# Words the circle URLs use for themselves: a circle called "New" must not shadow them.
RESERVED_SLUGS = {"new"}


def _unique_slug(movement, name):
    base = slugify(name)[:80].strip("-") or "circle"
    slug, n = base, 1
    while slug in RESERVED_SLUGS or Circle.objects.filter(movement=movement, slug=slug).exists():
        n += 1
        slug = f"{base}-{n}"
    return slug


def create_circle(*, by, name, initiative, theory_of_change, lens):
    """A new circle in ``by``'s movement, with its creator as first convener."""
    name = name.strip()
    if not theory_of_change.strip():
        raise ValidationError({"theory_of_change": _("Every circle needs a theory of change.")})
    movement = by.movement
    _check_name_free(movement=movement, name=name)
    try:
        with transaction.atomic():
            circle = Circle.objects.create(
                movement=movement,
                name=name,
                name_key=Circle.key_for(name),
                slug=_unique_slug(movement, name),
                initiative=initiative.strip(),
                theory_of_change=theory_of_change.strip(),
                lens=lens,
            )
            CircleMembership.objects.create(circle=circle, member=by, is_convener=True)
            record_event(
                movement=movement,
                actor=by.user,
                verb=Verb.CIRCLE_CREATED,
                target=circle.name,
                circle=circle.pk,
            )
    except IntegrityError:
        # Someone else created the same name a moment ago.
        raise ValidationError({"name": NAME_TAKEN}) from None
    return circle


def update_circle(*, by, circle, name, initiative, theory_of_change, lens):
    """A convener edits the circle; its address (slug) stays stable."""
    name = name.strip()
    if not theory_of_change.strip():
        raise ValidationError({"theory_of_change": _("Every circle needs a theory of change.")})
    _check_name_free(movement=circle.movement, name=name, exclude=circle)
    try:
        with transaction.atomic():
            circle.name = name
            circle.name_key = Circle.key_for(name)
            circle.initiative = initiative.strip()
            circle.theory_of_change = theory_of_change.strip()
            circle.lens = lens
            circle.save(
                update_fields=["name", "name_key", "initiative", "theory_of_change", "lens"]
            )
            record_event(
                movement=circle.movement,
                actor=by.user,
                verb=Verb.CIRCLE_UPDATED,
                target=circle.name,
                circle=circle.pk,
            )
    except IntegrityError:
        raise ValidationError({"name": NAME_TAKEN}) from None
    return circle


def archive_circle(*, by, circle):
    with transaction.atomic():
        circle = Circle.objects.select_for_update().get(pk=circle.pk)
        if circle.archived_at is None:
            circle.archived_at = timezone.now()
            circle.save(update_fields=["archived_at"])
            record_event(
                movement=circle.movement,
                actor=by.user,
                verb=Verb.CIRCLE_ARCHIVED,
                target=circle.name,
                circle=circle.pk,
            )
    return circle


def join_circle(*, membership, circle):
    """Take a seat in a circle; joining twice is harmless."""
    if circle.movement_id != membership.movement_id:
        raise ValidationError(_("This circle belongs to another movement."))
    with transaction.atomic():
        circle = Circle.objects.select_for_update().get(pk=circle.pk)
        if circle.is_archived:
            raise ValidationError(_("This circle is archived; it takes no new members."))
        # A circle left without conveners gets one back: the first person to join.
        has_convener = CircleMembership.objects.filter(circle=circle, is_convener=True).exists()
        seat, created = CircleMembership.objects.get_or_create(
            circle=circle, member=membership, defaults={"is_convener": not has_convener}
        )
        if created:
            record_event(
                movement=circle.movement,
                actor=membership.user,
                verb=Verb.CIRCLE_JOINED,
                target=circle.name,
                circle=circle.pk,
            )
    return seat


def leave_circle(*, membership, circle):
    """Leave a circle. The last convener of a circle with other members hands over first."""
    with transaction.atomic():
        circle = Circle.objects.select_for_update().get(pk=circle.pk)
        seat = CircleMembership.objects.filter(circle=circle, member=membership).first()
        if seat is None:
            return
        others = CircleMembership.objects.filter(circle=circle).exclude(pk=seat.pk)
        if seat.is_convener and others.exists() and not others.filter(is_convener=True).exists():
            raise ValidationError(
                _("You are this circle's last convener: make someone else a convener first.")
            )
        seat.delete()
        record_event(
            movement=circle.movement,
            actor=membership.user,
            verb=Verb.CIRCLE_LEFT,
            target=circle.name,
            circle=circle.pk,
        )


def add_convener(*, by, circle, seat):
    """A convener shares the role with another member of the circle."""
    if seat.circle_id != circle.pk:
        raise ValidationError(_("That person is not in this circle."))
    with transaction.atomic():
        if not seat.is_convener:
            seat.is_convener = True
            seat.save(update_fields=["is_convener"])
            record_event(
                movement=circle.movement,
                actor=by.user,
                verb=Verb.CONVENER_ADDED,
                target=seat.member.user,
                circle=circle.pk,
            )
    return seat
