"""Each app declares its own audit verbs and notification kinds; the trail shows them all
in plain words, and a new verb needs no migration in movement."""

from io import StringIO

import pytest
from django.core.exceptions import ImproperlyConfigured
from django.core.management import call_command
from django.db import models
from django.urls import reverse
from django.utils.html import escape

from movement import services, vocabulary
from movement.models import AuditEvent
from movement.vocabulary import AUDIT_VERBS, NOTIFICATION_KINDS, audit_verbs

URL = reverse("movement:audit", kwargs={"movement_slug": "tidewater"})


def test_every_app_declares_its_own_verbs():
    prefixes = {value.split(".")[0] for value in AUDIT_VERBS}
    # movement, circles, commons and rituals each speak for themselves.
    assert {"movement", "member", "circle", "pool", "draw", "rhythm", "gathering"} <= prefixes
    kinds = {value.split(".")[0] for value in NOTIFICATION_KINDS}
    assert {"movement", "commons", "rituals"} <= kinds


@pytest.mark.django_db
def test_the_trail_shows_every_declared_verb_in_words(login, alice, tidewater):
    AuditEvent.objects.bulk_create(
        AuditEvent(movement=tidewater, actor=alice.user, verb=verb, target="x")
        for verb in AUDIT_VERBS
    )
    client = login(alice)
    pages, older = "", None
    while True:  # every page of the trail, older and older
        response = client.get(URL, {"older": older} if older else {})
        pages += response.content.decode()
        older = response.context["page"].older
        if not older:
            break
    for verb, label in AUDIT_VERBS.items():
        assert escape(str(label)) in pages, verb
        assert f"<td>{verb}</td>" not in pages


@pytest.mark.django_db
def test_a_new_verb_needs_no_migration(login, alice, tidewater, monkeypatch):
    monkeypatch.setattr(vocabulary, "AUDIT_VERBS", dict(AUDIT_VERBS))
    monkeypatch.setattr(services, "AUDIT_VERBS", vocabulary.AUDIT_VERBS)

    @audit_verbs
    class SprintVerb(models.TextChoices):
        SPRINT_OPENED = "sprint.opened", "opened a sprint round"

    services.record_event(movement=tidewater, actor=alice.user, verb=SprintVerb.SPRINT_OPENED)
    assert "opened a sprint round" in login(alice).get(URL).content.decode()
    call_command("makemigrations", "movement", "--check", "--dry-run", stdout=StringIO())


@pytest.mark.django_db
def test_an_undeclared_verb_is_refused(alice, tidewater):
    with pytest.raises(ValueError, match="not a declared audit verb"):
        services.record_event(movement=tidewater, actor=alice.user, verb="circle.cretaed")


def test_two_apps_cannot_claim_one_verb_with_different_words(monkeypatch):
    monkeypatch.setattr(vocabulary, "AUDIT_VERBS", dict(AUDIT_VERBS))

    class Clash(models.TextChoices):
        CREATED = "circle.created", "something else entirely"

    with pytest.raises(ImproperlyConfigured, match="declared twice"):
        vocabulary.audit_verbs(Clash)
