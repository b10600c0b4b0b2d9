"""What sparks ask of a member, for the "needs me" list (``movement/needs.py``): their own
sparks that enough people joined, waiting to become circles. One query."""

from django.db.models import Count
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from circles.models import Spark
from movement.needs import Need, needs_provider

SHOWN = 3


@needs_provider
def spark_needs(membership, now):
    ready = (
        Spark.objects.filter(author=membership, ignited_at__isnull=True)
        .annotate(joined=Count("joins"))
        .filter(joined__gte=membership.movement.spark_quorum)
        .order_by("created_at", "pk")[:SHOWN]
    )
    return [
        Need(
            title=_("Your spark can become a circle"),
            detail=ngettext("%(count)d person is in", "%(count)d people are in", spark.joined)
            % {"count": spark.joined},
            url=reverse(
                "circles:spark_ignite",
                kwargs={"movement_slug": membership.movement.slug, "spark_id": spark.pk},
            ),
        )
        for spark in ready
    ]
