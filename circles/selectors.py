from django.contrib.auth import get_user_model
from django.db.models import Count, Exists, OuterRef, Prefetch, Q
from django.shortcuts import get_object_or_404

from circles.models import Circle, CircleMembership, Spark, SparkJoin
from movement.pagination import keyset_page


def circle_directory(*, movement, lens="", query="", include_archived=False):
    circles = Circle.objects.for_movement(movement).select_related("movement")
    if not include_archived:
        circles = circles.active()
    if lens:
        circles = circles.filter(lens=lens)
    if query:
        circles = circles.filter(name__icontains=query)
    return circles.order_by("name", "pk")


def with_member_counts(circles):
    """Set ``member_count`` on each of these circles (a page of them): one query over their
    own seats, never over every circle's."""
    circles = list(circles)
    counts = dict(
        CircleMembership.objects.filter(circle__in=[circle.pk for circle in circles])
        .values("circle")
        .annotate(n=Count("id"))
        .values_list("circle", "n")
    )
    for circle in circles:
        circle.member_count = counts.get(circle.pk, 0)
    return circles


def circle_names_like(movement, query, *, limit=10):
    """Names of active circles containing ``query``, for suggestions (a trigram index
    serves the search on PostgreSQL)."""
    query = query.strip()
    if not query:
        return []
    return list(
        active_circles(movement)
        .filter(name__icontains=query)
        .order_by("name")
        .values_list("name", flat=True)[:limit]
    )


def active_circles(movement):
    return Circle.objects.for_movement(movement).active()


def circles_of(membership, *, include=None):
    """The active circles the member sits in (plus ``include``, a circle id, if given)."""
    mine = Q(circle_memberships__member=membership, archived_at__isnull=True)
    if include is not None:
        mine |= Q(pk=include)
    return Circle.objects.filter(mine).distinct()


def circles_by_ids(ids):
    return Circle.objects.filter(pk__in=ids)


def circle_for_member_or_404(*, membership, circle_slug):
    return get_object_or_404(Circle, movement=membership.movement, slug=circle_slug)


def seat_of(*, membership, circle):
    """The caller's CircleMembership in this circle, or None."""
    return CircleMembership.objects.filter(circle=circle, member=membership).first()


def seat_or_404(*, circle, seat_id):
    """A seat in this circle; a seat elsewhere looks missing."""
    return get_object_or_404(
        CircleMembership.objects.select_related("member__user"), pk=seat_id, circle=circle
    )


def seats_in(circle):
    return (
        CircleMembership.objects.filter(circle=circle)
        .select_related("member__user")
        .order_by("-is_convener", "member__user__display_name", "pk")
    )


def circle_ids_of(membership):
    return set(
        CircleMembership.objects.filter(member=membership).values_list("circle_id", flat=True)
    )


def circles_with_conveners(circles):
    return circles.prefetch_related(
        Prefetch(
            "circle_memberships",
            queryset=CircleMembership.objects.filter(is_convener=True).select_related(
                "member__user"
            ),
            to_attr="convener_seats",
        )
    )


def people_in_circles_other_than(movement, excluded_circle_ids):
    """Everyone who sits in an active circle of the movement other than these: the people
    who may decide on a draw request that froze those circles out."""
    circles = active_circles(movement).exclude(pk__in=excluded_circle_ids)
    return (
        get_user_model()
        .objects.filter(
            memberships__movement=movement,
            memberships__circle_memberships__circle__in=circles,
        )
        .distinct()
    )


# --- sparks ---------------------------------------------------------------------------


def _sparks(movement, membership):
    return (
        Spark.objects.filter(movement=movement)
        .select_related("author__user", "circle__movement")
        .annotate(
            joined=Count("joins", distinct=True),
            mine=Exists(SparkJoin.objects.filter(spark=OuterRef("pk"), member=membership)),
        )
    )


def sparks_page(membership, *, older=None, newer=None):
    """The movement's open sparks, newest first, each with how many are in and whether the
    reader is: a keyset page at a time."""
    return keyset_page(
        _sparks(membership.movement, membership).filter(ignited_at__isnull=True),
        ordering=("-created_at", "-id"),
        older=older,
        newer=newer,
    )


def sparks_with_lens(movement, lenses, membership, *, limit=3):
    """Open sparks that would add one of ``lenses`` (a blind spot), newest first."""
    return list(
        _sparks(movement, membership)
        .filter(ignited_at__isnull=True, lens__in=lenses)
        .order_by("-created_at", "-id")[: limit * max(len(lenses), 1)]
    )


def spark_or_404(*, membership, spark_id):
    return get_object_or_404(_sparks(membership.movement, membership), pk=spark_id)
