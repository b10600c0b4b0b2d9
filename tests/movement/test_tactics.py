"""The tactics library: each movement's own copy of what the app ships, recognised in what
circles write, edited by organizers only."""

from datetime import timedelta

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone

from movement.models import Tactic
from movement.services import archive_tactic, ensure_tactics, save_tactic
from movement.tactics import LIBRARY, tactics_named
from rituals.models import CircleReport
from rituals.services import convergence
from tests.factories import GatheringFactory

URL = reverse("movement:tactics", kwargs={"movement_slug": "tidewater"})


def named(movement, text):
    ensure_tactics(movement)
    return sorted(t.name for t in tactics_named(text, Tactic.objects.filter(movement=movement)))


def test_the_library_is_copied_once_per_movement(tidewater, elsewhere):
    ensure_tactics(tidewater)
    ensure_tactics(tidewater)
    ensure_tactics(elsewhere)
    assert Tactic.objects.filter(movement=tidewater).count() == len(LIBRARY)
    assert Tactic.objects.filter(movement=elsewhere).count() == len(LIBRARY)
    assert {t.lens for t in Tactic.objects.filter(movement=tidewater)} == {
        "voluntarist",
        "structuralist",
        "subjectivist",
    }


def test_a_tactic_is_recognised_by_its_name_or_another_as_whole_words(tidewater):
    assert named(tidewater, "Mural, know your rights training") == [
        "Legal observers",
        "Street art",
    ]
    assert named(tidewater, "BOYCOTT of the landlord's bank") == ["Boycott"]
    assert named(tidewater, "remarch the route") == []  # "march" only as a whole word
    assert named(tidewater, "") == []


def test_an_archived_tactic_stays_archived_and_is_not_copied_again(tidewater, alice):
    ensure_tactics(tidewater)
    strike = Tactic.objects.get(movement=tidewater, library_key="strike")
    archive_tactic(by=alice, tactic=strike)
    ensure_tactics(tidewater)
    assert Tactic.objects.filter(movement=tidewater, library_key="strike").count() == 1
    strike.refresh_from_db()
    assert strike.archived_at is not None


def test_organizers_add_and_edit_tactics_and_members_do_not(tidewater, alice, mo):
    ensure_tactics(tidewater)
    fields = {
        "name": "Block party",
        "lens": "subjectivist",
        "aim": "persuade",
        "description": "A street closed for a day of music and talk.",
        "examples": "",
        "also_called": "street party",
    }
    tactic = save_tactic(by=alice, **fields)
    assert tactic.name_key == "block party" and tactic.library_key == ""
    with pytest.raises(ValidationError) as refused:
        save_tactic(by=alice, **{**fields, "name": "BOYCOTT"})
    assert "already has a tactic of that name" in str(refused.value)
    with pytest.raises(PermissionDenied):
        save_tactic(by=mo, **fields)


def test_a_report_is_tagged_with_the_tactics_it_names(tidewater, cora, medics):
    gathering = GatheringFactory(movement=tidewater)
    convergence.submit_report(
        by=cora,
        gathering=gathering,
        circle=medics,
        did="Ran first aid at the march",
        intention="More medics",
        tactics="first aid, phone tree, a new thing",
    )
    report = CircleReport.objects.get()
    assert sorted(t.name for t in report.tactic_tags.all()) == ["Phone tree", "Street medics"]
    assert report.tactics == "first aid, phone tree, a new thing"  # the words stay as written


def test_every_member_reads_the_library_and_only_organizers_see_edit_links(
    login, client, mo, alice
):
    page = login(mo).get(URL).content.decode()
    assert "Nightly pot-banging" in page and "Add a tactic" not in page
    client.logout()
    page = login(alice).get(URL).content.decode()
    assert "Add a tactic" in page


def test_the_form_refuses_a_name_taken_in_words(login, alice):
    ensure_tactics(alice.movement)
    response = login(alice).post(
        reverse("movement:tactic_create", kwargs={"movement_slug": "tidewater"}),
        {
            "name": "strike",
            "lens": "structuralist",
            "aim": "pressure",
            "description": "Again",
        },
    )
    assert response.status_code == 200
    assert "already has a tactic of that name" in response.content.decode()


def test_archive_entries_and_sprint_artifacts_are_tagged_too(tidewater, alice, medics, cora):
    from commons.services import add_archive_entry

    entry = add_archive_entry(
        by=alice, title="How we ran bail", body="Notes", tags=["bail fund", "training"]
    )
    assert [t.name for t in entry.tactic_tags.all()] == ["Bail fund"]

    from rituals.models import Sprint, SprintCircle, SprintRound
    from rituals.services.sprints import publish_artifact
    from tests.factories import CircleFactory, CircleMembershipFactory

    now = timezone.now()
    sprint_round = SprintRound.objects.create(
        movement=tidewater, deadline=now, state=SprintRound.State.LAUNCHED
    )
    sprint = Sprint.objects.create(
        round=sprint_round, movement=tidewater, starts_at=now, ends_at=now + timedelta(hours=72)
    )
    other = CircleFactory(movement=tidewater)
    CircleMembershipFactory(circle=other)
    for circle in (medics, other):
        SprintCircle.objects.create(sprint=sprint, round=sprint_round, circle=circle)
    artifact = publish_artifact(
        by=cora, sprint=sprint, title="Zine", description="Pages", tactics="podcast, stencil"
    )
    assert sorted(t.name for t in artifact.tactic_tags.all()) == [
        "Storytelling podcast",
        "Street art",
    ]
