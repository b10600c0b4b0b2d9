"""Sparks: a passion posted, "I'm in" from others, and with enough of them a circle in one
step — the spark its initiative, those in its members, the author its convener."""

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from circles import services
from circles.models import Circle, CircleMembership, Spark
from constellation.lenses import lens_map
from movement.models import Notification
from movement.needs import needs_of
from tests.factories import CircleFactory, MembershipFactory

SPARKS = reverse("circles:sparks", kwargs={"movement_slug": "tidewater"})


def a_spark(by, lens="structuralist"):
    return services.post_spark(
        by=by,
        passion="A tenants' rent escrow fund, ready for the next rent hike.",
        lens=lens,
        horizon="Housing as a right: leverage when the landlord needs the rent.",
    )


def people(movement, count):
    return [MembershipFactory(movement=movement) for _ in range(count)]


def test_a_spark_needs_its_words(mo):
    with pytest.raises(ValidationError) as refused:
        services.post_spark(by=mo, passion=" ", lens="nope", horizon="")
    assert set(refused.value.error_dict) == {"passion", "lens", "horizon"}


def test_others_join_once_and_may_leave(mo, tidewater):
    spark = a_spark(mo)
    ana, ben = people(tidewater, 2)
    services.join_spark(by=ana, spark=spark)
    services.join_spark(by=ana, spark=spark)
    services.join_spark(by=ben, spark=spark)
    assert spark.joins.count() == 2
    services.leave_spark(by=ben, spark=spark)
    assert spark.joins.count() == 1
    with pytest.raises(ValidationError):
        services.join_spark(by=mo, spark=spark)  # her own


def test_below_the_quorum_it_stays_a_spark(mo, tidewater):
    spark = a_spark(mo)
    for person in people(tidewater, 2):
        services.join_spark(by=person, spark=spark)
    with pytest.raises(ValidationError) as refused:
        services.ignite_spark(by=mo, spark=spark, name="Rent Escrow")
    assert "when 3 people are in; 2 are" in str(refused.value)


def test_with_enough_people_it_becomes_a_circle_in_one_step(
    mo, tidewater, django_capture_on_commit_callbacks
):
    spark = a_spark(mo)
    joined = people(tidewater, 3)
    for person in joined:
        services.join_spark(by=person, spark=spark)
    circle = services.ignite_spark(by=mo, spark=spark, name="Rent Escrow")
    assert circle.initiative == spark.passion and circle.lens == "structuralist"
    assert circle.theory_of_change == ""  # still to write
    seats = CircleMembership.objects.filter(circle=circle)
    assert {seat.member_id for seat in seats} == {mo.pk, *(p.pk for p in joined)}
    assert seats.get(member=mo).is_convener
    spark.refresh_from_db()
    assert spark.circle == circle and not spark.is_open
    told = Notification.objects.filter(kind=services.NotificationKind.SPARK_IGNITED)
    assert {n.recipient_id for n in told} == {p.user_id for p in joined}
    with pytest.raises(ValidationError):
        services.join_spark(by=MembershipFactory(movement=tidewater), spark=spark)


def test_only_the_author_turns_it_into_a_circle(login, mo, cora, tidewater):
    spark = a_spark(mo)
    for person in people(tidewater, 3):
        services.join_spark(by=person, spark=spark)
    url = reverse(
        "circles:spark_ignite", kwargs={"movement_slug": "tidewater", "spark_id": spark.pk}
    )
    assert login(cora).post(url, {"name": "Mine now"}).status_code == 403
    assert not Circle.objects.filter(name="Mine now").exists()


def test_a_taken_name_is_refused_next_to_the_field(login, mo, tidewater, medics):
    spark = a_spark(mo)
    for person in people(tidewater, 3):
        services.join_spark(by=person, spark=spark)
    url = reverse(
        "circles:spark_ignite", kwargs={"movement_slug": "tidewater", "spark_id": spark.pk}
    )
    response = login(mo).post(url, {"name": "street medics"})
    assert response.status_code == 200
    assert "already exists" in str(response.context["form"].errors["name"])


def test_the_author_is_told_when_it_can_become_a_circle(mo, tidewater):
    spark = a_spark(mo)
    title = "Your spark can become a circle"
    assert title not in [need.title for need in needs_of(mo)]
    for person in people(tidewater, 3):
        services.join_spark(by=person, spark=spark)
    assert title in [need.title for need in needs_of(mo)]


def test_a_spark_that_would_fill_a_blind_spot_is_shown_under_it(login, mo, tidewater):
    for _ in range(5):
        CircleFactory(movement=tidewater, lens="voluntarist")
    spark = a_spark(mo, lens="subjectivist")
    page = login(mo).get(reverse("movement:lens_map", kwargs={"movement_slug": "tidewater"}))
    html = page.content.decode()
    assert f"#spark-{spark.pk}" in html
    assert {spot.lens for spot in lens_map(tidewater).blind_spots} >= {"subjectivist"}


@pytest.mark.parametrize("size", [2, 20])
def test_the_sparks_page_runs_a_fixed_number_of_queries(
    size, login, mo, tidewater, django_assert_num_queries
):
    for author in people(tidewater, size):
        spark = a_spark(author)
        services.join_spark(by=mo, spark=spark)
    client = login(mo)
    # session, membership, header; the page of sparks with their counts and the reader's
    with django_assert_num_queries(4):
        assert client.get(SPARKS).status_code == 200


def test_a_spark_of_another_movement_is_not_found(login, mo, otto):
    spark = a_spark(otto)
    url = reverse("circles:spark_join", kwargs={"movement_slug": "tidewater", "spark_id": spark.pk})
    assert login(mo).post(url).status_code == 404
    assert Spark.objects.get().joins.count() == 0


def test_organizers_set_how_many_people_a_spark_needs(login, client, alice, mo, tidewater):
    url = reverse("movement:spark_quorum", kwargs={"movement_slug": "tidewater"})
    assert login(mo).post(url, {"people": 2}).status_code == 403
    client.logout()
    login(alice).post(url, {"people": 2})
    tidewater.refresh_from_db()
    assert tidewater.spark_quorum == 2
    spark = a_spark(mo)
    for person in people(tidewater, 2):
        services.join_spark(by=person, spark=spark)
    assert services.ignite_spark(by=mo, spark=spark, name="Two is enough").pk
