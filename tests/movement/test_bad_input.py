"""Bad input on the movement's forms: a field error, never a 500, nothing saved or lost.

Covers starting a movement, inviting people, changing a member's role and signing up.
"""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from django.utils.html import escape

from movement.models import AuditEvent, Invitation, Membership, Movement, Notification, Role, User
from movement.services import Verb
from tests.bad_input import (
    NO_LETTERS,
    REQUIRED,
    assert_field_error,
    post_form,
    too_long,
    unknown_choice,
)
from tests.factories import PASSWORD

# --- starting a movement --------------------------------------------------------------


def create_movement(client, **overrides):
    data = {"name": "Harbour Commons", "horizon": "Food and shelter held in common."}
    return post_form(client, reverse("movement_create"), data, **overrides)


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("name", "", REQUIRED),
        ("name", "   \t  ", REQUIRED),
        ("name", "?!… — ***", NO_LETTERS),
        ("name", "x" * 121, too_long(120, 121)),
        ("horizon", "", REQUIRED),
        ("horizon", " \n\n ", REQUIRED),
        ("horizon", "h" * 2001, too_long(2000, 2001)),
    ],
    ids=[
        "empty-name",
        "whitespace-name",
        "punctuation-name",
        "long-name",
        "empty-horizon",
        "whitespace-horizon",
        "long-horizon",
    ],
)
def test_movement_form_shows_field_error(login, nina, field, value, message):
    response = create_movement(login(nina), **{field: value})
    assert_field_error(response, field, message)


@pytest.mark.parametrize(
    "overrides",
    [{"name": ""}, {"name": "x" * 121}, {"horizon": ""}, {"horizon": "h" * 2001}],
    ids=["empty-name", "long-name", "empty-horizon", "long-horizon"],
)
def test_rejected_movement_creates_nothing(login, nina, overrides):
    create_movement(login(nina), **overrides)
    assert not Movement.objects.exists()
    assert not Membership.objects.exists()
    assert not AuditEvent.objects.exists()


def test_rejected_movement_keeps_what_was_typed(login, nina):
    response = create_movement(login(nina), name="", horizon="Food and shelter held in common.")
    assert "Food and shelter held in common." in response.content.decode()


def test_longest_names_are_accepted(login, nina):
    response = create_movement(login(nina), name="x" * 120, horizon="h" * 2000)
    assert response.status_code == 302
    assert Movement.objects.get().name == "x" * 120


def test_name_without_latin_letters_gets_an_address(login, nina):
    response = create_movement(login(nina), name="潮汐")
    assert response.status_code == 302
    assert Movement.objects.get(name="潮汐").slug == "movement"


# --- invitations ------------------------------------------------------------------------


def invitations_url():
    return reverse("movement:invitations", kwargs={"movement_slug": "tidewater"})


def invite(client, **overrides):
    data = {
        "role": Role.MEMBER,
        "expires_on": (timezone.localdate() + timedelta(days=7)).isoformat(),
        "single_use": "on",
        "note": "For the food bank crew",
    }
    return post_form(client, invitations_url(), data, **overrides)


def days_from_today(days):
    return (timezone.localdate() + timedelta(days=days)).isoformat()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("expires_on", None, REQUIRED),
        ("expires_on", "", REQUIRED),
        ("expires_on", "31/31/2020", "Enter a valid date."),
        ("expires_on", "2026-02-30", "Enter a valid date."),
        ("expires_on", "tomorrow", "Enter a valid date."),
        ("expires_on", "99999-01-01", "Enter a valid date."),
        ("expires_on", "2000-01-01", "Pick today or a later day."),
        ("role", "overlord", unknown_choice("overlord")),
        ("role", "ORGANIZER", unknown_choice("ORGANIZER")),
        ("role", None, REQUIRED),
        ("note", "n" * 121, too_long(120, 121)),
    ],
    ids=[
        "missing-date",
        "empty-date",
        "month-31",
        "february-30",
        "word-date",
        "five-digit-year",
        "past-date",
        "unknown-role",
        "role-in-capitals",
        "missing-role",
        "long-note",
    ],
)
def test_invitation_form_shows_field_error(login, alice, field, value, message):
    response = invite(login(alice), **{field: value})
    assert_field_error(response, field, message)


