"""Bad input on the circle forms and the directory: a field error, never a 500, nothing lost."""

import pytest
from django.urls import reverse
from django.utils.html import escape
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from circles.models import Circle, CircleMembership, Lens
from circles.services import Verb
from movement.models import AuditEvent
from tests.bad_input import (
    NO_LETTERS,
    NUL,
    REQUIRED,
    assert_field_error,
    post_form,
    too_long,
    unknown_choice,
)
from tests.factories import CircleFactory, CircleMembershipFactory

NAME_TAKEN = "A circle with this name already exists in this movement."
THEORY_NEEDED = "Every circle needs a theory of change."


VALID = {
    "name": "Tenant Union",
    "initiative": "Door-knocking every Saturday.",
    "theory_of_change": "Organized tenants can withhold rent together.",
    "lens": Lens.STRUCTURALIST,
}

# (field, value, message): every way one field can be wrong, shared by create and edit.
BAD_VALUES = [
    ("name", "", REQUIRED),
    ("name", "   ", REQUIRED),
    ("name", "-- !! --", NO_LETTERS),
    ("name", "n" * 81, too_long(80, 81)),
    ("name", "street medics", NAME_TAKEN),
    ("name", "  STREET MEDICS ", NAME_TAKEN),
    ("name", "nul\x00byte", NUL),
    ("initiative", "", REQUIRED),
    ("initiative", "i" * 2001, too_long(2000, 2001)),
    ("theory_of_change", None, REQUIRED),
    ("theory_of_change", "", REQUIRED),
    ("theory_of_change", " \n\t ", REQUIRED),
    ("theory_of_change", "t" * 4001, too_long(4000, 4001)),
    ("lens", "nonsense", unknown_choice("nonsense")),
    ("lens", "Voluntarist", unknown_choice("Voluntarist")),
    ("lens", None, REQUIRED),
]
BAD_VALUE_IDS = [
    "empty-name",
    "whitespace-name",
    "punctuation-name",
    "long-name",
    "duplicate-name-other-case",
    "duplicate-name-padded-capitals",
    "nul-in-name",
    "empty-initiative",
    "long-initiative",
    "missing-theory",
    "empty-theory",
    "whitespace-theory",
    "long-theory",
    "unknown-lens",
    "lens-in-capitals",
    "missing-lens",
]


# --- starting a circle ---------------------------------------------------------------------


def create_url():
    return reverse("circles:create", kwargs={"movement_slug": "tidewater"})


def create_circle(client, **overrides):
    return post_form(client, create_url(), VALID, **overrides)


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_create_form_shows_field_error(login, mo, medics, field, value, message):
    response = create_circle(login(mo), **{field: value})
    assert_field_error(response, field, message)


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_rejected_circle_creates_nothing(login, mo, medics, field, value, message):
    create_circle(login(mo), **{field: value})
    assert list(Circle.objects.values_list("name", flat=True)) == ["Street Medics"]
    assert not CircleMembership.objects.filter(member=mo).exists()
    assert not AuditEvent.objects.exists()


def test_rejected_circle_keeps_what_was_typed(login, mo, medics):
    response = create_circle(login(mo), name="street medics")
    assert escape(VALID["theory_of_change"]) in response.content.decode()


@pytest.mark.parametrize(
    ("existing", "attempt"),
    [("Équipe Soin", "équipe soin"), ("Медики", "МЕДИКИ"), ("Ωmega Kitchen", "ωMEGA KITCHEN")],
    ids=["french", "cyrillic", "greek"],
)
def test_duplicate_name_with_accents_in_other_case_is_refused(
    login, mo, tidewater, existing, attempt
):
    CircleFactory(movement=tidewater, name=existing)
    response = create_circle(login(mo), name=attempt)
    assert_field_error(response, "name", NAME_TAKEN)


def test_same_name_in_another_movement_is_fine(login, otto, medics):
    response = login(otto).post(
        reverse("circles:create", kwargs={"movement_slug": "elsewhere"}),
        {**VALID, "name": "Street Medics"},
    )
    assert response.status_code == 302


def test_longest_values_are_accepted(login, mo):
    response = create_circle(
        login(mo), name="n" * 80, initiative="i" * 2000, theory_of_change="t" * 4000
    )
    assert response.status_code == 302
    assert Circle.objects.get().name == "n" * 80


names = st.text(st.characters(exclude_categories=["Cs"]), max_size=100)
lenses = st.one_of(st.sampled_from(Lens.values), st.text(max_size=30))


