"""What every bad-input test checks, whatever the form: a hostile value gets the page
back (never a 500) with a message next to the field it is about, and writes nothing.

The messages are Django's and ours, spelled out once here so a test reads like the page.
"""

import re

from django.utils.html import escape

REQUIRED = "This field is required."
NO_LETTERS = "Use at least one letter or digit."
NUL = "Null characters are not allowed."


def too_long(limit, length):
    return f"Ensure this value has at most {limit} characters (it has {length})."


def unknown_choice(value):
    return f"Select a valid choice. {value} is not one of the available choices."


def without_none(data):
    """The form data as a browser would send it: a field set to None is left out."""
    return {key: value for key, value in data.items() if value is not None}


def post_form(client, url, valid, **overrides):
    """POST a valid form with ``overrides`` on top; an override of None leaves the field out."""
    return client.post(url, without_none({**valid, **overrides}))


def assert_field_error(response, field, message, *, status=200, form="form"):
    """The page came back (``status``) with ``message`` on ``field``, shown in the field's
    error list, inside the same ``<div class="field">`` as its widget."""
    assert response.status_code == status
    errors = response.context[form].errors
    assert message in errors.get(field, []), errors.as_data()
    html = response.content.decode()
    groups = re.split(r'(?=<div class="field)', html)
    # A radio group's inputs are id_<field>_0, id_<field>_1, …
    widget = re.compile(rf'\sid="id_{field}(_0)?"')
    group = next((group for group in groups if widget.search(group)), None)
    assert group is not None, f"no widget rendered for {field!r}"
    # Django 5 renders each field's error list as <ul class="errorlist" id="id_<field>_error">.
    error_list = re.search(rf'<ul class="errorlist" id="id_{field}_error">(.*?)</ul>', group, re.S)
    assert error_list, f"no error list next to {field!r}"
    assert escape(message) in error_list.group(1)
