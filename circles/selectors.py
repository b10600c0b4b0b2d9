from django.db.models import Count, Prefetch
from django.shortcuts import get_object_or_404

from circles.models import Circle, CircleMembership


def circle_directory(*, movement, lens="", query="", include_archived=False):
    circles = Circle.objects.for_movement(movement).select_related("movement")
    if not include_archived:
        circles = circles.active()
    if lens:
        circles = circles.filter(lens=lens)
    if query:
        circles = circles.filter(name__icontains=query)
    return circles.annotate(member_count=Count("circle_memberships")).order_by("name", "pk")


def circle_for_member_or_404(*, membership, circle_slug):
    return get_object_or_404(Circle, movement=membership.movement, slug=circle_slug)


def seat_of(*, membership, circle):
    """The caller's CircleMembership in this circle, or None."""
    return CircleMembership.objects.filter(circle=circle, member=membership).first()


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