def test_yesterday_is_refused(login, alice):
    response = invite(login(alice), expires_on=days_from_today(-1))
    assert_field_error(response, "expires_on", "Pick today or a later day.")


def test_more_than_ninety_days_is_refused(login, alice):
    response = invite(login(alice), expires_on=days_from_today(91))
    assert_field_error(response, "expires_on", "An invitation can last 90 days at most.")


def test_the_ninetieth_day_never_breaks_the_page(login, alice):
    # The form accepts day 90; the link then lasts until the end of that day, a little
    # over 90 days from now. Either outcome is fine, but as a page, not a server error.
    response = invite(login(alice), expires_on=days_from_today(90))
    if response.status_code == 302:
        assert Invitation.objects.filter(movement=alice.movement).count() == 1
    else:
        assert_field_error(response, "expires_on", "An invitation can last 90 days at most.")


@pytest.mark.parametrize(
    "overrides",
    [
        {"expires_on": "tomorrow"},
        {"expires_on": "2000-01-01"},
        {"expires_on": None},
        {"role": "overlord"},
        {"note": "n" * 121},
    ],
    ids=["word-date", "past-date", "missing-date", "unknown-role", "long-note"],
)
def test_rejected_invitation_creates_nothing(login, alice, overrides):
    invite(login(alice), **overrides)
    assert not Invitation.objects.exists()
    assert not AuditEvent.objects.filter(verb=Verb.INVITATION_CREATED).exists()


def test_rejected_invitation_keeps_earlier_links(login, alice):
    client = login(alice)
    invite(client, note="First batch")
    invite(client, expires_on="tomorrow", note="Second batch")
    assert list(Invitation.objects.values_list("note", flat=True)) == ["First batch"]


def test_invitation_list_ignores_a_garbage_page_number(login, alice):
    client = login(alice)
    for page in ("abc", "-1", "99999", "1e9"):
        assert client.get(invitations_url(), {"page": page}).status_code == 200


# --- a member's role --------------------------------------------------------------------


def change_role(client, membership, data):
    url = reverse(
        "movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": membership.pk}
    )
    return client.post(url, data, follow=True)


def members_url():
    return reverse("movement:members", kwargs={"movement_slug": "tidewater"})


@pytest.mark.parametrize(
    "data",
    [{"role": "overlord"}, {"role": ""}, {}, {"role": "Organizer"}],
    ids=["unknown-role", "empty-role", "missing-role", "role-in-capitals"],
)
def test_bad_role_is_explained_on_the_member_list(login, alice, mo, data):
    response = change_role(login(alice), mo, data)
    assert response.status_code == 200
    assert response.redirect_chain == [(members_url(), 302)]
    assert escape("Pick one of the roles.") in response.content.decode()


@pytest.mark.parametrize(
    "data",
    [{"role": "overlord"}, {"role": ""}, {}],
    ids=["unknown-role", "empty-role", "missing-role"],
)
def test_bad_role_changes_nothing(login, alice, mo, data):
    change_role(login(alice), mo, data)
    mo.refresh_from_db()
    assert mo.role == Role.MEMBER
    assert not AuditEvent.objects.filter(verb=Verb.ROLE_CHANGED).exists()
    assert not Notification.objects.exists()


@pytest.mark.parametrize("role", [Role.MEMBER, Role.FACILITATOR])
def test_last_organizer_cannot_step_down(login, alice, mo, role):
    response = change_role(login(alice), alice, {"role": role})
    assert response.status_code == 200
    assert response.redirect_chain == [(alice.movement.get_absolute_url(), 302)]
    message = "A movement always keeps at least one organizer: name another one first."
    assert escape(message) in response.content.decode()


