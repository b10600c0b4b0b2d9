"""Every write to circles goes through a function here."""

from django.core.exceptions import ValidationError
from django.db import IntegrityError, models, transaction
from django.utils import timezone
from django.utils.text import slugify
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from circles.models import Circle, CircleMembership, Spark, SparkJoin
from movement.models import User
from movement.services import notify_many, record_event
from movement.vocabulary import audit_verbs, notification_kinds


@audit_verbs
class Verb(models.TextChoices):
    """What this app writes on the audit trail."""

    CIRCLE_CREATED = "circle.created", gettext_lazy("created a circle")
    CIRCLE_UPDATED = "circle.updated", gettext_lazy("edited a circle")
    CIRCLE_ARCHIVED = "circle.archived", gettext_lazy("archived a circle")
    CIRCLE_JOINED = "circle.joined", gettext_lazy("joined a circle")
    CIRCLE_LEFT = "circle.left", gettext_lazy("left a circle")
    CONVENER_ADDED = "circle.convener_added", gettext_lazy("made someone a convener")
    SPARK_POSTED = "spark.posted", gettext_lazy("posted a spark")
    SPARK_IGNITED = "spark.ignited", gettext_lazy("turned a spark into a circle")


@notification_kinds
class NotificationKind(models.TextChoices):
    SPARK_IGNITED = "circles.spark_ignited", gettext_lazy("a spark I joined became a circle")


NAME_TAKEN = gettext_lazy("A circle with this name already exists in this movement.")


def _check_name_free(*, movement, name, exclude=None):
    taken = Circle.objects.filter(movement=movement, name_key=Circle.key_for(name))
    if exclude is not None:
        taken = taken.exclude(pk=exclude.pk)
    if taken.exists():
        raise ValidationError({"name": NAME_TAKEN})


# Words the circle URLs use for themselves: a circle called "New" must not shadow them.
RESERVED_SLUGS = {"new", "suggest", "sparks"}


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


# --- sparks ---------------------------------------------------------------------------


def post_spark(*, by, passion, lens, horizon):
    """A member posts a passion or an experiment they want to try."""
    errors = {}
    if not passion.strip():
        errors["passion"] = _("Say what you want to try.")
    if lens not in Circle.Lens.values:
        errors["lens"] = _("Pick the lens it would add.")
    if not horizon.strip():
        errors["horizon"] = _("Say how it could serve the shared horizon.")
    if errors:
        raise ValidationError(errors)
    with transaction.atomic():
        spark = Spark.objects.create(
            movement=by.movement,
            author=by,
            passion=passion.strip(),
            lens=lens,
            horizon=horizon.strip(),
        )
        record_event(
            movement=by.movement, actor=by.user, verb=Verb.SPARK_POSTED, target=str(spark.pk)
        )
    return spark


def _locked_spark(spark):
    spark = Spark.objects.select_for_update().select_related("movement").get(pk=spark.pk)
    if not spark.is_open:
        raise ValidationError(_("This spark is already a circle."))
    return spark


def join_spark(*, by, spark):
    """ "I'm in": a member other than its author joins a spark, once."""
    with transaction.atomic():
        spark = _locked_spark(spark)
        if spark.movement_id != by.movement_id:
            raise ValidationError(_("This spark belongs to another movement."))
        if spark.author_id == by.pk:
            raise ValidationError(_("It is your spark: you are in already."))
        SparkJoin.objects.get_or_create(spark=spark, member=by)
    return spark


def leave_spark(*, by, spark):
    with transaction.atomic():
        spark = _locked_spark(spark)
        SparkJoin.objects.filter(spark=spark, member=by).delete()
    return spark


def ignite_spark(*, by, spark, name):
    """The author turns the spark into a circle in one step: the spark its initiative, the
    people in its members, the author its convener. The theory of change is left to write:
    the circle's page asks its conveners for it."""
    name = name.strip()
    if not name:
        raise ValidationError({"name": _("Name the circle.")})
    with transaction.atomic():
        spark = _locked_spark(spark)
        if spark.author_id != by.pk:
            raise ValidationError(_("Only the person who posted the spark turns it into a circle."))
        joined = list(SparkJoin.objects.filter(spark=spark).select_related("member"))
        quorum = spark.movement.spark_quorum
        if len(joined) < quorum:
            raise ValidationError(
                _("A spark becomes a circle when %(quorum)d people are in; %(count)d are.")
                % {"quorum": quorum, "count": len(joined)}
            )
        _check_name_free(movement=spark.movement, name=name)
        try:
            with transaction.atomic():
                circle = Circle.objects.create(
                    movement=spark.movement,
                    name=name,
                    name_key=Circle.key_for(name),
                    slug=_unique_slug(spark.movement, name),
                    initiative=spark.passion,
                    theory_of_change="",
                    lens=spark.lens,
                )
        except IntegrityError:
            raise ValidationError({"name": NAME_TAKEN}) from None
        CircleMembership.objects.create(circle=circle, member=by, is_convener=True)
        CircleMembership.objects.bulk_create(
            CircleMembership(circle=circle, member=join.member) for join in joined
        )
        spark.circle, spark.ignited_at = circle, timezone.now()
        spark.save(update_fields=["circle", "ignited_at"])
        record_event(
            movement=spark.movement,
            actor=by.user,
            verb=Verb.SPARK_IGNITED,
            target=circle.name,
            circle=circle.pk,
            spark=spark.pk,
        )
        notify_many(
            recipients=User.objects.filter(memberships__spark_joins__spark=spark),
            kind=NotificationKind.SPARK_IGNITED,
            movement=spark.movement,
            subject=gettext_lazy("A spark you joined is now a circle: %(name)s"),
            body=gettext_lazy(
                "The spark you said you were in on is now the circle %(name)s, and you are "
                "one of its members."
            ),
            params={"name": circle.name},
            url=circle.get_absolute_url(),
        )
    return circle
