"""Closing a sprint: a facilitator's or organizer's act, once, after which nothing more is
written to it; and the demo's sprints, one finished and one running."""

from datetime import timedelta
from io import StringIO

import pytest
from django.contrib.contenttypes.models import ContentType
from django.contrib.messages import get_messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import timezone

from movement.models import AuditEvent, Movement, Notification
from rituals.models import ArtifactFile, Sprint, SprintArtifact, SprintRound, Timer
from rituals.services import sprints
from rituals.services.sprints import SPRINT_DEADLINE
from rituals.timers import fire_next_due_timer
from tests.factories import (
    MembershipFactory,
    SprintFactory,
)

PDF = b"%PDF-1.7\n%%EOF\n"


def url(name, sprint, **kwargs):
    return reverse(
        f"rituals:{name}",
        kwargs={"movement_slug": sprint.movement.slug, "sprint_id": sprint.pk, **kwargs},
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


@pytest.fixture
def sprint(fay, medics, cora, tenants, mo):
    """Street Medics (cora) × Tenants Union (mo), running, its artifact published."""
    sprint = SprintFactory(by=fay, conveners={medics: cora, tenants: mo})
    sprints.publish_artifact(by=mo, sprint=sprint, title="Walls that talk", description="Six.")
    return sprint


def due_now(sprint):
    """Move the sprint's deadline timer to now, as if its 72 hours had passed."""
    now = timezone.now()
    Timer.objects.filter(kind=sprints.SPRINT_DEADLINE, target_id=sprint.pk).update(
        due_at=now, run_after=now
    )


def state_of(sprint):
    sprint.refresh_from_db()
    return sprint.state


# --- who closes, and when -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("closer", ["fay", "alice"])
def test_a_facilitator_or_an_organizer_closes_a_running_sprint(request, login, sprint, closer):
    response = login(request.getfixturevalue(closer)).post(url("sprint_close", sprint))
    assert response["Location"] == sprint.get_absolute_url()
    assert messages_of(response) == ["The sprint is closed; both circles have been told."]
    assert state_of(sprint) == Sprint.State.CLOSED
    assert sprint.closed_at is not None


@pytest.mark.django_db
def test_a_presenting_sprint_closes_too(fay, sprint):
    Timer.objects.filter(target_id=sprint.pk).update(
        due_at=timezone.now(), run_after=timezone.now()
    )
    fire_next_due_timer()
    assert state_of(sprint) == Sprint.State.PRESENTING
    sprints.close_sprint(by=fay, sprint=sprint)
    assert state_of(sprint) == Sprint.State.CLOSED


@pytest.mark.django_db
@pytest.mark.parametrize("member", ["mo", "cora"])
def test_members_even_of_the_paired_circles_do_not_close_it(request, login, sprint, member):
    response = login(request.getfixturevalue(member)).post(url("sprint_close", sprint))
    assert response.status_code == 403
    assert "Only facilitators and organizers close a sprint, once." in response.content.decode()
    assert state_of(sprint) == Sprint.State.RUNNING


@pytest.mark.django_db
def test_a_sprint_closes_once(login, fay, sprint):
    sprints.close_sprint(by=fay, sprint=sprint)
    response = login(fay).post(url("sprint_close", sprint))
    assert response.status_code == 403
    with pytest.raises(ValidationError, match="This sprint is already closed."):
        sprints.close_sprint(by=fay, sprint=sprint)


@pytest.mark.django_db
def test_a_facilitator_of_another_movement_cannot_close_it(sprint, elsewhere):
    stranger = MembershipFactory(movement=elsewhere, role="facilitator")
    with pytest.raises(PermissionDenied):
        sprints.close_sprint(by=stranger, sprint=sprint)
    assert state_of(sprint) == Sprint.State.RUNNING


@pytest.mark.django_db
def test_closing_is_on_the_audit_trail(fay, sprint):
    sprints.close_sprint(by=fay, sprint=sprint)
    event = AuditEvent.objects.get(verb=sprints.ArtifactVerb.SPRINT_CLOSED)
    assert (event.actor, event.target) == (fay.user, "Street Medics × Tenants Union")


@pytest.mark.django_db
def test_both_circles_are_told(fay, sprint, cora, mo, alice):
    sprints.close_sprint(by=fay, sprint=sprint)
    told = Notification.objects.filter(kind=sprints.ClosingKind.SPRINT_CLOSED)
    assert set(told.values_list("recipient", flat=True)) == {cora.user_id, mo.user_id}
    assert told.first().subject == "Sprint closed: Street Medics × Tenants Union"


@pytest.mark.django_db
def test_closing_before_the_deadline_calls_the_deadline_off(fay, sprint):
    sprints.close_sprint(by=fay, sprint=sprint)
    Timer.objects.filter(target_id=sprint.pk).update(
        due_at=timezone.now(), run_after=timezone.now()
    )
    assert fire_next_due_timer() is None
    assert state_of(sprint) == Sprint.State.CLOSED


# --- after closing, nothing is written ---------------------------------------------------------


@pytest.fixture
def closed(fay, sprint, mo):
    stored = sprints.add_artifact_file(
        by=mo, sprint=sprint, upload=SimpleUploadedFile("zine.pdf", PDF)
    )
    sprints.close_sprint(by=fay, sprint=sprint)
    sprint.refresh_from_db()
    return sprint, stored


@pytest.mark.django_db
@pytest.mark.parametrize(
    "write",
    [
        lambda by, sprint, _file: sprints.publish_artifact(
            by=by, sprint=sprint, title="Later", description="Too late."
        ),
        lambda by, sprint, _file: sprints.add_artifact_file(
            by=by, sprint=sprint, upload=SimpleUploadedFile("late.pdf", PDF)
        ),
        lambda by, sprint, stored: sprints.remove_artifact_file(
            by=by, sprint=sprint, artifact_file=stored
        ),
        lambda by, sprint, _file: sprints.write_reflection(by=by, sprint=sprint, text="Late."),
    ],
    ids=["publish", "upload", "remove", "reflect"],
)
def test_the_services_refuse_every_write_after_closing(mo, closed, write):
    sprint, stored = closed
    with pytest.raises(ValidationError, match="This sprint is closed"):
        write(mo, sprint, stored)
    artifact = SprintArtifact.objects.get(sprint=sprint)
    assert (artifact.title, artifact.reflection) == ("Walls that talk", "")
    assert list(ArtifactFile.objects.values_list("original_name", flat=True)) == ["zine.pdf"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("name", "data"),
    [
        ("artifact_edit", {"title": "Later", "description": "Too late."}),
        ("artifact_upload", {"file": SimpleUploadedFile("late.pdf", PDF)}),
        ("reflection_edit", {"text": "Late."}),
    ],
)
def test_the_pages_refuse_every_write_after_closing_in_words(login, mo, closed, name, data):
    sprint, _stored = closed
    response = login(mo).post(url(name, sprint), data)
    assert response.status_code == 403
    assert "until the sprint is closed" in response.content.decode()


@pytest.mark.django_db
def test_a_closed_sprint_keeps_its_files_for_the_movement(login, alice, closed):
    sprint, stored = closed
    response = login(alice).get(url("artifact_file", sprint, file_id=stored.pk))
    assert b"".join(response.streaming_content) == PDF
    body = login(alice).get(sprint.get_absolute_url()).content.decode()
    assert "Closed on" in body
    assert url("sprint_close", sprint) not in body


@pytest.mark.django_db
def test_the_close_button_is_for_facilitators_and_organizers(login, sprint, fay, mo):
    assert url("sprint_close", sprint) in login(fay).get(sprint.get_absolute_url()).content.decode()
    assert (
        url("sprint_close", sprint) not in login(mo).get(sprint.get_absolute_url()).content.decode()
    )


# --- the demo: one sprint finished, one running ---------------------------------------------------


def seed():
    call_command("seed_demo", stdout=StringIO())
    return Movement.objects.get(name="Tidewater Constellation")


@pytest.mark.django_db
def test_the_demo_has_a_finished_sprint_with_its_artifact_and_reflection():
    movement = seed()
    finished = Sprint.objects.with_circles().get(movement=movement, state=Sprint.State.CLOSED)
    names = [seat.circle.name for seat in finished.sprint_circles.all()]
    assert names == ["Legal Defense", "Street Art Interventions"]
    assert finished.starts_at < finished.ends_at < finished.closed_at < timezone.now()
    assert finished.closed_at < timezone.now() - timedelta(days=7)
    artifact = SprintArtifact.objects.get(sprint=finished)
    assert artifact.reflection and not artifact.files.exists()
    assert artifact.published_at < finished.ends_at < artifact.reflected_at < finished.closed_at
    sprint_type = ContentType.objects.get_for_model(Sprint)
    assert not Timer.objects.filter(
        target_type=sprint_type, target_id=finished.pk, fired_at__isnull=True
    ).exists()


@pytest.mark.django_db
def test_the_demo_has_a_sprint_running_now():
    movement = seed()
    running = Sprint.objects.with_circles().get(movement=movement, state=Sprint.State.RUNNING)
    names = [seat.circle.name for seat in running.sprint_circles.all()]
    assert names == ["Community Food Distribution", "Digital Storytelling"]
    assert running.starts_at <= timezone.now() < running.ends_at
    pending = Timer.objects.filter(kind=SPRINT_DEADLINE, target_id=running.pk, fired_at=None)
    assert pending.count() == 1


@pytest.mark.django_db
def test_seeding_the_demo_twice_adds_no_sprint():
    seed()
    before = (
        SprintRound.objects.count(),
        Sprint.objects.count(),
        SprintArtifact.objects.count(),
        AuditEvent.objects.count(),
    )
    seed()
    after = (
        SprintRound.objects.count(),
        Sprint.objects.count(),
        SprintArtifact.objects.count(),
        AuditEvent.objects.count(),
    )
    assert after == before == (2, 2, 1, before[3])