def test_last_organizer_keeps_the_role(login, alice, mo):
    change_role(login(alice), alice, {"role": Role.MEMBER})
    alice.refresh_from_db()
    assert alice.role == Role.ORGANIZER
    assert not AuditEvent.objects.filter(verb=Verb.ROLE_CHANGED).exists()


def test_unknown_member_is_not_found(login, alice):
    url = reverse("movement:member_role", kwargs={"movement_slug": "tidewater", "member_id": 999})
    assert login(alice).post(url, {"role": Role.MEMBER}).status_code == 404


def test_member_list_ignores_a_garbage_page_number(login, alice, mo):
    client = login(alice)
    for page in ("abc", "-1", "99999"):
        assert client.get(members_url(), {"page": page}).status_code == 200


# --- signing up -------------------------------------------------------------------------


def sign_up(client, **overrides):
    data = {
        "display_name": "Rosa",
        "email": "rosa@example.org",
        "password1": PASSWORD,
        "password2": PASSWORD,
    }
    return post_form(client, reverse("account_signup"), data, **overrides)


def assert_signup_error(response, field, message):
    assert response.status_code == 200
    assert message in response.context["form"].errors.get(field, []), response.context[
        "form"
    ].errors
    assert escape(message) in response.content.decode()


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("display_name", "", REQUIRED),
        ("display_name", None, REQUIRED),
        ("display_name", "   ", REQUIRED),
        ("display_name", "r" * 81, too_long(80, 81)),
        ("email", "", REQUIRED),
        ("email", "not-an-email", "Enter a valid email address."),
        ("email", "rosa@", "Enter a valid email address."),
        ("email", "rosa example@example.org", "Enter a valid email address."),
        ("password2", "a-different-passphrase", "You must type the same password each time."),
        ("password1", "", REQUIRED),
    ],
    ids=[
        "empty-name",
        "missing-name",
        "whitespace-name",
        "long-name",
        "empty-email",
        "no-at-domain",
        "no-domain",
        "space-in-email",
        "mismatched-passwords",
        "empty-password",
    ],
)
def test_signup_shows_field_error(client, db, field, value, message):
    response = sign_up(client, **{field: value})
    assert_signup_error(response, field, message)


@pytest.mark.parametrize(
    "overrides",
    [
        {"display_name": ""},
        {"email": "not-an-email"},
        {"password2": "a-different-passphrase"},
    ],
    ids=["empty-name", "bad-email", "mismatched-passwords"],
)
def test_rejected_signup_creates_no_account(client, db, overrides):
    sign_up(client, **overrides)
    assert not User.objects.exists()


# A taken e-mail is not answered with an error: allauth's ACCOUNT_PREVENT_ENUMERATION
# (on by default) makes it look exactly like a fresh sign-up and mails the owner instead,
# so nobody can test whether an address belongs to someone in a movement.


def test_signup_with_a_taken_email_looks_like_any_signup(client, alice):
    fresh = sign_up(client, email="new-person@example.org")
    client.logout()
    taken = sign_up(client, email=alice.user.email.upper())
    assert (taken.status_code, taken["Location"]) == (fresh.status_code, fresh["Location"])


def test_signup_with_a_taken_email_tells_the_owner(client, alice, mailoutbox):
    sign_up(client, email=alice.user.email)
    assert [(m.to, m.subject) for m in mailoutbox] == [
        ([alice.user.email], "[Constellation] Account Already Exists")
    ]


def test_signup_with_a_taken_email_leaves_the_account_alone(client, alice):
    sign_up(client, email=alice.user.email, display_name="Impostor")
    sign_up(client, email=alice.user.email.upper(), display_name="Impostor")
    user = User.objects.get(email__iexact=alice.user.email)
    assert (User.objects.count(), user.display_name) == (1, "Alice")
    assert user.check_password(PASSWORD)
