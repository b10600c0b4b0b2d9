"""Every form posts once: a double tap, a retry or a replay of the same form writes one
row, and the second post is sent where the first led, with a friendly word."""

import re
import threading
import uuid
from datetime import timedelta
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connections
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from circles.models import Circle
from movement.models import Invitation, Movement, Submission
from movement.submissions import forget_old_submissions
from tests.submitting import ALREADY_SENT, post_twice, said, token_on

TEMPLATES = Path(settings.BASE_DIR) / "templates"
NEW_CIRCLE = {
    "name": "Bike Repair",
    "initiative": "Free repairs on Saturdays.",
    "theory_of_change": "Fixing bikes together builds the trust a tenants' union needs.",
    "lens": "voluntarist",
}


def test_every_post_form_in_the_templates_carries_a_token():
    missing = []
    for path in TEMPLATES.rglob("*.html"):
        if path.name == "base.html":  # the log-out button: leaving twice is leaving
            continue
        for form in re.findall(r"<form[^>]*method=\"post\".*?</form>", path.read_text(), re.S):
            if "{% submission_token %}" not in form:
                missing.append(str(path.relative_to(TEMPLATES)))
    assert missing == []


@pytest.mark.django_db
def test_the_rendered_form_carries_a_fresh_token_each_time(login, alice):
    client = login(alice)
    url = reverse("circles:create", kwargs={"movement_slug": "tidewater"})
    first, second = (token_on(client.get(url).content.decode()) for _ in range(2))
    assert first != second


@pytest.mark.django_db
def test_a_circle_created_twice_is_one_circle(login, alice):
    url = reverse("circles:create", kwargs={"movement_slug": "tidewater"})
    first, second = post_twice(login(alice), url, NEW_CIRCLE)
    assert Circle.objects.filter(name="Bike Repair").count() == 1
    assert first.status_code == second.status_code == 302
    assert second["Location"] == first["Location"]
    assert said(second, ALREADY_SENT)


@pytest.mark.django_db
def test_an_invitation_made_twice_is_one_invitation(login, alice):
    url = reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})
    expires_on = (timezone.localdate() + timedelta(days=7)).isoformat()
    first, second = post_twice(
        login(alice), url, {"role": "member", "expires_on": expires_on, "single_use": "on"}
    )
    assert Invitation.objects.count() == 1
    assert second["Location"] == first["Location"]


@pytest.mark.django_db
def test_a_movement_started_twice_is_one_movement(login, nina):
    url = reverse("movement_create")
    data = {"name": "Riverside", "horizon": "Homes for all."}
    first, second = post_twice(login(nina), url, data)
    assert Movement.objects.filter(name="Riverside").count() == 1
    assert second["Location"] == first["Location"]


@pytest.mark.django_db
def test_a_form_sent_back_with_errors_can_be_corrected_and_sent_with_its_token(login, alice):
    client = login(alice)
    url = reverse("circles:create", kwargs={"movement_slug": "tidewater"})
    token = str(uuid.uuid4())
    refused = client.post(url, {**NEW_CIRCLE, "theory_of_change": "", "submission": token})
    assert refused.status_code == 200  # the form, with a message next to the field
    accepted = client.post(url, {**NEW_CIRCLE, "submission": token})
    assert accepted.status_code == 302
    assert Circle.objects.filter(name="Bike Repair").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize("token", ["not-a-token", "{" + "0" * 34 + "}", "é" * 36, "\x00" * 36])
def test_a_damaged_token_is_refused_with_a_reason(login, alice, token):
    url = reverse("circles:create", kwargs={"movement_slug": "tidewater"})
    response = login(alice).post(url, {**NEW_CIRCLE, "submission": token})
    assert response.status_code == 400
    assert not Circle.objects.filter(name="Bike Repair").exists()


@pytest.mark.django_db
def test_a_token_is_kept_for_a_month(alice):
    old = Submission.objects.create(token=uuid.uuid4(), user=alice.user)
    Submission.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=31))
    recent = Submission.objects.create(token=uuid.uuid4(), user=alice.user)
    assert forget_old_submissions() == 1
    assert list(Submission.objects.all()) == [recent]


@pytest.mark.django_db(transaction=True)
def test_the_same_form_posted_twice_at_once_writes_once(postgres, alice):
    url = reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})
    expires_on = (timezone.localdate() + timedelta(days=7)).isoformat()
    data = {"role": "member", "expires_on": expires_on, "submission": str(uuid.uuid4())}
    start_together = threading.Barrier(2, timeout=10)
    results = []

    def post():
        client = Client()
        client.force_login(alice.user)
        try:
            start_together.wait()
            results.append(client.post(url, data))
        finally:
            connections.close_all()

    threads = [threading.Thread(target=post) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    assert Invitation.objects.count() == 1
    assert sorted(response.status_code for response in results) == [302, 302]
    assert len({response["Location"] for response in results}) == 1


@pytest.mark.django_db
def test_an_error_left_from_an_earlier_request_does_not_undo_this_write(login, alice, mo):
    client = login(alice)
    role = reverse(
        "movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": mo.pk}
    )
    client.post(role, {"role": "not-a-role"})  # an error message, never shown: no redirect followed
    url = reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})
    expires_on = (timezone.localdate() + timedelta(days=7)).isoformat()
    response = client.post(
        url, {"role": "member", "expires_on": expires_on, "submission": str(uuid.uuid4())}
    )
    assert response.status_code == 302
    assert Invitation.objects.count() == 1


@pytest.mark.django_db
def test_someone_elses_token_is_not_reported_as_done(login, alice, fay):
    url = reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})
    expires_on = (timezone.localdate() + timedelta(days=7)).isoformat()
    data = {"role": "member", "expires_on": expires_on, "submission": str(uuid.uuid4())}
    assert login(alice).post(url, data).status_code == 302
    fay.role = "organizer"
    fay.save()
    response = login(fay).post(url, data)
    assert response.status_code == 400
    assert Invitation.objects.count() == 1
