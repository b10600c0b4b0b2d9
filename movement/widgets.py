"""A text input that suggests as you type: a server-rendered autocomplete.

The input is an ordinary text field joined to a ``<datalist>``: browsers offer the list's
options (keyboard and screen readers included), htmx refills it from the server as the
person types, and without JavaScript the typed name is simply sent and read on the
server. It replaces selects and checkbox lists that would hold every circle or member.
"""

from django import forms

from movement import zones


def suggestion_query(request):
    """What the person has typed so far: htmx sends the input under its own field name
    (``circle``, ``add_facilitator``…), and ``q`` works for anyone else asking."""
    return (request.GET.get("q") or next(iter(request.GET.values()), ""))[:80]


class SuggestingInput(forms.TextInput):
    template_name = "movement/widgets/suggesting_input.html"

    def __init__(self, attrs=None, suggest_url=""):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.suggest_url = suggest_url

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["suggest_url"] = self.suggest_url
        return context


class ListedInput(forms.TextInput):
    """A text input with a fixed list of suggestions (a ``<datalist>`` rendered once, in one
    loop): hundreds of options without a sub-template per option."""

    template_name = "movement/widgets/listed_input.html"

    def __init__(self, attrs=None, options=()):
        super().__init__({"autocomplete": "off", **(attrs or {})})
        self.options = options

    def get_context(self, name, value, attrs):
        context = super().get_context(name, value, attrs)
        context["widget"]["options"] = self.options
        return context


class TimeZoneInput(ListedInput):
    """A time zone typed with the current zones suggested, the common ones first
    (``movement/zones.py``)."""

    def __init__(self, attrs=None):
        super().__init__(
            {"spellcheck": "false", "autocapitalize": "none", **(attrs or {})},
            options=zones.ordered(),
        )
