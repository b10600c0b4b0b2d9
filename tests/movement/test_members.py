import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from movement import services
from movement.models import AuditEvent, Membership


def role_url(member):
    return reverse(
        "movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": member.pk}
    )


@pytest.mark.django_db
def test_organizer_changes_a_role(login, alice, mo):
    response = login(alice).post(role_url(mo), {"role": "facilitator"})
    mo.refresh_from_db()
    assert response.status_code == 302
    assert mo.role == "facilitator"
    assert AuditEvent.objects.filter(verb="member.role_changed", actor=alice.user).exists()


@pytest.mark.django_db
def test_the_member_hears_about_the_new_role(
    login, alice, mo, mailoutbox, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        login(alice).post(role_url(mo), {"role": "facilitator"})
    assert [m.to for m in mailoutbox] == [[mo.user.email]]


@pytest.mark.django_db
def test_the_last_organizer_cannot_step_down(login, alice):
    response = login(alice).post(role_url(alice), {"role": "member"}, follow=True)
    alice.refresh_from_db()
    assert alice.role == "organizer"
    assert "at least one organizer" in response.content.decode()


@pytest.mark.django_db
def test_an_organizer_can_step_down_when_another_remains(alice, mo):
    services.change_role(by=alice, membership=mo, role="organizer")
    services.change_role(by=alice, membership=alice, role="member")
    assert Membership.objects.get(pk=alice.pk).role == "member"


@pytest.mark.django_db
def test_the_last_organizer_cannot_leave(alice):
    with pytest.raises(ValidationError):
        services.leave_movement(membership=alice)
    assert Membership.objects.filter(pk=alice.pk).exists()


@pytest.mark.django_db
def test_a_member_leaves(login, mo):
    response = login(mo).post(reverse("movement:leave", kwargs={"movement_slug": "tidewater"}))
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=mo.pk).exists()


@pytest.mark.django_db
def test_organizer_removes_a_member_and_their_circle_seats(login, alice, cora, medics):
    response = login(alice).post(
        reverse(
            "movement:member_remove", kwargs={"movement_slug": "tidewater", "member_id": cora.pk}
        )
    )
    assert response.status_code == 302
    assert not Membership.objects.filter(pk=cora.pk).exists()
    assert not medics.circle_memberships.exists()


@pytest.mark.django_db
def test_only_organizers_see_emails(login, alice, mo):
    url = reverse("movement:members", kwargs={"movement_slug": "tidewater"})
    assert mo.user.email in login(alice).get(url).content.decode()
    assert alice.user.email not in login(mo).get(url).content.decode()


@pytest.mark.django_db
def test_member_list_paginates(login, alice):
    from tests.factories import MembershipFactory

    MembershipFactory.create_batch(30, movement=alice.movement)
    response = login(alice).get(reverse("movement:members", kwargs={"movement_slug": "tidewater"}))
    page = response.context["page"]
    assert len(page.object_list) == 25
    assert f'rel="next" href="?older={page.older}"' in response.content.decode()
    rest = login(alice).get(
        reverse("movement:members", kwargs={"movement_slug": "tidewater"}), {"older": page.older}
    )
    assert len(rest.context["page"].object_list) == 6  # alice and 30 others: 31 in all
