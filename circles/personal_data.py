"""What the circles hold about a person, for their download (``movement/personal_data.py``)."""

from circles.models import CircleMembership, Spark, SparkJoin
from movement.personal_data import holds_personal_data, removes_written_texts


@holds_personal_data
def circles_data(user):
    return {
        "circles": CircleMembership.objects.filter(member__user=user)
        .order_by("joined_at")
        .values("circle__movement__name", "circle__name", "is_convener", "joined_at"),
        "sparks_posted": Spark.objects.filter(author__user=user).values(
            "movement__name", "passion", "lens", "horizon", "created_at", "ignited_at"
        ),
        "sparks_joined": SparkJoin.objects.filter(member__user=user).values(
            "spark__movement__name", "spark__passion", "joined_at"
        ),
    }


@removes_written_texts
def remove_sparks(user, removed):
    Spark.objects.filter(author__user=user).update(passion=removed, horizon=removed)
