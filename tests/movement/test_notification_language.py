"""Notifications are written in the language of the person who reads them, not of the
person who acted. (Django's own catalog stands in for ours until the app ships its own.)"""

import pytest
from django.utils import translation
from django.utils.translation import gettext_lazy

from movement import services
from movement.models import Notification, Role
from movement.services import NotificationKind

REQUIRED = gettext_lazy("This field is required.")  # Django translates it into French


@pytest.mark.django_db
def test_one_notification_is_written_in_the_recipients_language(mo):
    mo.user.language = "fr"
    mo.user.save()
    with translation.override("en"):  # the actor reads English
        notification = services.notify(
            recipient=mo.user, kind=NotificationKind.ROLE_CHANGED, subject=REQUIRED, body=REQUIRED
        )
    assert notification.subject == "Ce champ est obligatoire."


@pytest.mark.django_db
def test_many_notifications_each_in_their_readers_language(mo, alice, fay):
    mo.user.language = "fr"
    mo.user.save()
    with translation.override("fr"):  # the actor reads French; alice and fay read English
        services.notify_many(
            recipients=[mo.user, alice.user, fay.user],
            kind=NotificationKind.ROLE_CHANGED,
            subject=REQUIRED,
            body=gettext_lazy("%(field)s: %(error)s"),
            params={"field": "x", "error": REQUIRED},
        )
    written = dict(Notification.objects.values_list("recipient__display_name", "subject"))
    assert written == {
        "Mo": "Ce champ est obligatoire.",
        "Alice": "This field is required.",
        "Fay": "This field is required.",
    }
    bodies = dict(Notification.objects.values_list("recipient__display_name", "body"))
    assert bodies["Mo"] == "x: Ce champ est obligatoire."


@pytest.mark.django_db
def test_a_role_change_names_the_role_in_the_readers_words(alice, mo):
    # The role's label is passed lazily and written while the reader's language is active.
    with translation.override("en"):
        services.change_role(by=alice, membership=mo, role=Role.FACILITATOR)
    notification = Notification.objects.get(recipient=mo.user)
    assert notification.kind == NotificationKind.ROLE_CHANGED
    assert notification.body == "Your role in Tidewater is now: facilitator."


@pytest.mark.django_db
def test_an_undeclared_kind_is_refused(mo):
    with pytest.raises(ValueError, match="not a declared notification kind"):
        services.notify(recipient=mo.user, kind="gossip", subject="x", body="y")
