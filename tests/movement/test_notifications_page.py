import pytest

from movement.services import NotificationKind, notify
from tests.factories import UserFactory

TEST_KIND = NotificationKind.ROLE_CHANGED


@pytest.mark.django_db
def test_people_read_their_own_notifications_in_the_app(login, mo, alice):
    notify(
        kind=TEST_KIND,
        recipient=mo.user,
        subject="Your role changed",
        body="You facilitate now.",
        url="/",
    )
    notify(kind=TEST_KIND, recipient=alice.user, subject="Not for Mo", body="x")
    client = login(mo)
    html = client.get("/notifications/").content.decode()
    assert "Your role changed" in html
    assert "Not for Mo" not in html
    assert 'class="card unread"' in html
    assert 'class="card unread"' not in client.get("/notifications/").content.decode()


@pytest.mark.django_db
def test_the_page_needs_a_login(client):
    assert client.get("/notifications/").status_code == 302


@pytest.mark.django_db
def test_the_page_paginates(login):
    user = UserFactory()
    for number in range(30):
        notify(kind=TEST_KIND, recipient=user, subject=f"Message {number}", body="x")
    response = login(user).get("/notifications/")
    assert len(response.context["page"].object_list) == 25
