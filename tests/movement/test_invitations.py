from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone

from movement import services
from movement.models import Invitation, Membership
from tests.factories import UserFactory


def invite(by, **kwargs):
    options = {
        "role": "member",
        "expires_at": timezone.now() + timedelta(days=7),
        "single_use": True,
    }
    return services.create_invitation(by=by, **{**options, **kwargs})


@pytest.mark.django_db
def test_organizer_creates_a_link_with_the_chosen_role(login, alice):
    tomorrow = (timezone.localdate() + timedelta(days=1)).isoformat()
    response = login(alice).post(
        reverse("movement:invitations", kwargs={"movement_slug": "tidewater"}),
        {"role": "facilitator", "expires_on": tomorrow, "single_use": "on", "note": "for Sam"},
    )
    invitation = Invitation.objects.get()
    assert response.status_code == 302
    assert (invitation.role, invitation.single_use, invitation.note) == (
        "facilitator",
        True,
        "for Sam",
    )
    # The end of the chosen day in the movement's zone: shown as that day, 23:59.
    last_moment = timezone.localtime(invitation.expires_at, alice.movement.zone)
    assert last_moment.date() == timezone.localdate(timezone=alice.movement.zone) + timedelta(
        days=1
    )
    assert (last_moment.hour, last_moment.minute) == (23, 59)


@pytest.mark.django_db
def test_the_link_is_shown_to_share(login, alice):
    invitation = invite(alice)
    response = login(alice).get(
        reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})
    )
    assert f"/join/{invitation.token}/" in response.content.decode()


@pytest.mark.django_db
def test_accepting_joins_with_the_invited_role(login, alice, nina):
    invitation = invite(alice, role="facilitator")
    response = login(nina).post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    assert response.status_code == 302
    assert Membership.objects.get(user=nina).role == "facilitator"


@pytest.mark.django_db
def test_the_inviter_hears_who_joined(alice, nina, mailoutbox, django_capture_on_commit_callbacks):
    invitation = invite(alice)
    with django_capture_on_commit_callbacks(execute=True):
        services.accept_invitation(user=nina, token=invitation.token)
    assert [m.to for m in mailoutbox] == [[alice.user.email]]
    assert "Nina" in mailoutbox[0].subject


@pytest.mark.django_db
def test_a_visitor_sees_who_invites_them_to_what_before_signing_up(client, alice):
    invitation = invite(alice, role="facilitator")
    url = reverse("invitation_accept", kwargs={"token": invitation.token})

    response = client.get(url)

    assert response.status_code == 200
    page = response.content.decode()
    assert "Alice invites you to join Tidewater as facilitator." in page
    assert "This link works until" in page
    assert f"({invitation.movement.time_zone})" in page
    assert invitation.movement.horizon.splitlines()[0] in page
    assert f'href="/accounts/signup/?next={url}"' in page
    assert f'href="/accounts/login/?next={url}"' in page
    assert 'name="submission"' not in page  # nothing to post before logging in


@pytest.mark.django_db
def test_a_visitor_who_posts_is_sent_to_log_in_and_back(client, alice):
    invitation = invite(alice)
    url = reverse("invitation_accept", kwargs={"token": invitation.token})

    response = client.post(url)

    assert response.status_code == 302
    assert response["Location"] == f"/accounts/login/?next={url}"
    assert not Membership.objects.filter(user__isnull=True).exists()


@pytest.mark.django_db
def test_a_dead_link_tells_a_visitor_nothing_about_the_movement(client, alice):
    invitation = invite(alice)
    services.revoke_invitation(by=alice, invitation=invitation)

    response = client.get(reverse("invitation_accept", kwargs={"token": invitation.token}))

    assert response.status_code == 410
    assert "Tidewater" not in response.content.decode()


@pytest.mark.django_db
def test_a_single_use_link_works_once(alice, nina):
    invitation = invite(alice, single_use=True)
    services.accept_invitation(user=nina, token=invitation.token)
    with pytest.raises(ValidationError):
        services.accept_invitation(user=UserFactory(), token=invitation.token)


@pytest.mark.django_db
def test_a_reusable_link_works_for_many(alice):
    invitation = invite(alice, single_use=False)
    for _ in range(3):
        services.accept_invitation(user=UserFactory(), token=invitation.token)
    invitation.refresh_from_db()
    assert invitation.use_count == 3
    assert Membership.objects.filter(movement=alice.movement).count() == 4


@pytest.mark.django_db
def test_an_existing_member_does_not_use_up_the_link(alice, mo):
    invitation = invite(alice, role="organizer")
    membership = services.accept_invitation(user=mo.user, token=invitation.token)
    invitation.refresh_from_db()
    assert membership.role == "member"
    assert invitation.use_count == 0


@pytest.mark.django_db
def test_an_expired_link_does_not_work(login, alice, nina):
    invitation = invite(alice)
    Invitation.objects.filter(pk=invitation.pk).update(
        expires_at=timezone.now() - timedelta(minutes=1)
    )
    response = login(nina).post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    assert response.status_code == 410
    assert not Membership.objects.filter(user=nina).exists()


@pytest.mark.django_db
def test_a_revoked_link_does_not_work(login, alice, nina):
    invitation = invite(alice)
    login(alice).post(
        reverse(
            "movement:invitation_revoke",
            kwargs={"movement_slug": "tidewater", "invitation_id": invitation.pk},
        )
    )
    client = login(nina)
    response = client.post(reverse("invitation_accept", kwargs={"token": invitation.token}))
    assert response.status_code == 410
    assert "does not work" in response.content.decode()
    assert not Membership.objects.filter(user=nina).exists()


@pytest.mark.django_db
def test_an_unknown_token_reveals_nothing(login, nina):
    response = login(nina).get(reverse("invitation_accept", kwargs={"token": "not-a-token"}))
    assert response.status_code == 404
