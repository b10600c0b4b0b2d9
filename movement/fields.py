"""Form fields for ids: the ASCII digits of an integer a database column holds.

Ids come from the app's own forms. ``int()`` would also read "١٢٣" or "１２３", and thirty
nines reach the database as a number no column holds (SQLite raises on them); an id field
refuses all of these next to the field, the same way for one id or many, and never looks
them up.
"""

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from movement import zones
from movement.widgets import TimeZoneInput

MAX_ID_DIGITS = 18  # every 18-digit number fits a signed 64-bit column


def is_id(value):
    text = str(value)
    return text.isascii() and text.isdigit() and len(text) <= MAX_ID_DIGITS


class IdChoiceField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not is_id(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class IdMultipleChoiceField(forms.ModelMultipleChoiceField):
    def clean(self, value):
        for pk in value or ():
            if not is_id(pk):
                raise ValidationError(
                    self.error_messages["invalid_pk_value"],
                    code="invalid_pk_value",
                    params={"pk": pk},
                )
        return super().clean(value)


class TimeZoneField(forms.CharField):
    """A time zone a person types or picks: a current IANA name (``movement/zones.py``).

    Typed names are read kindly ("paris", "america/new york"); old names (US/Eastern) and
    unknown ones are refused next to the field, in words.
    """

    widget = TimeZoneInput

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 64)
        kwargs.setdefault("label", _("Time zone"))
        kwargs.setdefault("help_text", _("Type a city to find its zone, e.g. Europe/Paris."))
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return value
        return zones.check(value)
