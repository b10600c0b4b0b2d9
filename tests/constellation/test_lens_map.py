"""The lens map: the mix three ways, blind spots at the movement's threshold (exactly at it
is not below), suggestions from the library, and self-assessment answers that never reach
anyone but their author."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from constellation.lenses import lens_map
from movement.models import LensAssessment
from movement.services import ensure_tactics, save_lens_assessment
from rituals.models import CircleReport, Gathering
from rituals.services.convergence import tag_reports
from tests.factories import CircleFactory, GatheringFactory, MembershipFactory

URL = reverse("movement:lens_map", kwargs={"movement_slug": "tidewater"})
MINE = reverse("movement:lens_assessment", kwargs={"movement_slug": "tidewater"})
ALL = {"change": "", "power": "", "time": "", "setback": "", "victory": ""}


def circles(movement, **counts):
    for lens, count in counts.items():
        for _ in range(count):
            CircleFactory(movement=movement, lens=lens)


def leaning(lens):
    return dict.fromkeys(ALL, lens)


def blind(movement):
    return {spot.lens: spot.share for spot in lens_map(movement).blind_spots}


def test_a_lens_below_the_threshold_is_a_blind_spot_and_at_it_is_not(tidewater):
    # 20 % exactly: one circle in five.
    circles(tidewater, voluntarist=3, structuralist=1, subjectivist=1)
    assert tidewater.blind_spot_below == 20
    assert blind(tidewater) == {}
    circles(tidewater, voluntarist=1)  # now 1 in 6: 16.7 %
    assert blind(tidewater) == {"structuralist": 16.7, "subjectivist": 16.7}


def test_the_measures_are_averaged_over_those_with_something_to_count(tidewater):
    circles(tidewater, voluntarist=4)  # circles: 100 % voluntarist
    for lens in ("subjectivist", "subjectivist", "structuralist", "structuralist"):
        save_lens_assessment(by=MembershipFactory(movement=tidewater), answers=leaning(lens))
    # members: 50 % subjectivist, 50 % structuralist; no tactics used yet
    found = lens_map(tidewater)
    assert found.mean_share("voluntarist") == 50.0
    assert found.mean_share("subjectivist") == 25.0
    assert blind(tidewater) == {}


def test_tactics_used_in_the_last_cycles_count_by_their_lens(tidewater):
    ensure_tactics(tidewater)
    circle = CircleFactory(movement=tidewater, lens="voluntarist")
    gathering = GatheringFactory(
        movement=tidewater, starts_at=timezone.now() - timedelta(days=3), state="closed"
    )
    CircleReport.objects.create(
        cycle=gathering.cycle, circle=circle, did="x", intention="y", tactics="mural, podcast"
    )
    tag_reports(tidewater, CircleReport.objects.all())
    tactics = lens_map(tidewater).measures[2]
    assert tactics.counts == {"subjectivist": 2}


def test_a_blind_spot_suggests_the_library_s_tactics_of_that_lens(tidewater):
    ensure_tactics(tidewater)
    circles(tidewater, voluntarist=5)
    spots = {spot.lens: spot for spot in lens_map(tidewater).blind_spots}
    assert set(spots) == {"structuralist", "subjectivist"}
    assert {t.lens for t in spots["subjectivist"].tactics} == {"subjectivist"}
    assert len(spots["structuralist"].tactics) == 3


def test_the_threshold_is_the_movement_s_setting(tidewater, login, alice, mo):
    circles(tidewater, voluntarist=3, structuralist=1, subjectivist=1)
    setting = reverse("movement:blind_spot_threshold", kwargs={"movement_slug": "tidewater"})
    assert login(mo).post(setting, {"percent": 25}).status_code == 403
    login(alice).post(setting, {"percent": 25})
    tidewater.refresh_from_db()
    assert tidewater.blind_spot_below == 25
    assert set(blind(tidewater)) == {"structuralist", "subjectivist"}


# --- the self-assessment stays with its author ----------------------------------------------


def test_answers_are_saved_with_the_lens_they_lean_to(mo):
    answers = {**leaning("subjectivist"), "power": "voluntarist", "time": "voluntarist"}
    saved = save_lens_assessment(by=mo, answers=answers)
    assert saved.lens == "subjectivist" and saved.answers == answers


def test_a_tie_goes_to_the_earliest_question_s_lens(mo):
    answers = {
        "change": "structuralist",
        "power": "voluntarist",
        "time": "structuralist",
        "setback": "voluntarist",
        "victory": "subjectivist",
    }
    assert save_lens_assessment(by=mo, answers=answers).lens == "structuralist"


def test_an_unanswered_question_is_refused_next_to_it(login, mo):
    response = login(mo).post(MINE, {**leaning("voluntarist"), "victory": ""})
    assert response.status_code == 200
    assert "victory" in response.context["form"].errors
    assert not LensAssessment.objects.exists()


def test_nobody_but_the_author_ever_sees_the_answers(login, client, mo, alice, fay):
    answers = {**leaning("subjectivist"), "power": "structuralist"}
    login(mo).post(MINE, answers)
    mine = client.get(MINE).content.decode()
    assert mine.count("checked") == 5  # her five answers, back on her own form
    client.logout()
    for other in (alice, fay):
        their_page = login(other).get(MINE).content.decode()
        assert "checked" not in their_page  # their own, empty form
        lens_page = login(other).get(URL).content.decode()
        assert "Mo" not in lens_page
        assert "1 (100.0%)" in lens_page  # the count, and only the count
        client.logout()
    response = login(mo).get(MINE)
    assert "no-store" in response["Cache-Control"]


def test_deleting_the_answers_removes_them(login, mo):
    save_lens_assessment(by=mo, answers=leaning("voluntarist"))
    login(mo).post(
        reverse("movement:lens_assessment_forget", kwargs={"movement_slug": "tidewater"})
    )
    assert not LensAssessment.objects.exists()


@pytest.mark.parametrize("size", [2, 20])
def test_the_page_runs_a_fixed_number_of_queries(
    size, tidewater, mo, login, django_assert_num_queries
):
    circles(tidewater, voluntarist=size)
    for _ in range(size):
        save_lens_assessment(
            by=MembershipFactory(movement=tidewater), answers=leaning("voluntarist")
        )
    GatheringFactory(movement=tidewater, state=Gathering.State.CLOSED)
    ensure_tactics(tidewater)
    client = login(mo)
    # session, membership, header; the library's check; the cycles, three measures, the
    # suggested tactics and the sparks for the two blind spots; the reader's own assessment
    with django_assert_num_queries(11):
        assert client.get(URL).status_code == 200