@settings(
    max_examples=50, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    name=st.one_of(names, st.sampled_from(["Street Medics", "sTREET mEDICS", " street medics\t"])),
    initiative=st.text(st.characters(exclude_categories=["Cs"]), max_size=100),
    theory_of_change=st.text(st.characters(exclude_categories=["Cs"]), max_size=100),
    lens=lenses,
)
def test_any_text_gets_a_page_never_a_server_error(
    login, mo, medics, name, initiative, theory_of_change, lens
):
    circles_before = Circle.objects.count()
    response = create_circle(
        login(mo), name=name, initiative=initiative, theory_of_change=theory_of_change, lens=lens
    )
    created = Circle.objects.count() - circles_before
    assert (response.status_code, created) in [(200, 0), (302, 1)]


# --- editing a circle -----------------------------------------------------------------------


@pytest.fixture
def pantry(tidewater, cora):
    """A second circle convened by cora, so an edit can collide with "Street Medics"."""
    circle = CircleFactory(
        movement=tidewater,
        name="Pantry",
        slug="pantry",
        initiative="Weekly free pantry.",
        theory_of_change="Meals build trust.",
        lens=Lens.VOLUNTARIST,
    )
    CircleMembershipFactory(circle=circle, member=cora, is_convener=True)
    return circle


def edit_circle(client, circle, **overrides):
    url = reverse("circles:edit", kwargs={"movement_slug": "tidewater", "circle_slug": circle.slug})
    return post_form(client, url, VALID, **overrides)


def stored(circle):
    return Circle.objects.filter(pk=circle.pk).values(
        "name", "slug", "initiative", "theory_of_change", "lens"
    )[0]


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_edit_form_shows_field_error(login, cora, pantry, field, value, message):
    response = edit_circle(login(cora), pantry, **{field: value})
    assert_field_error(response, field, message)


@pytest.mark.parametrize(("field", "value", "message"), BAD_VALUES, ids=BAD_VALUE_IDS)
def test_rejected_edit_keeps_the_saved_circle(login, cora, pantry, field, value, message):
    before = stored(pantry)
    edit_circle(login(cora), pantry, **{field: value})
    assert stored(pantry) == before
    assert not AuditEvent.objects.filter(verb=Verb.CIRCLE_UPDATED).exists()


def test_renaming_to_own_name_in_other_case_is_fine(login, cora, pantry):
    response = edit_circle(login(cora), pantry, name="PANTRY")
    assert response.status_code == 302
    assert stored(pantry)["name"] == "PANTRY"


# --- the directory --------------------------------------------------------------------------


def directory(client, params, **headers):
    return client.get(
        reverse("circles:directory", kwargs={"movement_slug": "tidewater"}), params, **headers
    )


GARBAGE_FILTERS = [
    {"lens": "nonsense", "q": "q" * 5000, "page": "abc"},
    {"page": "99999"},
    {"page": "-1"},
    {"page": "0"},
    {"page": "1e9"},
    {"page": "9" * 400},
    {"q": "\x00"},
    {"q": "%_\\'\"; DROP TABLE circles_circle; --"},
    {"lens": ["voluntarist", "structuralist"], "q": ["a", "b"], "page": ["1", "x"]},
    {"unexpected": "parameter"},
]


@pytest.mark.parametrize("params", GARBAGE_FILTERS)
def test_directory_survives_garbage(login, mo, medics, params):
    response = directory(login(mo), params)
    assert response.status_code == 200


@pytest.mark.parametrize("params", GARBAGE_FILTERS)
def test_directory_partial_survives_garbage(login, mo, medics, params):
    response = directory(login(mo), params, HTTP_HX_REQUEST="true")
    assert response.status_code == 200


def test_directory_explains_bad_filters(login, mo, medics):
    response = directory(login(mo), {"lens": "nonsense", "q": "q" * 81})
    errors = response.context["filters"].errors
    assert (errors["lens"], errors["q"]) == ([unknown_choice("nonsense")], [too_long(80, 81)])
    assert escape(unknown_choice("nonsense")) in response.content.decode()


def test_directory_ignores_bad_filters(login, mo, medics):
    response = directory(login(mo), {"lens": "nonsense", "q": "q" * 5000, "page": "abc"})
    assert [circle.name for circle in response.context["page"]] == ["Street Medics"]


def test_directory_page_past_the_end_shows_the_last_page(login, mo, medics):
    response = directory(login(mo), {"page": "99999"})
    assert response.context["page"].number == 1
